// KPIs in chat end to end, as Slack and Teams send requests: the `/kpi` snapshot with every value in
// text and a chart link that serves a real PNG; one KPI in detail; and the alert flow: a breach that
// lasts N periods pings the journey owner once and posts in the journey channel, and recovery edits
// that channel message instead of posting a new one.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { importGlossaryCsv } from '../../src/glossary/csv.js';
import { ESCALATION_QUEUE } from '../../src/pings/jobs.js';
import { importKpiDefinitions, importKpiValues } from '../../src/kpis/import.js';
import { upsertConversation } from '../../src/orgs/conversations.js';
import { personForEmail } from '../../src/orgs/service.js';
import { createToken } from '../../src/tokens/service.js';
import { decodePng } from '../support/chart-png.js';
import { waitForDrain } from '../support/drain.js';
import { postActivity, teamsMessage, type ConnectorCall } from '../support/fake-connector.js';
import { blockActionBody, postSlack, slashCommandBody } from '../support/slack.js';
import { linkTeamsMembers, startTestSteward, TEST_REDIS_URL, type TestSteward } from '../support/steward.js';
import { waitUntil } from '../support/wait.js';

const NOW = new Date('2026-11-24T10:00:00Z');

const GLOSSARY = `term,aliases,definition,notes,steward,status
Avoidable contact,failure demand,"A contact a customer should not have needed to make, because the company failed to do something or to do it right the first time.",,cx-office@example.com,approved
`;

const KPIS = `key,journey,name,unit,direction,target,warning,breach,cadence,glossary_term,breach_periods,remind_every_periods
avoidable-onboarding,onboarding,Avoidable contacts per 100 new customers,per 100,lower,15,20,25,week,Avoidable contact,3,4
nps-onboarding,onboarding,Onboarding NPS,points,higher,40,35,30,week,Net Promoter Score,2,4
`;

/** The Monday `weeksBack` weeks before 16 November 2026 (the last complete week at NOW). */
function monday(weeksBack: number): string {
  return new Date(Date.UTC(2026, 10, 16) - weeksBack * 7 * 86_400_000).toISOString().slice(0, 10);
}

function valuesCsv(): string {
  const rows = ['kpi,period_start,segment,value'];
  for (let w = 13; w >= 0; w--) {
    rows.push(`nps-onboarding,${monday(w)},all,${(35 + (w % 3) * 0.5).toFixed(1)}`);
    if (w !== 6) rows.push(`avoidable-onboarding,${monday(w)},all,${(14 + (13 - w) * 0.4).toFixed(1)}`);
    rows.push(`avoidable-onboarding,${monday(w)},new-customers,${(18 + (13 - w) * 0.5).toFixed(1)}`);
  }
  return `${rows.join('\n')}\n`;
}

interface Seeded {
  orgId: string;
  ownerId: string;
  journeyId: string;
  token: string;
}

/** The organisation as the first chat contact created it, with a glossary term, a journey, KPIs and values. */
async function seed(t: TestSteward, ownerEmail: string): Promise<Seeded> {
  const db = t.database.db;
  const org = await db.selectFrom('organisations').select('id').executeTakeFirstOrThrow();
  const glossary = await importGlossaryCsv(db, org.id, GLOSSARY, { by: 'test', now: NOW });
  expect(glossary.problems).toEqual([]);
  const ownerId = await personForEmail(db, org.id, ownerEmail, 'Olivia Owner');
  const journey = await db
    .insertInto('journeys')
    .values({ org_id: org.id, key: 'onboarding', name: 'Welcome journey', level: 'journey', owner_person_id: ownerId })
    .returning('id')
    .executeTakeFirstOrThrow();
  const kpis = await importKpiDefinitions(db, org.id, KPIS);
  expect(kpis).toMatchObject({ ok: true, created: 2, missingTerms: ['Net Promoter Score'] });
  const values = await importKpiValues(db, org.id, valuesCsv(), { source: 'test', now: NOW, alerts: false });
  expect(values).toMatchObject({ ok: true });
  const { token } = await createToken(db, { orgId: org.id, name: 'pipeline' });
  return { orgId: org.id, ownerId, journeyId: journey.id, token };
}

function postValues(t: TestSteward, token: string, key: string, values: { period_start: string; value: number }[]) {
  return fetch(`${t.url}/api/v1/kpis/${key}/values`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ values }),
  });
}

