// Delivers outbox messages through the Slack Web API. Retries belong to the delivery job, so the
// client itself never retries or sleeps: a 429 comes back at once with Slack's Retry-After.
import { z } from 'zod';
import { ErrorCode, LogLevel, WebClient, type WebAPICallResult } from '@slack/web-api';
import type { Card } from '../chat/card.js';
import type { DeliveredRef } from '../db/foundation-tables.js';
import { PermanentDeliveryError, RateLimitedError, type Destination, type Notifier, type PostOptions } from '../delivery/notifier.js';
import { fallbackText, renderBlocks } from './blocks.js';

const METADATA_EVENT = 'steward_outbox';
const outboxMetadata = z.object({ outbox_id: z.union([z.string(), z.number()]) });

/** Slack errors that no retry can fix. */
const PERMANENT_ERRORS = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'user_not_found',
  'account_inactive',
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'missing_scope',
  'cant_update_message',
  'message_not_found',
  'invalid_blocks',
  'msg_too_long',
]);

/** A Web API client for outbound work: it never retries or sleeps (the delivery job does). */
export function outboundClient(options: { botToken: string; apiUrl?: string | undefined }): WebClient {
  return new WebClient(options.botToken, {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl.endsWith('/') ? options.apiUrl : `${options.apiUrl}/` } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 15_000,
    logLevel: LogLevel.ERROR,
  });
}

export class SlackNotifier implements Notifier {
  readonly platform = 'slack' as const;
  private readonly client: WebClient;

  constructor(options: { botToken: string; apiUrl?: string | undefined }) {
    this.client = outboundClient(options);
  }

  async post(destination: Destination, card: Card, options: PostOptions): Promise<DeliveredRef> {
    const channel = destination.kind === 'user' ? destination.userId : destination.conversationId;
    const result = await this.call(() =>
      this.client.chat.postMessage({
        channel,
        blocks: renderBlocks(card),
        text: fallbackText(card),
        unfurl_links: false,
        unfurl_media: false,
        metadata: { event_type: METADATA_EVENT, event_payload: { outbox_id: options.outboxId } },
        ...(options.thread ? { thread_ts: options.thread.messageId } : {}),
      }),
    );
    if (!result.ts || !result.channel) throw new Error('Slack accepted the message but returned no ts');
    return { platform: 'slack', channel: result.channel, messageId: result.ts };
  }

  async update(ref: DeliveredRef, card: Card): Promise<void> {
    await this.call(() => this.client.chat.update({ channel: ref.channel, ts: ref.messageId, blocks: renderBlocks(card), text: fallbackText(card) }));
  }

  async findPosted(destination: Destination, outboxId: string, since: Date): Promise<DeliveredRef | undefined> {
    let channel = destination.kind === 'conversation' ? destination.conversationId : undefined;
    if (destination.kind === 'user') {
      const opened = await this.call(() => this.client.conversations.open({ users: destination.userId }));
      channel = opened.channel?.id;
    }
    if (!channel) return undefined;
    const history = await this.call(() =>
      this.client.conversations.history({ channel, oldest: String(since.getTime() / 1000), include_all_metadata: true, limit: 200 }),
    );
    const found = history.messages?.find((m) => {
      const payload = outboxMetadata.safeParse(m.metadata?.event_payload);
      return m.metadata?.event_type === METADATA_EVENT && payload.success && String(payload.data.outbox_id) === outboxId;
    });
    return found?.ts ? { platform: 'slack', channel, messageId: found.ts } : undefined;
  }

  private async call<T extends WebAPICallResult>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw translateError(error);
    }
  }
}

const slackError = z.object({
  code: z.string(),
  retryAfter: z.number().optional(),
  data: z.object({ error: z.string().optional() }).loose().optional(),
});

export function translateError(error: unknown): Error {
  const parsed = slackError.safeParse(error);
  if (parsed.success) {
    const coded = parsed.data;
    if (coded.code === ErrorCode.RateLimitedError) return new RateLimitedError(Math.max(1, coded.retryAfter ?? 1) * 1000);
    if (coded.code === ErrorCode.PlatformError && coded.data?.error && PERMANENT_ERRORS.has(coded.data.error)) {
      return new PermanentDeliveryError(`Slack refused the message: ${coded.data.error}`);
    }
  }
  return error instanceof Error ? error : new Error(String(error));
}
