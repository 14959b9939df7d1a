// Table types of the proposals capability (see migrations/0004_proposals.ts).
import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { Timestamp } from '../db/foundation-tables.js';
import type { DecisionRule } from './rules.js';

export type ProposalStatus = 'draft' | 'open' | 'approved' | 'rejected' | 'no_quorum' | 'withdrawn' | 'in_progress' | 'done';
export type Choice = 'approve' | 'reject' | 'abstain';
export type Outcome = 'approved' | 'rejected' | 'no_quorum';

/** bigint ids: pg hands them back as numbers, PGlite as numbers or strings; compare with String(). */
type BigId = ColumnType<number | string, number | string, number | string>;

export interface ProposalsTable {
  id: Generated<string>;
  org_id: string;
  number: number;
  submission_key: string | null;
  title: string;
  problem: string;
  journey_id: string | null;
  kpi_impact: string | null;
  effort: number;
  customer_value: number;
  business_value: number;
  proposer_person_id: string;
  status: ColumnType<ProposalStatus, ProposalStatus | undefined, ProposalStatus>;
  rule: JSONColumnType<DecisionRule, string | null, string | null> | null;
  opened_at: Timestamp | null;
  deadline: Timestamp | null;
  closed_at: Timestamp | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ProposalPostsTable {
  proposal_id: string;
  conversation_id: string;
  outbox_id: BigId;
  pending_update_outbox_id: ColumnType<number | string | null, number | string | null | undefined, number | string | null>;
  inflight_outbox_id: ColumnType<number | string | null, number | string | null | undefined, number | string | null>;
  last_update_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface ProposalBallotsTable {
  proposal_id: string;
  person_id: string;
  choice: Choice;
  comment: string | null;
  cast_at: Timestamp;
  updated_at: Timestamp;
}

export interface ProposalVoteLogTable {
  id: Generated<number>;
  proposal_id: string;
  person_id: string;
  choice: Choice;
  previous_choice: Choice | null;
  comment: string | null;
  at: Timestamp;
}

export interface ProposalDecisionsTable {
  proposal_id: string;
  outcome: Outcome;
  approve: number;
  reject: number;
  abstain: number;
  not_voted: number;
  board_size: number;
  quorum_required: number;
  rule: JSONColumnType<DecisionRule, string, string>;
  decided_at: Timestamp;
}

export type ProposalEventKind = 'created' | 'opened' | 'extended' | 'withdrawn' | 'decided' | 'progressed';

export interface ProposalEventsTable {
  id: Generated<number>;
  proposal_id: string;
  kind: ProposalEventKind;
  from_status: ProposalStatus | null;
  to_status: ProposalStatus;
  by_person_id: string | null;
  detail: JSONColumnType<Record<string, unknown>, string | undefined, string>;
  at: Timestamp;
}

export interface ProposalTables {
  proposals: ProposalsTable;
  proposal_posts: ProposalPostsTable;
  proposal_ballots: ProposalBallotsTable;
  proposal_vote_log: ProposalVoteLogTable;
  proposal_decisions: ProposalDecisionsTable;
  proposal_events: ProposalEventsTable;
}