/** Fetches a chart link the way Slack or Teams would, from this test's server. */
async function fetchChart(t: TestSteward, url: string): Promise<Response> {
  const parsed = new URL(url);
  expect(`${parsed.protocol}//${parsed.host}`).toBe('http://127.0.0.1:3978');
  return fetch(`${t.url}${parsed.pathname}`);
}

const pingCount = async (t: TestSteward) => Number((await t.database.db.selectFrom('pings').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

describe('KPIs in Slack', () => {
  let t: TestSteward;
  let seeded: Seeded;

  beforeAll(async () => {
    t = await startTestSteward({ clock: new ManualClock(NOW) });
    t.slack.emails.set('UOWNER1', 'olivia@example.com');
    // First contact creates the organisation (single-organisation mode) and links the owner by e-mail.
    expect((await postSlack(t.url, slashCommandBody({ command: '/kpi', text: '', user_id: 'UOWNER1' }))).status).toBe(200);
    seeded = await seed(t, 'olivia@example.com');
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers /kpi onboarding with a snapshot: values, targets, change, status and definition in text, and a chart', async () => {
    const response = await postSlack(t.url, slashCommandBody({ command: '/kpi', text: 'onboarding' }));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { response_type: string; text: string; blocks: { type: string; image_url?: string; alt_text?: string }[] };
    expect(body.response_type).toBe('ephemeral');
    const rendered = JSON.stringify(body.blocks);
    expect(rendered).toContain('KPIs · Welcome journey');
    expect(rendered).toContain('Avoidable contacts per 100 new customers');
    expect(rendered).toContain('19.2 per 100 · week of 2026-11-16');
    expect(rendered).toContain('▲ +0.4 (+2.1%) vs week of 2026-11-09 · worse');
    expect(rendered).toContain('🟢 on track');
    expect(rendered).toContain('Onboarding NPS');
    // Exactly at the warning threshold (35) counts as at risk.
    expect(rendered).toContain('35 points · week of 2026-11-16');
    expect(rendered).toContain('▼ −0.5 (−1.4%) vs week of 2026-11-09 · worse');
    expect(rendered).toContain('🟠 at risk');
    expect(rendered).toContain('A contact a customer should not have needed to make');
    expect(rendered).toContain('“Net Promoter Score” is not in the glossary yet');
    expect(body.text).toContain('Avoidable contacts per 100 new customers 19.2 per 100 (target 15 per 100, on track)');
    const image = body.blocks.find((b) => b.type === 'image');
    expect(image?.alt_text).toContain('last 12 periods with the target line');
    const chart = await fetchChart(t, image?.image_url ?? '');
    expect(chart.status).toBe(200);
    expect(chart.headers.get('content-type')).toBe('image/png');
    expect(decodePng(Buffer.from(await chart.arrayBuffer()))).toEqual({ width: 800, height: 600 });
  });

  it('answers the same /kpi again from memory, and shows a value sent meanwhile at the next ask', async () => {
    const ask = async () => JSON.stringify(((await (await postSlack(t.url, slashCommandBody({ command: '/kpi', text: 'onboarding' }))).json()) as { blocks: unknown }).blocks);
    const fromMemory = async () => Number(/steward_answers_total\{capability="kpis",source="cache"\} (\d+)/.exec(await (await fetch(`${t.url}/metrics`)).text())?.[1] ?? 0);
    await expect.poll(() => t.steward.answersCached(), { timeout: 5_000 }).toBe(true);
    const first = await ask();
    const remembered = await fromMemory();
    expect(await ask()).toBe(first);
    expect(await fromMemory()).toBe(remembered + 1);

    // A corrected NPS for the latest week (on track now, so no alert) arrives through the API.
    expect((await postValues(t, seeded.token, 'nps-onboarding', [{ period_start: monday(0), value: 41 }])).status).toBe(200);
    await expect.poll(ask, { timeout: 5_000, interval: 25 }).toContain('41 points · week of 2026-11-16');
    expect(await ask()).toContain('🟢 on track');
  });

  it('shows one KPI in detail with its segments, a missing week and its own chart', async () => {
    const response = await postSlack(t.url, slashCommandBody({ command: '/kpi', text: 'avoidable-onboarding' }));
    const body = (await response.json()) as { blocks: { type: string; image_url?: string }[] };
    const rendered = JSON.stringify(body.blocks);
    expect(rendered).toContain('KPI · Avoidable contacts per 100 new customers');
    expect(rendered).toContain('Segments');
    expect(rendered).toContain('new-customers');
    expect(rendered).toContain('24.5 per 100');
    expect(rendered).toContain('2026-09-28 16.4 · 2026-10-12 17.2');
    const image = body.blocks.find((b) => b.type === 'image');
    const chart = await fetchChart(t, image?.image_url ?? '');
    expect(decodePng(Buffer.from(await chart.arrayBuffer()))).toEqual({ width: 800, height: 300 });
  });

  it('refuses a tampered chart link with 404', async () => {
    const response = await postSlack(t.url, slashCommandBody({ command: '/kpi', text: 'onboarding' }));
    const body = (await response.json()) as { blocks: { type: string; image_url?: string }[] };
    const url = body.blocks.find((b) => b.type === 'image')?.image_url ?? '';
    const tampered = url.replace(/\.([A-Za-z0-9_-])([A-Za-z0-9_-]{42})\.png$/, (_m, first: string, rest: string) => `.${first === 'A' ? 'B' : 'A'}${rest}.png`);
    expect((await fetchChart(t, tampered)).status).toBe(404);
  });

  it('shares the snapshot in the channel from its button, re-rendered with who shared it', async () => {
    const response = await postSlack(t.url, slashCommandBody({ command: '/kpi', text: 'onboarding' }));
    const body = (await response.json()) as { blocks: { type: string; elements?: { value?: string; text?: { text: string } }[] }[] };
    const share = body.blocks.flatMap((b) => b.elements ?? []).find((e) => e.text?.text === 'Share in channel');
    expect(share?.value).toBeDefined();
    const click = await postSlack(t.url, blockActionBody({ userId: 'U0001', value: share?.value ?? '', responseUrl: t.slack.responseUrl('share') }));
    expect(click.status).toBe(200);
    await t.slack.waitFor(() => t.slack.responses.some((r) => r.path === '/response/share'));
    const shared = t.slack.responses.find((r) => r.path === '/response/share');
    expect(shared?.body.response_type).toBe('in_channel');
    const rendered = JSON.stringify(shared?.body.blocks);
    expect(rendered).toContain('shared by');
    expect(rendered).toContain('19.2 per 100');
    expect(rendered).not.toContain('Share in channel');
  });

  it('adds the KPI lines to the journey card', async () => {
    const response = await postSlack(t.url, slashCommandBody({ command: '/journey', text: 'onboarding' }));
    const rendered = JSON.stringify(await response.json());
    expect(rendered).toContain('Avoidable contacts per 100 new customers: ');
    expect(rendered).toContain('19.2 per 100 (target 15 per 100)');
    expect(rendered).toContain('kpi onboarding');
  });

  it('answers an unknown journey or KPI privately with suggestions, changing nothing', async () => {
    const response = await postSlack(t.url, slashCommandBody({ command: '/kpi', text: 'avoidable' }));
    const rendered = JSON.stringify(await response.json());
    expect(rendered).toContain('There is no journey or KPI “avoidable”');
    expect(rendered).toContain('kpi avoidable-onboarding');
  });

  it('pings the owner once when a breach lasts 3 weeks, posts in the journey channel, and edits that message on recovery', async () => {
    const db = t.database.db;
    const channelId = await upsertConversation(db, { orgId: seeded.orgId, platform: 'slack', installationExternalId: 'T0001', externalId: 'C0KPIS', kind: 'channel', name: 'welcome-journey' });
    await db.updateTable('journeys').set({ channel_conversation_id: channelId }).where('id', '=', seeded.journeyId).execute();
    const ownerDms = () => t.slack.callsOf('chat.postMessage').filter((c) => c.args.channel === 'UOWNER1');
    const channelPosts = () => t.slack.callsOf('chat.postMessage').filter((c) => c.args.channel === 'C0KPIS');

    // Two breached weeks: not yet long enough.
    expect((await postValues(t, seeded.token, 'avoidable-onboarding', [{ period_start: monday(2), value: 26 }, { period_start: monday(1), value: 27 }])).status).toBe(200);
    await waitUntil('the alert job evaluated the KPI', async () => {
      const row = await db.selectFrom('kpis').select(['values_version', 'alerts_evaluated_version']).where('key', '=', 'avoidable-onboarding').executeTakeFirstOrThrow();
      return row.alerts_evaluated_version >= row.values_version;
    });
    expect(await pingCount(t)).toBe(0);

    // The third breached week fires.
    expect((await postValues(t, seeded.token, 'avoidable-onboarding', [{ period_start: monday(0), value: 28.5 }])).status).toBe(200);
    await waitUntil('the owner got the ping and the channel the alert', () => ownerDms().length === 1 && channelPosts().length === 1);
    expect(JSON.stringify(ownerDms()[0]?.args.blocks)).toContain('KPI breached for 3 weeks: Avoidable contacts per 100 new customers');
    expect(JSON.stringify(ownerDms()[0]?.args.blocks)).toContain('Acknowledge');
    const channelBlocks = JSON.stringify(channelPosts()[0]?.args.blocks);
    expect(channelBlocks).toContain('KPI breached: Avoidable contacts per 100 new customers');
    expect(channelBlocks).toContain('28.5 per 100');
    expect(await pingCount(t)).toBe(1);
    // Its escalation is a delayed job, due when the organisation's escalation delay has passed (as for `journey ping`).
    const fired = await db.selectFrom('pings').select(['id', 'escalate_at']).executeTakeFirstOrThrow();
    const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const escalations = new Queue(ESCALATION_QUEUE, { connection: redis, prefix: t.queuePrefix });
    try {
      const jobId = `ping-${fired.id}-${fired.escalate_at?.getTime()}`;
      await waitUntil('the escalation job was scheduled', async () => (await escalations.getJob(jobId)) !== undefined);
      const job = await escalations.getJob(jobId);
      expect(job?.data).toMatchObject({ pingId: fired.id });
      expect(await job?.getState()).toBe('delayed');
    } finally {
      await escalations.close();
      redis.disconnect();
    }

    // The same breach evaluated again (a re-sent value) pings nobody again.
    expect((await postValues(t, seeded.token, 'avoidable-onboarding', [{ period_start: monday(1), value: 27.5 }])).status).toBe(200);
    await waitUntil('the re-sent value was evaluated', async () => {
      const row = await db.selectFrom('kpis').select(['values_version', 'alerts_evaluated_version']).where('key', '=', 'avoidable-onboarding').executeTakeFirstOrThrow();
      return row.alerts_evaluated_version >= row.values_version;
    });
    await waitForDrain({ db, queuePrefix: t.queuePrefix });
    expect(ownerDms()).toHaveLength(1);
    expect(channelPosts()).toHaveLength(1);
    expect(await pingCount(t)).toBe(1);

    // A corrected value for the latest week recovers the KPI: the channel message is edited in place.
    const posted = t.slack.posted().find((m) => m.text.includes('KPI breached: Avoidable'));
    expect((await postValues(t, seeded.token, 'avoidable-onboarding', [{ period_start: monday(0), value: 19 }])).status).toBe(200);
    await waitUntil('the channel message was updated', () => t.slack.callsOf('chat.update').some((c) => c.args.channel === 'C0KPIS'));
    const update = t.slack.callsOf('chat.update').find((c) => c.args.channel === 'C0KPIS');
    expect(update?.args.ts).toBe(posted?.ts);
    expect(JSON.stringify(update?.args.blocks)).toContain('KPI recovered: Avoidable contacts per 100 new customers');
    expect(channelPosts()).toHaveLength(1);
    const ping = await db.selectFrom('pings').select('state').executeTakeFirstOrThrow();
    expect(ping.state).toBe('resolved');
    const alert = await db.selectFrom('kpi_alerts').select(['state']).where('segment', '=', 'all').execute();
    expect(alert.map((a) => a.state)).not.toContain('breached');
  });
});

interface Attachment {
  content: { body: Record<string, unknown>[] };
}

function cardOf(call: ConnectorCall | undefined): string {
  const attachments = call?.body.attachments;
  return JSON.stringify(Array.isArray(attachments) ? (attachments as Attachment[]).map((a) => a.content) : []);
}

function imageUrlOf(call: ConnectorCall | undefined): string {
  const match = /"type":"Image","url":"([^"]+)"/.exec(cardOf(call));
  return match?.[1] ?? '';
}

