// Pings end to end on both platforms, through HTTP exactly as Slack and Teams send it: the sender
// pings a journey, the owner receives a direct message with buttons, a stranger's click is refused,
// acknowledge / snooze tell the sender, and moving the clock escalates to the parent journey's owner.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { EscalationSweep } from '../../src/pings/jobs.js';
import { importJourneys } from '../../src/journeys/csv.js';
import { grantRole, personForEmail } from '../../src/orgs/service.js';
import { postActivity, teamsMessage } from '../support/fake-connector.js';
import { blockActionBody, postSlack, slashCommandBody } from '../support/slack.js';
import { linkTeamsMembers, startTestSteward, type TestSteward } from '../support/steward.js';

const DEMO = readFileSync(new URL('../../data/demo/journeys.csv', import.meta.url), 'utf8');
const HOUR = 3_600_000;

interface Button {
  label: string;
  value: Record<string, unknown>;
}

interface Message {
  json: string;
  buttons: Button[];
}

/** What a test does on a platform, whatever the platform. */
interface Driver {
  /** Types `journey <text>`; returns what came back to the person. */
  say(user: string, text: string): Promise<string>;
  /** Direct messages Steward posted to the person (not replies to their commands), oldest first. */
  dms(user: string): Message[];
  /** In-place edits of the person's direct messages. */
  updates(user: string): string[];
  /** Clicks a button; returns the replaced card and any private answer, as JSON text. */
  click(user: string, button: Button): Promise<string>;
  /** How a mention of this person shows in a message. */
  mentionOf(user: string): string;
  waitFor(predicate: () => boolean): Promise<void>;
}

const PEOPLE = {
  ann: { email: 'ann@example.com', name: 'Ann Sender' },
  olga: { email: 'head-of-onboarding@example.com', name: 'Olga Owner' },
  dana: { email: 'cx-director@example.com', name: 'Dana Director' },
  mallory: { email: 'mallory@example.com', name: 'Mallory Stranger' },
} as const;
type Who = keyof typeof PEOPLE;

function slackDriver(t: TestSteward): Driver & { id(who: Who): string } {
  const id = (who: Who) => `U${who.toUpperCase()}`;
  for (const who of Object.keys(PEOPLE) as Who[]) t.slack.emails.set(id(who), PEOPLE[who].email);
  const buttonsOf = (blocks: unknown): Button[] => {
    const out: Button[] = [];
    for (const block of Array.isArray(blocks) ? blocks : []) {
      const elements = (block as { type?: string; elements?: { type?: string; text?: { text?: string }; value?: string }[] }).elements;
      if ((block as { type?: string }).type !== 'actions' || !elements) continue;
      for (const e of elements) if (e.type === 'button' && e.value) out.push({ label: e.text?.text ?? '', value: JSON.parse(e.value) as Record<string, unknown> });
    }
    return out;
  };
  return {
    id,
    async say(user, text) {
      const response = await postSlack(t.url, slashCommandBody({ command: '/journey', text, user_id: user, response_url: t.slack.responseUrl(`cmd-${randomUUID()}`) }));
      expect(response.status).toBe(200);
      return JSON.stringify(await response.json());
    },
    dms(user) {
      return t.slack
        .callsOf('chat.postMessage')
        .filter((c) => c.args.channel === user)
        .map((c) => ({ json: JSON.stringify(c.args.blocks), buttons: buttonsOf(c.args.blocks) }));
    },
    updates(user) {
      return t.slack
        .callsOf('chat.update')
        .filter((c) => c.args.channel === `D${user.slice(1)}`)
        .map((c) => JSON.stringify(c.args.blocks));
    },
    async click(user, button) {
      const name = `click-${randomUUID()}`;
      const response = await postSlack(t.url, blockActionBody({ userId: user, channelId: `D${user.slice(1)}`, value: JSON.stringify(button.value), responseUrl: t.slack.responseUrl(name) }));
      expect(response.status).toBe(200);
      await t.slack.waitFor(() => t.slack.responses.some((r) => r.path === `/response/${name}`));
      await new Promise((resolve) => setTimeout(resolve, 150));
      return JSON.stringify(t.slack.responses.filter((r) => r.path === `/response/${name}`).map((r) => r.body));
    },
    mentionOf: (user) => user,
    waitFor: (predicate) => t.slack.waitFor(predicate, 15_000),
  };
}

