// The glossary where people write, on both platforms, through the endpoints exactly as the platforms
// call them: "glossary explain", Slack's message shortcut and global shortcut (a lookup form), Teams'
// compose extension (search, then the chosen card) and message action (a dialog), and watched
// channels: a private tip for a retired term, once per person, term and day, never after "Not this
// meaning", nothing in unwatched channels, and only counts kept.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../src/clock.js';
import { plainText } from '../../src/chat/card.js';
import { importGlossaryCsv } from '../../src/glossary/csv.js';
import { glossaryAdherence } from '../../src/governance/digest/sections.js';
import { findPersonByIdentity } from '../../src/orgs/repo.js';
import { grantRole } from '../../src/orgs/service.js';
import { postActivity, teamsMessage } from '../support/fake-connector.js';
import { blockActionBody, postSlack, sign, slashCommandBody } from '../support/slack.js';
import { linkTeamsMembers, startTestSteward, type TestSteward } from '../support/steward.js';
import { waitUntil } from '../support/wait.js';

const GLOSSARY = readFileSync(new URL('../../data/demo/glossary.csv', import.meta.url), 'utf8');
const ANN = 'UANN0001';
const BOB = 'UBOB0001';
const ADMIN = 'UADMIN01';
const WATCHED = 'C0WATCHED';
const UNWATCHED = 'C0QUIET';
const ANN_AAD = '00000000-0000-0000-0000-00000000a001';
const ADMIN_AAD = '00000000-0000-0000-0000-00000000d001';
const TEAMS_CHANNEL = '19:cx-watch@thread.tacv2';

const json = (value: unknown) => JSON.stringify(value);

