// Table types of the journeys capability: the tree, its change log, and owner pings with their history.
import type { ColumnType, Generated, JSONColumnType } from 'kysely';

export type JourneyLevel = 'lifecycle' | 'journey' | 'task';

export interface JourneysTable {
  id: Generated<string>;
  org_id: string;
  key: string;
  name: string;
  level: JourneyLevel;
  parent_id: string | null;
  owner_person_id: string | null;
  deputy_person_id: string | null;
  description: string | null;
  channel_conversation_id: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type JourneyEventKind = 'created' | 'updated' | 'moved' | 'owner' | 'deputy' | 'channel' | 'imported';

export interface JourneyEventsTable {
  id: Generated<string>;
  journey_id: string;
  kind: JourneyEventKind;
  detail: JSONColumnType<Record<string, unknown>, string | undefined, string>;
  by_person_id: string | null;
  by_label: string | null;
  at: Generated<Date>;
}

export type PingState = 'sent' | 'snoozed' | 'acknowledged' | 'resolved';
export type PingReason = 'manual' | 'kpi';

export interface PingsTable {
  id: Generated<string>;
  org_id: string;
  journey_id: string;
  reason: PingReason;
  message: string;
  from_person_id: string | null;
  dedupe_key: string;
  state: ColumnType<PingState, PingState | undefined, PingState>;
  holder_person_id: string | null;
  holder_journey_id: string | null;
  level: ColumnType<number, number | undefined, number>;
  escalate_at: Date | null;
  snoozed_until: Date | null;
  exhausted_at: Date | null;
  version: ColumnType<number, number | undefined, number>;
  created_at: ColumnType<Date, Date, Date>;
  updated_at: ColumnType<Date, Date, Date>;
}

export interface PingMessagesTable {
  /** bigint: pg hands it back as a number, PGlite as a number or string; compare with String(). */
  outbox_id: ColumnType<string | number, string | number, never>;
  ping_id: string;
  person_id: string;
  round: number;
  level: number;
  delivery_recorded: Generated<boolean>;
}

export type PingEventKind = 'sent' | 'delivered' | 'undelivered' | 'acknowledged' | 'snoozed' | 'reminded' | 'escalated' | 'exhausted' | 'resolved';

export interface PingEventsTable {
  id: Generated<string>;
  ping_id: string;
  kind: PingEventKind;
  level: number;
  actor_person_id: string | null;
  to_person_id: string | null;
  to_journey_id: string | null;
  until: Date | null;
  outbox_id: ColumnType<string | number | null, string | number | null | undefined, never>;
  note: string | null;
  at: Date;
}

export interface JourneyTables {
  journeys: JourneysTable;
  journey_events: JourneyEventsTable;
  pings: PingsTable;
  ping_messages: PingMessagesTable;
  ping_events: PingEventsTable;
}
