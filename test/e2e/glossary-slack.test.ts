// The glossary in Slack, end to end through /slack/events exactly as Slack sends it (signed slash
// commands, block_actions and view_submission payloads); answers come back in the acknowledgement or
// through response_url, direct messages through the outbox and the (fake) Web API.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importGlossaryCsv } from '../../src/glossary/csv.js';
import { grantRole } from '../../src/orgs/service.js';
import { blockActionBody, postSlack, slashCommandBody } from '../support/slack.js';
import { startTestSteward, type TestSteward } from '../support/steward.js';
import { waitUntil } from '../support/wait.js';

interface SlackMessage {
  response_type?: string;
  replace_original?: boolean;
  text?: string;
  blocks?: unknown[];
}

/** Every object with this `type` anywhere in a message. */
function objectsOfType(value: unknown, type: string, found: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(value)) for (const item of value) objectsOfType(item, type, found);
  else if (value && typeof value === 'object') {
    const record = Object.fromEntries(Object.entries(value));
    if (record.type === type) found.push(record);
    for (const child of Object.values(record)) objectsOfType(child, type, found);
  }
  return found;
}

/** What a person reads: header, texts and button labels, in order. */
function readable(message: unknown): string {
  return JSON.stringify(message);
}

/** The value of the button with this action in a message, as Slack would send it back. */
function buttonValue(message: unknown, action: string): string {
  const button = objectsOfType(message, 'button').find((b) => typeof b.value === 'string' && JSON.parse(b.value).action === action);
  if (!button || typeof button.value !== 'string') throw new Error(`no ${action} button in ${JSON.stringify(message).slice(0, 400)}`);
  return button.value;
}

