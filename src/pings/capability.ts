// Pings: a direct message to a journey's accountable owner with Acknowledge, Snooze and Escalate,
// escalated up the tree when nobody answers (src/pings/jobs.ts). Its words are subcommands of
// `journey` (`ping`, `mine`, `history`), given to the journeys capability, which imports nothing of
// this folder; its buttons are its own.
import { randomUUID } from 'node:crypto';
import type { Actor } from '../chat/actor.js';
import { defineAction, type ActionHandler, type Capability, type ChatContext } from '../chat/capability.js';
import { para } from '../chat/card.js';
import { InvalidInput, NotFound } from '../chat/errors.js';
import type { Reply } from '../chat/request.js';
import type { JourneyVerb } from '../journeys/capability.js';
import { JOURNEY_ACTIONS, noticeCard } from '../journeys/cards.js';
import { pick } from '../journeys/pick.js';
import * as journeysRepo from '../journeys/repo.js';
import { journeyPayload, pingFormValues, pingPayload } from '../journeys/schema.js';
import { loadTree, splitJourney } from '../journeys/service.js';
import { orgTimeZone } from '../journeys/settings.js';
import { personRefs } from '../orgs/people.js';
import { PING_ACTIONS, pingCard, pingSentCard } from './cards.js';
import { journeyHistoryCard } from './history-card.js';
import { loadJourneyHistory } from './history-view.js';
import { mineCard, pingForm } from './mine-card.js';
import { pingsOf } from './repo.js';
import { createPing, firstOutcome, mayActOn, openPing, pingViewFor } from './service.js';
import { acknowledgePing, escalatePingNow, resolvePingByActor, snoozePing, type PingActionResult, type PingDeps } from './transitions.js';

export interface PingsCapabilityDeps {
  /** Schedules the escalation job for a ping (BullMQ delayed job); the sweep covers a lost one. */
  scheduleEscalation?: (pingId: string, at: Date) => void;
  /** How long a new ping's confirmation waits to say whether it reached its people (default 1.5 s). */
  waitForOutcomeMs?: number;
}

export interface PingsCapability {
  capability: Capability;
  /** The `journey` subcommands pings answer, for journeysCapability. */
  journeyVerbs: Record<string, JourneyVerb>;
}

function afterCommit(deps: PingsCapabilityDeps, ctx: ChatContext, outboxIds: string[], ping?: { pingId: string; at: Date | null }): void {
  if (outboxIds.length) ctx.services.kickDelivery(outboxIds);
  if (ping?.at) deps.scheduleEscalation?.(ping.pingId, ping.at);
}

/** What changed and every ping about it: anyone in the organisation may read it, like the journey card (a ping's own words only those it involves). */
async function history(ctx: ChatContext, typed: string, options: { journeyId?: string } = {}): Promise<Reply> {
  if (!typed && !options.journeyId) throw new InvalidInput('Usage: `journey history <journey>`, e.g. `journey history onboarding`.');
  const { db } = ctx.services;
  const { rows } = await loadTree(db, ctx.actor.orgId);
  const picked = pick(rows, typed, options.journeyId, JOURNEY_ACTIONS.history);
  if ('card' in picked) return { private: picked.card };
  const reader = { personId: ctx.actor.personId, isAdmin: ctx.actor.roles.has('admin') };
  const view = await loadJourneyHistory(db, ctx.actor.orgId, picked.journey, rows, reader);
  return { private: journeyHistoryCard(view, { closestFor: picked.closestFor }) };
}

async function mine(ctx: ChatContext): Promise<Reply> {
  const { db } = ctx.services;
  const { tree, rows } = await loadTree(db, ctx.actor.orgId);
  const me = ctx.actor.personId;
  const owned = rows.filter((r) => r.ownerPersonId === me || r.deputyPersonId === me).map((journey) => ({ journey, role: journey.ownerPersonId === me ? ('owner' as const) : ('deputy' as const) }));
  const inherited = rows.filter((r) => {
    const owner = tree.effectiveOwner(r.id);
    return owner?.inherited && owner.personId === me;
  });
  const { withMe, sentByMe } = await pingsOf(db, ctx.actor);
  const refs = await personRefs(db, [...withMe, ...sentByMe].flatMap((p) => [p.fromPersonId, p.holderPersonId]).filter((id): id is string => Boolean(id)));
  return { private: mineCard({ owned, inherited, withMe, sentByMe, refs, timeZone: await orgTimeZone(db, ctx.actor.orgId) }) };
}

