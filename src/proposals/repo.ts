// SQL of the proposals capability: proposals, their events and decisions (ballots and posted cards
// are in repo/).
import { sql, type Insertable, type Updateable } from 'kysely';
import type { Db } from '../db/database.js';
import type { Tally } from './rules.js';
import type { Choice, ProposalDecisionsTable, ProposalEventKind, ProposalStatus, ProposalsTable } from './tables.js';

/** Advisory lock classes (first key) of this capability. */
export const LOCKS = { numbering: 727_110, card: 727_111 } as const;

export async function nextNumber(trx: Db, orgId: string): Promise<number> {
  // Two proposals submitted at the same moment must not both take number 18.
  await sql`select pg_advisory_xact_lock(${LOCKS.numbering}, hashtext(${orgId}))`.execute(trx);
  const row = await trx
    .selectFrom('proposals')
    .select(sql<number>`coalesce(max(number), 0) + 1`.as('next'))
    .where('org_id', '=', orgId)
    .executeTakeFirstOrThrow();
  return Number(row.next);
}

export async function proposalById(db: Db, id: string) {
  return db.selectFrom('proposals').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function proposalByNumber(db: Db, orgId: string, number: number) {
  return db.selectFrom('proposals').selectAll().where('org_id', '=', orgId).where('number', '=', number).executeTakeFirst();
}

export async function proposalBySubmissionKey(db: Db, orgId: string, key: string) {
  return db.selectFrom('proposals').selectAll().where('org_id', '=', orgId).where('submission_key', '=', key).executeTakeFirst();
}

export type ProposalRow = NonNullable<Awaited<ReturnType<typeof proposalById>>>;

export async function insertProposal(trx: Db, values: Insertable<ProposalsTable>): Promise<ProposalRow> {
  return trx.insertInto('proposals').values(values).returningAll().executeTakeFirstOrThrow();
}

/** The proposal, locked for update until the transaction ends. */
export async function lockProposal(trx: Db, id: string): Promise<ProposalRow | undefined> {
  return trx.selectFrom('proposals').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function updateProposal(trx: Db, id: string, changes: Updateable<ProposalsTable>): Promise<ProposalRow> {
  return trx.updateTable('proposals').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/** Opens a draft; false when it is no longer one. */
export async function openIfDraft(trx: Db, id: string, changes: Updateable<ProposalsTable>): Promise<boolean> {
  const updated = await trx.updateTable('proposals').set({ ...changes, status: 'open' }).where('id', '=', id).where('status', '=', 'draft').executeTakeFirst();
  return Number(updated.numUpdatedRows) > 0;
}

export async function insertDecision(trx: Db, decision: Insertable<ProposalDecisionsTable>): Promise<void> {
  await trx.insertInto('proposal_decisions').values(decision).execute();
}

/** Proposals open for votes (deadline after `now`) whose card this conversation does not show yet. */
export async function openProposalsNotPostedIn(trx: Db, orgId: string, conversationId: string, now: Date) {
  return trx
    .selectFrom('proposals as p')
    .select(['p.id', 'p.org_id', 'p.number', 'p.title'])
    .where('p.org_id', '=', orgId)
    .where('p.status', '=', 'open')
    .where('p.deadline', '>', now)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('proposal_posts as pp').select('pp.proposal_id').whereRef('pp.proposal_id', '=', 'p.id').where('pp.conversation_id', '=', conversationId))),
    )
    .orderBy('p.number')
    .execute();
}

export async function orgTimeZone(db: Db, orgId: string): Promise<string> {
  const org = await db.selectFrom('organisations').select('time_zone').where('id', '=', orgId).executeTakeFirstOrThrow();
  return org.time_zone;
}

export async function tallyOf(db: Db, proposalId: string): Promise<Tally> {
  const row = await db
    .selectFrom('proposal_ballots')
    .select([
      sql<number>`count(*) filter (where choice = 'approve')::int`.as('approve'),
      sql<number>`count(*) filter (where choice = 'reject')::int`.as('reject'),
      sql<number>`count(*) filter (where choice = 'abstain')::int`.as('abstain'),
    ])
    .where('proposal_id', '=', proposalId)
    .executeTakeFirstOrThrow();
  return { approve: Number(row.approve), reject: Number(row.reject), abstain: Number(row.abstain) };
}