describe('KPIs in Teams', () => {
  let t: TestSteward;
  let seeded: Seeded;
  const ownerAad = '00000000-0000-0000-0000-00000000beef';
  const channel = '19:welcome@thread.tacv2';

  const say = async (text: string, options: { userAad?: string; conversationId?: string; conversationType?: 'personal' | 'channel' } = {}) => {
    const before = t.connector.sent().length;
    const response = await postActivity(t.url, teamsMessage({ text, serviceUrl: t.connector.url, ...options }));
    expect(response.status).toBe(200);
    await t.connector.waitFor(() => t.connector.sent().length > before);
    return t.connector.sent()[before];
  };

  beforeAll(async () => {
    t = await startTestSteward({ clock: new ManualClock(NOW) });
    t.connector.members.set(`29:${ownerAad}`, { email: 'owen@example.com', name: 'Owen Owner', aadObjectId: ownerAad });
    await linkTeamsMembers(t);
    await say('kpi', { userAad: ownerAad });
    seeded = await seed(t, 'owen@example.com');
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers "kpi onboarding" with the snapshot as an Adaptive Card with the values in text and a chart image that is a PNG', async () => {
    const reply = await say('kpi onboarding');
    const card = cardOf(reply);
    expect(card).toContain('KPIs · Welcome journey');
    expect(card).toContain('19.2 per 100 · week of 2026-11-16');
    expect(card).toContain('A contact a customer should not have needed to make');
    expect(card).toContain('🟠 at risk');
    const chart = await fetchChart(t, imageUrlOf(reply));
    expect(chart.status).toBe(200);
    expect(decodePng(Buffer.from(await chart.arrayBuffer()))).toEqual({ width: 800, height: 600 });
  });

  it('pings the owner once when a breach lasts 3 weeks, posts in the channel, and updates the channel message on recovery', async () => {
    const db = t.database.db;
    await say('help', { conversationId: channel, conversationType: 'channel' });
    const conversation = await db.selectFrom('conversations').select('id').where('external_id', '=', channel).executeTakeFirstOrThrow();
    await db.updateTable('journeys').set({ channel_conversation_id: conversation.id }).where('id', '=', seeded.journeyId).execute();
    const ownerChat = `a:personal-${ownerAad}`;
    const before = t.connector.sent().length;
    const sentSince = () => t.connector.sent().slice(before);

    expect((await postValues(t, seeded.token, 'avoidable-onboarding', [{ period_start: monday(2), value: 26 }, { period_start: monday(1), value: 27 }, { period_start: monday(0), value: 28.5 }])).status).toBe(200);
    await waitUntil('the owner got the ping and the channel the alert', () => sentSince().some((c) => c.conversationId === ownerChat) && sentSince().some((c) => c.conversationId === channel));
    expect(cardOf(sentSince().find((c) => c.conversationId === ownerChat))).toContain('KPI breached for 3 weeks');
    const alert = sentSince().find((c) => c.conversationId === channel);
    expect(cardOf(alert)).toContain('KPI breached: Avoidable contacts per 100 new customers');

    expect((await postValues(t, seeded.token, 'avoidable-onboarding', [{ period_start: monday(0), value: 28.5 }])).status).toBe(200);
    await waitUntil('the re-sent value was evaluated', async () => {
      const row = await db.selectFrom('kpis').select(['values_version', 'alerts_evaluated_version']).where('key', '=', 'avoidable-onboarding').executeTakeFirstOrThrow();
      return row.alerts_evaluated_version >= row.values_version;
    });
    await waitForDrain({ db, queuePrefix: t.queuePrefix });
    expect(sentSince().filter((c) => c.conversationId === ownerChat)).toHaveLength(1);
    expect(await pingCount(t)).toBe(1);

    expect((await postValues(t, seeded.token, 'avoidable-onboarding', [{ period_start: monday(0), value: 21 }])).status).toBe(200);
    await waitUntil('the channel message was updated', () => t.connector.updates().some((c) => c.conversationId === channel));
    const update = t.connector.updates().find((c) => c.conversationId === channel);
    const fired = await db
      .selectFrom('kpi_alert_events as e')
      .innerJoin('outbox as o', 'o.id', 'e.outbox_id')
      .select('o.delivered_ref')
      .where('e.kind', '=', 'fired')
      .where('e.target', '=', 'channel')
      .executeTakeFirstOrThrow();
    expect(update?.activityId).toBe(fired.delivered_ref?.messageId);
    expect(cardOf(update)).toContain('KPI recovered');
    expect(sentSince().filter((c) => c.conversationId === channel)).toHaveLength(1);
  });
});