function teamsDriver(t: TestSteward): Driver & { id(who: Who): string } {
  const aad = (who: Who) => `00000000-0000-0000-0000-${who.padStart(12, '0')}`;
  const conversation = (user: string) => `a:personal-${user}`;
  const names = new Map<string, string>();
  for (const who of Object.keys(PEOPLE) as Who[]) {
    t.connector.members.set(`29:${aad(who)}`, { email: PEOPLE[who].email, name: PEOPLE[who].name, aadObjectId: aad(who) });
    names.set(aad(who), PEOPLE[who].name);
  }
  const buttonsOf = (node: unknown, out: Button[] = []): Button[] => {
    if (Array.isArray(node)) node.forEach((n) => buttonsOf(n, out));
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (record.type === 'Action.Execute') out.push({ label: String(record.title), value: record.data as Record<string, unknown> });
      else Object.values(record).forEach((v) => buttonsOf(v, out));
    }
    return out;
  };
  return {
    id: aad,
    async say(user, text) {
      const before = t.connector.calls.length;
      const activity = teamsMessage({ text: `journey ${text}`, serviceUrl: t.connector.url, userAad: user, userName: names.get(user), conversationId: conversation(user) });
      const response = await postActivity(t.url, activity);
      expect(response.status).toBe(200);
      return JSON.stringify(t.connector.calls.slice(before).filter((c) => c.activityId === activity.id).map((c) => c.body));
    },
    dms(user) {
      return t.connector
        .sent()
        // Proactive messages reply to an activity id botbuilder makes up; answers to commands reply to the command.
        .filter((c) => c.conversationId === conversation(user) && !/^(msg|inv)-/.test(c.activityId ?? ''))
        .map((c) => ({ json: JSON.stringify(c.body), buttons: buttonsOf(c.body) }));
    },
    updates(user) {
      return t.connector
        .updates()
        .filter((c) => c.conversationId === conversation(user))
        .map((c) => JSON.stringify(c.body));
    },
    async click(user, button) {
      const id = `inv-${randomUUID()}`;
      const activity = {
        type: 'invoke',
        name: 'adaptiveCard/action',
        id,
        timestamp: new Date().toISOString(),
        serviceUrl: t.connector.url,
        channelId: 'msteams',
        from: { id: `29:${user}`, name: names.get(user), aadObjectId: user },
        conversation: { id: conversation(user), conversationType: 'personal', tenantId: 'tenant-0001' },
        recipient: { id: '28:steward-bot', name: 'Steward' },
        replyToId: 'act-original',
        value: { action: { type: 'Action.Execute', verb: button.value.action, data: button.value }, trigger: 'manual' },
        channelData: { tenant: { id: 'tenant-0001' } },
        locale: 'en-US',
      };
      const response = await postActivity(t.url, activity);
      const body = (await response.json()) as { statusCode: number; type: string };
      // Universal Actions: 200 with a card or a message, or a refusal as an error response with its status.
      expect(response.status).toBe(body.type === 'application/vnd.microsoft.error' ? 400 : 200);
      const replies = t.connector.calls.filter((c) => c.activityId === id).map((c) => c.body);
      return JSON.stringify([body, ...replies]);
    },
    mentionOf: (user) => `@${names.get(user) ?? '?'}`,
    waitFor: (predicate) => t.connector.waitFor(predicate, 15_000),
  };
}

