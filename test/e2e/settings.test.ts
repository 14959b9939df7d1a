// `/cx settings` through /slack/events: anyone reads the rules, only admins change them (by text or
// through the form), and a bad value is refused with what was expected while nothing changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as orgsRepo from '../../src/orgs/repo.js';
import { grantRole } from '../../src/orgs/service.js';
import { loadGovernanceSettings } from '../../src/governance/service.js';
import { blockActionBody, postSlack, slashCommandBody } from '../support/slack.js';
import { startTestSteward, type TestSteward } from '../support/steward.js';

function viewSubmissionBody(userId: string, privateMetadata: string, values: Record<string, string>, selects: string[]): string {
  const state: Record<string, Record<string, unknown>> = {};
  for (const [id, value] of Object.entries(values)) {
    state[id] = selects.includes(id) ? { [id]: { type: 'static_select', selected_option: { value } } } : { [id]: { type: 'plain_text_input', value } };
  }
  const payload = {
    type: 'view_submission',
    team: { id: 'T0001', domain: 'acme' },
    user: { id: userId, username: userId.toLowerCase(), name: userId.toLowerCase(), team_id: 'T0001' },
    api_app_id: 'A0001',
    token: 'deprecated-verification-token',
    trigger_id: '1234.5678.ijkl',
    view: { id: 'V0002', team_id: 'T0001', type: 'modal', callback_id: 'steward_form', private_metadata: privateMetadata, state: { values: state }, hash: '1700000000.def' },
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

describe('Slack: /cx settings', () => {
  let t: TestSteward;
  let orgId: string;

  beforeAll(async () => {
    t = await startTestSteward();
    orgId = await t.steward.services.orgs.defaultOrganisation();
    const admin = await orgsRepo.createPerson(t.database.db, orgId, 'Alma Admin', null);
    await orgsRepo.addIdentity(t.database.db, admin.id, 'slack', 'T0001', 'UADMIN01');
    await grantRole(t.database.db, admin.id, { orgId, role: 'admin', byLabel: 'test' });
  }, 60_000);
  afterAll(async () => {
    await t.close();
  });

  const command = async (user: string, text: string) => JSON.stringify(await (await postSlack(t.url, slashCommandBody({ command: '/cx', text, user_id: user }))).json());

  it('shows the settings to anyone, with the change button only for admins', async () => {
    const member = await command('UMEMBER1', 'settings');
    expect(member).toContain('Governance settings');
    expect(member).toContain('50% of the board');
    expect(member).not.toContain('Change settings');
    expect(await command('UADMIN01', 'settings')).toContain('Change settings');
  });

  it('lets an admin change a rule by text, refuses others, and names a bad value', async () => {
    expect(await command('UMEMBER1', 'settings quorum 60%')).toContain('Only admins can change governance settings');
    expect((await loadGovernanceSettings(t.database.db, orgId)).quorum).toEqual({ kind: 'share', value: 0.5 });
    expect(await command('UADMIN01', 'settings quorum lots')).toContain('“lots” is not a quorum');
    const changed = await command('UADMIN01', 'settings quorum 60%');
    expect(changed).toContain('60% of the board');
    expect((await loadGovernanceSettings(t.database.db, orgId)).quorum).toEqual({ kind: 'share', value: 0.6 });
    expect(await command('UADMIN01', 'settings period 2w')).toContain('2 weeks');
  });

  it('lets an admin change the rules through the form', async () => {
    const card = await (await postSlack(t.url, slashCommandBody({ command: '/cx', text: 'settings', user_id: 'UADMIN01' }))).json();
    const value = /"value":"(\{\\"action\\":\\"settings.edit\\"\})"/.exec(JSON.stringify(card))?.[1]?.replace(/\\"/g, '"');
    expect(value).toBe('{"action":"settings.edit"}');
    await postSlack(t.url, blockActionBody({ userId: 'UADMIN01', value: value!, responseUrl: t.slack.responseUrl('edit') }));
    await t.slack.waitFor(() => t.slack.callsOf('views.open').length === 1);
    const view = t.slack.callsOf('views.open')[0]!.args.view as { private_metadata: string };

    // One bad field refuses the whole form and changes nothing.
    await postSlack(t.url, viewSubmissionBody('UADMIN01', view.private_metadata, { period: '3d', quorum: '4', majority: 'two-thirds', ballots: 'anonymous', timezone: 'Nowhere/Special' }, ['majority', 'ballots']));
    await t.slack.waitFor(() => t.slack.callsOf('chat.postEphemeral').length === 1);
    expect(JSON.stringify(t.slack.callsOf('chat.postEphemeral')[0]!.args)).toContain('is not a time zone');
    expect((await loadGovernanceSettings(t.database.db, orgId)).majority).toBe('simple');

    await postSlack(t.url, viewSubmissionBody('UADMIN01', view.private_metadata, { period: '3d', quorum: '4', majority: 'two-thirds', ballots: 'anonymous', timezone: 'Europe/Brussels' }, ['majority', 'ballots']));
    await t.slack.waitFor(() => t.slack.callsOf('chat.postEphemeral').length === 2);
    expect(await loadGovernanceSettings(t.database.db, orgId)).toMatchObject({
      votingPeriodHours: 72,
      quorum: { kind: 'count', value: 4 },
      majority: 'two-thirds',
      anonymousBallots: true,
      timeZone: 'Europe/Brussels',
    });
  });
});
