// The port through which outbound messages leave: one implementation per platform.
import type { Card } from '../chat/card.js';
import type { DeliveredRef, Platform } from '../db/foundation-tables.js';
import { ERROR_CODES } from '../errors.js';

export type Destination =
  | {
      kind: 'user';
      platform: Platform;
      installationId: string;
      /** Slack user id; on Teams the member id (29:…) from a roster, else the AAD object id. */
      userId: string;
      /** Teams: the person, whose new 1:1 chat is remembered for the next message. */
      personId?: string;
      /** Teams: where to create the 1:1 chat (the roster's service URL). */
      serviceUrl?: string;
    }
  | {
      kind: 'conversation';
      platform: Platform;
      installationId: string;
      conversationId: string;
      /** Teams conversation reference, needed for proactive messages. */
      reference: Record<string, unknown> | null;
    };

export interface PostOptions {
  /** The outbox row, carried with the message so an attempt with an unknown outcome can be checked. */
  outboxId: string;
  /** Reply in the thread of this earlier message. */
  thread?: DeliveredRef;
}

export interface Notifier {
  readonly platform: Platform;
  post(destination: Destination, card: Card, options: PostOptions): Promise<DeliveredRef>;
  update(ref: DeliveredRef, card: Card, destination: Destination): Promise<void>;
  /**
   * After an attempt whose outcome is unknown (the worker died mid-post), finds the message that
   * attempt may have posted. Undefined when it did not land, or when the platform cannot tell.
   */
  findPosted(destination: Destination, outboxId: string, since: Date): Promise<DeliveredRef | undefined>;
}

/** The platform asked us to wait; the delivery is retried after `retryAfterMs`. */
export class RateLimitedError extends Error {
  readonly code = ERROR_CODES.deliveryRateLimited;
  constructor(readonly retryAfterMs: number) {
    super(`rate limited; retry after ${retryAfterMs} ms`);
    this.name = 'RateLimitedError';
  }
}

/** Retrying cannot help (channel gone, bot removed, no way to reach the person). */
export class PermanentDeliveryError extends Error {
  readonly code = ERROR_CODES.deliveryPermanent;
  constructor(message: string) {
    super(message);
    this.name = 'PermanentDeliveryError';
  }
}
