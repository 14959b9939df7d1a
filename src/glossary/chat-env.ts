// What the glossary's chat handlers share (src/glossary/capability.ts and its buttons): the options
// the capability was created with, the deps its services take, the lookup log, and forgetting what
// was remembered after a change made through this process.
import type { ChatContext } from '../chat/capability.js';
import type { Card } from '../chat/card.js';
import type { ChatRequest, Reply } from '../chat/request.js';
import type { AnswerCache } from '../db/answer-cache.js';
import type { TermCardSection } from './hooks.js';
import type { LookupLog } from './lookup-log.js';
import { loggedQuery } from './matching/lookup.js';
import type { TermIndexes } from './matching/term-indexes.js';
import type { TermCards } from './term-cards.js';
import type { composeCandidates, GlossaryDeps } from './service.js';
import type { LookupOutcome } from './tables.js';
import type { GlossaryWatch } from './watch.js';

/** In a Teams channel nobody can be answered privately: the thread sees the answer, so it stays short. */
export function answerIsSeenByOthers(request: ChatRequest): boolean {
  return request.platform === 'teams' && request.conversation.kind !== 'personal';
}

/** What a lookup answered, as remembered by the answer cache. */
export interface LookupAnswer {
  card: Card;
  outcome: LookupOutcome;
  termId: string | null;
}

/**
 * What the compose extension offered for a query, as remembered by its answer cache, with the
 * results as the reply carries them: a remembered answer gives the very same list, which a platform
 * may then render once for all who ask (src/teams/message-extension.ts).
 */
export type ComposeAnswer = Awaited<ReturnType<typeof composeCandidates>> & { results: NonNullable<Reply['results']> };

export interface GlossaryOptions {
  /** Where lookups are logged (written behind the answer). */
  lookupLog: LookupLog;
  /** Remembers answers while change notices arrive (src/db/answer-cache.ts); without it, every lookup asks the database. */
  answers?: AnswerCache<LookupAnswer>;
  /** The same for the compose extension's result lists. */
  composeAnswers?: AnswerCache<ComposeAnswer>;
  /** Extra sections for the term card, such as the KPIs that use a definition. */
  termSections?: TermCardSection[];
  /** Names, aliases and words in memory while change notices arrive (src/glossary/matching/term-indexes.ts); without it, lookups match in the database. */
  termIndexes?: TermIndexes;
  /** Term cards remembered per term and read together (src/glossary/term-cards.ts); without it, each card is read on its own. */
  termCards?: TermCards;
  /** Watched channels and their nudges (src/glossary/watch.ts); one per process. */
  watch?: GlossaryWatch;
}

/** What the handlers share: the options the capability was created with, and its term card sections. */
export interface GlossaryEnv {
  options: GlossaryOptions;
  sections: readonly TermCardSection[];
  watch: GlossaryWatch;
}

export function depsOf(env: GlossaryEnv, ctx: ChatContext): GlossaryDeps {
  const { db, clock } = ctx.services;
  const { termIndexes, termCards } = env.options;
  return { db, clock, kickDelivery: (ids) => ctx.services.kickDelivery(ids), ...(termIndexes ? { termIndexes } : {}), ...(termCards ? { termCards } : {}) };
}

export function logLookup(env: GlossaryEnv, ctx: ChatContext, raw: string, outcome: LookupOutcome, termId: string | null): void {
  env.options.lookupLog.record({
    orgId: ctx.actor.orgId,
    ...loggedQuery(raw),
    termId,
    outcome,
    personId: ctx.actor.personId,
    platform: ctx.request.platform,
    at: ctx.services.clock.now(),
  });
}

/**
 * A change made through this process: its remembered answers are forgotten as soon as the change
 * is done (other processes learn of it from the database's change notice).
 */
export function changing<T>(env: GlossaryEnv, work: Promise<T>): Promise<T> {
  return work.finally(() => {
    env.options.answers?.forget();
    env.options.composeAnswers?.forget();
    env.options.termIndexes?.forget();
    env.options.termCards?.forget();
    env.watch.forget();
  });
}
