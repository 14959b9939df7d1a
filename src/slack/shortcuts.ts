// Slack's ways into Steward that are not commands: the message shortcut "Explain CX terms" (on any
// message), the global shortcut "Look up a CX term" (a form), and the messages of channels Steward is
// in, which the glossary's watch listens to (src/glossary/watch.ts). Each becomes a ChatRequest for
// the router like everything else; their answers are seen by the person alone.
import type { ChatRouter } from '../chat/router.js';
import type { ChatRequest, Reply } from '../chat/request.js';
import type { Logger } from '../log.js';
import { fallbackText, renderBlocks, renderModal } from './blocks.js';
import { respondThrough } from './response-url.js';
import { slackTextRequest } from './request.js';
import type { SlackListeners } from './listeners.js';

export const SHORTCUTS = { explain: 'steward_explain', lookup: 'steward_lookup' } as const;

interface ShortcutDeps {
  router: ChatRouter;
  log: Logger;
  answer(request: ChatRequest): Promise<Reply>;
  lookupEmail(userId: string): Promise<string | undefined>;
}

/** Slack's markup in a message's text, as a person reads it: `<#C1|general>` → #general, `<https://x|label>` → label. */
export function readableText(text: string): string {
  return text
    .replace(/<[@!][^>]*>/g, ' ')
    .replace(/<#[A-Z0-9]+\|([^>]*)>/g, '#$1')
    .replace(/<[^>|]+\|([^>]*)>/g, '$1')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

export function registerShortcuts(listeners: SlackListeners, deps: ShortcutDeps): void {
  listeners.shortcut(SHORTCUTS.explain, async ({ shortcut, ack }) => {
    await ack();
    if (shortcut.type !== 'message_action') return;
    const request = slackTextRequest({
      teamId: shortcut.team?.id ?? shortcut.user.team_id ?? 'unknown',
      userId: shortcut.user.id,
      channelId: shortcut.channel.id,
      channelName: shortcut.channel.name,
      text: `glossary explain ${readableText(shortcut.message.text ?? '') || ' '}`,
    });
    const reply = await deps.answer(request);
    const card = reply.private ?? reply.public;
    if (!card) return;
    await respondThrough(shortcut.response_url)({ response_type: 'ephemeral', replace_original: false, blocks: renderBlocks(card), text: fallbackText(card) }).catch((error: unknown) =>
      deps.log.warn({ err: error }, 'could not answer the Explain CX terms shortcut'),
    );
  });

  listeners.shortcut(SHORTCUTS.lookup, async ({ shortcut, ack, client }) => {
    await ack();
    if (shortcut.type !== 'shortcut') return;
    const reply = await deps.answer({
      platform: 'slack',
      installationId: shortcut.team?.id ?? shortcut.user.team_id ?? 'unknown',
      user: { id: shortcut.user.id },
      // No channel: the answer to the form goes to the person's direct messages with Steward.
      conversation: { id: shortcut.user.id, kind: 'personal' },
      input: { kind: 'action', payload: { action: 'glossary.lookup.open' }, values: {} },
      mentions: [],
    });
    if (!reply.form) return;
    await client.views.open({ trigger_id: shortcut.trigger_id, view: renderModal(reply.form, {}) }).catch((error: unknown) => deps.log.warn({ err: error }, 'could not open the lookup form'));
  });

  // Messages in the channels Steward is in: the watch answers only in watched channels, privately.
  listeners.event('message', async ({ message, client, context }) => {
    if ((message.channel_type !== 'channel' && message.channel_type !== 'group') || message.subtype !== undefined || !('text' in message) || !message.text || !message.user) return;
    const request = slackTextRequest({ teamId: context.teamId ?? 'unknown', enterpriseId: context.enterpriseId, userId: message.user, channelId: message.channel, text: readableText(message.text) });
    const reply = await deps.router.overhear(request, () => deps.lookupEmail(message.user!));
    const card = reply?.private;
    if (!card) return;
    await client.chat
      .postEphemeral({ channel: message.channel, user: message.user, blocks: renderBlocks(card), text: fallbackText(card) })
      .catch((error: unknown) => deps.log.warn({ err: error }, 'could not send a glossary tip'));
  });
}