async function sendPing(deps: PingsCapabilityDeps, ctx: ChatContext, journeyId: string, message: string): Promise<Reply> {
  const { db, clock } = ctx.services;
  const result = await db.transaction().execute((trx) =>
    createPing(trx, { orgId: ctx.actor.orgId, journeyId, fromPersonId: ctx.actor.personId, reason: 'manual', message, dedupeKey: `manual:${randomUUID()}`, now: clock.now() }),
  );
  afterCommit(deps, ctx, result.outboxIds, { pingId: result.pingId, at: result.escalateAt });
  const outcome = await firstOutcome(db, result.pingId, deps.waitForOutcomeMs ?? 1_500);
  // Read after the wait: a holder who cannot be reached has passed the ping on by now.
  const view = await pingViewFor(ctx.services.db, ctx.actor, result.pingId);
  const refs = await personRefs(db, [...outcome.delivered.map((d) => d.personId), ...outcome.failed.map((f) => f.personId), ...outcome.pending]);
  const ref = (id: string) => refs.get(id) ?? { name: 'someone' };
  return {
    private: pingSentCard(view, {
      delivered: outcome.delivered.map((d) => ({ person: ref(d.personId), platform: d.platform })),
      failed: outcome.failed.map((f) => ({ person: ref(f.personId), reason: f.reason })),
      pending: outcome.pending.map(ref),
    }),
  };
}

async function ping(deps: PingsCapabilityDeps, ctx: ChatContext, rest: string): Promise<Reply> {
  if (!rest) throw new InvalidInput('Usage: `journey ping <journey> <message>`, e.g. `journey ping onboarding Avoidable calls about the welcome gift doubled this week`.');
  const { rows } = await loadTree(ctx.services.db, ctx.actor.orgId);
  const { journey, rest: message } = splitJourney(rows, rest);
  if (!message) throw new InvalidInput(`What should the owner of ${journey.name} know? Usage: \`journey ping ${journey.key} <message>\`. Nothing was sent.`);
  return sendPing(deps, ctx, journey.id, message);
}

const pingAction = (deps: PingsCapabilityDeps, action: string, run: (deps: PingDeps, actor: Actor, pingId: string) => Promise<PingActionResult>): ActionHandler =>
  defineAction({
    action,
    schema: pingPayload,
    async handle(ctx, payload) {
      const result = await run({ db: ctx.services.db, clock: ctx.services.clock }, ctx.actor, payload.pingId);
      afterCommit(deps, ctx, result.outboxIds, { pingId: payload.pingId, at: result.nextDueAt });
      const reply: Reply = { replace: pingCard(result.view, { live: mayActOn(result.view, ctx.actor) }) };
      if (result.unchanged) reply.private = noticeCard('Ping', para(`${result.unchanged} Nothing was changed.`));
      return reply;
    },
  });


export function pingsCapability(deps: PingsCapabilityDeps = {}): PingsCapability {
  return {
    journeyVerbs: { ping: (ctx, rest) => ping(deps, ctx, rest), mine: (ctx) => mine(ctx), history: (ctx, rest) => history(ctx, rest) },
    capability: {
      name: 'pings',
      commands: [],
      actions: [
      pingAction(deps, PING_ACTIONS.acknowledge, acknowledgePing),
      pingAction(deps, PING_ACTIONS.snooze, snoozePing),
      pingAction(deps, PING_ACTIONS.escalate, escalatePingNow),
      pingAction(deps, PING_ACTIONS.resolve, resolvePingByActor),
      defineAction({
        action: PING_ACTIONS.show,
        schema: pingPayload,
        async handle(ctx, payload) {
          const { view, live } = await openPing(ctx.services.db, ctx.actor, payload.pingId);
          return { private: pingCard(view, { live }) };
        },
      }),
      defineAction({
        action: JOURNEY_ACTIONS.history,
        schema: journeyPayload,
        handle: (ctx, payload) => history(ctx, '', { journeyId: payload.journeyId }),
      }),
      defineAction({
        action: JOURNEY_ACTIONS.pingForm,
        schema: journeyPayload,
        async handle(ctx, payload) {
          const journey = await journeysRepo.journeyById(ctx.services.db, ctx.actor.orgId, payload.journeyId);
          if (!journey) throw new NotFound('That journey no longer exists.');
          return { form: pingForm(journey) };
        },
      }),
      defineAction({
        action: JOURNEY_ACTIONS.ping,
        schema: journeyPayload,
        async handle(ctx, payload, values) {
          const parsed = pingFormValues.safeParse(values);
          if (!parsed.success) throw new InvalidInput(`The ping needs ${parsed.error.issues[0]?.message ?? 'a message'}. Nothing was sent.`);
          const journey = await journeysRepo.journeyById(ctx.services.db, ctx.actor.orgId, payload.journeyId);
          if (!journey) throw new NotFound('That journey no longer exists. Nothing was sent.');
          return sendPing(deps, ctx, journey.id, parsed.data.message);
        },
      }),
      ],
    },
  };
}
