// Turns what Slack sends (slash command, button click, form submission, mention) into a ChatRequest.
import type { ChatRequest, ChatUser } from '../chat/request.js';

const ESCAPED_MENTION = /<@([UW][A-Z0-9]+)(?:\|([^>]*))?>/g;

/** `/cx glossary nps` and `/glossary nps` both become `glossary nps`. */
export function commandText(command: string, text: string): string {
  const word = command.replace(/^\//, '').toLowerCase();
  return word === 'cx' ? text : `${word} ${text}`.trim();
}

/** Slack writes mentions as `<@U123|name>`; keep them as `<@U123>` tokens and list who they are. */
export function extractMentions(text: string): { text: string; mentions: ChatUser[] } {
  const mentions: ChatUser[] = [];
  const normalised = text.replace(ESCAPED_MENTION, (_match, id: string, name?: string) => {
    if (!mentions.some((m) => m.id === id)) mentions.push({ id, ...(name ? { name } : {}) });
    return `<@${id}>`;
  });
  return { text: normalised, mentions };
}

export function conversationKind(channelId: string, channelName?: string): 'personal' | 'channel' | 'group' {
  if (channelId.startsWith('D') || channelName === 'directmessage') return 'personal';
  if (channelName === 'mpdm' || channelId.startsWith('G')) return 'group';
  return 'channel';
}

export function slackTextRequest(args: {
  teamId: string;
  teamName?: string | undefined;
  enterpriseId?: string | undefined;
  userId: string;
  userName?: string | undefined;
  channelId: string;
  channelName?: string | undefined;
  text: string;
}): ChatRequest {
  const { text, mentions } = extractMentions(args.text);
  return {
    platform: 'slack',
    installationId: args.teamId,
    installationName: args.teamName,
    ...(args.enterpriseId ? { installationGroup: args.enterpriseId } : {}),
    user: { id: args.userId, ...(args.userName ? { name: args.userName } : {}) },
    conversation: { id: args.channelId, kind: conversationKind(args.channelId, args.channelName), name: args.channelName },
    input: { kind: 'text', text },
    mentions,
  };
}
