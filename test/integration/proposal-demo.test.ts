// The demo organisation comes with one open vote, posted as soon as an admin picks a governance channel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { postOpenProposals } from '../../src/proposals/service.js';
import { seedDemo } from '../../src/seed/demo.js';
import { makeGovernanceChannel } from '../../src/governance/service.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { testServices } from '../support/proposal-fixtures.js';

describe('demo proposal', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('pglite');
  });
  afterAll(async () => {
    await database.drop();
  });

  it('seeds one open proposal with two votes, and posts it once to a governance channel chosen later', async () => {
    const { orgId } = await seedDemo(database.db, { orgName: 'Demo' });
    const proposal = await database.db.selectFrom('proposals').selectAll().where('org_id', '=', orgId).executeTakeFirstOrThrow();
    expect(proposal).toMatchObject({ number: 1, status: 'open' });
    expect(proposal.rule).toMatchObject({ boardSize: 5, quorumRequired: 3 });
    expect(await database.db.selectFrom('proposal_ballots').select('choice').where('proposal_id', '=', proposal.id).execute()).toHaveLength(2);

    const kicked: string[] = [];
    const services = testServices(database.db, new ManualClock(new Date()), kicked);
    const { conversationId } = await makeGovernanceChannel(database.db, orgId, { platform: 'slack', installationExternalId: 'T0001', externalId: 'CDEMO001', kind: 'channel', name: 'governance' });
    expect(await postOpenProposals(services, orgId, conversationId)).toBe(1);
    expect(await postOpenProposals(services, orgId, conversationId)).toBe(0);
    expect(kicked).toHaveLength(1);
  });
});
