// KPI use cases: the list, a journey's snapshot, one KPI in detail, what to share, and muting an
// alert. Anyone in the organisation may read KPIs; muting is for the journey's owner, their deputy
// or an admin, checked here whatever the card showed.
import { hasRole, type Actor } from '../chat/actor.js';
import type { Card, PersonRef } from '../chat/card.js';
import { InvalidInput, NotFound, PermissionDenied } from '../chat/errors.js';
import { holderFor } from '../journeys/owners.js';
import { findJourneyExact } from '../journeys/repo.js';
import { personRef } from '../orgs/people.js';
import type { Services } from '../services.js';
import { alertContext, factsOf } from './alert-actions.js';
import * as alerts from './alerts-repo.js';
import { mutedCard, type JourneySnapshot, type KpiDetail } from './cards.js';
import type { ChartLink, KpiCharts } from './charts.js';
import * as repo from './repo.js';
import type { KpiRow } from './repo.js';
import { SEGMENT } from './schema.js';
import { CHART_PERIODS, definitionsOf, loadViews, rulesOf, type KpiView } from './snapshot.js';
import { readKpi } from './status.js';

export type KpiDeps = Pick<Services, 'db' | 'clock' | 'log'> & { charts: KpiCharts };

export const USAGE = 'Usage: `kpi onboarding` (a journey), `kpi avoidable-onboarding` (one KPI), `kpi avoidable-onboarding new-customers` (one segment), `kpi mute avoidable-onboarding`.';

/** Every KPI of the organisation, grouped by journey. */
export async function kpiList(deps: Pick<Services, 'db'>, actor: Actor): Promise<{ journey: string; journeyKey: string; kpis: string[] }[]> {
  const grouped = new Map<string, { journey: string; journeyKey: string; kpis: string[] }>();
  for (const row of await repo.kpiIndex(deps.db, actor.orgId)) {
    const entry = grouped.get(row.journeyKey) ?? { journey: row.journey, journeyKey: row.journeyKey, kpis: [] };
    entry.kpis.push(row.key);
    grouped.set(row.journeyKey, entry);
  }
  return [...grouped.values()];
}

async function ownerOf(deps: KpiDeps, journeyId: string): Promise<PersonRef | undefined> {
  const holder = await holderFor(deps.db, journeyId);
  return holder ? personRef(deps.db, holder.personId) : undefined;
}

/** The values are in the text: a chart that cannot be drawn leaves the snapshot without an image, not without an answer. */
async function chartOrNothing(deps: KpiDeps, link: () => Promise<ChartLink>): Promise<ChartLink | undefined> {
  try {
    return await link();
  } catch (error) {
    deps.log.warn({ err: error }, 'KPI chart could not be rendered; answering without it');
    return undefined;
  }
}

export async function journeySnapshot(deps: KpiDeps, actor: Actor, journey: { id: string; key: string; name: string }): Promise<JourneySnapshot> {
  const now = deps.clock.now();
  const [views, owner] = await Promise.all([
    repo.kpisOfJourney(deps.db, journey.id).then((kpis) => loadViews(deps.db, actor.orgId, kpis, 'all', now)),
    ownerOf(deps, journey.id),
  ]);
  const chart = views.length ? await chartOrNothing(deps, () => deps.charts.link({ t: 'j', id: journey.id, s: 'all' }, views)) : undefined;
  return { journey, owner, views, chart, asOf: now };
}

export async function kpiDetail(deps: KpiDeps, actor: Actor, kpi: KpiRow, segment: string): Promise<KpiDetail> {
  const { db } = deps;
  const now = deps.clock.now();
  const [bySegment, definitions, owner, journey] = await Promise.all([
    repo.recentValuesBySegment(db, kpi.id, CHART_PERIODS + 1),
    definitionsOf(db, actor.orgId, [kpi]),
    ownerOf(deps, kpi.journey_id),
    repo.journeyOf(db, kpi.journey_id),
  ]);
  if (segment !== 'all' && !bySegment.has(segment)) {
    const known = [...bySegment.keys()];
    throw new NotFound(`${kpi.key} has no values for segment “${segment}”.${known.length ? ` Its segments: ${known.join(', ')}.` : ''}`);
  }
  const toView = (seg: string): KpiView => {
    const recent = bySegment.get(seg) ?? [];
    return { kpi, segment: seg, recent, reading: readKpi(rulesOf(kpi), recent, now), definition: definitions.get(kpi.id) };
  };
  const view = toView(segment);
  const segments = [...bySegment.keys()].map(toView);
  const chart = await chartOrNothing(deps, () => deps.charts.link({ t: 'k', id: kpi.id, s: segment }, [view]));
  return { view, journey, owner, segments, chart, asOf: now };
}

