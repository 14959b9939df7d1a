// `kpi` in chat: a journey's KPI snapshot (`kpi onboarding`), one KPI in detail with its segments
// (`kpi avoidable-onboarding`, `kpi avoidable-onboarding new-customers`), `kpi mute <kpi>`; and the
// buttons Share in channel, in detail and Mute until recovered. Anyone in the organisation may read
// KPIs; muting is checked against the journey's owner inside the handler.
import { z } from 'zod';
import { defineAction, type Capability, type ChatContext } from '../chat/capability.js';
import type { Card, PersonRef } from '../chat/card.js';
import { InvalidInput, NotFound } from '../chat/errors.js';
import { findJourneyExact, holderFor } from '../journeys/owners.js';
import { personRef } from '../orgs/people.js';
import { muteAlert } from './alerts.js';
import { journeySnapshotCard, kpiDetailCard, kpiListCard } from './cards.js';
import type { ChartLink, KpiCharts } from './charts.js';
import { registerKpiJourneySection } from './journey-section.js';
import type { Clock } from '../clock.js';
import type { AnswerCache } from '../db/answer-cache.js';
import { findKpi, findKpiByKey, kpisOfJourney, recentValuesBySegment, similarKpis, type KpiRow } from './repo.js';
import { kpiRef, SEGMENT, shareRef } from './schema.js';
import { CHART_PERIODS, definitionsOf, loadViews, rulesOf, type KpiView } from './snapshot.js';
import { readKpi } from './status.js';

const USAGE = 'Usage: `kpi onboarding` (a journey), `kpi avoidable-onboarding` (one KPI), `kpi avoidable-onboarding new-customers` (one segment), `kpi mute avoidable-onboarding`.';

const commandText = z.string().max(300, 'at most 300 characters');

async function ownerOf(ctx: ChatContext, journeyId: string): Promise<PersonRef | undefined> {
  const holder = await holderFor(ctx.services.db, journeyId);
  return holder ? personRef(ctx.services.db, holder.personId) : undefined;
}

/** The values are in the text: a chart that cannot be drawn leaves the snapshot without an image, not without an answer. */
async function chartOrNothing(ctx: ChatContext, link: () => Promise<ChartLink>): Promise<ChartLink | undefined> {
  try {
    return await link();
  } catch (error) {
    ctx.services.log.warn({ err: error }, 'KPI chart could not be rendered; answering without it');
    return undefined;
  }
}

async function journeyCard(ctx: ChatContext, charts: KpiCharts, journey: { id: string; key: string; name: string }, shared?: PersonRef) {
  const { db, clock } = ctx.services;
  const now = clock.now();
  const [views, owner] = await Promise.all([
    kpisOfJourney(db, journey.id).then((kpis) => loadViews(db, ctx.actor.orgId, kpis, 'all', now)),
    ownerOf(ctx, journey.id),
  ]);
  const chart = views.length ? await chartOrNothing(ctx, () => charts.link({ t: 'j', id: journey.id, s: 'all' }, views)) : undefined;
  return journeySnapshotCard({ journey, owner, views, chart, asOf: now }, shared ? { shared } : {});
}

