// Reaching people known only by e-mail, end to end through HTTP as Slack and Teams send it: owners
// imported with the journey tree, who never typed a command, get a ping as a direct message the first
// time (Slack: users.lookupByEmail → conversations.open; Teams: the roster read when Steward was added
// to a team → a 1:1 conversation created proactively). Someone who cannot be found is reported to the
// sender, the ping goes to the next owner up at once, and the digest lists them.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { buildDigest } from '../../src/governance/digest/service.js';
import { importJourneys } from '../../src/journeys/csv.js';
import { grantRole, personForEmail } from '../../src/orgs/service.js';
import { loadPingView } from '../../src/pings/view.js';
import { postActivity, teamsMessage } from '../support/fake-connector.js';
import { blockActionBody, postSlack, slashCommandBody } from '../support/slack.js';
import { startTestSteward, type TestSteward } from '../support/steward.js';

const DEMO = readFileSync(new URL('../../data/demo/journeys.csv', import.meta.url), 'utf8');
const OWNER = 'head-of-onboarding@example.com';
/** Owner of `orientation` in the demo tree; nobody with this e-mail exists on either platform. */
const STRANGER = 'head-of-sales@example.com';
/** Owner of `lifecycle`, the root: the next owner up from orientation. */
const DIRECTOR = 'cx-director@example.com';

async function setUpOrganisation(t: TestSteward, clock: ManualClock): Promise<string> {
  const db = t.database.db;
  const orgId = await t.steward.services.orgs.defaultOrganisation();
  await grantRole(db, await personForEmail(db, orgId, 'alma@example.com', 'Alma Admin'), { orgId, role: 'admin', byLabel: 'test' });
  expect((await importJourneys(db, orgId, DEMO, { now: clock.now(), byLabel: 'test' })).ok).toBe(true);
  return orgId;
}

/** The ping buttons a card's JSON holds, in order. */
function buttonsIn(json: string): string[] {
  return ['Acknowledge', 'Snooze 1 day', 'Escalate'].filter((label) => json.includes(`"${label}"`));
}

