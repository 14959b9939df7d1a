// Table types of the governance rhythm (weekly digest, reminders).
import type { Generated, JSONColumnType } from 'kysely';

export interface GovernanceRunsTable {
  org_id: string;
  kind: 'digest' | 'vote-reminder';
  period_key: string;
  ran_at: Generated<Date>;
  outbox_ids: JSONColumnType<string[], string | undefined, string>;
}

export interface ChannelSendSlotsTable {
  channel_key: string;
  next_at: Date;
}

export interface GovernanceTables {
  governance_runs: GovernanceRunsTable;
  channel_send_slots: ChannelSendSlotsTable;
}