describe('the glossary where people write', () => {
  let t: TestSteward;
  let orgId: string;

  const command = async (userId: string, text: string, channel = 'C0001'): Promise<Record<string, unknown>> => {
    const response = await postSlack(t.url, slashCommandBody({ command: '/glossary', text, user_id: userId, channel_id: channel, channel_name: 'cx', response_url: t.slack.responseUrl(`cmd-${randomUUID()}`) }));
    expect(response.status).toBe(200);
    const body = await response.text();
    return body ? (JSON.parse(body) as Record<string, unknown>) : {};
  };
  const postEvent = async (event: Record<string, unknown>) => {
    const body = json({ type: 'event_callback', team_id: 'T0001', api_app_id: 'A0001', event_id: `Ev${randomUUID().slice(0, 10)}`, event_time: Math.floor(Date.now() / 1000), event });
    const response = await postSlack(t.url, body, { ...sign(body), 'content-type': 'application/json' });
    expect(response.status).toBe(200);
  };
  const channelMessage = (user: string, channel: string, text: string) => postEvent({ type: 'message', channel_type: 'channel', channel, user, text, ts: `${Date.now() / 1000}`, team: 'T0001' });
  /** The tips a person was shown in the watched channel. */
  const ephemeralsTo = (user: string) => t.slack.callsOf('chat.postEphemeral').filter((c) => c.args.user === user && c.args.channel === WATCHED);
  const payload = (value: Record<string, unknown>) => new URLSearchParams({ payload: json(value) }).toString();
  const personOf = async (platform: 'slack' | 'teams', installation: string, user: string) => (await findPersonByIdentity(t.database.db, platform, installation, user))!.id;

  beforeAll(async () => {
    t = await startTestSteward();
    orgId = await t.steward.services.orgs.defaultOrganisation();
    expect((await importGlossaryCsv(t.database.db, orgId, GLOSSARY, { by: 'test', now: new Date() })).problems).toEqual([]);
    await command(ADMIN, 'stats');
    await grantRole(t.database.db, await personOf('slack', 'T0001', ADMIN), { orgId, role: 'admin', byLabel: 'test' });
    // The demo glossary retires "Customer satisfaction" (alias "satisfaction"); say what replaces it.
    const deprecated = await command(ADMIN, 'deprecate Customer satisfaction = Customer Satisfaction Score');
    expect(json(deprecated)).toContain('is deprecated');
  });
  afterAll(async () => {
    await t.close();
  });

  describe('Slack', () => {
    it('explains the terms in a text: each definition, the replacement of a retired one, and an unknown acronym to propose', async () => {
      const reply = await command(ANN, 'explain Our NPS rose, but satisfaction fell and the XYZ index is flat. FYI.');
      const text = json(reply);
      expect(reply.response_type).toBe('ephemeral');
      expect(reply.text).toBe('CX terms in this message: Net Promoter Score, Customer satisfaction → Customer Satisfaction Score');
      expect(text).toContain('"text":" is deprecated: use "');
      expect(text).toContain('Share of respondents answering 4 or 5');
      expect(text).toContain('"text":"Not in the glossary: "},{"type":"text","text":"XYZ"');
      expect(text).not.toContain('FYI');
      expect(text).toContain('Propose XYZ');
    });

    it('answers the message shortcut privately through its response_url', async () => {
      const name = `explain-${randomUUID()}`;
      const body = payload({
        type: 'message_action',
        callback_id: 'steward_explain',
        trigger_id: '1.2.3',
        team: { id: 'T0001', domain: 'acme' },
        user: { id: BOB, name: 'bob', team_id: 'T0001' },
        channel: { id: 'C0001', name: 'cx-general' },
        message: { type: 'message', user: ANN, ts: '1700000000.000200', text: 'Can <@UANN0001> check the *avoidable contact* rate? See <https://example.com|the dashboard>' },
        response_url: t.slack.responseUrl(name),
      });
      expect((await postSlack(t.url, body)).status).toBe(200);
      await waitUntil('the explanation', () => t.slack.responses.some((r) => r.path === `/response/${name}`));
      const answer = t.slack.responses.find((r) => r.path === `/response/${name}`)!.body as Record<string, unknown>;
      expect(answer.response_type).toBe('ephemeral');
      expect(json(answer)).toContain('Avoidable contact');
    });

    it('opens a lookup form from the global shortcut and answers its submission', async () => {
      const opened = t.slack.callsOf('views.open').length;
      const body = payload({ type: 'shortcut', callback_id: 'steward_lookup', trigger_id: '9.8.7', team: { id: 'T0001', domain: 'acme' }, user: { id: ANN, name: 'ann', team_id: 'T0001' } });
      expect((await postSlack(t.url, body)).status).toBe(200);
      await waitUntil('the form', () => t.slack.callsOf('views.open').length > opened);
      const view = t.slack.callsOf('views.open').at(-1)!.args.view as { callback_id: string; private_metadata: string; title: { text: string } };
      expect(view.title.text).toBe('Look up a CX term');
      const answers = () => [...t.slack.callsOf('chat.postEphemeral'), ...t.slack.callsOf('chat.postMessage')].filter((c) => c.args.channel === ANN || c.args.user === ANN);
      const posted = answers().length;
      const submission = payload({
        type: 'view_submission',
        team: { id: 'T0001', domain: 'acme' },
        user: { id: ANN, name: 'ann', team_id: 'T0001' },
        trigger_id: '9.8.8',
        view: { id: 'V1', type: 'modal', callback_id: view.callback_id, private_metadata: view.private_metadata, state: { values: { query: { query: { type: 'plain_text_input', value: 'net promotor score' } } } }, hash: 'h' },
      });
      expect((await postSlack(t.url, submission)).status).toBe(200);
      // No channel to answer in: the answer comes in the person's conversation with Steward.
      await waitUntil('the answer', () => answers().length > posted);
      expect(json(answers().at(-1)!.args)).toContain('Net Promoter Score');
    });

    it('watches a channel only at an admin’s word, and tips the author of a retired term privately, once a day', async () => {
      expect(json(await command(ANN, 'watch here', WATCHED))).toContain('Only admins can watch a channel');
      expect(json(await command(ADMIN, 'watch here', WATCHED))).toContain('Steward now watches this channel');
      expect(json(await command(ADMIN, 'watch here', WATCHED))).toContain('already watches');

      await channelMessage(ANN, WATCHED, 'Customer satisfaction went down after the move');
      await waitUntil('a tip for Ann', () => ephemeralsTo(ANN).length === 1);
      const tip = ephemeralsTo(ANN)[0]!.args;
      expect(tip.channel).toBe(WATCHED);
      expect(tip.text).toBe('Your message uses Customer satisfaction, which the glossary has retired: use Customer Satisfaction Score instead.');

      // The same term again today, and a retired term in a channel nobody watches: no tip. Bob's tip
      // in the watched channel marks the point by which one would have been sent.
      await channelMessage(ANN, WATCHED, 'satisfaction is still down');
      await channelMessage(ANN, UNWATCHED, 'customer satisfaction everywhere');
      await channelMessage(BOB, WATCHED, 'our satisfaction numbers');
      await waitUntil('a tip for Bob', () => ephemeralsTo(BOB).length === 1);
      expect(ephemeralsTo(ANN)).toHaveLength(1);

      const uses = await t.database.db.selectFrom('glossary_adherence').select(['conversation_external_id', 'uses']).execute();
      expect(uses).toEqual([{ conversation_external_id: WATCHED, uses: 3 }]);

      // The digest the next morning: the watched channel's week, nothing of the messages themselves.
      const to = new Date(t.clock.now().getTime() + 24 * 60 * 60_000);
      const section = await glossaryAdherence(t.database.db, { orgId, to, from: new Date(to.getTime() - 7 * 24 * 60 * 60_000), timeZone: 'UTC' });
      expect(section?.items.map(plainText)).toEqual(['#cx — 3 uses this week, up from 0; most used: Customer satisfaction']);
    });

    it('never tips again after "Not this meaning", also on a later day', async () => {
      const value = JSON.parse(json(ephemeralsTo(BOB)[0]!.args.blocks)) as unknown;
      const button = JSON.stringify(value).match(/\{\\"action\\":\\"glossary\.nudge\.exception\\",\\"termId\\":\\"[0-9a-f-]+\\"\}/)![0].replace(/\\"/g, '"');
      const name = `exception-${randomUUID()}`;
      expect((await postSlack(t.url, blockActionBody({ userId: BOB, value: button, channelId: WATCHED, responseUrl: t.slack.responseUrl(name) }))).status).toBe(200);
      await waitUntil('the exception is noted', () => t.slack.responses.some((r) => r.path === `/response/${name}`));
      expect(json(t.slack.responses.find((r) => r.path === `/response/${name}`)!.body)).toContain('will not point out “Customer satisfaction” to you again');

      (t.clock as ManualClock).advance(24 * 60 * 60_000);
      await channelMessage(BOB, WATCHED, 'customer satisfaction again');
      await channelMessage(ANN, WATCHED, 'customer satisfaction again');
      await waitUntil('Ann’s tip the next day', () => ephemeralsTo(ANN).length === 2);
      expect(ephemeralsTo(BOB)).toHaveLength(1);
    });

    it('stops watching at an admin’s word', async () => {
      expect(json(await command(ADMIN, 'unwatch here', WATCHED))).toContain('no longer watches');
      expect(json(await command(ADMIN, 'unwatch here', WATCHED))).toContain('was not watching');
    });
  });

  describe('Teams', () => {
    const invoke = async (aad: string, name: string, value: unknown, conversation = { id: `a:personal-${aad}`, conversationType: 'personal' }) => {
      const response = await postActivity(t.url, {
        type: 'invoke',
        name,
        id: `inv-${randomUUID()}`,
        timestamp: new Date().toISOString(),
        serviceUrl: t.connector.url,
        channelId: 'msteams',
        from: { id: `29:${aad}`, aadObjectId: aad, name: 'Ann Peeters' },
        recipient: { id: '28:steward-bot', name: 'Steward' },
        conversation: { ...conversation, tenantId: 'tenant-0001' },
        value,
        channelData: { tenant: { id: 'tenant-0001' } },
        locale: 'en-US',
      });
      expect(response.status).toBe(200);
      return (await response.json()) as Record<string, unknown>;
    };

    beforeAll(async () => {
      t.connector.members.set(`29:${ANN_AAD}`, { email: 'ann@example.com', name: 'Ann Peeters', aadObjectId: ANN_AAD });
      t.connector.members.set(`29:${ADMIN_AAD}`, { email: 'admin@example.com', name: 'Ada Admin', aadObjectId: ADMIN_AAD });
      await linkTeamsMembers(t);
      await grantRole(t.database.db, await personOf('teams', 'tenant-0001', ADMIN_AAD), { orgId, role: 'admin', byLabel: 'test' });
    });

    it('answers the compose extension as someone types, typos and acronyms included, and inserts the chosen card', async () => {
      const found = await invoke(ANN_AAD, 'composeExtension/query', { commandId: 'lookupTerm', parameters: [{ name: 'query', value: 'net promotor scor' }], queryOptions: { skip: 0, count: 25 } }, { id: '19:chat-with-bob', conversationType: 'groupChat' });
      const result = (found.composeExtension as { type: string; attachments: { preview: { content: { title: string; tap: { value: Record<string, string> } } } }[] });
      expect(result.type).toBe('result');
      expect(result.attachments[0]!.preview.content.title).toBe('Net Promoter Score');
      // Asked again (a remembered answer, its result list serialised once): the same results, in full.
      const again = await invoke(ANN_AAD, 'composeExtension/query', { commandId: 'lookupTerm', parameters: [{ name: 'query', value: 'net promotor scor' }] });
      expect(again).toEqual(found);
      const acronym = await invoke(ANN_AAD, 'composeExtension/query', { commandId: 'lookupTerm', parameters: [{ name: 'query', value: 'CSAT' }] });
      expect(json(acronym)).toContain('Customer Satisfaction Score');
      const none = await invoke(ANN_AAD, 'composeExtension/query', { commandId: 'lookupTerm', parameters: [{ name: 'query', value: 'kubernetes operator' }] });
      expect(none.composeExtension).toEqual({ type: 'message', text: 'Nothing in the glossary matches “kubernetes operator”.' });
      // A query without its value (no Teams client sends one) is refused, specifically.
      const malformed = await postActivity(t.url, { type: 'invoke', name: 'composeExtension/query', id: `inv-${randomUUID()}`, serviceUrl: t.connector.url, channelId: 'msteams', from: { id: `29:${ANN_AAD}`, aadObjectId: ANN_AAD }, recipient: { id: '28:steward-bot' }, conversation: { id: `a:personal-${ANN_AAD}`, conversationType: 'personal', tenantId: 'tenant-0001' } });
      expect(malformed.status).toBe(400);
      expect(await malformed.json()).toEqual({ error: 'a compose query needs a value with its commandId and parameters' });

      const chosen = await invoke(ANN_AAD, 'composeExtension/selectItem', result.attachments[0]!.preview.content.tap.value);
      const card = (chosen.composeExtension as { attachments: { contentType: string; content: unknown }[] }).attachments[0]!;
      expect(card.contentType).toBe('application/vnd.microsoft.card.adaptive');
      expect(json(card.content)).toContain('Net Promoter Score');
      expect(json(card.content)).toContain('Shared by Ann Peeters');
    });

    it('explains a message in a dialog, and a button in it goes on in the same dialog', async () => {
      const messagePayload = { id: '1700000000003', body: { contentType: 'html', content: '<p>Our <b>NPS</b> &amp; the QRX score</p>' } };
      const explained = await invoke(ANN_AAD, 'composeExtension/fetchTask', { commandId: 'explainMessage', commandContext: 'message', messagePayload });
      const task = explained.task as { type: string; value: { title: string; card: { content: unknown } } };
      expect(task.type).toBe('continue');
      expect(json(task.value.card.content)).toContain('Net Promoter Score');
      expect(json(task.value.card.content)).toContain('QRX');
      // A dialog takes Action.Submit buttons only.
      expect(json(task.value.card.content)).not.toContain('Action.Execute');
      const proposed = await invoke(ANN_AAD, 'composeExtension/submitAction', { commandId: 'explainMessage', commandContext: 'message', data: { action: 'glossary.propose', query: 'QRX' } });
      const form = proposed.task as { type: string; value: { card: { content: unknown } } };
      expect(form.type).toBe('continue');
      expect(json(form.value.card.content)).toContain('Input.Text');
      expect(json(form.value.card.content)).toContain('QRX');
    });

    it('tips the author of a retired term in a watched channel in their personal chat, and ignores other channel messages', async () => {
      const say = async (aad: string, text: string, overheard: boolean) => {
        const response = await postActivity(t.url, teamsMessage({ text, serviceUrl: t.connector.url, userAad: aad, conversationId: TEAMS_CHANNEL, conversationType: 'channel', overheard }));
        expect(response.status).toBe(200);
      };
      // Ann's personal chat with Steward, where her tips go.
      await postActivity(t.url, teamsMessage({ text: 'help', serviceUrl: t.connector.url, userAad: ANN_AAD }));
      await waitUntil('Ann’s help', () => t.connector.sent().some((c) => c.conversationId === `a:personal-${ANN_AAD}`));
      await say(ADMIN_AAD, 'glossary watch here', false);
      await waitUntil('the watch is confirmed', () => t.connector.sent().some((c) => json(c.body).includes('Steward now watches this channel')));
      const inChannel = () => t.connector.sent().filter((c) => c.conversationId.startsWith(TEAMS_CHANNEL)).length;
      const before = inChannel();
      await say(ANN_AAD, 'Customer satisfaction is what we report', true);
      const tips = () => t.connector.sent().filter((c) => c.conversationId === `a:personal-${ANN_AAD}` && json(c.body).includes('Customer Satisfaction Score instead'));
      await waitUntil('a tip in Ann’s personal chat', () => tips().length === 1);
      // A message not meant for Steward gets no answer in the channel, whatever it says.
      await say(ANN_AAD, 'help', true);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(inChannel()).toBe(before);
    });
  });
});
