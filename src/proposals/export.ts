// `steward export decisions`: every decision with the tally and rule that produced it, as CSV for the
// governance record. Tallies only, never who voted what. Text cells that a spreadsheet would run as a
// formula are prefixed with an apostrophe.
import { spreadsheetSafe } from '../csv/spreadsheet-safety.js';
import { stringify } from 'csv-stringify/sync';
import type { Db } from '../db/database.js';
import * as repo from './repo.js';

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

export async function decisionsCsv(db: Db, orgId: string): Promise<{ csv: string; count: number }> {
  const rows = await repo.decisionRows(db, orgId);
  const records = rows.map((r) => ({
    number: r.number,
    title: spreadsheetSafe(r.title),
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
    proposer: spreadsheetSafe(r.proposer),
    kpi_impact: spreadsheetSafe(r.kpi_impact ?? ''),
    effort: r.effort,
    customer_value: r.customer_value,
    business_value: r.business_value,
  }));
  return { csv: stringify(records, { header: true, columns: [...COLUMNS] }), count: records.length };
}
