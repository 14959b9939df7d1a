// Proposals of new terms and of edits, and the decisions on them.
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db } from '../../db/database.js';
import type { GlossaryProposalsTable } from '../tables.js';

export async function pendingNewProposal(db: Db, orgId: string, norm: string) {
  return db
    .selectFrom('glossary_proposals as p')
    .innerJoin('people as by', 'by.id', 'p.proposed_by_person_id')
    .select(['p.id', 'p.name', 'p.created_at', 'by.display_name as proposed_by'])
    .where('p.org_id', '=', orgId)
    .where('p.kind', '=', 'new')
    .where('p.status', '=', 'pending')
    .where('p.name_norm', '=', norm)
    .executeTakeFirst();
}

export async function lockProposal(trx: Db, orgId: string, proposalId: string) {
  return trx.selectFrom('glossary_proposals').selectAll().where('org_id', '=', orgId).where('id', '=', proposalId).forUpdate().executeTakeFirst();
}

export async function findProposal(db: Db, orgId: string, proposalId: string) {
  return db.selectFrom('glossary_proposals').selectAll().where('org_id', '=', orgId).where('id', '=', proposalId).executeTakeFirst();
}

export type ProposalRow = Selectable<GlossaryProposalsTable>;
export type NewProposalRow = Insertable<GlossaryProposalsTable>;

export async function insertProposal(trx: Db, row: NewProposalRow): Promise<ProposalRow> {
  return trx.insertInto('glossary_proposals').values(row).returningAll().executeTakeFirstOrThrow();
}

/** The outbox rows that asked the approvers, so a decision can close their cards. */
export async function setNoticeOutboxIds(trx: Db, proposalId: string, outboxIds: string[]): Promise<void> {
  await trx.updateTable('glossary_proposals').set({ notice_outbox_ids: JSON.stringify(outboxIds) }).where('id', '=', proposalId).execute();
}

export type DecisionColumns = Pick<Updateable<GlossaryProposalsTable>, 'status' | 'decided_by_person_id' | 'decided_at' | 'reason' | 'published_term_id' | 'published_version'>;

export async function recordDecision(trx: Db, proposalId: string, decision: DecisionColumns): Promise<ProposalRow> {
  return trx.updateTable('glossary_proposals').set(decision).where('id', '=', proposalId).returningAll().executeTakeFirstOrThrow();
}

/** Where the approvers' question cards went (to update them in place). */
export async function noticeTargets(trx: Db, orgId: string, outboxIds: string[]) {
  if (outboxIds.length === 0) return [];
  return trx.selectFrom('outbox').select(['id', 'target']).where('org_id', '=', orgId).where('id', 'in', outboxIds).execute();
}

/** One person as an approver group (empty when the id is unknown). */
export async function personAsApprover(db: Db, personId: string) {
  return db.selectFrom('people').select(['id', 'display_name']).where('id', '=', personId).execute();
}