function viewSubmissionBody(options: { userId: string; view: Record<string, unknown>; values: Record<string, string> }): string {
  const state = { values: Object.fromEntries(Object.entries(options.values).map(([id, value]) => [id, { [id]: { type: 'plain_text_input', value } }])) };
  const payload = {
    type: 'view_submission',
    team: { id: 'T0001', domain: 'acme' },
    user: { id: options.userId, username: options.userId.toLowerCase(), name: options.userId.toLowerCase(), team_id: 'T0001' },
    api_app_id: 'A0001',
    token: 'deprecated-verification-token',
    trigger_id: '1234.5678.view',
    view: { id: 'V0001', type: 'modal', callback_id: options.view.callback_id, private_metadata: options.view.private_metadata, state, hash: 'h' },
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

describe('Slack: the glossary end to end', () => {
  let t: TestSteward;
  let orgId: string;
  const ANN = 'UANN0001';
  const BOB = 'UBOB0001';
  const OFFICE = 'UOFFICE01';

  const command = async (userId: string, text: string, command = '/glossary'): Promise<SlackMessage> => {
    const response = await postSlack(t.url, slashCommandBody({ command, text, user_id: userId, response_url: t.slack.responseUrl(`cmd-${userId}`) }));
    expect(response.status).toBe(200);
    const body = await response.text();
    return body ? (JSON.parse(body) as SlackMessage) : {};
  };
  /** Clicks a button; the answer arrives through response_url. */
  const click = async (userId: string, value: string, name: string): Promise<SlackMessage[]> => {
    const before = t.slack.responses.length;
    const response = await postSlack(t.url, blockActionBody({ userId, value, responseUrl: t.slack.responseUrl(name) }));
    expect(response.status).toBe(200);
    await waitUntil(`an answer to ${name}`, () => t.slack.responses.slice(before).some((r) => r.path === `/response/${name}`));
    await new Promise((resolve) => setTimeout(resolve, 100));
    return t.slack.responses.slice(before).filter((r) => r.path === `/response/${name}`).map((r) => r.body as SlackMessage);
  };
  const dmsTo = (userId: string) => t.slack.callsOf('chat.postMessage').filter((c) => c.args.channel === userId);
  const proposals = (status: 'pending' | 'approved' | 'rejected') => t.database.db.selectFrom('glossary_proposals').selectAll().where('status', '=', status).orderBy('created_at').execute();
  const nps = () => t.database.db.selectFrom('glossary_terms').selectAll().where('name', '=', 'Net Promoter Score').executeTakeFirstOrThrow();

  beforeAll(async () => {
    t = await startTestSteward();
    orgId = await t.steward.services.orgs.defaultOrganisation();
    const csv = readFileSync(new URL('../../data/demo/glossary.csv', import.meta.url), 'utf8');
    const report = await importGlossaryCsv(t.database.db, orgId, csv, { by: 'test', now: new Date() });
    expect(report.problems).toEqual([]);
    t.slack.emails.set(OFFICE, 'cx-office@example.com');
    t.slack.emails.set(ANN, 'ann@example.com');
    // The CX office has used Steward in Slack, so a direct message can reach it.
    await command(OFFICE, 'stats');
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers /glossary nps privately, in the acknowledgement, with the full card', async () => {
    const reply = await command(ANN, 'nps');
    expect(reply.response_type).toBe('ephemeral');
    expect(objectsOfType(reply.blocks, 'header')[0]).toMatchObject({ text: { text: 'Net Promoter Score' } });
    const text = readable(reply);
    expect(text).toContain('Approved · version 1 · updated');
    expect(text).toContain('NPS, promoter score');
    for (const label of ['Share in channel', 'Suggest an edit', 'History']) expect(text).toContain(label);
    const viaCx = await command(ANN, 'glossary Net-Promoter-Score', '/cx');
    expect(objectsOfType(viaCx.blocks, 'header')[0]).toMatchObject({ text: { text: 'Net Promoter Score' } });
  });

  it('answers a miss with the closest terms as buttons and a Propose button, and a total miss with how to propose', async () => {
    const near = await command(ANN, 'nsp');
    expect(readable(near)).toContain('No exact match for “nsp”');
    expect(JSON.parse(buttonValue(near, 'glossary.show'))).toMatchObject({ termId: (await nps()).id });
    expect(JSON.parse(buttonValue(near, 'glossary.propose'))).toMatchObject({ query: 'nsp' });
    const none = await command(ANN, 'kubernetes');
    expect(readable(none)).toContain('glossary propose kubernetes = <definition>');
    await t.steward.lookupLog.flush();
    const log = await t.database.db.selectFrom('glossary_lookups').select(['query', 'outcome']).where('query', 'in', ['nsp', 'kubernetes']).orderBy('id').execute();
    expect(log).toEqual([
      { query: 'nsp', outcome: 'candidates' },
      { query: 'kubernetes', outcome: 'miss' },
    ]);
  });

  it('shares the card in the channel, publicly, with who shared it', async () => {
    const card = await command(ANN, 'csat');
    const [shared] = await click(ANN, buttonValue(card, 'glossary.share'), 'share');
    expect(shared?.response_type).toBe('in_channel');
    expect(readable(shared)).toContain('Customer Satisfaction Score');
    expect(readable(shared)).toContain('Shared by');
    // Sharing never pings the steward.
    expect(objectsOfType(shared?.blocks, 'user')).toEqual([]);
  });

  it('refuses a forged Approve from a non-steward, validly signed, and changes nothing', async () => {
    await command(BOB, 'propose NPS = Bob thinks it is the share of happy customers.');
    const [proposal] = await proposals('pending');
    expect(proposal).toBeDefined();
    const forged = JSON.stringify({ action: 'glossary.approve', proposalId: proposal?.id });
    const [answer] = await click(BOB, forged, 'forged');
    expect(answer?.response_type).toBe('ephemeral');
    expect(readable(answer)).toContain('Only the term');
    expect((await t.database.db.selectFrom('glossary_proposals').select('status').where('id', '=', proposal?.id ?? '').executeTakeFirstOrThrow()).status).toBe('pending');
    expect((await nps()).version).toBe(1);
  });

  it('sends a proposal to the steward, who approves it; the new version shows in lookup and history, and the proposer is told', async () => {
    const sent = await command(ANN, 'propose NPS = Promoters minus detractors, from -100 to +100.');
    expect(readable(sent)).toContain('went to cx-office for approval');
    await waitUntil('the steward has the proposal', () => dmsTo(OFFICE).some((c) => readable(c.args).includes('Promoters minus detractors')));
    const ask = dmsTo(OFFICE).find((c) => readable(c.args).includes('Promoters minus detractors'));

    const [replaced] = await click(OFFICE, buttonValue(ask?.args.blocks, 'glossary.approve'), 'approve');
    expect(replaced?.replace_original).toBe(true);
    expect(readable(replaced)).toContain('published as version 2');
    expect(objectsOfType(replaced?.blocks, 'button')).toEqual([]);

    await waitUntil('Ann is told', () => dmsTo(ANN).some((c) => readable(c.args).includes('approved your proposal')));
    // The steward's own direct message loses its buttons too.
    await waitUntil('the proposal message is closed', () => t.slack.callsOf('chat.update').some((c) => readable(c.args).includes('published as version 2')));

    const lookup = await command(BOB, 'nps');
    expect(readable(lookup)).toContain('version 2');
    expect(readable(lookup)).toContain('Promoters minus detractors');
    const history = await command(BOB, 'history nps');
    expect(readable(history)).toContain('Version 2');
    expect(readable(history)).toContain('proposal approved by cx-office');
  });

  it('asks the steward for a reason to reject, and tells the proposer the reason', async () => {
    await command(ANN, 'propose MoT = Anything customers complain about.');
    await waitUntil('the steward has the proposal', () => dmsTo(OFFICE).some((c) => readable(c.args).includes('Anything customers complain about')));
    const ask = dmsTo(OFFICE).find((c) => readable(c.args).includes('Anything customers complain about'));
    const opensBefore = t.slack.callsOf('views.open').length;
    await postSlack(t.url, blockActionBody({ userId: OFFICE, value: buttonValue(ask?.args.blocks, 'glossary.reject'), responseUrl: t.slack.responseUrl('reject') }));
    await waitUntil('the reason form opens', () => t.slack.callsOf('views.open').length > opensBefore);
    const view = t.slack.callsOf('views.open').at(-1)?.args.view as Record<string, unknown>;
    expect(readable(view)).toContain('reject_reason');

    const submit = await postSlack(t.url, viewSubmissionBody({ userId: OFFICE, view, values: { reject_reason: 'A moment of truth decides the whole journey.' } }));
    expect(submit.status).toBe(200);
    await waitUntil('Ann hears why', () => dmsTo(ANN).some((c) => readable(c.args).includes('A moment of truth decides the whole journey.')));
    const rejected = (await proposals('rejected')).filter((r) => r.reason === 'A moment of truth decides the whole journey.');
    expect(rejected).toHaveLength(1);
    const mot = await t.database.db.selectFrom('glossary_terms').select('version').where('name', '=', 'Moment of truth').executeTakeFirstOrThrow();
    expect(mot.version).toBe(1);
  });

  it('shows a definition full of mentions, links, markdown and expressions as plain text', async () => {
    await grantRole(t.database.db, (await t.database.db.selectFrom('people').select('id').where('email', '=', 'cx-office@example.com').executeTakeFirstOrThrow()).id, {
      orgId,
      role: 'glossary_steward',
      byLabel: 'test',
    });
    const INJECTED = /<!|<@U123>|<https?:\/\/evil/;
    const hostile = 'Ping <!channel> and <@U123>, see <https://evil.example|your bank>, @everyone *bold* _it_ ~x~ `code` ${user.name} {{secret}}';
    const created = await command(OFFICE, `propose Injection test = ${hostile}`);
    expect(readable(created)).toContain('is now version 1');
    for (const message of [await command(ANN, 'injection test')]) {
      // The steward's own mention is Steward's doing; nothing the definition says may become one.
      for (const mrkdwn of objectsOfType(message.blocks, 'mrkdwn')) expect(String(mrkdwn.text)).not.toMatch(INJECTED);
      expect(objectsOfType(message.blocks, 'user')).toEqual([]);
      expect(objectsOfType(message.blocks, 'broadcast')).toEqual([]);
      expect(objectsOfType(message.blocks, 'link')).toEqual([]);
      expect(objectsOfType(message.blocks, 'text').map((r) => r.text)).toContain(hostile);
      expect(message.text ?? '').not.toMatch(INJECTED);
    }
    const card = await command(ANN, 'injection test');
    const [shared] = await click(ANN, buttonValue(card, 'glossary.share'), 'share-hostile');
    for (const mrkdwn of objectsOfType(shared?.blocks, 'mrkdwn')) expect(String(mrkdwn.text)).not.toMatch(/<!|<@|<http/);
    expect(objectsOfType(shared?.blocks, 'user')).toEqual([]);
    expect(objectsOfType(shared?.blocks, 'broadcast')).toEqual([]);
    expect(shared?.text ?? '').not.toMatch(INJECTED);
  });
});
