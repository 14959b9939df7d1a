// Delivers one outbox row, at most once per row however often it is called, from however many
// workers. A row is claimed under a lease; an attempt whose worker died (lease run out, outcome
// unknown) is first checked with the platform before anything is posted again.
import * as outbox from './outbox-repo.js';
import type { Block, Card } from '../chat/card.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import type { DeliveredRef, OutboxMessage, OutboxStatus, OutboxTarget, Platform } from '../db/foundation-tables.js';
import * as orgsRepo from '../orgs/repo.js';
import type { PersonToReach } from '../reach/repo.js';
import { SLOT_BOOKED, takeSlotOrHandBack } from './channel-slots-repo.js';
import { PermanentDeliveryError, RateLimitedError, type Destination, type Notifier } from './notifier.js';

export interface DeliveryOptions {
  db: Db;
  /** Leases, Retry-After and channel slots: wall-clock plumbing. */
  clock: Clock;
  /**
   * When a message was delivered or given up on, as people read it (a ping's history, beside steps
   * dated by the business clock): the business clock, which tests move; `clock` when not given.
   */
  businessClock?: Clock;
  notifiers: Partial<Record<Platform, Notifier>>;
  /** How long one attempt may take before another worker treats its outcome as unknown. */
  leaseMs?: number;
  /** After this many attempts the row is marked failed. */
  maxAttempts?: number;
  /** Cards drawn from the database at delivery time, by renderer name (see OutboxMessage.render). */
  renderers?: Record<string, MessageRenderer>;
  /** Where a direct message to a person goes (src/reach/resolver.ts), and their welcome. */
  people: PeopleReach;
  /** Called when a direct message cannot reach its person, to send it someone else's way (a ping's fallback). */
  onUndeliverable?: UndeliverableHandler[];
  /** Hands new outbox rows (written by onUndeliverable) to the delivery queue. */
  kick?: (outboxIds: string[]) => void;
}

/** The port through which the deliverer finds people (src/reach/). */
export interface PeopleReach {
  /** With `onPlatform`, only there (an update of a message posted there). */
  destinationFor(
    personId: string,
    onPlatform?: Platform,
    /** The person as the claim of the message read them already, saving a read. */
    known?: PersonToReach,
  ): Promise<{ destination: Destination; welcome: boolean; /** False: no refusal is remembered for them, so `reached` has nothing to forget. */ refusedBefore?: boolean }>;
  /** A platform refused a message to this person: remembered for `people check` and the digest. */
  refused(personId: string, platform: Platform, reason: string): Promise<void>;
  /** The lines a person's first message from Steward starts with. */
  welcome(personId: string): Promise<Block[]>;
  welcomed(personId: string): Promise<void>;
  /** A message reached this person there: forget an earlier refusal. */
  reached(personId: string, platform: Platform): Promise<void>;
}

export interface Undeliverable {
  outboxId: string;
  orgId: string;
  personId: string;
  /** Why, in words for the person who is told: "no Slack account with …". */
  reason: string;
}

