// SQL of the posted proposal cards (`proposal_posts`): which conversation shows which card, the
// update waiting for it, the one in flight, and the advisory lock renders take (see live-card.ts).
import { sql, type RawBuilder, type Selectable } from 'kysely';
import type { Db } from '../../db/database.js';
import { LOCKS } from '../repo.js';
import type { ProposalPostsTable } from '../tables.js';

/**
 * Taken by every vote transaction (an expression, so it rides along the vote's first query); the
 * renderer's exclusive lock waits for all of them.
 */
export function holdCardForVote(proposalId: string): RawBuilder<unknown> {
  return sql`pg_advisory_xact_lock_shared(${LOCKS.card}, hashtext(${proposalId}))`;
}

export async function holdCardForRender(trx: Db, proposalId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(${LOCKS.card}, hashtext(${proposalId}))`.execute(trx);
}

export async function recordPost(trx: Db, proposalId: string, conversationId: string, outboxId: string): Promise<void> {
  await trx.insertInto('proposal_posts').values({ proposal_id: proposalId, conversation_id: conversationId, outbox_id: outboxId }).execute();
}

/** Each post of the card with the status of its waiting update, if any. */
export async function postsWithWaitingUpdate(trx: Db, proposalId: string) {
  return trx
    .selectFrom('proposal_posts as pp')
    .leftJoin('outbox as waiting', 'waiting.id', 'pp.pending_update_outbox_id')
    .select(['pp.conversation_id', 'pp.outbox_id', 'waiting.status as waiting_status'])
    .where('pp.proposal_id', '=', proposalId)
    .execute();
}

export async function setPendingUpdate(trx: Db, proposalId: string, conversationId: string, outboxId: string): Promise<void> {
  await trx
    .updateTable('proposal_posts')
    .set({ pending_update_outbox_id: outboxId })
    .where('proposal_id', '=', proposalId)
    .where('conversation_id', '=', conversationId)
    .execute();
}

export async function outboxStatusByDedupeKey(trx: Db, orgId: string, dedupeKey: string) {
  const row = await trx.selectFrom('outbox').select('status').where('org_id', '=', orgId).where('dedupe_key', '=', dedupeKey).executeTakeFirst();
  return row?.status;
}

export async function outboxLease(trx: Db, outboxId: string) {
  return trx.selectFrom('outbox').select(['status', 'lease_until']).where('id', '=', outboxId).executeTakeFirst();
}

export type PostFlight = Pick<Selectable<ProposalPostsTable>, 'proposal_id' | 'conversation_id' | 'inflight_outbox_id' | 'last_update_at'>;

/** The post a card update (an outbox row updating `outboxId`) belongs to. */
export async function postOfMessage(trx: Db, outboxId: string): Promise<PostFlight | undefined> {
  return trx
    .selectFrom('proposal_posts')
    .select(['proposal_id', 'conversation_id', 'inflight_outbox_id', 'last_update_at'])
    .where('outbox_id', '=', outboxId)
    .executeTakeFirst();
}

export async function setInflight(trx: Db, post: Pick<PostFlight, 'proposal_id' | 'conversation_id'>, outboxId: string, at: Date): Promise<void> {
  await trx
    .updateTable('proposal_posts')
    .set({ inflight_outbox_id: outboxId, last_update_at: at })
    .where('proposal_id', '=', post.proposal_id)
    .where('conversation_id', '=', post.conversation_id)
    .execute();
}
