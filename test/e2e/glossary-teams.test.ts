// The glossary in Teams, end to end: Bot Framework activities posted to /api/messages as Teams sends
// them (messages, and adaptiveCard/action invokes for Action.Execute buttons); replies and direct
// messages arrive at the fake Bot Connector, card refreshes in the invoke response.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importGlossaryCsv } from '../../src/glossary/csv.js';
import { grantRole } from '../../src/orgs/service.js';
import { postActivity, teamsMessage, type ConnectorCall } from '../support/fake-connector.js';
import { linkTeamsMembers, startTestSteward, type TestSteward } from '../support/steward.js';
import { waitUntil } from '../support/wait.js';

/** Every object with this `type` anywhere in a card. */
function objectsOfType(value: unknown, type: string, found: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(value)) for (const item of value) objectsOfType(item, type, found);
  else if (value && typeof value === 'object') {
    const record = Object.fromEntries(Object.entries(value));
    if (record.type === type) found.push(record);
    for (const child of Object.values(record)) objectsOfType(child, type, found);
  }
  return found;
}

/** The words of a card, as Teams shows them: every TextRun, in order. */
function words(card: unknown): string {
  return objectsOfType(card, 'TextRun')
    .map((r) => String(r.text))
    .join(' ');
}

/** The data of the Action.Execute button whose verb is this action. */
function actionData(card: unknown, verb: string): Record<string, unknown> {
  const action = objectsOfType(card, 'Action.Execute').find((a) => a.verb === verb);
  if (!action || !action.data || typeof action.data !== 'object') throw new Error(`no ${verb} button in ${JSON.stringify(card).slice(0, 300)}`);
  return Object.fromEntries(Object.entries(action.data));
}

function cardOf(call: ConnectorCall | undefined): unknown {
  const attachments = call?.body.attachments;
  return Array.isArray(attachments) ? attachments.map((a: { content?: unknown }) => a.content) : undefined;
}

const ANN = '00000000-0000-0000-0000-00000000a001';
const BOB = '00000000-0000-0000-0000-00000000b001';
const OFFICE = '00000000-0000-0000-0000-00000000c001';
const NAMES: Record<string, string> = { [ANN]: 'Ann Peeters', [BOB]: 'Bob Jansen', [OFFICE]: 'CX office' };