/** What `kpi <typed>` names: a journey, a KPI (with a segment) or a KPI by its name; or a refusal that suggests the closest. */
export async function snapshotOf(deps: KpiDeps, actor: Actor, typed: string, words: string[]): Promise<{ kind: 'journey'; snapshot: JourneySnapshot } | { kind: 'kpi'; detail: KpiDetail }> {
  const { db } = deps;
  const journey = await findJourneyExact(db, actor.orgId, typed);
  if (journey) return { kind: 'journey', snapshot: await journeySnapshot(deps, actor, journey) };
  const [first = '', segment = 'all', ...rest] = words;
  const kpi = await repo.findKpiByKey(db, actor.orgId, first.toLowerCase());
  if (kpi && rest.length === 0) {
    const seg = segment.toLowerCase();
    if (!SEGMENT.test(seg)) throw new InvalidInput(`“${segment}” is not a segment name (lowercase letters, digits, - and _). ${USAGE}`);
    return { kind: 'kpi', detail: await kpiDetail(deps, actor, kpi, seg) };
  }
  const byName = await repo.kpiKeyByName(db, actor.orgId, typed);
  const named = byName ? await repo.findKpiByKey(db, actor.orgId, byName) : undefined;
  if (named) return { kind: 'kpi', detail: await kpiDetail(deps, actor, named, 'all') };
  return notFound(deps, actor, typed);
}

async function notFound(deps: Pick<Services, 'db'>, actor: Actor, typed: string): Promise<never> {
  const needle = typed.toLowerCase();
  const similar = await repo.similarKpis(deps.db, actor.orgId, needle);
  const journeys = await repo.journeysLike(deps.db, actor.orgId, needle);
  const suggestions = [...journeys.map((j) => j.key), ...similar.map((k) => k.key)];
  throw new NotFound(
    `There is no journey or KPI “${typed}”.${suggestions.length ? ` Did you mean ${[...new Set(suggestions)].map((s) => `\`kpi ${s}\``).join(', ')}?` : ''} Type \`kpi\` for the list.`,
  );
}

/** A KPI of the actor's organisation, by id (from a button). */
export async function kpiForActor(deps: Pick<Services, 'db'>, actor: Actor, kpiId: string): Promise<KpiRow> {
  const kpi = await repo.findKpi(deps.db, kpiId);
  if (!kpi || kpi.org_id !== actor.orgId) throw new NotFound('That KPI no longer exists. Nothing was changed.');
  return kpi;
}

/** A KPI of the actor's organisation, by key (from `kpi mute <key>`), or a refusal that suggests the closest. */
export async function kpiNamed(deps: Pick<Services, 'db'>, actor: Actor, key: string): Promise<KpiRow> {
  const kpi = await repo.findKpiByKey(deps.db, actor.orgId, key.toLowerCase());
  return kpi ?? notFound(deps, actor, key);
}

/** A journey of the actor's organisation to share. */
export async function journeyToShare(deps: Pick<Services, 'db'>, actor: Actor, journeyId: string): Promise<{ id: string; key: string; name: string }> {
  const journey = await repo.journeyInOrg(deps.db, actor.orgId, journeyId);
  if (!journey) throw new NotFound('That journey no longer exists. Nothing was shared.');
  return journey;
}

/** Who shares a card, as a mention. */
export async function sharer(deps: Pick<Services, 'db'>, actor: Actor): Promise<PersonRef> {
  return personRef(deps.db, actor.personId);
}

/** Mutes reminders until the KPI recovers: the accountable owner, their deputy or an admin only. */
export async function muteAlert(deps: Pick<Services, 'db' | 'clock'>, actor: Actor, kpi: KpiRow, segment: string): Promise<Card> {
  const holder = await holderFor(deps.db, kpi.journey_id);
  const allowed = hasRole(actor, 'admin') || holder?.personId === actor.personId || holder?.deputyPersonId === actor.personId;
  if (!allowed) throw new PermissionDenied(`Only the owner of the journey (or their deputy, or an admin) can mute the alerts of ${kpi.key}. Nothing was changed.`);
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const alert = await alerts.lockAlertIfAny(trx, kpi.id, segment);
    if (!alert || alert.state !== 'breached' || !alert.breach_since) {
      throw new InvalidInput(`${kpi.key}${segment === 'all' ? '' : ` (segment ${segment})`} is not in breach, so there is nothing to mute. Nothing was changed.`);
    }
    const context = await alertContext(trx, kpi);
    const latest = (await alerts.latestPoints(trx, kpi.id, segment, 1))[0] ?? { period: alert.breach_since, value: Number.NaN };
    const facts = factsOf(context, segment, alert.breach_since, latest, 0);
    if (!alert.muted) {
      await alerts.updateAlert(trx, kpi.id, segment, { muted: true, muted_by_person_id: actor.personId, updated_at: now });
      await alerts.recordEvent(trx, { kpiId: kpi.id, segment, kind: 'muted', at: now, point: latest, by: actor.personId });
    }
    return mutedCard(facts, await personRef(trx, actor.personId), !alert.muted);
  });
}
