// My Steward end to end on the demo organisation: Slack's Home tab (app_home_opened → views.publish)
// for a person with a waiting ping, a vote they owe, KPIs on their journey and a glossary change to
// approve, and for a person with none of these; a vote cast from the Home tab republishes it; Teams'
// `home` and the personal chat's welcome show the same card.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitTerm } from '../../src/glossary/service.js';
import { addIdentity } from '../../src/orgs/repo.js';
import { grantRole, personForEmail } from '../../src/orgs/service.js';
import { seedDemo } from '../../src/seed/demo.js';
import { postActivity, teamsMessage } from '../support/fake-connector.js';
import { blockActionBody, postSlack, sign, slashCommandBody } from '../support/slack.js';
import { linkTeamsMembers, startTestSteward, type TestSteward } from '../support/steward.js';
import { waitUntil } from '../support/wait.js';

const HEAD_OF_SERVICE = 'UHOS0001';
const DANA = 'UDANA001';
const NEWCOMER = 'UNEW0001';
const DANA_AAD = '00000000-0000-0000-0000-00000000da01';

describe('My Steward', () => {
  let t: TestSteward;
  let orgId: string;
  let proposalId: string;

  const publishedFor = (user: string) => t.slack.callsOf('views.publish').filter((c) => c.args.user_id === user);
  const latestHome = (user: string) => JSON.stringify(publishedFor(user).at(-1)?.args.view);
  const openHome = async (user: string): Promise<string> => {
    const before = publishedFor(user).length;
    const body = JSON.stringify({
      type: 'event_callback',
      team_id: 'T0001',
      api_app_id: 'A0001',
      event_id: `Ev${randomUUID().slice(0, 10)}`,
      event_time: Math.floor(Date.now() / 1000),
      event: { type: 'app_home_opened', user, channel: `D${user.slice(1)}`, tab: 'home', event_ts: `${Date.now() / 1000}` },
    });
    expect((await postSlack(t.url, body, { ...sign(body), 'content-type': 'application/json' })).status).toBe(200);
    await waitUntil(`the home of ${user}`, () => publishedFor(user).length > before);
    return latestHome(user);
  };

  beforeAll(async () => {
    t = await startTestSteward({ extra: { homeRefreshMs: 300 } });
    orgId = await t.steward.services.orgs.defaultOrganisation();
    await seedDemo(t.database.db, { orgId, orgName: 'Acme' });
    const db = t.database.db;
    const headOfService = await personForEmail(db, orgId, 'head-of-service@example.com');
    await addIdentity(db, headOfService, 'slack', 'T0001', HEAD_OF_SERVICE);
    await grantRole(db, headOfService, { orgId, role: 'glossary_steward', byLabel: 'test' });
    await addIdentity(db, await personForEmail(db, orgId, 'cx-director@example.com'), 'slack', 'T0001', DANA);
    proposalId = (await db.selectFrom('proposals').select('id').where('org_id', '=', orgId).where('number', '=', 1).executeTakeFirstOrThrow()).id;
    // Dana pings the journey the head of service owns; someone without a role proposes a new term.
    const ping = await postSlack(t.url, slashCommandBody({ command: '/journey', text: 'ping service Please look at the CSAT drop this week', user_id: DANA }));
    expect(ping.status).toBe(200);
    const digital = await personForEmail(db, orgId, 'digital-lead@example.com');
    const proposer = { personId: digital, orgId, name: 'Digital lead', email: 'digital-lead@example.com', roles: new Set<never>(), platform: 'slack' as const, platformUserId: 'UDIGITAL' };
    await submitTerm({ db, clock: t.clock, kickDelivery: () => {} }, proposer, undefined, { name: 'Silent churn', definition: 'Customers who stop using the product without cancelling.', notes: null, links: [], aliases: [] });
  });
  afterAll(async () => {
    await t.close();
  });

  it('shows the Slack Home tab with what waits: the ping, the vote owed, the journey and its KPIs, the approval, the proposals', async () => {
    const home = await openHome(HEAD_OF_SERVICE);
    expect(home).toContain('"type":"home"');
    expect(home).toContain('My Steward — Head of customer service');
    expect(home).toMatch(/Pings waiting for you \([13]\)/);
    expect(home).toContain('Please look at the CSAT drop this week');
    expect(home).toContain('Votes you owe (1)');
    expect(home).toContain('#1 Call every new customer in their first week');
    expect(home).toContain('Your journeys (1)');
    expect(home).toContain('Getting help');
    expect(home).toMatch(/Service CSAT (breached|at risk)|KPIs? on track|KPIs?: \d+ (on track|stale|no data)/);
    expect(home).toContain('Glossary changes waiting for your approval (1)');
    expect(home).toContain('Silent churn');
    expect(home).toContain('None open.');
    for (const action of ['ping.acknowledge', 'ping.snooze', 'ping.escalate', 'proposal.vote', 'glossary.approve', 'glossary.reject']) expect(home).toContain(action);
  });

  it('publishes the Home tab again when what waits changes elsewhere, and not when nothing changed', async () => {
    await openHome(HEAD_OF_SERVICE);
    const before = publishedFor(HEAD_OF_SERVICE).length;
    // Three changes in a row from elsewhere: Dana pings twice more.
    for (const message of ['A second look at the CSAT drop, please', 'And the first contact resolution too']) {
      expect((await postSlack(t.url, slashCommandBody({ command: '/journey', text: `ping service ${message}`, user_id: DANA }))).status).toBe(200);
    }
    await waitUntil('the home shows both new pings', () => latestHome(HEAD_OF_SERVICE).includes('Pings waiting for you (3)'), 10_000);
    const after = publishedFor(HEAD_OF_SERVICE).length;
    // Coalesced: the two changes cost at most two publishes, and an unchanged home none at all.
    expect(after - before).toBeLessThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(publishedFor(HEAD_OF_SERVICE).length).toBe(after);

    // A vote cast elsewhere (on the proposal's card in a channel) leaves the votes owed.
    const vote = JSON.stringify({ action: 'proposal.vote', p: proposalId, c: 'reject' });
    expect((await postSlack(t.url, blockActionBody({ userId: HEAD_OF_SERVICE, value: vote, channelId: 'CGOV0001', responseUrl: t.slack.responseUrl('vote-elsewhere') }))).status).toBe(200);
    await waitUntil('the home shows no vote owed', () => latestHome(HEAD_OF_SERVICE).includes('You have voted on every open proposal.'), 10_000);
  });

  it('tells a newcomer what to try instead of showing empty lists', async () => {
    const home = await openHome(NEWCOMER);
    expect(home).toContain('Nothing waits for you.');
    expect(home).toContain('/journey mine');
    expect(home).toContain('You own no journey.');
    expect(home).toContain('/proposal new');
    expect(home).not.toContain('Votes you owe');
  });

  it('casts a vote from the Home tab and republishes it without that vote', async () => {
    const before = publishedFor(HEAD_OF_SERVICE).length;
    const payload = {
      type: 'block_actions',
      user: { id: HEAD_OF_SERVICE, username: 'hos', name: 'hos', team_id: 'T0001' },
      api_app_id: 'A0001',
      token: 'deprecated-verification-token',
      container: { type: 'view', view_id: 'VHOME1' },
      trigger_id: '1.2.3',
      team: { id: 'T0001', domain: 'acme' },
      view: { id: 'VHOME1', type: 'home', callback_id: '', hash: 'h' },
      actions: [{ type: 'button', action_id: 'action:0', block_id: 'b1', text: { type: 'plain_text', text: 'Approve' }, value: JSON.stringify({ action: 'proposal.vote', p: proposalId, c: 'approve' }), action_ts: '1.2' }],
    };
    expect((await postSlack(t.url, new URLSearchParams({ payload: JSON.stringify(payload) }).toString())).status).toBe(200);
    await waitUntil('the home is published again', () => publishedFor(HEAD_OF_SERVICE).length > before);
    const home = latestHome(HEAD_OF_SERVICE);
    expect(home).toContain('You have voted on every open proposal.');
    const ballot = await t.database.db.selectFrom('proposal_ballots').select('choice').where('proposal_id', '=', proposalId).where('person_id', '=', await personForEmail(t.database.db, orgId, 'head-of-service@example.com')).executeTakeFirst();
    expect(ballot?.choice).toBe('approve');
  });

  it('answers home on Teams with the same card, and welcomes a person who installs Steward with it', async () => {
    t.connector.members.set(`29:${DANA_AAD}`, { email: 'cx-director@example.com', name: 'Dana de Vries', aadObjectId: DANA_AAD });
    await linkTeamsMembers(t);
    const before = t.connector.sent().length;
    await postActivity(t.url, teamsMessage({ text: 'home', serviceUrl: t.connector.url, userAad: DANA_AAD, userName: 'Dana de Vries' }));
    await waitUntil('the home card', () => t.connector.sent().length > before);
    const card = JSON.stringify(t.connector.sent().slice(before)[0]?.body);
    expect(card).toContain('My Steward — Dana de Vries (CX director)');
    expect(card).toContain('Your journeys (1)');
    expect(card).toContain('Customer lifecycle');
    expect(card).toContain('journey mine');
    expect(card).not.toContain('/journey');

    const installed = t.connector.sent().length;
    const response = await postActivity(t.url, {
      type: 'installationUpdate',
      action: 'add',
      id: `inst-${randomUUID()}`,
      timestamp: new Date().toISOString(),
      serviceUrl: t.connector.url,
      channelId: 'msteams',
      from: { id: `29:${DANA_AAD}`, aadObjectId: DANA_AAD, name: 'Dana de Vries' },
      recipient: { id: '28:steward-bot', name: 'Steward' },
      conversation: { id: `a:personal-${DANA_AAD}`, conversationType: 'personal', tenantId: 'tenant-0001' },
      channelData: { tenant: { id: 'tenant-0001' } },
    });
    expect(response.status).toBeLessThan(300);
    await waitUntil('the welcome', () => t.connector.sent().length > installed);
    expect(JSON.stringify(t.connector.sent().slice(installed)[0]?.body)).toContain('My Steward — Dana de Vries (CX director)');
  });
});