describe('Teams: the glossary end to end', () => {
  let t: TestSteward;
  let orgId: string;

  /** Sends a message in the person's personal chat (or a channel thread) and returns the reply activities. */
  async function say(aad: string, text: string, options: { conversationId?: string; channel?: boolean } = {}): Promise<ConnectorCall[]> {
    const before = t.connector.sent().length;
    const activity = teamsMessage({
      text,
      serviceUrl: t.connector.url,
      userAad: aad,
      userName: NAMES[aad] ?? 'Someone',
      ...(options.conversationId ? { conversationId: options.conversationId } : {}),
      ...(options.channel ? { conversationType: 'channel' as const } : {}),
    });
    const response = await postActivity(t.url, activity);
    expect(response.status).toBe(200);
    // Only the replies in this conversation: direct messages from the outbox may land meanwhile.
    const conversation = options.conversationId ?? `a:personal-${aad}`;
    const replies = () => t.connector.sent().slice(before).filter((c) => c.conversationId === conversation);
    await waitUntil(`a reply to “${text}”`, () => replies().length > 0);
    return replies();
  }

  /** Clicks an Action.Execute button: an adaptiveCard/action invoke; returns the invoke response and any messages sent. */
  async function click(aad: string, data: Record<string, unknown>, values: Record<string, string> = {}) {
    const before = t.connector.sent().length;
    const activity = {
      type: 'invoke',
      name: 'adaptiveCard/action',
      id: `inv-${randomUUID()}`,
      timestamp: new Date().toISOString(),
      serviceUrl: t.connector.url,
      channelId: 'msteams',
      from: { id: `29:${aad}`, aadObjectId: aad, name: NAMES[aad] ?? 'Someone' },
      recipient: { id: '28:steward-bot', name: 'Steward' },
      conversation: { id: `a:personal-${aad}`, conversationType: 'personal', tenantId: 'tenant-0001' },
      replyToId: 'act-card',
      value: { action: { type: 'Action.Execute', verb: String(data.action), data: { ...data, ...values } }, trigger: 'manual' },
      channelData: { tenant: { id: 'tenant-0001' } },
      locale: 'en-US',
    };
    const response = await postActivity(t.url, activity);
    const body = (await response.json()) as { statusCode: number; type: string; value: unknown };
    // Universal Actions: 200 with a card or a message, or a refusal as an error response with its status.
    expect(response.status).toBe(body.type === 'application/vnd.microsoft.error' ? 400 : 200);
    expect(body.statusCode).toBe(response.status);
    return { body, sent: t.connector.sent().slice(before) };
  }

  const directMessagesTo = (aad: string) => t.connector.sent().filter((c) => c.conversationId === `a:personal-${aad}`);
  const pending = () => t.database.db.selectFrom('glossary_proposals').selectAll().where('status', '=', 'pending').orderBy('created_at', 'desc').execute();
  const term = (name: string) => t.database.db.selectFrom('glossary_terms').selectAll().where('name', '=', name).executeTakeFirstOrThrow();

  beforeAll(async () => {
    t = await startTestSteward();
    orgId = await t.steward.services.orgs.defaultOrganisation();
    const csv = readFileSync(new URL('../../data/demo/glossary.csv', import.meta.url), 'utf8');
    expect((await importGlossaryCsv(t.database.db, orgId, csv, { by: 'test', now: new Date() })).problems).toEqual([]);
    t.connector.members.set(`29:${OFFICE}`, { email: 'cx-office@example.com', name: 'CX office', aadObjectId: OFFICE });
    t.connector.members.set(`29:${ANN}`, { email: 'ann@example.com', name: 'Ann Peeters', aadObjectId: ANN });
    await linkTeamsMembers(t);
    // The CX office has a personal chat with Steward, so direct messages can reach it.
    await say(OFFICE, 'glossary stats');
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers "glossary nps" in a personal chat with the full card', async () => {
    const [reply] = await say(ANN, 'glossary nps');
    const card = cardOf(reply);
    expect(words(card)).toContain('Net Promoter Score');
    expect(words(card)).toContain('version 1 · updated');
    expect(words(card)).toContain('NPS, promoter score');
    expect(objectsOfType(card, 'Action.Execute').map((a) => a.title)).toEqual(['Share in channel', 'Suggest an edit', 'History']);
  });

  it('answers in a channel thread with a short card, because the whole thread sees it', async () => {
    const thread = '19:cx-general@thread.tacv2;messageid=1700000000002';
    const [reply] = await say(ANN, 'glossary Net-Promoter-Score', { conversationId: thread, channel: true });
    expect(reply?.conversationId).toBe(thread);
    expect(words(cardOf(reply))).toContain('Short answer, because everyone in this thread sees it');
  });

  it('answers a miss with suggestions as buttons, and a total miss with how to propose', async () => {
    const [near] = await say(ANN, 'glossary nsp');
    expect(words(cardOf(near))).toContain('No exact match for “nsp”');
    expect(actionData(cardOf(near), 'glossary.show')).toMatchObject({ termId: (await term('Net Promoter Score')).id });
    expect(actionData(cardOf(near), 'glossary.propose')).toMatchObject({ query: 'nsp' });
    const [none] = await say(ANN, 'glossary kubernetes');
    expect(words(cardOf(none))).toContain('glossary propose kubernetes = <definition>');
  });

  it('answers every button of a term card and of a miss as the Universal Actions contract says (a string message or a card)', async () => {
    const [found] = await say(ANN, 'glossary nps');
    const [missed] = await say(ANN, 'glossary nsp');
    const buttons = [...objectsOfType(cardOf(found), 'Action.Execute'), ...objectsOfType(cardOf(missed), 'Action.Execute')];
    expect(buttons.map((b) => b.verb)).toEqual(expect.arrayContaining(['glossary.share', 'glossary.suggest', 'glossary.history', 'glossary.show', 'glossary.propose']));
    for (const button of buttons) {
      const { body } = await click(ANN, actionData(button.verb === 'glossary.show' || button.verb === 'glossary.propose' ? cardOf(missed) : cardOf(found), String(button.verb)));
      expect(body.statusCode, String(button.verb)).toBe(200);
      if (body.type === 'application/vnd.microsoft.activity.message') expect(typeof body.value, String(button.verb)).toBe('string');
      else expect(body.type, String(button.verb)).toBe('application/vnd.microsoft.card.adaptive');
    }
  });

  it('answers a refused button with an error response that says why', async () => {
    const { body } = await click(BOB, { action: 'glossary.approve', proposalId: randomUUID() });
    expect(body.statusCode).toBe(400);
    expect(body.type).toBe('application/vnd.microsoft.error');
    expect(body.value).toMatchObject({ code: expect.stringMatching(/^steward_/), message: expect.any(String) });
  });

  it('shares the card in the conversation with who shared it', async () => {
    const [reply] = await say(ANN, 'glossary csat');
    const { sent } = await click(ANN, actionData(cardOf(reply), 'glossary.share'));
    const shared = words(cardOf(sent.find((c) => c.conversationId === `a:personal-${ANN}`)));
    expect(shared).toContain('Customer Satisfaction Score');
    expect(shared).toContain('Shared by Ann Peeters');
  });

  it('refuses a forged Approve invoke from a non-steward and changes nothing', async () => {
    await say(BOB, 'glossary propose NPS = Bob’s own idea of it.');
    const [proposal] = await pending();
    const { body, sent } = await click(BOB, { action: 'glossary.approve', proposalId: proposal?.id });
    expect(JSON.stringify(body)).not.toContain('Approved by');
    const toBob = sent.filter((c) => c.conversationId === `a:personal-${BOB}`);
    expect(words(cardOf(toBob[0]))).toContain('Only the term');
    expect((await t.database.db.selectFrom('glossary_proposals').select('status').where('id', '=', proposal?.id ?? '').executeTakeFirstOrThrow()).status).toBe('pending');
    expect((await term('Net Promoter Score')).version).toBe(1);
  });

  it('sends a proposal to the steward, whose Approve refreshes the card; the new version shows in lookup and history', async () => {
    const [sent] = await say(ANN, 'glossary propose NPS = Promoters minus detractors, from -100 to +100.');
    expect(words(cardOf(sent))).toContain('went to cx-office for approval');
    await waitUntil('the steward has the proposal', () => directMessagesTo(OFFICE).some((c) => words(cardOf(c)).includes('Promoters minus detractors')));
    const ask = directMessagesTo(OFFICE).find((c) => words(cardOf(c)).includes('Promoters minus detractors'));

    const { body } = await click(OFFICE, actionData(cardOf(ask), 'glossary.approve'));
    expect(body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(words(body.value)).toContain('published as version 2');
    expect(objectsOfType(body.value, 'Action.Execute')).toEqual([]);
    await waitUntil('Ann is told', () => directMessagesTo(ANN).some((c) => words(cardOf(c)).includes('approved your proposal')));

    const [lookup] = await say(BOB, 'glossary nps');
    expect(words(cardOf(lookup))).toContain('version 2');
    expect(words(cardOf(lookup))).toContain('Promoters minus detractors');
    const [history] = await say(BOB, 'glossary history nps');
    expect(words(cardOf(history))).toContain('Version 2');
  });

  it('asks for a reason with a card form, rejects, and tells the proposer the reason', async () => {
    await say(ANN, 'glossary propose MoT = Any touchpoint at all.');
    await waitUntil('the steward has the proposal', () => directMessagesTo(OFFICE).some((c) => words(cardOf(c)).includes('Any touchpoint at all.')));
    const ask = directMessagesTo(OFFICE).find((c) => words(cardOf(c)).includes('Any touchpoint at all.'));
    const { sent } = await click(OFFICE, actionData(cardOf(ask), 'glossary.reject'));
    const form = cardOf(sent.find((c) => c.conversationId === `a:personal-${OFFICE}` && JSON.stringify(c.body).includes('reject_reason')));
    expect(objectsOfType(form, 'Input.Text').map((i) => i.id)).toEqual(['reject_reason']);
    const submit = actionData(form, 'glossary.reject.confirm');
    const { body } = await click(OFFICE, submit, { reject_reason: 'A moment of truth decides the whole journey.' });
    expect(words(body.value)).toContain('Rejected by cx-office');
    await waitUntil('Ann hears why', () => directMessagesTo(ANN).some((c) => words(cardOf(c)).includes('A moment of truth decides the whole journey.')));
    expect((await term('Moment of truth')).version).toBe(1);
  });

  it('shows a definition full of mentions, links, markdown and Adaptive Card expressions as plain text', async () => {
    const office = await t.database.db.selectFrom('people').select('id').where('email', '=', 'cx-office@example.com').executeTakeFirstOrThrow();
    await grantRole(t.database.db, office.id, { orgId, role: 'glossary_steward', byLabel: 'test' });
    const hostile = 'Ping <!channel> and <@U123>, see <https://evil.example|your bank>, @everyone **bold** [link](https://evil.example) ${user.name} {{secret}}';
    await say(OFFICE, `glossary propose Injection test = ${hostile}`);
    const [reply] = await say(ANN, 'glossary injection test');
    const card = cardOf(reply);
    const runs = objectsOfType(card, 'TextRun');
    expect(runs.some((r) => String(r.text).includes('Ping <!channel> and <@U123>, see <https://evil.example|your bank>, @everyone **bold** [link](https://evil.example)'))).toBe(true);
    expect(JSON.stringify(card)).not.toContain('${user.name}');
    // No TextBlock (which renders markdown), no mention entities, no links the definition made.
    expect(objectsOfType(card, 'TextBlock')).toEqual([]);
    expect(reply?.body.entities ?? []).toEqual([]);
    expect(runs.filter((r) => r.selectAction)).toEqual([]);
  });
});
