// `journey history <journey>` through HTTP exactly as Slack and Teams send it: an owner handed over
// in chat and a ping acknowledged with its button both show, newest first, with the right people,
// states and times in the organisation's time zone; an unknown journey gets the journey card's
// refusal, and a journey nothing has happened to yet says so.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { importJourneys } from '../../src/journeys/csv.js';
import { PING_ACTIONS } from '../../src/pings/cards.js';
import { insertJourney } from '../../src/journeys/repo.js';
import { formatWhen } from '../../src/journeys/settings.js';
import { grantRole, personForEmail } from '../../src/orgs/service.js';
import { postActivity, teamsMessage } from '../support/fake-connector.js';
import { blockActionBody, postSlack, slashCommandBody } from '../support/slack.js';
import { linkTeamsMembers, startTestSteward, type TestSteward } from '../support/steward.js';

const DEMO = readFileSync(new URL('../../data/demo/journeys.csv', import.meta.url), 'utf8');
const TIME_ZONE = 'Asia/Tokyo';
const HOUR = 3_600_000;

const PEOPLE = {
  ann: { email: 'ann@example.com', name: 'Ann Sender' },
  dana: { email: 'cx-director@example.com', name: 'Dana Director' },
  gift: { email: 'gifts@example.com', name: 'Gina Gifts' },
  bob: { email: 'bob@example.com', name: 'Bob Bystander' },
} as const;
type Who = keyof typeof PEOPLE;

/** What a test does on a platform, whatever the platform. */
interface Driver {
  /** Types `journey <text>`, mentioning these people; returns the answer as the platform received it. */
  send(who: Who, text: string, mentions?: Who[]): Promise<unknown>;
  /** Asks for the help of every command (`/cx help` on Slack, `help` on Teams); returns its lines. */
  help(who: Who): Promise<string[]>;
  /** Clicks a button carrying this payload. */
  click(who: Who, payload: Record<string, string>): Promise<void>;
  /** How a mention of this person reads in an answer's lines. */
  mentionOf(who: Who): string;
}

/** The lines of a Block Kit message or an Adaptive Card, in order, mentions written as mentionOf does. */
function lines(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => lines(n, out));
  else if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    const runs = (items: unknown) =>
      (Array.isArray(items) ? items : [])
        .map((run) => {
          const r = run as { type?: string; text?: string; user_id?: string };
          return r.type === 'user' ? `<@${r.user_id}>` : (r.text ?? '');
        })
        .join('');
    if (record.type === 'rich_text_section') out.push(runs(record.elements));
    // Teams has no list element: each item is a RichTextBlock starting with a bullet.
    else if (record.type === 'RichTextBlock') out.push(runs(record.inlines).replace(/^• /, ''));
    else if ((record.type === 'mrkdwn' || record.type === 'plain_text') && typeof record.text === 'string') out.push(record.text);
    else Object.values(record).forEach((v) => lines(v, out));
  }
  return out;
}

function slackDriver(t: TestSteward): Driver {
  const id = (who: Who) => `U${who.toUpperCase()}`;
  for (const who of Object.keys(PEOPLE) as Who[]) t.slack.emails.set(id(who), PEOPLE[who].email);
  return {
    async send(who, text, mentions = []) {
      const typed = mentions.reduce((s, m) => s.replace(`@${m}`, `<@${id(m)}|${m}>`), text);
      const response = await postSlack(t.url, slashCommandBody({ command: '/journey', text: typed, user_id: id(who) }));
      expect(response.status).toBe(200);
      return response.json();
    },
    async help(who) {
      const response = await postSlack(t.url, slashCommandBody({ command: '/cx', text: 'help journey', user_id: id(who) }));
      expect(response.status).toBe(200);
      return lines(await response.json());
    },
    async click(who, payload) {
      const name = `click-${randomUUID()}`;
      const response = await postSlack(t.url, blockActionBody({ userId: id(who), channelId: `D${id(who).slice(1)}`, value: JSON.stringify(payload), responseUrl: t.slack.responseUrl(name) }));
      expect(response.status).toBe(200);
      await t.slack.waitFor(() => t.slack.responses.some((r) => r.path === `/response/${name}`));
    },
    mentionOf: (who) => `<@${id(who)}>`,
  };
}

