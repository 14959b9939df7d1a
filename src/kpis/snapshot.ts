// What a KPI snapshot shows, read from the database: each KPI's recent values in one segment, its
// reading (status, change against the previous period) and the glossary definition it uses; and the
// chart panel of its last periods. Shared by the chat cards, the chart links and the alerts.
import type { ChartPanel } from '../charts/svg.js';
import type { Db } from '../db/database.js';
import { normalise } from '../glossary/matching/normalise.js';
import { addPeriods, formatDate, parseDate, periodAxisLabel, periodStartOf } from './periods.js';
import { recentValues, type Executor, type KpiRow } from './repo.js';
import { termDefinitions } from './terms-repo.js';
import { readKpi, type KpiRules, type Point, type Reading } from './status.js';

/** Periods a chart shows. */
export const CHART_PERIODS = 12;

export interface Definition {
  /** The term as the KPI names it. */
  term: string;
  /** The glossary's current definition, undefined while the glossary has no such term. */
  text: string | undefined;
}

export interface KpiView {
  kpi: KpiRow;
  segment: string;
  reading: Reading;
  /** Newest first: enough for the chart and the change against the previous period. */
  recent: Point[];
  definition: Definition | undefined;
}

export function rulesOf(kpi: KpiRow): KpiRules {
  return { direction: kpi.direction, target: kpi.target, warning: kpi.warning, breach: kpi.breach, cadence: kpi.cadence };
}

/** The glossary definitions the KPIs use: by the linked term, or by the term's name or alias. */
export async function definitionsOf(db: Executor, orgId: string, kpis: KpiRow[]): Promise<Map<string, Definition>> {
  const named = kpis.filter((k) => k.glossary_term);
  const out = new Map<string, Definition>();
  if (named.length === 0) return out;
  const norms = [...new Set(named.map((k) => normalise(k.glossary_term ?? '')))];
  const ids = named.flatMap((k) => (k.glossary_term_id ? [k.glossary_term_id] : []));
  const rows = await termDefinitions(db, orgId, norms, ids);
  const byId = new Map(rows.map((r) => [r.id, r.definition]));
  const byNorm = new Map(rows.map((r) => [r.norm, r.definition]));
  for (const kpi of named) {
    const text = (kpi.glossary_term_id ? byId.get(kpi.glossary_term_id) : undefined) ?? byNorm.get(normalise(kpi.glossary_term ?? ''));
    out.set(kpi.id, { term: kpi.glossary_term ?? '', text });
  }
  return out;
}

export async function loadViews(db: Db, orgId: string, kpis: KpiRow[], segment: string, now: Date, options: { definitions?: boolean } = {}): Promise<KpiView[]> {
  const [values, definitions] = await Promise.all([
    recentValues(db, kpis.map((k) => k.id), segment, CHART_PERIODS + 1),
    options.definitions === false ? new Map<string, Definition>() : definitionsOf(db, orgId, kpis),
  ]);
  return kpis.map((kpi) => {
    const recent = values.get(kpi.id) ?? [];
    return { kpi, segment, recent, reading: readKpi(rulesOf(kpi), recent, now), definition: definitions.get(kpi.id) };
  });
}

/** The last CHART_PERIODS periods up to the latest value (or up to the current period without values). */
export function chartPanel(view: KpiView, now: Date): ChartPanel {
  const { kpi } = view;
  const latest = view.reading.latest ? parseDate(view.reading.latest.period) : undefined;
  const end = latest ?? periodStartOf(kpi.cadence, now);
  const byPeriod = new Map(view.recent.map((p) => [p.period, p.value]));
  const points: ChartPanel['points'] = [];
  for (let i = CHART_PERIODS - 1; i >= 0; i--) {
    const period = formatDate(addPeriods(kpi.cadence, end, -i));
    points.push({ label: periodAxisLabel(kpi.cadence, period), value: byPeriod.get(period) ?? null });
  }
  return {
    title: kpi.name,
    unit: kpi.unit,
    direction: kpi.direction,
    target: kpi.target,
    warning: kpi.warning,
    breach: kpi.breach,
    points,
  };
}