export async function boardSize(db: Db, orgId: string): Promise<number> {
  const row = await db
    .selectFrom('roles as r')
    .innerJoin('people as p', 'p.id', 'r.person_id')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('p.org_id', '=', orgId)
    .where('r.role', '=', 'board')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Board members without a ballot: how many, and the first few names (alphabetically). */
export async function notVoted(db: Db, orgId: string, proposalId: string, limit: number): Promise<{ count: number; names: string[] }> {
  const base = db
    .selectFrom('roles as r')
    .innerJoin('people as p', 'p.id', 'r.person_id')
    .where('p.org_id', '=', orgId)
    .where('r.role', '=', 'board')
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('proposal_ballots as b').select('b.person_id').whereRef('b.person_id', '=', 'p.id').where('b.proposal_id', '=', proposalId))),
    );
  const [count, names] = await Promise.all([
    base.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
    limit > 0 ? base.select('p.display_name').orderBy('p.display_name').limit(limit).execute() : Promise.resolve([]),
  ]);
  return { count: Number(count.n), names: names.map((n) => n.display_name) };
}

/** Who voted what, for open ballots only (callers check); newest change last. */
export async function namedBallots(db: Db, proposalId: string) {
  return db
    .selectFrom('proposal_ballots as b')
    .innerJoin('people as p', 'p.id', 'b.person_id')
    .select(['b.person_id', 'p.display_name', 'b.choice', 'b.comment', 'b.updated_at'])
    .where('b.proposal_id', '=', proposalId)
    .orderBy('p.display_name')
    .execute();
}

export async function ballotOf(db: Db, proposalId: string, personId: string) {
  return db.selectFrom('proposal_ballots').select(['choice', 'comment']).where('proposal_id', '=', proposalId).where('person_id', '=', personId).executeTakeFirst();
}

export async function voterIds(db: Db, proposalId: string): Promise<string[]> {
  const rows = await db.selectFrom('proposal_ballots').select('person_id').where('proposal_id', '=', proposalId).execute();
  return rows.map((r) => r.person_id);
}

export async function postsOf(db: Db, proposalId: string) {
  return db.selectFrom('proposal_posts').select(['conversation_id', 'outbox_id']).where('proposal_id', '=', proposalId).execute();
}

export async function decisionOf(db: Db, proposalId: string) {
  return db.selectFrom('proposal_decisions').selectAll().where('proposal_id', '=', proposalId).executeTakeFirst();
}

export async function recordEvent(
  trx: Db,
  event: { proposalId: string; kind: ProposalEventKind; from: ProposalStatus | null; to: ProposalStatus; by: string | null; at: Date; detail?: Record<string, unknown> },
): Promise<void> {
  await trx
    .insertInto('proposal_events')
    .values({
      proposal_id: event.proposalId,
      kind: event.kind,
      from_status: event.from,
      to_status: event.to,
      by_person_id: event.by,
      at: event.at,
      detail: JSON.stringify(event.detail ?? {}),
    })
    .execute();
}

/** Open proposals, soonest deadline first, and the ones that were decided or moved lately. */
export async function proposalsWithStatus(db: Db, orgId: string, statuses: ProposalStatus[], limit: number) {
  return db
    .selectFrom('proposals')
    .select(['id', 'number', 'title', 'status', 'deadline', 'closed_at', 'updated_at'])
    .where('org_id', '=', orgId)
    .where('status', 'in', statuses)
    .orderBy('deadline')
    .orderBy('number')
    .limit(limit)
    .execute();
}

