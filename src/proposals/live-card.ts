// The shared proposal card in each governance channel, kept current without flooding the platforms.
//
// Every copy is drawn from the database when it is delivered (the `proposal.card` renderer), never
// from what was queued. A card has at most one update waiting (`proposal_posts.pending_update_outbox_id`):
// a vote while one waits queues nothing; otherwise it queues one due at the end of the current
// wall-clock second. Several workers and a burst of votes stay correct because
//  * a vote holds a shared advisory lock on the proposal until it commits, and the renderer takes the
//    exclusive one before reading: a render never misses a vote that saw its update still waiting;
//  * a vote that finds the waiting update already claimed queues a new one (the next second's when
//    this second's is taken), so the last vote is always followed by a render that includes it;
//  * a card has at most one update in flight (`proposal_posts.inflight_outbox_id`): an update that
//    would overtake a slower one waits, so an older render never lands after a newer one;
//  * updates of a card go out at least MIN_UPDATE_GAP_MS apart (`proposal_posts.last_update_at`),
//    also when a late window's update would otherwise go out right before the next one.
// Window timing is wall-clock delivery plumbing (the Deliverer runs on the system clock), not
// business time, which is why it reads `systemClock` rather than the services clock.
import type { Card } from '../chat/card.js';
import { systemClock, type Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import type { MessageRenderer, RenderRequest } from '../delivery/deliver.js';
import { RateLimitedError } from '../delivery/notifier.js';
import { enqueueMessage } from '../delivery/outbox-repo.js';
import { placeholderCard, proposalCard } from './cards.js';
import * as repo from './repo.js';
import * as posts from './repo/posts.js';
import { loadProposalView } from './view.js';

export const PROPOSAL_CARD_RENDERER = 'proposal.card';

/** How long an update that would overtake another one in flight waits before it tries again. */
const OVERTAKE_WAIT_MS = 500;
/**
 * The least time between two updates of one card. The one-second windows alone do not ensure it: a
 * window's update delivered late (a slow worker, a retry) would go out right before the next one.
 * A little over a second, so that jitter in sending never puts two updates within one second.
 */
export const MIN_UPDATE_GAP_MS = 1_100;
/** How many later seconds a vote tries when the current second's update is already on its way. */
const MAX_WINDOW_BUMPS = 10;

interface CardRef {
  orgId: string;
  proposalId: string;
  number: number;
  title: string;
}

/** Posts the card to each governance channel; returns the outbox ids to kick. */
export async function postCards(trx: Db, ref: CardRef, conversationIds: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const conversationId of conversationIds) {
    const outboxId = await enqueueMessage(trx, {
      orgId: ref.orgId,
      dedupeKey: `proposal:${ref.proposalId}:post:${conversationId}`,
      target: { kind: 'conversation', conversationId },
      card: placeholderCard(ref.number, ref.title),
      render: { renderer: PROPOSAL_CARD_RENDERER, id: ref.proposalId },
    });
    if (!outboxId) continue;
    await posts.recordPost(trx, ref.proposalId, conversationId, outboxId);
    ids.push(outboxId);
  }
  return ids;
}

/**
 * After a vote: nothing when an update of the card is already waiting (it is drawn after this vote
 * commits); otherwise a new one, due at the end of the current second.
 */
