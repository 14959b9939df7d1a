// Delivers one outbox row, at most once per row however often it is called, from however many
// workers. A row is claimed under a lease; an attempt whose worker died (lease run out, outcome
// unknown) is first checked with the platform before anything is posted again.
import * as outbox from './outbox-repo.js';
import type { Card } from '../chat/card.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import type { DeliveredRef, OutboxMessage, OutboxTarget, Platform } from '../db/foundation-tables.js';
import * as orgsRepo from '../orgs/repo.js';
import { SLOT_BOOKED, takeChannelSlot } from './channel-slots-repo.js';
import { PermanentDeliveryError, RateLimitedError, type Destination, type Notifier } from './notifier.js';

export interface DeliveryOptions {
  db: Db;
  clock: Clock;
  notifiers: Partial<Record<Platform, Notifier>>;
  /** How long one attempt may take before another worker treats its outcome as unknown. */
  leaseMs?: number;
  /** After this many attempts the row is marked failed. */
  maxAttempts?: number;
  /** Cards drawn from the database at delivery time, by renderer name (see OutboxMessage.render). */
  renderers?: Record<string, MessageRenderer>;
}

export interface RenderRequest {
  outboxId: string;
  orgId: string;
  /** MessageRender.id: what to render. */
  id: string;
  /** Set when this message replaces one posted earlier. */
  updateOfOutboxId?: string;
}

/**
 * Draws a card from the database just before it is sent, so a message queued earlier (or a coalesced
 * update standing for many changes) shows the state at delivery. It may throw a RateLimitedError to
 * have the delivery tried again later.
 */
export type MessageRenderer = (request: RenderRequest) => Promise<Card>;

export type DeliveryOutcome =
  | { status: 'delivered'; ref: DeliveredRef; reconciled: boolean }
  | { status: 'already-done' }
  /** Another worker holds the row; it will finish it (or the sweep will, when its lease runs out). */
  | { status: 'busy' }
  | { status: 'not-due'; notBefore: Date };

export class Deliverer {
  private readonly leaseMs: number;
  private readonly maxAttempts: number;

  constructor(private readonly options: DeliveryOptions) {
    this.leaseMs = options.leaseMs ?? 60_000;
    this.maxAttempts = options.maxAttempts ?? 12;
  }

  async deliver(outboxId: string): Promise<DeliveryOutcome> {
    const { db, clock } = this.options;
    const now = clock.now();
    const claim = await db.transaction().execute(async (trx) => {
      const row = await outbox.lockRow(trx, outboxId);
      if (!row) return { kind: 'busy' as const };
      if (row.status === 'delivered' || row.status === 'failed') return { kind: 'done' as const };
      if (row.status === 'sending' && row.lease_until && row.lease_until > now) return { kind: 'busy' as const };
      if (row.status === 'pending' && row.not_before > now) return { kind: 'not-due' as const, notBefore: row.not_before };
      const uncertain = row.status === 'sending';
      await outbox.markSending(trx, outboxId, { leaseUntil: new Date(now.getTime() + this.leaseMs), attemptStartedAt: uncertain && row.attempt_started_at ? row.attempt_started_at : now });
      return { kind: 'claimed' as const, row, uncertain, since: uncertain && row.attempt_started_at ? row.attempt_started_at : now };
    });
    if (claim.kind === 'busy') return { status: 'busy' };
    if (claim.kind === 'done') return { status: 'already-done' };
    if (claim.kind === 'not-due') return { status: 'not-due', notBefore: claim.notBefore };

    const { row } = claim;
    try {
      const destination = await this.destinationFor(row.org_id, row.target);
      const notifier = this.options.notifiers[destination.platform];
      if (!notifier) throw new PermanentDeliveryError(`${destination.platform} is not configured on this Steward`);
      const message: OutboxMessage = row.message;
      const card = message.render ? await this.render(outboxId, row.org_id, message) : (message.card as Card);
      if (claim.uncertain) {
        const found = await notifier.findPosted(destination, outboxId, new Date(claim.since.getTime() - 5_000));
        if (found) {
          await this.markDelivered(outboxId, found);
          return { status: 'delivered', ref: found, reconciled: true };
        }
      }
      // A row back at the slot booked for it earlier sends without taking another.
      if (!message.updateOfOutboxId && row.last_error !== SLOT_BOOKED) {
        const channelKey = `${destination.platform}:${destination.kind === 'user' ? destination.userId : destination.conversationId}`;
        const slot = await takeChannelSlot(this.options.db, channelKey, this.options.clock.now());
        if (!slot.granted) {
          await this.deferTo(outboxId, slot.retryAt, SLOT_BOOKED);
          return { status: 'not-due', notBefore: slot.retryAt };
        }
      }
      let ref: DeliveredRef;
      if (message.updateOfOutboxId) {
        ref = await this.deliveredRefOf(message.updateOfOutboxId);
        await notifier.update(ref, card, destination);
      } else {
        const thread = message.threadOfOutboxId ? await this.deliveredRefOf(message.threadOfOutboxId) : undefined;
        ref = await notifier.post(destination, card, { outboxId, ...(thread ? { thread } : {}) });
      }
      await this.markDelivered(outboxId, ref);
      return { status: 'delivered', ref, reconciled: false };
    } catch (error) {
      await this.recordFailure(outboxId, row.attempts + 1, error);
      throw error;
    }
  }

