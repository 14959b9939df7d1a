// Table types of the KPIs capability. Period dates are read as text (`period_start::text`) so no
// driver turns a calendar date into a time-zone-shifted Date.
import type { ColumnType, Generated } from 'kysely';
import type { Cadence } from './periods.js';
import type { Direction } from './status.js';

type DateText = ColumnType<string, string, string>;
type NullableDateText = ColumnType<string | null, string | null | undefined, string | null>;
/** bigint columns: the pg driver is set to read int8 as a number. */
type BigintColumn = ColumnType<number, number | undefined, number>;

export interface KpisTable {
  id: Generated<string>;
  org_id: string;
  journey_id: string;
  key: string;
  name: string;
  unit: Generated<string>;
  direction: Direction;
  target: number;
  warning: number;
  breach: number;
  cadence: Cadence;
  glossary_term: string | null;
  glossary_term_id: string | null;
  breach_periods: Generated<number>;
  remind_every_periods: Generated<number>;
  values_version: BigintColumn;
  alerts_evaluated_version: BigintColumn;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface KpiValuesTable {
  kpi_id: string;
  segment: Generated<string>;
  period_start: DateText;
  value: number;
  source: string;
  received_at: ColumnType<Date, Date | string, Date | string>;
}

export interface KpiValueHistoryTable {
  id: Generated<string>;
  kpi_id: string;
  segment: string;
  period_start: DateText;
  old_value: number;
  new_value: number;
  old_source: string;
  new_source: string;
  old_received_at: Date;
  replaced_at: Date;
}

export interface KpiAlertsTable {
  kpi_id: string;
  segment: string;
  state: Generated<'ok' | 'breached'>;
  breach_since: NullableDateText;
  last_notified_period: NullableDateText;
  muted: Generated<boolean>;
  muted_by_person_id: string | null;
  owner_outbox_id: ColumnType<number | null, number | string | null | undefined, number | string | null>;
  channel_outbox_id: ColumnType<number | null, number | string | null | undefined, number | string | null>;
  ping_id: string | null;
  updated_at: Generated<Date>;
}

export type AlertEventKind = 'fired' | 'reminded' | 'recovered' | 'muted' | 'undeliverable';

export interface KpiAlertEventsTable {
  id: Generated<string>;
  kpi_id: string;
  segment: string;
  kind: AlertEventKind;
  period_start: NullableDateText;
  value: number | null;
  target: 'owner' | 'channel' | 'admin' | null;
  outbox_id: ColumnType<number | null, number | string | null | undefined, number | string | null>;
  by_person_id: string | null;
  at: ColumnType<Date, Date | string, never>;
}

export interface KpiTables {
  kpis: KpisTable;
  kpi_values: KpiValuesTable;
  kpi_value_history: KpiValueHistoryTable;
  kpi_alerts: KpiAlertsTable;
  kpi_alert_events: KpiAlertEventsTable;
}