/** Returns the outbox rows it wrote (to be kicked); [] when the message is not its kind. */
export type UndeliverableHandler = (undeliverable: Undeliverable) => Promise<string[]>;

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
  /** When deliveries and failures are dated (see DeliveryOptions.businessClock). */
  private readonly businessClock: Clock;

  constructor(private readonly options: DeliveryOptions) {
    this.leaseMs = options.leaseMs ?? 60_000;
    this.maxAttempts = options.maxAttempts ?? 12;
    this.businessClock = options.businessClock ?? options.clock;
  }

  async deliver(outboxId: string): Promise<DeliveryOutcome> {
    const { db, clock } = this.options;
    const now = clock.now();
    const claim = await outbox.claimForSending(db, outboxId, now, new Date(now.getTime() + this.leaseMs));
    if (!claim) {
      const why = await outbox.whyNotClaimed(db, outboxId, now);
      if (why.kind === 'busy') return { status: 'busy' };
      if (why.kind === 'done') return { status: 'already-done' };
      return { status: 'not-due', notBefore: why.notBefore };
    }

    const { row } = claim;
    const message: OutboxMessage = row.message;
    let destination: Destination | undefined;
    try {
      // An update goes where the message it replaces is, whatever the person prefers now.
      const original = message.updateOfOutboxId ? await this.deliveredRefOf(message.updateOfOutboxId, claim.original) : undefined;
      const reached = await this.destinationFor(row.org_id, row.target, original?.platform, claim.person);
      destination = reached.destination;
      const notifier = this.options.notifiers[destination.platform];
      if (!notifier) throw new PermanentDeliveryError(`${destination.platform} is not configured on this Steward`);
      if (claim.uncertain) {
        const since = row.attempt_started_at ?? now;
        const found = await notifier.findPosted(destination, outboxId, new Date(since.getTime() - 5_000));
        if (found) {
          await this.markDelivered(outboxId, found);
          return { status: 'delivered', ref: found, reconciled: true };
        }
      }
      // A row back at the slot booked for it earlier sends without taking another. The slot is taken
      // before the card is drawn: most messages of a burst to one person wait for their turn, and are
      // drawn once, when it comes (and so show the state of that moment).
      if (!message.updateOfOutboxId && row.last_error !== SLOT_BOOKED) {
        const channelKey = `${destination.platform}:${destination.kind === 'user' ? destination.userId : destination.conversationId}`;
        // The slot, or the row handed back until the slot booked for it (one statement).
        const slot = await takeSlotOrHandBack(this.options.db, channelKey, this.options.clock.now(), outboxId);
        if (!slot.granted) return { status: 'not-due', notBefore: slot.retryAt };
      }
      const drawn = message.render ? await this.render(outboxId, row.org_id, message) : (message.card as Card);
      const welcome = reached.welcome && row.target.kind === 'person' && !message.updateOfOutboxId && !message.threadOfOutboxId;
      const card = welcome && row.target.kind === 'person' ? withWelcome(drawn, await this.options.people.welcome(row.target.personId)) : drawn;
      let ref: DeliveredRef;
      if (original) {
        ref = original;
        await notifier.update(ref, card, destination);
      } else {
        const thread = message.threadOfOutboxId ? await this.deliveredRefOf(message.threadOfOutboxId) : undefined;
        ref = await notifier.post(destination, card, { outboxId, ...(thread ? { thread } : {}) });
      }
      await this.markDelivered(outboxId, ref);
      if (row.target.kind === 'person' && !original) {
        if (welcome) await this.options.people.welcomed(row.target.personId);
        if (reached.refusedBefore !== false) await this.options.people.reached(row.target.personId, destination.platform);
      }
      return { status: 'delivered', ref, reconciled: false };
    } catch (error) {
      const permanent = await this.recordFailure(outboxId, row.attempts, error);
      if (permanent && row.target.kind === 'person' && !message.updateOfOutboxId) {
        await this.cannotReach({ outboxId, orgId: row.org_id, personId: row.target.personId, reason: reasonOf(error) }, destination, error);
      }
      throw error;
    }
  }

  /** Remembers why a person could not be reached and lets the message's owner send it another way. */
  private async cannotReach(undeliverable: Undeliverable, destination: Destination | undefined, error: unknown): Promise<void> {
    if (destination && error instanceof PermanentDeliveryError) await this.options.people.refused(undeliverable.personId, destination.platform, undeliverable.reason);
    const written: string[] = [];
    for (const handler of this.options.onUndeliverable ?? []) written.push(...(await handler(undeliverable)));
    if (written.length > 0) this.options.kick?.(written);
  }

  private async render(outboxId: string, orgId: string, message: OutboxMessage): Promise<Card> {
    const spec = message.render;
    const renderer = spec ? this.options.renderers?.[spec.renderer] : undefined;
    if (!spec || !renderer) throw new PermanentDeliveryError(`no renderer “${spec?.renderer ?? ''}” is registered in this process`);
    return renderer({ outboxId, orgId, id: spec.id, ...(message.updateOfOutboxId ? { updateOfOutboxId: message.updateOfOutboxId } : {}) });
  }

  private async markDelivered(outboxId: string, ref: DeliveredRef): Promise<void> {
    await outbox.markDelivered(this.options.db, outboxId, ref, this.businessClock.now());
  }

  /** Records a failed attempt; true when it was the last (the row is failed for good). */
  private async recordFailure(outboxId: string, attempts: number, error: unknown): Promise<boolean> {
    const now = this.options.clock.now();
    const permanent = error instanceof PermanentDeliveryError || (attempts >= this.maxAttempts && !(error instanceof RateLimitedError));
    const notBefore = error instanceof RateLimitedError ? new Date(now.getTime() + error.retryAfterMs) : now;
    await outbox.markAttemptFailed(this.options.db, outboxId, { permanent, at: this.businessClock.now(), notBefore, error: reasonOf(error).slice(0, 1000) });
    return permanent;
  }

  /** A message that updates or replies to another needs that one delivered first (`known`: as its claim read it). */
  private async deliveredRefOf(outboxId: string, known?: { status: OutboxStatus; delivered_ref: DeliveredRef | null }): Promise<DeliveredRef> {
    const original = known ?? (await outbox.deliveryOf(this.options.db, outboxId));
    if (!original) throw new PermanentDeliveryError(`the message it refers to (outbox ${outboxId}) does not exist`);
    if (original.status === 'failed') throw new PermanentDeliveryError(`the message it refers to (outbox ${outboxId}) could not be delivered`);
    if (!original.delivered_ref) throw new Error(`the message it refers to (outbox ${outboxId}) is not delivered yet`);
    return original.delivered_ref;
  }

  private async destinationFor(orgId: string, target: OutboxTarget, onPlatform: Platform | undefined, person: PersonToReach | undefined): Promise<{ destination: Destination; welcome: boolean; refusedBefore?: boolean }> {
    if (target.kind === 'person') return this.options.people.destinationFor(target.personId, onPlatform ?? target.platform, person);
    const conversation = await orgsRepo.conversationInOrg(this.options.db, orgId, target.conversationId);
    if (!conversation) throw new PermanentDeliveryError('the conversation this message was meant for is no longer known to Steward');
    return {
      destination: {
        kind: 'conversation',
        platform: conversation.platform,
        installationId: conversation.installation_external_id,
        conversationId: conversation.external_id,
        reference: conversation.reference,
      },
      welcome: false,
    };
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The welcome first, then the message, under the message's own title. */
function withWelcome(card: Card, welcome: Block[]): Card {
  return welcome.length ? { ...card, blocks: [...welcome, { kind: 'divider' }, ...card.blocks] } : card;
}
