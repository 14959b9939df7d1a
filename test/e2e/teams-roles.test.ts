// Roles take effect on a person's very next command, although Steward reuses a resolved actor for a
// moment (see OrgDirectory.resolveActor): a change made in this process applies at once; one made by
// another process (the CLI, a second Steward) within the 2 s the actor is reused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantRole, revokeRole } from '../../src/orgs/service.js';
import { postActivity, teamsMessage } from '../support/fake-connector.js';
import { startTestSteward, type TestSteward } from '../support/steward.js';

const ANN = '00000000-0000-0000-0000-00000000a001';
const BOB = '00000000-0000-0000-0000-00000000b002';

describe('Teams: role changes and the reused actor', () => {
  let t: TestSteward;
  beforeAll(async () => {
    t = await startTestSteward();
  });
  afterAll(async () => {
    await t.close();
  });

  /** Ann writes to Steward in her personal chat; the text of Steward's answer comes back. */
  async function annSays(text: string, entities: Record<string, unknown>[] = []): Promise<string> {
    const before = t.connector.sent().length;
    const response = await postActivity(t.url, teamsMessage({ text, serviceUrl: t.connector.url, userAad: ANN, userName: 'Ann Peeters', entities }));
    expect(response.status).toBe(200);
    await t.connector.waitFor(() => t.connector.sent().length > before);
    return JSON.stringify(t.connector.sent()[before]?.body);
  }

  const grantBobBoard = () =>
    annSays('role grant <at>Bob Claes</at> board', [{ type: 'mention', text: '<at>Bob Claes</at>', mentioned: { id: `29:${BOB}`, name: 'Bob Claes', aadObjectId: BOB } }]);

  const annId = async () =>
    (
      await t.database.db
        .selectFrom('identities')
        .select('person_id')
        .where('platform', '=', 'teams')
        .where('external_user_id', '=', ANN)
        .executeTakeFirstOrThrow()
    ).person_id;

  it('applies a role granted in this process to the very next command, and a revocation too', async () => {
    expect(await grantBobBoard()).toContain('Only admins can grant roles');
    const personId = await annId();
    const orgId = (await t.database.db.selectFrom('people').select('org_id').where('id', '=', personId).executeTakeFirstOrThrow()).org_id;

    await grantRole(t.database.db, personId, { orgId, role: 'admin', byLabel: 'test' });
    expect(await grantBobBoard()).toContain('Bob Claes is now a board member');

    // Someone else must stay admin, or the last admin could not be removed.
    const other = await t.database.db.insertInto('people').values({ org_id: orgId, display_name: 'Cleo', email: 'cleo@example.com' }).returning('id').executeTakeFirstOrThrow();
    await grantRole(t.database.db, other.id, { orgId, role: 'admin', byLabel: 'test' });
    await revokeRole(t.database.db, personId, { orgId, role: 'admin', byLabel: 'test' });
    expect(await grantBobBoard()).toContain('Only admins can grant roles');
  });

  it('applies a role written by another process within two seconds', async () => {
    const personId = await annId();
    expect(await grantBobBoard()).toContain('Only admins can grant roles');
    // What the CLI in another process does: a row in roles, which this process does not hear about.
    await t.database.db.insertInto('roles').values({ person_id: personId, role: 'admin', granted_by: 'cli' }).execute();
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect(await grantBobBoard()).toContain('Bob Claes already was a board member');
  });
});
