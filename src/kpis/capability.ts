// `kpi` in chat: a journey's KPI snapshot (`kpi onboarding`), one KPI in detail with its segments
// (`kpi avoidable-onboarding`, `kpi avoidable-onboarding new-customers`), `kpi mute <kpi>`; and the
// buttons Share in channel, in detail and Mute until recovered. Anyone in the organisation may read
// KPIs; who may mute is the service's to check.
import { z } from 'zod';
import { defineAction, type Capability, type ChatContext } from '../chat/capability.js';
import type { Card } from '../chat/card.js';
import { InvalidInput } from '../chat/errors.js';
import { journeySnapshotCard, kpiDetailCard, kpiListCard } from './cards.js';
import type { KpiCharts } from './charts.js';
import type { Clock } from '../clock.js';
import type { AnswerCache } from '../db/answer-cache.js';
import { kpiRef, shareRef } from './schema.js';
import * as service from './service.js';
import { USAGE, type KpiDeps } from './service.js';

const commandText = z.string().max(300, 'at most 300 characters');

export interface KpisOptions {
  /** Remembers snapshot cards while change notices arrive (src/db/answer-cache.ts); without it, every `kpi` reads the database. */
  answers?: AnswerCache<Card>;
}

export function kpisCapability(charts: KpiCharts, clock: Clock, options: KpisOptions = {}): Capability {
  const { answers } = options;
  const depsOf = (ctx: ChatContext): KpiDeps => ({ db: ctx.services.db, clock: ctx.services.clock, log: ctx.services.log, charts });

  /** The snapshot or detail card `kpi <typed>` names, or a refusal that suggests the closest. */
  async function snapshot(ctx: ChatContext, typed: string, words: string[]): Promise<Card> {
    const found = await service.snapshotOf(depsOf(ctx), ctx.actor, typed, words);
    return found.kind === 'journey' ? journeySnapshotCard(found.snapshot) : kpiDetailCard(found.detail);
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
          if (!typed) return { private: kpiListCard(await service.kpiList(ctx.services, ctx.actor)) };
          const words = typed.split(/\s+/);
          if (words[0]?.toLowerCase() === 'mute') {
            const [, key, segment = 'all'] = words;
            if (!key || words.length > 3) throw new InvalidInput(`Say which KPI: \`kpi mute avoidable-onboarding\` (and a segment, if not all). ${USAGE}`);
            const kpi = await service.kpiNamed(ctx.services, ctx.actor, key);
            return { private: await service.muteAlert(ctx.services, ctx.actor, kpi, segment.toLowerCase()) };
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
          const kpi = await service.kpiForActor(ctx.services, ctx.actor, payload.kpiId);
          return { private: kpiDetailCard(await service.kpiDetail(depsOf(ctx), ctx.actor, kpi, 'all')) };
        },
      }),
      defineAction({
        action: 'kpi.share',
        schema: shareRef,
        async handle(ctx, payload) {
          const deps = depsOf(ctx);
          const shared = await service.sharer(deps, ctx.actor);
          if (payload.kind === 'kpi') {
            const kpi = await service.kpiForActor(deps, ctx.actor, payload.id);
            return { public: kpiDetailCard(await service.kpiDetail(deps, ctx.actor, kpi, 'all'), { shared }) };
          }
          const journey = await service.journeyToShare(deps, ctx.actor, payload.id);
          return { public: journeySnapshotCard(await service.journeySnapshot(deps, ctx.actor, journey), { shared }) };
        },
      }),
      defineAction({
        action: 'kpi.mute',
        schema: kpiRef,
        async handle(ctx, payload) {
          const kpi = await service.kpiForActor(ctx.services, ctx.actor, payload.kpiId);
          return { private: await service.muteAlert(ctx.services, ctx.actor, kpi, payload.segment) };
        },
      }),
    ],
  };
}
