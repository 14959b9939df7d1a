// The journey commands through HTTP as Slack and Teams send them: the journey card (with sections
// other capabilities add), tolerant lookup, the tree, naming an owner, adding and moving journeys,
// the escalation delay, and a ping to a journey nobody owns.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { context, text } from '../../src/chat/card.js';
import { importJourneys } from '../../src/journeys/csv.js';
import type { JourneyCardSection } from '../../src/journeys/cards.js';
import { grantRole, personForEmail } from '../../src/orgs/service.js';
import { postActivity, teamsMessage } from '../support/fake-connector.js';
import { blockActionBody, postSlack, slashCommandBody } from '../support/slack.js';
import { startTestSteward, type TestSteward } from '../support/steward.js';

const DEMO = readFileSync(new URL('../../data/demo/journeys.csv', import.meta.url), 'utf8');

// What the KPI capability would add to every journey card.
const testKpis: JourneyCardSection = {
  name: 'test-kpis',
  render: async ({ journeyKey }) => (journeyKey === 'onboarding' ? [context(text('KPI onboarding-nps: 41 (target 45) · at risk'))] : []),
};

describe('Slack: journey commands', () => {
  let t: TestSteward;

  const say = async (user: string, textIn: string) => {
    const response = await postSlack(t.url, slashCommandBody({ command: '/journey', text: textIn, user_id: user }));
    expect(response.status).toBe(200);
    return JSON.stringify(await response.json());
  };

  beforeAll(async () => {
    t = await startTestSteward({ extra: { journeyCardSections: [testKpis] } });
    const db = t.database.db;
    const orgId = await t.steward.services.orgs.defaultOrganisation();
    await grantRole(db, await personForEmail(db, orgId, 'cx-director@example.com', 'Dana Director'), { orgId, role: 'admin', byLabel: 'test' });
    await personForEmail(db, orgId, 'head-of-onboarding@example.com', 'Olga Owner');
    expect((await importJourneys(db, orgId, DEMO, { now: new Date(), byLabel: 'test' })).ok).toBe(true);
    t.slack.emails.set('UDANA', 'cx-director@example.com');
    t.slack.emails.set('UOLGA', 'head-of-onboarding@example.com');
    t.slack.emails.set('UGIFT', 'gifts@example.com');
  });
  afterAll(async () => {
    await t.close();
  });

  it('shows a journey: level, owner, parent, sub-journeys, the sections of other capabilities, and a ping button', async () => {
    await say('UOLGA', 'mine');
    const card = await say('UANN', 'onboarding');
    expect(card).toContain('Welcome journey');
    expect(card).toContain('Journey · key ');
    expect(card).toContain('UOLGA');
    expect(card).toContain('Customer lifecycle (lifecycle)');
    expect(card).toContain('Receive welcome gift (welcome-gift)');
    expect(card).toContain('(inherited from Welcome journey)');
    expect(card).toContain('KPI onboarding-nps: 41 (target 45)');
    expect(card).toContain('Ping the owner');
    expect(card).toContain('"ephemeral"');
  });

  it('finds a journey despite a typo, and offers a choice when a word fits several', async () => {
    expect(await say('UANN', 'Welcom journy')).toContain('Closest match');
    const choice = await say('UANN', 'welcome');
    expect(choice).toContain('Which journey?');
    expect(choice).toContain('journey.show');
    expect(await say('UANN', 'xylophone')).toContain('There is no journey “xylophone”');
  });

  it('lists the tree indented, with inherited owners and ownerless journeys flagged', async () => {
    await say('UDANA', 'add orphan "Orphan journey" journey');
    const list = await say('UANN', 'list');
    expect(list).toContain('Customer lifecycle');
    expect(list).toContain('└ ');
    expect(list).toContain('no owner of its own; inherits');
    expect(list).toMatch(/⚠ .*Orphan journey/);
  });

  it('names an owner (admins or the current owner), who is told; anyone else is refused', async () => {
    const refused = await say('UANN', 'owner welcome-gift <@UGIFT|gift>');
    expect(refused).toContain('Only admins or the current owner');
    const handed = await say('UOLGA', 'owner welcome-gift <@UGIFT|gift>');
    expect(handed).toContain('now owns Receive welcome gift');
    await t.slack.waitFor(() => t.slack.callsOf('chat.postMessage').some((c) => c.args.channel === 'UGIFT' && String(c.args.text).includes('named you the owner of Receive welcome gift')));
    expect(await say('UANN', 'welcome-gift')).toContain('UGIFT');
  });

  it('adds and moves journeys (admins only), refusing a cycle with a message', async () => {
    expect(await say('UANN', 'add app "Mobile app" journey under service')).toContain('Only admins can add journeys');
    const added = await say('UDANA', 'add app "Mobile app" journey under service');
    expect(added).toContain('Added Mobile app');
    expect(await say('UDANA', 'move service under app')).toContain('would make a cycle');
    expect(await say('UDANA', 'add bad_key "Bad" journey')).toContain('key: expected');
    expect(await say('UDANA', 'move app under billing')).toContain('Moved Mobile app under Billing and payment');
    expect(await say('UOLGA', 'move app under service')).toContain('Only admins can move journeys');
  });

  it('lets admins set the escalation delay, which new pings then promise', async () => {
    expect(await say('UANN', 'delay 12')).toContain('Only admins');
    expect(await say('UDANA', 'delay 0')).toContain('at least');
    expect(await say('UDANA', 'delay 12')).toContain('after 12 h');
    const sent = await say('UANN', 'ping onboarding The welcome letter has the wrong date');
    expect(sent).toContain('if not acknowledged in 12 h');
    await say('UDANA', 'delay 24');
  });

  it('sends a ping about a journey with no owner up the tree to the admins, and says why', async () => {
    await say('UDANA', 'mine');
    const sent = await say('UANN', 'ping orphan Who looks after this one?');
    expect(sent).toContain('has no owner, and neither has any journey above it, so your ping went to the admins');
    expect(sent).toContain('UDANA');
    await t.slack.waitFor(() => t.slack.callsOf('chat.postMessage').some((c) => c.args.channel === 'UDANA' && String(c.args.text).includes('Who looks after this one?')));
  });

  it('pings from the card: the button opens a form, and submitting it sends the ping', async () => {
    const card = JSON.parse(await say('UANN', 'billing')) as { blocks: { type: string; elements?: { type: string; value?: string }[] }[] };
    const value = card.blocks.flatMap((b) => b.elements ?? []).find((e) => e.type === 'button' && e.value?.includes('journey.ping-form'))?.value;
    expect(value).toBeTruthy();
    await postSlack(t.url, blockActionBody({ userId: 'UANN', value: value!, responseUrl: t.slack.responseUrl('ping-form') }));
    await t.slack.waitFor(() => t.slack.callsOf('views.open').length > 0);
    const view = t.slack.callsOf('views.open').at(-1)?.args.view as { private_metadata: string; submit: { text: string } };
    expect(view.submit.text).toBe('Send ping');
    const payload = {
      type: 'view_submission',
      team: { id: 'T0001', domain: 'acme' },
      user: { id: 'UANN', username: 'uann', name: 'uann', team_id: 'T0001' },
      api_app_id: 'A0001',
      token: 'deprecated-verification-token',
      trigger_id: '1234.5678.ijkl',
      view: { id: 'V0001', team_id: 'T0001', type: 'modal', callback_id: 'steward_form', private_metadata: view.private_metadata, state: { values: { message: { message: { type: 'plain_text_input', value: 'Invoices show the old address' } } } }, hash: '1' },
    };
    const response = await postSlack(t.url, new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
    expect(response.status).toBe(200);
    // The sender's confirmation: "Sent to …", or "Now with …" when billing's owner (unreachable here) passed it on first.
    await t.slack.waitFor(() => t.slack.callsOf('chat.postEphemeral').some((c) => /Pinged: Billing and payment.*(Sent to|Now with)/.test(JSON.stringify(c.args.blocks))));
    const ping = await t.database.db.selectFrom('pings as p').innerJoin('journeys as j', 'j.id', 'p.journey_id').select(['j.key', 'p.state']).where('p.message', '=', 'Invoices show the old address').executeTakeFirstOrThrow();
    expect(ping).toEqual({ key: 'billing', state: 'sent' });
  });

  it('links the channel a journey team talks in (owner or admin, typed in that channel)', async () => {
    expect(await say('UANN', 'channel onboarding')).toContain('Only admins or the owner of Welcome journey');
    expect(await say('UOLGA', 'channel onboarding')).toContain('now the channel of Welcome journey');
    expect(await say('UANN', 'onboarding')).toContain('#cx-general');
  });

  it('tells the sender what became of a ping to an owner Steward has never met (looked up by e-mail; here Slack has no such account)', async () => {
    const answer = await say('UANN', 'ping orientation Prices on the website are wrong');
    expect(answer).not.toContain('has not used Steward');
    // Known within the confirmation's wait on a quiet machine; on a loaded one it is still on its way.
    expect(answer).toMatch(/Could not reach .*no Slack account with head-of-sales@example.com|On its way to /);
  });

  it('explains what it needs when a ping has no message or no journey', async () => {
    expect(await say('UANN', 'ping onboarding')).toContain('What should the owner of Welcome journey know?');
    const usage = await say('UANN', 'ping');
    expect(usage).toContain('Usage: ');
    expect(usage).toContain('"text":"journey ping <journey> <message>","style":{"code":true}');
    // The notification text says it in words, without the backticks.
    expect((JSON.parse(usage) as { text: string }).text).toMatch(/^Usage: journey ping &lt;journey&gt; &lt;message&gt;, e\.g\. journey ping onboarding/);
  });
});

describe('Teams: journey commands', () => {
  let t: TestSteward;
  const ANN = '00000000-0000-0000-0000-00000000a001';

  const say = async (textIn: string) => {
    const activity = teamsMessage({ text: `journey ${textIn}`, serviceUrl: t.connector.url, userAad: ANN, userName: 'Ann Peeters' });
    const before = t.connector.calls.length;
    const response = await postActivity(t.url, activity);
    expect(response.status).toBe(200);
    return JSON.stringify(t.connector.calls.slice(before).filter((c) => c.activityId === activity.id).map((c) => c.body));
  };

  beforeAll(async () => {
    t = await startTestSteward({ extra: { journeyCardSections: [testKpis] } });
    const db = t.database.db;
    const orgId = await t.steward.services.orgs.defaultOrganisation();
    expect((await importJourneys(db, orgId, DEMO, { now: new Date(), byLabel: 'test' })).ok).toBe(true);
  });
  afterAll(async () => {
    await t.close();
  });

  it('shows the journey card as an Adaptive Card, with the ping button as a Universal Action', async () => {
    const card = await say('Welcome journey');
    expect(card).toContain('application/vnd.microsoft.card.adaptive');
    expect(card).toContain('Welcome journey');
    expect(card).toContain('Customer lifecycle (lifecycle)');
    expect(card).toContain('@head-of-onboarding');
    expect(card).toContain('"verb":"journey.ping-form"');
    expect(card).toContain('KPI onboarding-nps: 41');
  });

  it('lists the tree', async () => {
    const list = await say('list');
    expect(list).toContain('Moving house');
    expect(list).toContain('no owner of its own; inherits');
  });
});
