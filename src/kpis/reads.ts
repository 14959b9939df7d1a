// A KPI snapshot for callers outside chat (the MCP endpoint): a journey's KPIs or one KPI, read the
// way `kpi <journey|key>` reads them (same status, change and definition), without a chart.
import type { Actor } from '../chat/actor.js';
import { findJourneyExact } from '../journeys/repo.js';
import type { Services } from '../services.js';
import * as repo from './repo.js';
import { loadViews, type KpiView } from './snapshot.js';

export type SnapshotRead =
  | { kind: 'journey' | 'kpi'; journey: { key: string; name: string }; views: KpiView[] }
  | { kind: 'none'; suggestions: string[] };

/** A journey (by key or name) or a KPI (by key or name), in one segment ('all' unless told). */
export async function readSnapshot(deps: Pick<Services, 'db' | 'clock'>, reader: Pick<Actor, 'orgId'>, typed: string, segment = 'all'): Promise<SnapshotRead> {
  const { db } = deps;
  const now = deps.clock.now();
  const journey = await findJourneyExact(db, reader.orgId, typed);
  if (journey) {
    const views = await loadViews(db, reader.orgId, await repo.kpisOfJourney(db, journey.id), segment, now);
    return { kind: 'journey', journey: { key: journey.key, name: journey.name }, views };
  }
  const needle = typed.trim().toLowerCase();
  const byKey = await repo.findKpiByKey(db, reader.orgId, needle);
  const nameKey = byKey ? undefined : await repo.kpiKeyByName(db, reader.orgId, typed);
  const kpi = byKey ?? (nameKey ? await repo.findKpiByKey(db, reader.orgId, nameKey) : undefined);
  if (kpi) {
    const [views, owning] = await Promise.all([loadViews(db, reader.orgId, [kpi], segment, now), repo.journeyOf(db, kpi.journey_id)]);
    return { kind: 'kpi', journey: owning, views };
  }
  const [similar, journeys] = await Promise.all([repo.similarKpis(db, reader.orgId, needle), repo.journeysLike(db, reader.orgId, needle)]);
  return { kind: 'none', suggestions: [...new Set([...journeys.map((j) => j.key), ...similar.map((k) => k.key)])] };
}