describe.each(['slack', 'teams'] as const)('%s: journey pings end to end', (platform) => {
  let t: TestSteward;
  let clock: ManualClock;
  let d: Driver & { id(who: Who): string };
  let sweep: EscalationSweep;
  let ann: string, olga: string, dana: string, mallory: string;

  const pingByMessage = (message: string) => t.database.db.selectFrom('pings').selectAll().where('message', '=', message).executeTakeFirstOrThrow();
  const dmAbout = (user: string, needle: string) => d.dms(user).filter((m) => m.json.includes(needle));
  const button = (message: Message | undefined, label: string): Button => {
    const found = message?.buttons.find((b) => b.label === label);
    if (!found) throw new Error(`no button “${label}” in ${message?.json ?? 'no message'}`);
    return found;
  };

  beforeAll(async () => {
    clock = new ManualClock(new Date());
    t = await startTestSteward({ clock });
    d = platform === 'slack' ? slackDriver(t) : teamsDriver(t);
    [ann, olga, dana, mallory] = [d.id('ann'), d.id('olga'), d.id('dana'), d.id('mallory')];
    const db = t.database.db;
    const orgId = await t.steward.services.orgs.defaultOrganisation();
    for (const who of Object.keys(PEOPLE) as Who[]) await personForEmail(db, orgId, PEOPLE[who].email, PEOPLE[who].name);
    if (platform === 'teams') await linkTeamsMembers(t);
    await grantRole(db, await personForEmail(db, orgId, 'alma@example.com', 'Alma Admin'), { orgId, role: 'admin', byLabel: 'test' });
    expect((await importJourneys(db, orgId, DEMO, { now: clock.now(), byLabel: 'test' })).ok).toBe(true);
    // Owners who have talked to Steward once can be reached by direct message.
    await d.say(olga, 'mine');
    await d.say(dana, 'mine');
    const services = t.steward.services;
    sweep = new EscalationSweep({ db, clock, log: services.log, kickDelivery: services.kickDelivery, schedule: () => {} });
  });
  afterAll(async () => {
    await t.close();
  });

  it('ping → the owner gets a DM with buttons → a stranger is refused → acknowledge → the sender is told', async () => {
    const message = `Avoidable calls about the welcome gift doubled this week (${platform})`;
    const sent = await d.say(ann, `ping onboarding ${message}`);
    expect(sent).toContain('Sent to');
    expect(sent).toContain(d.mentionOf(olga));
    expect(sent).toContain('escalates to');
    expect(sent).toContain(d.mentionOf(dana));
    expect(sent).toContain('24 h');

    await d.waitFor(() => dmAbout(olga, message).length === 1);
    const [dm] = dmAbout(olga, message);
    expect(dm?.buttons.map((b) => b.label)).toEqual(['Acknowledge', 'Snooze 1 day', 'Escalate']);
    expect(dm?.json).toContain(d.mentionOf(ann));
    const pingBefore = await pingByMessage(message);
    expect(Object.keys(button(dm, 'Acknowledge').value).sort()).toEqual(['action', 'pingId']);

    const refused = await d.click(mallory, button(dm, 'Acknowledge'));
    expect(refused).toContain('only they, their deputy or an admin');
    expect(await pingByMessage(message)).toEqual(pingBefore);
    expect(await t.database.db.selectFrom('ping_events').select('kind').where('ping_id', '=', pingBefore.id).where('kind', '=', 'acknowledged').execute()).toEqual([]);

    const acknowledged = await d.click(olga, button(dm, 'Acknowledge'));
    expect(acknowledged).toContain('Acknowledged');
    expect(acknowledged).not.toContain('Snooze 1 day');
    expect((await pingByMessage(message)).state).toBe('acknowledged');
    await d.waitFor(() => dmAbout(ann, 'acknowledged your ping').length === 1);
    expect(dmAbout(ann, 'acknowledged your ping')[0]?.json).toContain(d.mentionOf(olga));
  });

  it('snooze: the message updates in place, the sender is told, and the owner is reminded when it ends', async () => {
    const message = `The welcome gift arrives late again (${platform})`;
    await d.say(ann, `ping Welcome journey ${message}`);
    await d.waitFor(() => dmAbout(olga, message).length === 1);
    const snoozed = await d.click(olga, button(dmAbout(olga, message)[0], 'Snooze 1 day'));
    expect(snoozed).toContain('Snoozed');
    expect(snoozed).toContain('Acknowledge');
    await d.waitFor(() => dmAbout(ann, 'snoozed your ping').length === 1);
    expect((await pingByMessage(message)).state).toBe('snoozed');

    clock.advance(24 * HOUR + 60_000);
    await sweep.runOnce();
    await d.waitFor(() => dmAbout(olga, message).length === 2);
    const reminder = dmAbout(olga, message)[1];
    expect(reminder?.json).toContain('Reminder');
    expect(reminder?.buttons.map((b) => b.label)).toContain('Acknowledge');
    expect(await pingByMessage(message)).toMatchObject({ state: 'sent', holder_person_id: expect.any(String) });
    await d.click(olga, button(reminder, 'Acknowledge'));
  });

  it('escalation fired by moving the clock: the parent journey’s owner gets it with its history, the sender is told', async () => {
    const message = `Nobody answers the welcome gift hotline (${platform})`;
    await d.say(ann, `ping onboarding ${message}`);
    await d.waitFor(() => dmAbout(olga, message).length === 1);
    clock.advance(24 * HOUR + 60_000);
    await sweep.runOnce();
    await d.waitFor(() => dmAbout(dana, message).length === 1);
    const escalated = dmAbout(dana, message)[0];
    expect(escalated?.json).toContain('Escalated to you');
    expect(escalated?.json).toContain('sent to');
    expect(escalated?.buttons.map((b) => b.label)).toContain('Acknowledge');
    await d.waitFor(() => dmAbout(ann, 'was not acknowledged').some((m) => m.json.includes(message)));
    // The first owner's message is edited in place: no buttons, and where the ping went.
    await d.waitFor(() => d.updates(olga).some((u) => u.includes(message) && u.includes('no longer the one to act on')));
    const row = await pingByMessage(message);
    expect(row).toMatchObject({ state: 'sent', level: 1 });
    const events = await t.database.db.selectFrom('ping_events').select('kind').where('ping_id', '=', row.id).where('kind', '=', 'escalated').execute();
    expect(events).toHaveLength(1);
    // The first owner can no longer act on it; the new holder can.
    const late = await d.click(olga, button(dmAbout(olga, message)[0], 'Acknowledge'));
    expect(late).toContain('only they, their deputy or an admin');
    expect(await d.click(dana, button(escalated, 'Acknowledge'))).toContain('Acknowledged');
  });

  it('journey mine lists the journeys I own and the pings waiting for me', async () => {
    const message = `Check the welcome call script (${platform})`;
    await d.say(ann, `ping onboarding ${message}`);
    const mine = await d.say(olga, 'mine');
    expect(mine).toContain('Welcome journey (onboarding)');
    expect(mine).toContain(message);
    expect(mine).toContain('Receive welcome gift');
    // The notification text counts in words a person would write: "1 ping waits", never "1 pings".
    expect(mine).toMatch(/You own \d+ journeys?; \d+ pings? waits? for you/);
    expect(mine).not.toMatch(/\b1 (journeys|pings)\b|\b1 ping wait\b/);
    const sentByAnn = await d.say(ann, 'mine');
    expect(sentByAnn).toContain('Your pings still open');
  });
});