async function kpiCard(ctx: ChatContext, charts: KpiCharts, kpi: KpiRow, segment: string, shared?: PersonRef) {
  const { db, clock } = ctx.services;
  const now = clock.now();
  const [bySegment, definitions, owner, journey] = await Promise.all([
    recentValuesBySegment(db, kpi.id, CHART_PERIODS + 1),
    definitionsOf(db, ctx.actor.orgId, [kpi]),
    ownerOf(ctx, kpi.journey_id),
    db.selectFrom('journeys').select(['key', 'name']).where('id', '=', kpi.journey_id).executeTakeFirstOrThrow(),
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
  const chart = await chartOrNothing(ctx, () => charts.link({ t: 'k', id: kpi.id, s: segment }, [view]));
  return kpiDetailCard({ view, journey, owner, segments, chart, asOf: now }, shared ? { shared } : {});
}

async function kpiForActor(ctx: ChatContext, kpiId: string): Promise<KpiRow> {
  const kpi = await findKpi(ctx.services.db, kpiId);
  if (!kpi || kpi.org_id !== ctx.actor.orgId) throw new NotFound('That KPI no longer exists. Nothing was changed.');
  return kpi;
}

async function notFound(ctx: ChatContext, typed: string): Promise<never> {
  const needle = typed.toLowerCase();
  const similar = await similarKpis(ctx.services.db, ctx.actor.orgId, needle);
  const journeys = await ctx.services.db
    .selectFrom('journeys')
    .select(['key'])
    .where('org_id', '=', ctx.actor.orgId)
    .where((eb) => eb.or([eb('key', 'like', `%${needle.replace(/[%_\\]/g, '')}%`), eb('name', 'ilike', `%${needle.replace(/[%_\\]/g, '')}%`)]))
    .limit(5)
    .execute();
  const suggestions = [...journeys.map((j) => j.key), ...similar.map((k) => k.key)];
  throw new NotFound(
    `There is no journey or KPI “${typed}”.${suggestions.length ? ` Did you mean ${[...new Set(suggestions)].map((s) => `\`kpi ${s}\``).join(', ')}?` : ''} Type \`kpi\` for the list.`,
  );
}

export interface KpisOptions {
  /** Remembers snapshot cards while change notices arrive (src/glossary/answer-cache.ts); without it, every `kpi` reads the database. */
  answers?: AnswerCache<Card>;
}

export function kpisCapability(charts: KpiCharts, clock: Clock, options: KpisOptions = {}): Capability {
  registerKpiJourneySection(clock);
  const { answers } = options;

  /** The snapshot or detail card `kpi <typed>` names, or a refusal that suggests the closest. */
  async function snapshot(ctx: ChatContext, typed: string, words: string[]): Promise<Card> {
    const { db } = ctx.services;
    const journey = await findJourneyExact(db, ctx.actor.orgId, typed);
    if (journey) return journeyCard(ctx, charts, journey);
    const [first = '', segment = 'all', ...rest] = words;
    const kpi = await findKpiByKey(db, ctx.actor.orgId, first.toLowerCase());
    if (kpi && rest.length === 0) {
      const seg = segment.toLowerCase();
      if (!SEGMENT.test(seg)) throw new InvalidInput(`“${segment}” is not a segment name (lowercase letters, digits, - and _). ${USAGE}`);
      return kpiCard(ctx, charts, kpi, seg);
    }
    const byName = await db.selectFrom('kpis').select('key').where('org_id', '=', ctx.actor.orgId).where((eb) => eb(eb.fn('lower', ['name']), '=', typed.toLowerCase())).executeTakeFirst();
    const named = byName ? await findKpiByKey(db, ctx.actor.orgId, byName.key) : undefined;
    if (named) return kpiCard(ctx, charts, named, 'all');
    return notFound(ctx, typed);
  }

  return {
    name: 'kpis',
    commands: [
      {
        word: 'kpi',
        summary: 'KPI snapshot of a journey or one KPI: value, target, change, status, definition and chart',
        usage: [
          { example: 'onboarding', description: 'every KPI of a journey, with a chart of the last 12 periods' },
          { example: 'avoidable-onboarding', description: 'one KPI in detail, with its segments' },
          { example: 'mute avoidable-onboarding', description: 'no more reminders until it recovers (journey owner)' },
        ],
        async handle(ctx, args) {
          const parsed = commandText.safeParse(args);
          if (!parsed.success) throw new InvalidInput(`That is too long for a journey or KPI (${parsed.error.issues[0]?.message}). ${USAGE}`);
          const typed = parsed.data.trim();
          const { db } = ctx.services;
          if (!typed) {
            const rows = await db
              .selectFrom('kpis')
              .innerJoin('journeys', 'journeys.id', 'kpis.journey_id')
              .select(['journeys.key as journeyKey', 'journeys.name as journey', 'kpis.key'])
              .where('kpis.org_id', '=', ctx.actor.orgId)
              .orderBy('journeys.key')
              .orderBy('kpis.key')
              .execute();
            const grouped = new Map<string, { journey: string; journeyKey: string; kpis: string[] }>();
            for (const row of rows) {
              const entry = grouped.get(row.journeyKey) ?? { journey: row.journey, journeyKey: row.journeyKey, kpis: [] };
              entry.kpis.push(row.key);
              grouped.set(row.journeyKey, entry);
            }
            return { private: kpiListCard([...grouped.values()]) };
          }
          const words = typed.split(/\s+/);
          if (words[0]?.toLowerCase() === 'mute') {
            const [, key, segment = 'all'] = words;
            if (!key || words.length > 3) throw new InvalidInput(`Say which KPI: \`kpi mute avoidable-onboarding\` (and a segment, if not all). ${USAGE}`);
            const kpi = await findKpiByKey(db, ctx.actor.orgId, key.toLowerCase());
            if (!kpi) return notFound(ctx, key);
            return { private: await muteAlert(ctx.services, ctx.actor, kpi, segment.toLowerCase()) };
          }
          // The same question since the last change (and within the minute) gets the same card from memory.
          const key = `${ctx.actor.orgId}\n${typed.toLowerCase()}`;
          const card = answers ? await answers.remember(key, () => snapshot(ctx, typed, words)) : await snapshot(ctx, typed, words);
          return { private: card };
        },
      },
    ],
    actions: [
      defineAction({
        action: 'kpi.show',
        schema: z.object({ kpiId: z.uuid() }),
        async handle(ctx, payload) {
          const kpi = await kpiForActor(ctx, payload.kpiId);
          return { private: await kpiCard(ctx, charts, kpi, 'all') };
        },
      }),
      defineAction({
        action: 'kpi.share',
        schema: shareRef,
        async handle(ctx, payload) {
          const by = await personRef(ctx.services.db, ctx.actor.personId);
          if (payload.kind === 'kpi') {
            const kpi = await kpiForActor(ctx, payload.id);
            return { public: await kpiCard(ctx, charts, kpi, 'all', by) };
          }
          const journey = await ctx.services.db
            .selectFrom('journeys')
            .select(['id', 'key', 'name'])
            .where('id', '=', payload.id)
            .where('org_id', '=', ctx.actor.orgId)
            .executeTakeFirst();
          if (!journey) throw new NotFound('That journey no longer exists. Nothing was shared.');
          return { public: await journeyCard(ctx, charts, journey, by) };
        },
      }),
      defineAction({
        action: 'kpi.mute',
        schema: kpiRef,
        async handle(ctx, payload) {
          const kpi = await kpiForActor(ctx, payload.kpiId);
          return { private: await muteAlert(ctx.services, ctx.actor, kpi, payload.segment) };
        },
      }),
    ],
  };
}