function teamsDriver(t: TestSteward): Driver {
  const aad = (who: Who) => `00000000-0000-0000-0000-${who.padStart(12, '0')}`;
  for (const who of Object.keys(PEOPLE) as Who[]) t.connector.members.set(`29:${aad(who)}`, { email: PEOPLE[who].email, name: PEOPLE[who].name, aadObjectId: aad(who) });
  const from = (who: Who) => ({ serviceUrl: t.connector.url, userAad: aad(who), userName: PEOPLE[who].name, conversationId: `a:personal-${aad(who)}` });
  return {
    async send(who, text, mentions = []) {
      const typed = mentions.reduce((s, m) => s.replace(`@${m}`, `<at>${PEOPLE[m].name}</at>`), text);
      const entities = mentions.map((m) => ({ type: 'mention', text: `<at>${PEOPLE[m].name}</at>`, mentioned: { id: `29:${aad(m)}`, name: PEOPLE[m].name, aadObjectId: aad(m) } }));
      const activity = teamsMessage({ text: `journey ${typed}`, entities, ...from(who) });
      const before = t.connector.calls.length;
      const response = await postActivity(t.url, activity);
      expect(response.status).toBe(200);
      return t.connector.calls.slice(before).filter((c) => c.activityId === activity.id).map((c) => c.body);
    },
    async help(who) {
      const activity = teamsMessage({ text: 'help journey', ...from(who) });
      const before = t.connector.calls.length;
      const response = await postActivity(t.url, activity);
      expect(response.status).toBe(200);
      return lines(t.connector.calls.slice(before).filter((c) => c.activityId === activity.id).map((c) => c.body));
    },
    async click(who, payload) {
      const { serviceUrl, userAad, userName, conversationId } = from(who);
      const response = await postActivity(t.url, {
        type: 'invoke',
        name: 'adaptiveCard/action',
        id: `inv-${randomUUID()}`,
        timestamp: new Date().toISOString(),
        serviceUrl,
        channelId: 'msteams',
        from: { id: `29:${userAad}`, name: userName, aadObjectId: userAad },
        conversation: { id: conversationId, conversationType: 'personal', tenantId: 'tenant-0001' },
        recipient: { id: '28:steward-bot', name: 'Steward' },
        replyToId: 'act-original',
        value: { action: { type: 'Action.Execute', verb: payload.action, data: payload }, trigger: 'manual' },
        channelData: { tenant: { id: 'tenant-0001' } },
        locale: 'en-US',
      });
      expect(response.status).toBe(200);
    },
    mentionOf: (who) => `@${PEOPLE[who].name}`,
  };
}