describe('Slack: reaching an owner known only by e-mail', () => {
  let t: TestSteward;
  let clock: ManualClock;
  let orgId: string;

  /** Pings as Ann; the answer comes in the acknowledgement, or by response_url when it took longer. */
  const ping = async (journey: string, message: string) => {
    const name = `cmd-${randomUUID()}`;
    const response = await postSlack(t.url, slashCommandBody({ command: '/journey', text: `ping ${journey} ${message}`, user_id: 'UANN', response_url: t.slack.responseUrl(name) }));
    expect(response.status).toBe(200);
    const body = await response.text();
    if (body.includes('Pinged')) return body;
    await t.slack.waitFor(() => t.slack.responses.some((r) => r.path === `/response/${name}`), 15_000);
    return JSON.stringify(t.slack.responses.filter((r) => r.path === `/response/${name}`).map((r) => r.body));
  };
  const dmsTo = (user: string, needle: string) => t.slack.callsOf('chat.postMessage').filter((c) => c.args.channel === user && JSON.stringify(c.args).includes(needle));
  const lookups = (email: string) => t.slack.callsOf('users.lookupByEmail').filter((c) => c.args.email === email);

  beforeAll(async () => {
    clock = new ManualClock(new Date());
    t = await startTestSteward({ clock });
    orgId = await setUpOrganisation(t, clock);
    t.slack.emails.set('UANN', 'ann@example.com');
    t.slack.emails.set('UOLGA', OWNER);
    t.slack.emails.set('UDANA', DIRECTOR);
  });
  afterAll(async () => {
    await t.close();
  });

  it('pings an owner who never used Steward: looked up by e-mail, DM opened, card with buttons and a welcome; acknowledging works', async () => {
    const message = `Welcome gift calls doubled ${randomUUID().slice(0, 6)}`;
    const confirmation = await ping('onboarding', message);
    await t.slack.waitFor(() => dmsTo('UOLGA', message).length === 1, 15_000);
    expect(lookups(OWNER)).toHaveLength(1);
    expect(t.slack.callsOf('conversations.open').some((c) => c.args.users === 'UOLGA')).toBe(true);
    const dm = JSON.stringify(dmsTo('UOLGA', message)[0]!.args.blocks);
    expect(buttonsIn(dm)).toEqual(['Acknowledge', 'Snooze 1 day', 'Escalate']);
    expect(dm).toContain('Welcome to Steward');
    expect(dm).toContain('owner of Welcome journey');
    expect(confirmation).toMatch(/Delivered to|On its way to/);
    expect(confirmation).not.toContain('has not used Steward');

    const pingRow = await t.database.db.selectFrom('pings').select('id').where('message', '=', message).executeTakeFirstOrThrow();
    const blocks = dmsTo('UOLGA', message)[0]!.args.blocks as { type: string; elements?: { text?: { text?: string }; value?: string }[] }[];
    const acknowledge = blocks.flatMap((b) => b.elements ?? []).find((e) => e.text?.text === 'Acknowledge');
    const responseUrl = t.slack.responseUrl(`ack-${randomUUID()}`);
    const clicked = await postSlack(t.url, blockActionBody({ userId: 'UOLGA', channelId: 'DOLGA', value: acknowledge!.value!, responseUrl }));
    expect(clicked.status).toBe(200);
    await t.slack.waitFor(() => t.slack.responses.some((r) => r.path === new URL(responseUrl).pathname), 15_000);
    const state = await t.database.db.selectFrom('pings').select('state').where('id', '=', pingRow.id).executeTakeFirstOrThrow();
    expect(state.state).toBe('acknowledged');
  });

  it('a second ping to the same owner is not looked up again, and carries no second welcome', async () => {
    const message = `Second ping ${randomUUID().slice(0, 6)}`;
    await ping('onboarding', message);
    await t.slack.waitFor(() => dmsTo('UOLGA', message).length === 1, 15_000);
    expect(lookups(OWNER)).toHaveLength(1);
    expect(JSON.stringify(dmsTo('UOLGA', message)[0]!.args.blocks)).not.toContain('Welcome to Steward');
  });

  it('an owner with no Slack account: the sender is told why, the next owner up gets it at once, the digest lists them', async () => {
    const message = `Leads lost at signature ${randomUUID().slice(0, 6)}`;
    await ping('orientation', message);
    await t.slack.waitFor(() => dmsTo('UDANA', message).length === 1, 15_000);
    const toDirector = JSON.stringify(dmsTo('UDANA', message)[0]!.args.blocks);
    expect(toDirector).toContain(`cannot be reached (no Slack account with ${STRANGER})`);
    // The root's owner: nobody above to escalate to.
    expect(buttonsIn(toDirector)).toEqual(['Acknowledge', 'Snooze 1 day']);
    await t.slack.waitFor(() => dmsTo('UANN', 'could not reach').length >= 1, 15_000);
    expect(JSON.stringify(dmsTo('UANN', 'could not reach')[0]!.args.blocks)).toContain(`no Slack account with ${STRANGER}`);
    const pingRow = await t.database.db.selectFrom('pings').innerJoin('people', 'people.id', 'pings.holder_person_id').select(['people.email', 'pings.state', 'pings.id']).where('pings.message', '=', message).executeTakeFirstOrThrow();
    expect(pingRow).toMatchObject({ email: DIRECTOR, state: 'sent' });
    // Its history says who could not be reached before the escalation that followed, once.
    const history = (await loadPingView(t.database.db, pingRow.id))!.history.map((line) => line.kind);
    expect(history.filter((kind) => kind === 'undelivered')).toHaveLength(1);
    expect(history.indexOf('undelivered')).toBeLessThan(history.indexOf('escalated'));

    // Remembered: a second message to the same person does not ask Slack again.
    await ping('orientation', `Again ${message}`);
    await t.slack.waitFor(() => dmsTo('UDANA', `Again ${message}`).length === 1, 15_000);
    expect(lookups(STRANGER)).toHaveLength(1);

    const digest = JSON.stringify(await buildDigest({ db: t.database.db }, orgId, clock.now()));
    expect(digest).toContain('People Steward cannot reach');
    expect(digest).toContain(`no Slack account with ${STRANGER}`);
  });

  it('`me` shows how Steward reaches you, and `me prefer teams` is kept', async () => {
    const say = async (text: string) => {
      const response = await postSlack(t.url, slashCommandBody({ command: '/cx', text, user_id: 'UOLGA', response_url: t.slack.responseUrl(`me-${randomUUID()}`) }));
      return response.text();
    };
    const me = await say('me');
    expect(me).toContain(OWNER);
    expect(me).toContain('Known on: ');
    expect(await say('me prefer teams')).toContain('now go to Teams');
    const person = await t.database.db.selectFrom('people').select('preferred_platform').where('email', '=', OWNER).executeTakeFirstOrThrow();
    expect(person.preferred_platform).toBe('teams');
    expect(await say('me prefer fax')).toContain('"text":"me","style":{"code":true}');
  });
});

