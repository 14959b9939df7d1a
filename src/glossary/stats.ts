// What the lookup log tells: the most looked-up and most missed queries, and how many terms there are.
import type { Actor } from '../chat/actor.js';
import type { StatsView } from './cards.js';
import type { GlossaryDeps } from './editing.js';
import * as stats from './repo/stats.js';
import type { TermStatus } from './tables.js';

export const STATS_DAYS = 30;

export async function lookupStats(deps: Pick<GlossaryDeps, 'db' | 'clock'>, actor: Pick<Actor, 'orgId'>): Promise<StatsView> {
  const { db } = deps;
  const orgId = actor.orgId;
  const since = new Date(deps.clock.now().getTime() - STATS_DAYS * 24 * 3600 * 1000);
  const [mostLookedUp, mostMissed, totals, terms] = await Promise.all([
    stats.mostLookedUp(db, orgId, since, 10),
    stats.mostMissed(db, orgId, since, 10),
    stats.lookupTotals(db, orgId, since),
    stats.termCount(db, orgId),
  ]);
  return {
    days: STATS_DAYS,
    total: totals.total,
    found: totals.found,
    mostLookedUp: mostLookedUp.map((r) => ({ termId: r.id, name: r.name, count: Number(r.count) })),
    mostMissed: mostMissed.map((r) => ({ query: r.query, count: r.count, sources: r.sources })),
    terms,
  };
}

/** How many terms the organisation has, by status. */
export async function termCounts(deps: GlossaryDeps, actor: Actor): Promise<Partial<Record<TermStatus, number>>> {
  return stats.termCount(deps.db, actor.orgId);
}

/** What was asked in a logged lookup (buttons of older messages carry its id rather than the query). */
export async function loggedQueryText(deps: GlossaryDeps, actor: Actor, lookupId: number): Promise<string | undefined> {
  return (await stats.findLookup(deps.db, actor.orgId, lookupId))?.query;
}