  private async render(outboxId: string, orgId: string, message: OutboxMessage): Promise<Card> {
    const spec = message.render;
    const renderer = spec ? this.options.renderers?.[spec.renderer] : undefined;
    if (!spec || !renderer) throw new PermanentDeliveryError(`no renderer “${spec?.renderer ?? ''}” is registered in this process`);
    return renderer({ outboxId, orgId, id: spec.id, ...(message.updateOfOutboxId ? { updateOfOutboxId: message.updateOfOutboxId } : {}) });
  }

  private async markDelivered(outboxId: string, ref: DeliveredRef): Promise<void> {
    await outbox.markDelivered(this.options.db, outboxId, ref, this.options.clock.now());
  }

  /** Hands the row back, due again at `notBefore`; waiting for a channel's turn is not an attempt. */
  private async deferTo(outboxId: string, notBefore: Date, reason: string): Promise<void> {
    await outbox.handBack(this.options.db, outboxId, notBefore, reason);
  }

  private async recordFailure(outboxId: string, attempts: number, error: unknown): Promise<void> {
    const now = this.options.clock.now();
    const permanent = error instanceof PermanentDeliveryError || attempts >= this.maxAttempts;
    const notBefore = error instanceof RateLimitedError ? new Date(now.getTime() + error.retryAfterMs) : now;
    await outbox.markAttemptFailed(this.options.db, outboxId, { permanent, notBefore, error: (error instanceof Error ? error.message : String(error)).slice(0, 1000) });
  }

  /** A message that updates or replies to another needs that one delivered first. */
  private async deliveredRefOf(outboxId: string): Promise<DeliveredRef> {
    const original = await outbox.deliveryOf(this.options.db, outboxId);
    if (!original) throw new PermanentDeliveryError(`the message it refers to (outbox ${outboxId}) does not exist`);
    if (original.status === 'failed') throw new PermanentDeliveryError(`the message it refers to (outbox ${outboxId}) could not be delivered`);
    if (!original.delivered_ref) throw new Error(`the message it refers to (outbox ${outboxId}) is not delivered yet`);
    return original.delivered_ref;
  }

  async destinationFor(orgId: string, target: OutboxTarget): Promise<Destination> {
    const { db } = this.options;
    if (target.kind === 'person') {
      const identity = await orgsRepo.preferredIdentity(db, target.personId);
      if (!identity) throw new PermanentDeliveryError('this person has not used Steward on Slack or Teams yet, so there is no way to reach them');
      if (identity.platform === 'slack') {
        return { kind: 'user', platform: 'slack', installationId: identity.installation_external_id, userId: identity.external_user_id };
      }
      const personal = await orgsRepo.latestPersonalTeamsChat(db, target.personId);
      if (personal) {
        return { kind: 'conversation', platform: 'teams', installationId: personal.installation_external_id, conversationId: personal.external_id, reference: personal.reference };
      }
      return { kind: 'user', platform: 'teams', installationId: identity.installation_external_id, userId: identity.external_user_id };
    }
    const conversation = await orgsRepo.conversationInOrg(db, orgId, target.conversationId);
    if (!conversation) throw new PermanentDeliveryError('the conversation this message was meant for is no longer known to Steward');
    return {
      kind: 'conversation',
      platform: conversation.platform,
      installationId: conversation.installation_external_id,
      conversationId: conversation.external_id,
      reference: conversation.reference,
    };
  }
}