describe('Teams: reaching an owner through the roster', () => {
  let t: TestSteward;
  let clock: ManualClock;
  const TEAM = '19:general-cx@thread.tacv2';
  const aad = (name: string) => `00000000-0000-0000-0000-${name.padStart(12, '0')}`;

  const say = async (text: string) => {
    const activity = teamsMessage({ text, serviceUrl: t.connector.url, userAad: aad('ann'), userName: 'Ann Sender', conversationId: `a:personal-ann` });
    const response = await postActivity(t.url, activity);
    expect(response.status).toBe(200);
    return JSON.stringify(t.connector.calls.filter((c) => c.activityId === activity.id).map((c) => c.body));
  };
  const created = () => t.connector.calls.filter((c) => c.method === 'POST' && c.path === '/v3/conversations');
  const postedInto = (conversationId: string, needle: string) => t.connector.sent().filter((c) => c.conversationId === conversationId && JSON.stringify(c.body).includes(needle));

  beforeAll(async () => {
    clock = new ManualClock(new Date());
    t = await startTestSteward({ clock });
    t.connector.members.set(`29:${aad('ann')}`, { email: 'ann@example.com', name: 'Ann Sender', aadObjectId: aad('ann') });
    t.connector.members.set(`29:${aad('olga')}`, { email: OWNER, name: 'Olga Owner', aadObjectId: aad('olga') });
    t.connector.members.set(`29:${aad('dana')}`, { email: DIRECTOR, name: 'Dana Director', aadObjectId: aad('dana') });
    await setUpOrganisation(t, clock);
    // Steward is added to a team: Teams sends conversationUpdate with the bot among the members added.
    const added = {
      type: 'conversationUpdate',
      id: `f:${randomUUID()}`,
      timestamp: new Date().toISOString(),
      serviceUrl: t.connector.url,
      channelId: 'msteams',
      from: { id: `29:${aad('ann')}`, aadObjectId: aad('ann') },
      conversation: { id: TEAM, conversationType: 'channel', isGroup: true, tenantId: 'tenant-0001' },
      recipient: { id: '28:steward-bot', name: 'Steward' },
      membersAdded: [{ id: '28:steward-bot' }],
      channelData: { tenant: { id: 'tenant-0001' }, team: { id: TEAM, name: 'CX' }, eventType: 'teamMemberAdded' },
    };
    expect((await postActivity(t.url, added)).status).toBeLessThan(300);
  });
  afterAll(async () => {
    await t.close();
  });

  it('reads the paged roster when added to a team, and names people from it', async () => {
    const pages = t.connector.calls.filter((c) => c.path.endsWith('/pagedmembers'));
    expect(pages.length).toBeGreaterThanOrEqual(2);
    const roster = await t.database.db.selectFrom('teams_roster').select(['email', 'name', 'member_id']).orderBy('email').execute();
    expect(roster.map((r) => r.email)).toEqual(['ann@example.com', DIRECTOR, OWNER]);
  });

  it('a ping to an owner in the roster who never talked to Steward creates a 1:1 conversation and posts the card there', async () => {
    const message = `Welcome gift calls doubled ${randomUUID().slice(0, 6)}`;
    const before = created().length;
    const confirmation = await say(`journey ping onboarding ${message}`);
    await t.connector.waitFor(() => created().length > before, 15_000);
    const creation = created().at(-1)!;
    expect((creation.body.members as { id: string }[])[0]!.id).toBe(`29:${aad('olga')}`);
    await t.connector.waitFor(() => t.connector.sent().some((c) => JSON.stringify(c.body).includes(message) && c.conversationId.startsWith('a:new-conversation')), 15_000);
    const card = JSON.stringify(t.connector.sent().find((c) => JSON.stringify(c.body).includes(message) && c.conversationId.startsWith('a:new-conversation'))!.body);
    expect(card).toContain('Welcome to Steward');
    expect(card).toContain('Acknowledge');
    // Names come from the roster, never an id.
    const shown = confirmation.slice(confirmation.indexOf('"attachments"'));
    expect(shown).toContain('Olga Owner');
    expect(shown).not.toMatch(/00000000-0000/);

    // The 1:1 chat is kept: the next ping goes straight there.
    const second = `Second ${message}`;
    const creations = created().length;
    await say(`journey ping onboarding ${second}`);
    const conversationId = t.connector.sent().find((c) => JSON.stringify(c.body).includes(message) && c.conversationId.startsWith('a:new-conversation'))!.conversationId;
    await t.connector.waitFor(() => postedInto(conversationId, second).length === 1, 15_000);
    expect(created().length).toBe(creations);
  });

  it('an owner in no roster is reported unreachable, and the ping goes to the next owner up in a new 1:1 chat', async () => {
    const message = `Leads lost at signature ${randomUUID().slice(0, 6)}`;
    await say(`journey ping orientation ${message}`);
    await t.connector.waitFor(() => t.connector.sent().some((c) => JSON.stringify(c.body).includes(message) && JSON.stringify(c.body).includes('cannot be reached')), 15_000);
    const toDirector = JSON.stringify(t.connector.sent().find((c) => JSON.stringify(c.body).includes(message) && JSON.stringify(c.body).includes('cannot be reached'))!.body);
    expect(toDirector).toContain(`${STRANGER} is not a member of any Teams team or chat Steward is installed in`);
    expect(created().some((c) => (c.body.members as { id: string }[])[0]!.id === `29:${aad('dana')}`)).toBe(true);
    const check = await t.database.db.selectFrom('reach_checks').innerJoin('people', 'people.id', 'reach_checks.person_id').select(['reach_checks.reachable', 'reach_checks.reason']).where('people.email', '=', STRANGER).execute();
    expect(check).toEqual([{ reachable: false, reason: `${STRANGER} is not a member of any Teams team or chat Steward is installed in` }]);
  });

  it('a member for whom Teams will not open a chat (app not installed for them) is reported with the reason', async () => {
    await t.database.db.deleteFrom('identities').where('external_user_id', '=', aad('dana')).execute();
    await t.database.db.deleteFrom('conversations').where('kind', '=', 'personal').where('person_id', 'in', t.database.db.selectFrom('people').select('id').where('email', '=', DIRECTOR)).execute();
    t.connector.notInstalledFor.add(`29:${aad('dana')}`);
    const message = `Nobody home ${randomUUID().slice(0, 6)}`;
    await say(`journey ping lifecycle ${message}`);
    await t.connector.waitFor(() => t.connector.sent().some((c) => JSON.stringify(c.body).includes('could not reach') && JSON.stringify(c.body).includes(message)), 15_000);
    const news = JSON.stringify(t.connector.sent().find((c) => JSON.stringify(c.body).includes('could not reach') && JSON.stringify(c.body).includes(message))!.body);
    expect(news).toContain('Teams would not open a chat with them (HTTP 403)');
    expect(news).toContain('Alma Admin');
  });
});
