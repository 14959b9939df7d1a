// Sends requests to /slack/events exactly as Slack does: form-encoded, signed with the signing secret.
import { createHmac } from 'node:crypto';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';

export function sign(body: string, timestamp = Math.floor(Date.now() / 1000), secret = SIGNING_SECRET) {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { 'x-slack-signature': signature, 'x-slack-request-timestamp': String(timestamp) };
}

export interface SlashCommandFields {
  command: string;
  text: string;
  user_id?: string;
  user_name?: string;
  team_id?: string;
  channel_id?: string;
  channel_name?: string;
  response_url?: string;
  trigger_id?: string;
}

export function slashCommandBody(fields: SlashCommandFields): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: fields.team_id ?? 'T0001',
    team_domain: 'acme',
    channel_id: fields.channel_id ?? 'C0001',
    channel_name: fields.channel_name ?? 'cx-general',
    user_id: fields.user_id ?? 'U0001',
    user_name: fields.user_name ?? 'ann',
    command: fields.command,
    text: fields.text,
    api_app_id: 'A0001',
    is_enterprise_install: 'false',
    response_url: fields.response_url ?? 'http://127.0.0.1:9/commands/none',
    trigger_id: fields.trigger_id ?? '1234.5678.abcd',
  }).toString();
}

export async function postSlack(baseUrl: string, body: string, headers: Record<string, string> = sign(body)): Promise<Response> {
  return fetch(`${baseUrl}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
}

/** A block_actions interaction payload for a button click, as Slack posts it. */
export function blockActionBody(options: {
  userId: string;
  teamId?: string;
  channelId?: string;
  value: string;
  actionId?: string;
  responseUrl: string;
  messageTs?: string;
}): string {
  const payload = {
    type: 'block_actions',
    user: { id: options.userId, username: options.userId.toLowerCase(), name: options.userId.toLowerCase(), team_id: options.teamId ?? 'T0001' },
    api_app_id: 'A0001',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: options.messageTs ?? '1700000000.000100', channel_id: options.channelId ?? 'C0001', is_ephemeral: false },
    trigger_id: '1234.5678.efgh',
    team: { id: options.teamId ?? 'T0001', domain: 'acme' },
    channel: { id: options.channelId ?? 'C0001', name: 'cx-general' },
    message: { type: 'message', ts: options.messageTs ?? '1700000000.000100', text: 'card' },
    response_url: options.responseUrl,
    actions: [
      { type: 'button', action_id: options.actionId ?? 'action:0', block_id: 'b1', text: { type: 'plain_text', text: 'Button' }, value: options.value, action_ts: '1700000001.000200' },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
