// `steward export decisions`: every decision with the tally and rule that produced it, as CSV for the
// governance record. Tallies only, never who voted what. Text cells that a spreadsheet would run as a
// formula are prefixed with an apostrophe.
import { stringify } from 'csv-stringify/sync';
import type { Db } from '../db/database.js';

const COLUMNS = [
  'number',
  'title',
  'status',
  'outcome',
  'decided_at',
  'opened_at',
  'deadline',
  'approve',
  'reject',
  'abstain',
  'not_voted',
  'board_size',
  'quorum_required',
  'majority',
  'ballots',
  'journey',
  'proposer',
  'kpi_impact',
  'effort',
  'customer_value',
  'business_value',
] as const;

/** A cell a spreadsheet would take for a formula (=, +, -, @, tab, CR) is made plain text. */
export function formulaSafe(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export async function decisionsCsv(db: Db, orgId: string): Promise<{ csv: string; count: number }> {
  const rows = await db
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
  const records = rows.map((r) => ({
    number: r.number,
    title: formulaSafe(r.title),
    status: r.status,
    outcome: r.outcome,
    decided_at: r.decided_at.toISOString(),
    opened_at: r.opened_at?.toISOString() ?? '',
    deadline: r.deadline?.toISOString() ?? '',
    approve: r.approve,
    reject: r.reject,
    abstain: r.abstain,
    not_voted: r.not_voted,
    board_size: r.board_size,
    quorum_required: r.quorum_required,
    majority: r.rule.majority,
    ballots: r.rule.anonymous ? 'anonymous' : 'open',
    journey: r.journey_key ?? '',
    proposer: formulaSafe(r.proposer),
    kpi_impact: formulaSafe(r.kpi_impact ?? ''),
    effort: r.effort,
    customer_value: r.customer_value,
    business_value: r.business_value,
  }));
  return { csv: stringify(records, { header: true, columns: [...COLUMNS] }), count: records.length };
}
