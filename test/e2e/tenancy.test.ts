// Who may reach the organisation: the first Slack workspace or Teams tenant creates (or joins) it;
// after that an unknown workspace or tenant is refused with how an admin links it, and sees nothing,
// until an admin links it or the configuration allows it.
import { afterEach, describe, expect, it } from 'vitest';
import * as orgsRepo from '../../src/orgs/repo.js';
import { postActivity, teamsMessage } from '../support/fake-connector.js';
import { postSlack, slashCommandBody } from '../support/slack.js';
import { startTestSteward, type TestSteward } from '../support/steward.js';

describe('tenancy: unknown workspaces and tenants', () => {
  let t: TestSteward | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const slackHelp = async (steward: TestSteward, teamId: string) =>
    JSON.stringify(await (await postSlack(steward.url, slashCommandBody({ command: '/cx', text: 'glossary nps', team_id: teamId, user_id: `U-${teamId}` }))).json());
  async function teamsSay(steward: TestSteward, tenantId: string): Promise<string> {
    const before = steward.connector.sent().length;
    const response = await postActivity(steward.url, teamsMessage({ text: 'help', serviceUrl: steward.connector.url, tenantId, conversationId: `a:personal-${tenantId}` }));
    expect(response.status).toBe(200);
    return JSON.stringify(steward.connector.sent().slice(before).map((c) => c.body));
  }
  const people = async (steward: TestSteward) => steward.database.db.selectFrom('people').select('display_name').execute();

  it('lets the first workspace create the organisation and refuses the next workspace and tenant, changing nothing', async () => {
    t = await startTestSteward({ env: { STEWARD_ALLOWED_INSTALLATIONS: '' } });
    expect(await slackHelp(t, 'T0FIRST')).not.toContain('not linked');
    const peopleBefore = await people(t);

    const otherWorkspace = await slackHelp(t, 'T0OTHER');
    expect(otherWorkspace).toContain('This Slack workspace (T0OTHER) is not linked to a Steward organisation');
    expect(otherWorkspace).toContain('steward org link-installation --platform slack --id T0OTHER');
    const tenant = await teamsSay(t, 'tenant-other');
    expect(tenant).toContain('This Microsoft Teams tenant (tenant-other) is not linked');
    expect(tenant).not.toContain('Steward help');

    expect(await people(t)).toEqual(peopleBefore);
    const installations = await t.database.db.selectFrom('installations').select('external_id').execute();
    expect(installations.map((i) => i.external_id)).toEqual(['T0FIRST']);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/steward_installations_refused_total\{platform="slack"\} 1/);
    expect(metrics).toMatch(/steward_installations_refused_total\{platform="teams"\} 1/);
  });

  it('answers a workspace an admin linked, and a tenant the configuration allows', async () => {
    t = await startTestSteward({ env: { STEWARD_ALLOWED_INSTALLATIONS: 'teams:tenant-allowed' } });
    await slackHelp(t, 'T0FIRST');
    const orgId = await t.steward.services.orgs.defaultOrganisation();
    await orgsRepo.linkInstallation(t.database.db, orgId, 'slack', 'T0LINKED', 'Second workspace');
    expect(await slackHelp(t, 'T0LINKED')).not.toContain('not linked');
    expect(await teamsSay(t, 'tenant-allowed')).toContain('Steward help');
    expect(await teamsSay(t, 'tenant-other')).toContain('not linked');
  });
});