/** The choices a person made on these proposals. */
export async function choicesOf(db: Db, personId: string, proposalIds: string[]): Promise<Map<string, Choice>> {
  if (proposalIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('proposal_ballots')
    .select(['proposal_id', 'choice'])
    .where('person_id', '=', personId)
    .where('proposal_id', 'in', proposalIds)
    .execute();
  return new Map(rows.map((r) => [r.proposal_id, r.choice]));
}

export async function talliesOf(db: Db, proposalIds: string[]): Promise<Map<string, Tally>> {
  if (proposalIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('proposal_ballots')
    .select([
      'proposal_id',
      sql<number>`count(*) filter (where choice = 'approve')::int`.as('approve'),
      sql<number>`count(*) filter (where choice = 'reject')::int`.as('reject'),
      sql<number>`count(*) filter (where choice = 'abstain')::int`.as('abstain'),
    ])
    .where('proposal_id', 'in', proposalIds)
    .groupBy('proposal_id')
    .execute();
  return new Map(rows.map((r) => [r.proposal_id, { approve: Number(r.approve), reject: Number(r.reject), abstain: Number(r.abstain) }]));
}

/** Open proposals whose deadline has passed: what the sweep closes. */
export async function overdueProposalIds(db: Db, now: Date, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('proposals')
    .select('id')
    .where('status', '=', 'open')
    .where('deadline', '<=', now)
    .orderBy('deadline')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

export async function journeyOf(db: Db, journeyId: string) {
  return db.selectFrom('journeys').select(['id', 'key', 'name', 'org_id']).where('id', '=', journeyId).executeTakeFirst();
}

export async function journeyIdInOrg(db: Db, orgId: string, journeyId: string): Promise<string | undefined> {
  const row = await db.selectFrom('journeys').select('id').where('id', '=', journeyId).where('org_id', '=', orgId).executeTakeFirst();
  return row?.id;
}

export async function journeyIdByKey(db: Db, orgId: string, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('journeys').select('id').where('org_id', '=', orgId).where('key', '=', key).executeTakeFirst();
  return row?.id;
}

export async function journeysByName(db: Db, orgId: string, limit: number) {
  return db.selectFrom('journeys').select(['id', 'key', 'name']).where('org_id', '=', orgId).orderBy('name').limit(limit).execute();
}

/** Every decision with the proposal, journey and proposer it belongs to, oldest first (the CSV export). */
export async function decisionRows(db: Db, orgId: string) {
  return db
    .selectFrom('proposal_decisions as d')
    .innerJoin('proposals as p', 'p.id', 'd.proposal_id')
    .innerJoin('people as pr', 'pr.id', 'p.proposer_person_id')
    .leftJoin('journeys as j', 'j.id', 'p.journey_id')
    .select([
      'p.number',
      'p.title',
      'p.status',
      'd.outcome',
      'd.decided_at',
      'p.opened_at',
      'p.deadline',
      'd.approve',
      'd.reject',
      'd.abstain',
      'd.not_voted',
      'd.board_size',
      'd.quorum_required',
      'd.rule',
      'j.key as journey_key',
      'pr.display_name as proposer',
      'p.kpi_impact',
      'p.effort',
      'p.customer_value',
      'p.business_value',
    ])
    .where('p.org_id', '=', orgId)
    .orderBy('d.decided_at')
    .orderBy('p.number')
    .execute();
}

/** The latest decisions, newest first, with the proposal and journey they belong to. */
export async function latestDecisions(db: Db, orgId: string, limit: number) {
  return db
    .selectFrom('proposal_decisions as d')
    .innerJoin('proposals as p', 'p.id', 'd.proposal_id')
    .leftJoin('journeys as j', 'j.id', 'p.journey_id')
    .select(['p.number', 'p.title', 'p.status', 'd.outcome', 'd.decided_at', 'd.approve', 'd.reject', 'd.abstain', 'd.not_voted', 'd.board_size', 'j.key as journey_key', 'j.name as journey_name'])
    .where('p.org_id', '=', orgId)
    .orderBy('d.decided_at', 'desc')
    .orderBy('p.number', 'desc')
    .limit(limit)
    .execute();
}

/** Open proposals with what they are about, soonest deadline first. */
export async function openProposalsAbout(db: Db, orgId: string, limit: number) {
  return db
    .selectFrom('proposals as p')
    .leftJoin('journeys as j', 'j.id', 'p.journey_id')
    .select(['p.id', 'p.number', 'p.title', 'p.problem', 'p.kpi_impact', 'p.deadline', 'j.key as journey_key', 'j.name as journey_name'])
    .where('p.org_id', '=', orgId)
    .where('p.status', '=', 'open')
    .orderBy('p.deadline')
    .orderBy('p.number')
    .limit(limit)
    .execute();
}
