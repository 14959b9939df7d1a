// Answers a Slack click through its response_url without Bolt's per-request `respond`: a click taken
// from the click inbox after a restart has no Bolt request any more, only the URL stored with it.
import type { RespondArguments, RespondFn } from '@slack/bolt';
import { z } from 'zod';

/** What the Slack adapter stores with a click in the click inbox (src/chat/inbox.ts). */
export const slackReplyTo = z.object({ responseUrl: z.string().url(), channelId: z.string().min(1) });
export type SlackReplyTo = z.infer<typeof slackReplyTo>;

export function respondThrough(responseUrl: string): RespondFn {
  return async (message: string | RespondArguments) => {
    const body = typeof message === 'string' ? { text: message } : message;
    const response = await fetch(responseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`Slack's response_url answered HTTP ${response.status}`);
  };
}