export async function queueCardRefresh(trx: Db, ref: CardRef, clock: Clock = systemClock): Promise<string[]> {
  const ids: string[] = [];
  for (const post of await posts.postsWithWaitingUpdate(trx, ref.proposalId)) {
    if (post.waiting_status === 'pending') continue;
    const firstWindow = Math.floor(clock.now().getTime() / 1000);
    for (let window = firstWindow; window < firstWindow + MAX_WINDOW_BUMPS; window++) {
      const dedupeKey = `proposal:${ref.proposalId}:card:${post.conversation_id}:${window}`;
      const outboxId = await enqueueMessage(trx, {
        orgId: ref.orgId,
        dedupeKey,
        target: { kind: 'conversation', conversationId: post.conversation_id },
        card: placeholderCard(ref.number, ref.title),
        updateOfOutboxId: String(post.outbox_id),
        notBefore: new Date((window + 1) * 1000),
        render: { renderer: PROPOSAL_CARD_RENDERER, id: ref.proposalId },
      });
      if (outboxId) {
        await posts.setPendingUpdate(trx, ref.proposalId, post.conversation_id, outboxId);
        ids.push(outboxId);
        break;
      }
      // A vote beside this one queued it a moment ago; still waiting, it will be drawn after us.
      if ((await posts.outboxStatusByDedupeKey(trx, ref.orgId, dedupeKey)) === 'pending') break;
    }
  }
  return ids;
}

/** After a change everyone must see at once (decision, withdrawal, new deadline): an update now. */
export async function queueCardChange(trx: Db, ref: CardRef, cause: string): Promise<string[]> {
  const ids: string[] = [];
  for (const post of await repo.postsOf(trx, ref.proposalId)) {
    const outboxId = await enqueueMessage(trx, {
      orgId: ref.orgId,
      dedupeKey: `proposal:${ref.proposalId}:card:${post.conversation_id}:${cause}`,
      target: { kind: 'conversation', conversationId: post.conversation_id },
      card: placeholderCard(ref.number, ref.title),
      updateOfOutboxId: String(post.outbox_id),
      render: { renderer: PROPOSAL_CARD_RENDERER, id: ref.proposalId },
    });
    if (outboxId) ids.push(outboxId);
  }
  return ids;
}

/** Thread replies under each posted card. */
export async function replyInThreads(trx: Db, ref: CardRef, cause: string, card: Card): Promise<string[]> {
  const ids: string[] = [];
  for (const post of await repo.postsOf(trx, ref.proposalId)) {
    const outboxId = await enqueueMessage(trx, {
      orgId: ref.orgId,
      dedupeKey: `proposal:${ref.proposalId}:thread:${post.conversation_id}:${cause}`,
      target: { kind: 'conversation', conversationId: post.conversation_id },
      card,
      threadOfOutboxId: String(post.outbox_id),
    });
    if (outboxId) ids.push(outboxId);
  }
  return ids;
}

/**
 * The `proposal.card` renderer the Deliverer calls just before sending a card or an update of it.
 * `wallClock` must be the Deliverer's clock (leases and due times are on it).
 */
export function proposalCardRenderer(db: Db, wallClock: Clock = systemClock): MessageRenderer {
  return async (request: RenderRequest) =>
    db.transaction().execute(async (trx) => {
      await posts.holdCardForRender(trx, request.id);
      if (request.updateOfOutboxId) await claimCardForUpdate(trx, request, wallClock.now());
      const view = await loadProposalView(trx, request.id);
      if (!view) throw new Error(`proposal ${request.id} no longer exists`);
      return proposalCard(view);
    });
}

/** Makes this update the card's one in flight, or has it wait (in flight already; too soon after the last). */
async function claimCardForUpdate(trx: Db, request: RenderRequest, now: Date): Promise<void> {
  const post = await posts.postOfMessage(trx, String(request.updateOfOutboxId));
  if (!post) return;
  const inflight = post.inflight_outbox_id === null ? undefined : String(post.inflight_outbox_id);
  if (inflight && inflight !== request.outboxId) {
    const other = await posts.outboxLease(trx, inflight);
    if (other?.status === 'sending' && other.lease_until && other.lease_until > now) {
      throw new RateLimitedError(OVERTAKE_WAIT_MS);
    }
  }
  const since = post.last_update_at ? now.getTime() - post.last_update_at.getTime() : Number.POSITIVE_INFINITY;
  if (since < MIN_UPDATE_GAP_MS) throw new RateLimitedError(MIN_UPDATE_GAP_MS - since);
  await posts.setInflight(trx, post, request.outboxId, now);
}
