// My Steward: what waits for one person, gathered from the capabilities that own it. Reads only; each
// list is capped (the card says how many more and which command lists them all).
import { hasRole, type Actor } from '../chat/actor.js';
import { loadTree } from '../journeys/service.js';
import { orgTimeZone } from '../journeys/settings.js';
import { kpisOfJourney } from '../kpis/repo.js';
import { loadViews } from '../kpis/snapshot.js';
import type { KpiStatus } from '../kpis/status.js';
import { personRefs } from '../orgs/people.js';
import { pingsOf, type OpenPing } from '../pings/repo.js';
import type { Services } from '../services.js';
import type { PersonRef } from '../chat/card.js';
import * as repo from './repo.js';

/** How many of each a home shows; the rest are counted. */
export const SHOWN = { pings: 5, votes: 3, journeys: 8, approvals: 3, proposals: 5 } as const;

export interface HomeJourney {
  name: string;
  key: string;
  role: 'owner' | 'deputy';
  kpis: { key: string; name: string; status: KpiStatus }[];
}

export interface HomeView {
  name: string;
  timeZone: string;
  pings: OpenPing[];
  refs: Map<string, PersonRef>;
  /** Undefined for someone not on the board. */
  votes?: Awaited<ReturnType<typeof repo.votesOwed>>;
  journeys: HomeJourney[];
  /** Undefined for someone who approves nothing. */
  approvals?: Awaited<ReturnType<typeof repo.approvalsWaiting>>;
  proposals: Awaited<ReturnType<typeof repo.proposalsBy>>;
}

const SEVERITY: Record<KpiStatus, number> = { breached: 0, at_risk: 1, stale: 2, no_data: 3, on_track: 4 };

export async function homeOf(services: Services, actor: Actor): Promise<HomeView> {
  const { db, clock } = services;
  const me = actor.personId;
  const everyone = hasRole(actor, 'admin') || hasRole(actor, 'glossary_steward');
  const [{ withMe }, { rows }, votes, approvals, proposals, timeZone] = await Promise.all([
    pingsOf(db, actor),
    loadTree(db, actor.orgId),
    hasRole(actor, 'board') ? repo.votesOwed(db, actor.orgId, me, 50) : Promise.resolve(undefined),
    repo.approvalsWaiting(db, actor.orgId, me, everyone, 50),
    repo.proposalsBy(db, actor.orgId, me, 50),
    orgTimeZone(db, actor.orgId),
  ]);
  const owned = rows.filter((r) => r.ownerPersonId === me || r.deputyPersonId === me);
  const journeys = await Promise.all(
    owned.map(async (journey): Promise<HomeJourney> => {
      const kpis = await kpisOfJourney(db, journey.id);
      const views = kpis.length ? await loadViews(db, actor.orgId, kpis, 'all', clock.now(), { definitions: false }) : [];
      return { name: journey.name, key: journey.key, role: journey.ownerPersonId === me ? 'owner' : 'deputy', kpis: views.map((v) => ({ key: v.kpi.key, name: v.kpi.name, status: v.reading.status })) };
    }),
  );
  // Breached first: a journey is as urgent as its worst KPI.
  const worst = (j: HomeJourney) => Math.min(...j.kpis.map((k) => SEVERITY[k.status]), 5);
  journeys.sort((a, b) => worst(a) - worst(b) || a.name.localeCompare(b.name));
  const refs = await personRefs(db, withMe.flatMap((p) => (p.fromPersonId ? [p.fromPersonId] : [])));
  return {
    name: actor.name,
    timeZone,
    pings: withMe,
    refs,
    ...(votes ? { votes } : {}),
    journeys,
    ...(everyone || approvals.length ? { approvals } : {}),
    proposals,
  };
}