describe.each(['slack', 'teams'] as const)('%s: journey history', (platform) => {
  let t: TestSteward;
  let d: Driver;
  let clock: ManualClock;
  let orgId: string;

  /** The text lines of the answer to `journey <text>`. */
  const say = async (who: Who, text: string, mentions: Who[] = []) => lines(await d.send(who, text, mentions));

  /** The one line of the answer that contains `needle`. */
  const lineWith = (answer: string[], needle: string): string => {
    const found = answer.filter((l) => l.includes(needle));
    expect(found, `one line with “${needle}” in:\n${answer.join('\n')}`).toHaveLength(1);
    return found[0] ?? '';
  };

  beforeAll(async () => {
    clock = new ManualClock(new Date());
    t = await startTestSteward({ clock });
    d = platform === 'slack' ? slackDriver(t) : teamsDriver(t);
    const db = t.database.db;
    orgId = await t.steward.services.orgs.defaultOrganisation();
    await db.updateTable('organisations').set({ time_zone: TIME_ZONE }).where('id', '=', orgId).execute();
    for (const who of Object.keys(PEOPLE) as Who[]) await personForEmail(db, orgId, PEOPLE[who].email, PEOPLE[who].name);
    if (platform === 'teams') await linkTeamsMembers(t);
    await grantRole(db, await personForEmail(db, orgId, PEOPLE.dana.email, PEOPLE.dana.name), { orgId, role: 'admin', byLabel: 'test' });
    expect((await importJourneys(db, orgId, DEMO, { now: clock.now(), byLabel: 'test' })).ok).toBe(true);
    // Everyone has talked to Steward once, so each is known on the platform and shows as a mention.
    for (const who of Object.keys(PEOPLE) as Who[]) await say(who, 'mine');
  });
  afterAll(async () => {
    await t.close();
  });

  it('lists an owner handed over and a ping acknowledged, newest first, with who did what and when', async () => {
    const importedAt = clock.now();
    clock.advance(HOUR);
    const handedAt = clock.now();
    expect((await say('dana', 'owner welcome-gift @gift', ['gift'])).join('\n')).toContain('now owns Receive welcome gift');

    clock.advance(HOUR);
    const message = `The gift box arrives crushed (${platform})`;
    const sentAt = clock.now();
    expect((await say('ann', `ping welcome-gift ${message}`)).join('\n')).toContain('Sent to');
    const ping = await t.database.db.selectFrom('pings').select(['id']).where('message', '=', message).executeTakeFirstOrThrow();
    clock.advance(2 * HOUR);
    const acknowledgedAt = clock.now();
    await d.click('gift', { action: PING_ACTIONS.acknowledge, pingId: ping.id });
    expect((await t.database.db.selectFrom('pings').select('state').where('id', '=', ping.id).executeTakeFirstOrThrow()).state).toBe('acknowledged');

    const answer = await say('ann', 'history welcome-gift');
    expect(answer).toContain('History of Receive welcome gift');
    const handed = lineWith(answer, 'owner set to');
    expect(handed).toBe(`${formatWhen(handedAt, TIME_ZONE)} — owner set to ${d.mentionOf('gift')} · by ${d.mentionOf('dana')}`);
    const imported = lineWith(answer, 'created by an import');
    expect(imported).toBe(`${formatWhen(importedAt, TIME_ZONE)} — created by an import · by test`);
    expect(answer.indexOf(handed)).toBeLessThan(answer.indexOf(imported));

    const pingLine = lineWith(answer, message);
    expect(pingLine).toMatch(/^Acknowledged · /);
    // "delivered" shows once the outbox has delivered it (the sender's confirmation waits for that).
    expect(pingLine.replace(' · delivered', '')).toContain(` · from ${d.mentionOf('ann')} · sent to ${d.mentionOf('gift')} ${formatWhen(sentAt, TIME_ZONE)}`);
    expect(pingLine).toContain(`acknowledged by ${d.mentionOf('gift')} ${formatWhen(acknowledgedAt, TIME_ZONE)}`);
    expect(pingLine.indexOf('sent to')).toBeLessThan(pingLine.indexOf('acknowledged by'));
    expect(answer.join('\n')).toContain('2 changes · 1 ping');

    // Someone the ping does not involve sees that it happened, not what it said; an admin sees it.
    const bystander = (await say('bob', 'history welcome-gift')).join('\n');
    expect(bystander).not.toContain(message);
    expect(bystander).toContain('message seen only by the people it was sent to');
    expect((await say('dana', 'history welcome-gift')).join('\n')).toContain(message);
  });

  it('offers a choice whose buttons open the history, and refuses an unknown journey like the journey card does', async () => {
    const choice = JSON.stringify(await d.send('ann', 'history welcome'));
    expect(choice).toContain('Which journey?');
    expect(choice).toContain('journey.history');
    expect(choice).not.toContain('journey.show');

    const unknown = (await say('ann', 'history xylophone')).join('\n');
    expect(unknown).toContain('No such journey');
    expect(unknown).toContain('There is no journey “xylophone”');
    expect(unknown).toEqual((await say('ann', 'xylophone')).join('\n'));
    expect((await say('ann', 'history')).join('\n')).toContain('Usage: journey history <journey>, e.g. journey history onboarding');
  });

  it('says nothing has happened yet to a journey without any change or ping', async () => {
    await insertJourney(t.database.db, { orgId, key: 'quiet', name: 'Quiet journey', level: 'journey', parentId: null, ownerPersonId: null, description: null }, clock.now());
    const answer = (await say('ann', 'history Quiet journey')).join('\n');
    expect(answer).toContain('History of Quiet journey');
    expect(answer).toContain('Nothing yet: no change to Quiet journey is recorded and nobody has pinged its owner.');
    expect(answer).not.toContain('Pings');
  });

  it('is in the journey command’s usage and in the help of every command', async () => {
    expect((await say('ann', 'help')).join('\n')).toContain('`journey history <journey>`');
    expect((await d.help('ann')).join('\n')).toContain('journey history onboarding  what changed, by whom, and every ping with its steps, newest first');
  });
});
