// `glossary …` in chat and the glossary's buttons and forms, on Slack and Teams alike.
import { z } from 'zod';
import { truncate } from '../chat/limits.js';
import { text, type Card, type RichText } from '../chat/card.js';
import { defineAction, type Capability, type ChatContext, type Command, type CommandUsage } from '../chat/capability.js';
import type { Reply } from '../chat/request.js';
import {
  ACTIONS,
  lookupForm,
  candidatesCard,
  historyCard,
  missCard,
  overviewCard,
  recentCard,
  searchCard,
  statsCard,
  termCard,
  type CandidateView,
} from './cards.js';
import { decidedCard, proposalSentCard, publishedCard, rejectForm, termForm } from './change-cards.js';
import type { TermContent } from './changes.js';
import { termSections } from './hooks.js';
import type { RankedTerm } from './matching/ranking.js';
import type { TermCardRow } from './repo/term-card.js';
import {
  GLOSSARY_LIMITS,
  lookupQuery,
  aliasText,
  definitionText,
  FORM_INPUTS,
  parseGlossaryArgs,
  parseOrRefuse,
  proposalPayload,
  proposePayload,
  rejectFormValues,
  rollbackPayload,
  submitPayload,
  termFormValues,
  termName,
  termPayload,
} from './schema.js';
import { history, recent } from './history.js';
import { decidableProposal, decideProposal, type ChangeResult } from './proposals.js';
import * as service from './service.js';
import { answerIsSeenByOthers, changing, depsOf, logLookup, type ComposeAnswer, type GlossaryEnv, type GlossaryOptions, type LookupAnswer } from './chat-env.js';
import { loggedQueryText, lookupStats, termCounts } from './stats.js';
import { termsInText } from './in-text.js';
import { termsInTextCard } from './in-text-cards.js';
import { GlossaryWatch } from './watch.js';

export type { ComposeAnswer, GlossaryOptions, LookupAnswer } from './chat-env.js';

const USAGE: CommandUsage[] = [
  { example: 'nps', description: 'look up a term, an alias or an acronym (typos are fine)' },
  { example: 'search recommend', description: 'terms whose name, aliases, definition or notes mention it' },
  { example: 'propose Churn rate = Share of customers who …', description: 'propose a new term or a new definition (or `propose` alone for a form)' },
  { example: 'edit nps', description: 'edit a term (stewards) or suggest an edit (everyone else)' },
  { example: 'alias promoter score = Net Promoter Score', description: 'add an alias or acronym' },
  { example: 'history nps', description: 'every version, with roll back for stewards' },
  { example: 'recent 5', description: 'recently changed terms' },
  { example: 'stats', description: 'most looked up and most missed, last 30 days' },
  { example: 'deprecate Customer satisfaction = CSAT', description: 'retire a term in favour of another (stewards)' },
  { example: 'explain Our NPS and CSAT dipped after onboarding', description: 'the glossary terms, aliases and acronyms in a text' },
  { example: 'watch here', description: 'tip people privately when they write a retired term in this channel (admins; `unwatch here` stops)' },
];

export function createGlossaryCapability(options: GlossaryOptions): Capability {
  const env: GlossaryEnv = { options, sections: options.termSections ?? [], watch: options.watch ?? new GlossaryWatch() };
  return { name: 'glossary', commands: [glossaryCommand(env)], actions: [...termActions(env), ...proposalActions(env)], listeners: [env.watch.listener()] };
}

/** The term's card for the asker. */
async function termReply(env: GlossaryEnv, ctx: ChatContext, termId: string, notice?: RichText, read?: TermCardRow): Promise<Card> {
  const { db, log } = ctx.services;
  const compact = answerIsSeenByOthers(ctx.request);
  const view = await service.termCardView(depsOf(env, ctx), ctx.actor, termId, read);
  const context = { db, orgId: ctx.actor.orgId, termId, names: [view.name, ...view.aliases] };
  const extra = compact || env.sections.length === 0 ? [] : await termSections(env.sections, context, log);
  return termCard(view, { mode: compact ? 'compact' : 'private', extra, ...(notice ? { notice } : {}) });
}

function candidateViews(ranked: RankedTerm[]): CandidateView[] {
  return ranked.map((r) => ({ termId: r.termId, name: r.name, status: r.status, definition: r.summary }));
}

/** Answers from memory when the same question was answered since the last change; logs every lookup. */
async function lookup(env: GlossaryEnv, ctx: ChatContext, raw: string): Promise<Reply> {
  const { answers } = env.options;
  const key = `${ctx.actor.orgId}\n${answerIsSeenByOthers(ctx.request) ? 'compact' : 'private'}\n${raw.trim()}`;
  const found = answers ? await answers.remember(key, () => answer(env, ctx, raw)) : await answer(env, ctx, raw);
  logLookup(env, ctx, raw, found.outcome, found.termId);
  return { private: found.card };
}

async function answer(env: GlossaryEnv, ctx: ChatContext, raw: string): Promise<LookupAnswer> {
  const found = await service.lookUp(depsOf(env, ctx), ctx.actor, raw);
  if (found.kind === 'term') {
    const notice: RichText | undefined = found.replaced
      ? [text(`“${found.replaced.name}” is deprecated; “${found.replaced.by}” replaces it.`)]
      : found.closest
        ? [text(`Closest match for “${raw.trim()}”.`)]
        : undefined;
    return { card: await termReply(env, ctx, found.termId, notice, found.read), outcome: 'found', termId: found.termId };
  }
  const candidates = candidateViews(found.candidates);
  const { miss } = found;
  const cardOptions = { timeZone: miss?.timeZone ?? 'UTC', ...(miss?.pending ? { pending: miss.pending } : {}) };
  if (candidates.length) return { card: candidatesCard(raw, candidates, cardOptions), outcome: 'candidates', termId: null };
  return { card: missCard(raw, cardOptions), outcome: 'miss', termId: null };
}

/** The compose extension's results as someone types; choosing one inserts its shared card. */
async function composeResults(env: GlossaryEnv, ctx: ChatContext, typed: string): Promise<Reply> {
  const query = typed.trim().slice(0, GLOSSARY_LIMITS.query);
  if (!query) return { results: [] };
  const key = `${ctx.actor.orgId}\n${query}`;
  const compute = async (): Promise<ComposeAnswer> => {
    const found = await service.composeCandidates(depsOf(env, ctx), ctx.actor, query);
    return { ...found, results: found.terms.map((t) => ({ title: t.name, subtitle: truncate(t.summary, 120), select: { action: ACTIONS.share, termId: t.termId } })) };
  };
  const found = env.options.composeAnswers ? await env.options.composeAnswers.remember(key, compute) : await compute();
  logLookup(env, ctx, query, found.outcome, found.termId);
  return { results: found.results };
}

async function search(env: GlossaryEnv, ctx: ChatContext, words: string): Promise<Reply> {
  const results = candidateViews(await service.search(depsOf(env, ctx), ctx.actor, words));
  return { private: searchCard(words, results) };
}

function changeReply(result: ChangeResult, what: string): Reply {
  if (result.kind === 'published') return { private: publishedCard(result.termId, result.name, result.version, what) };
  return { private: proposalSentCard(result.name, result.approvers) };
}

async function openTermForm(env: GlossaryEnv, ctx: ChatContext, termId: string | undefined, name?: string): Promise<Reply> {
  const { content, editor } = await service.termForm(depsOf(env, ctx), ctx.actor, termId);
  if (!termId) return { form: termForm({ editor, ...(name ? { initial: { name } } : {}) }) };
  return { form: termForm({ termId, ...(content ? { initial: content } : {}), editor }) };
}

async function propose(env: GlossaryEnv, ctx: ChatContext, name: string | undefined, definition: string | undefined): Promise<Reply> {
  if (!name) return openTermForm(env, ctx, undefined);
  const deps = depsOf(env, ctx);
  const validName = parseOrRefuse(termName, name);
  const existing = await service.exactTerm(deps, ctx.actor, validName);
  if (definition === undefined) return openTermForm(env, ctx, existing, validName);
  const validDefinition = parseOrRefuse(definitionText, definition);
  if (existing) {
    const { content } = await service.termContent(deps, ctx.actor, existing);
    return changeReply(await changing(env, service.submitTerm(deps, ctx.actor, existing, { ...content, definition: validDefinition })), 'The new definition of');
  }
  const content: TermContent = { name: validName, definition: validDefinition, notes: null, links: [], aliases: [] };
  return changeReply(await changing(env, service.submitTerm(deps, ctx.actor, undefined, content)), 'New term');
}

async function showHistory(env: GlossaryEnv, ctx: ChatContext, termId: string): Promise<Reply> {
  const h = await history(depsOf(env, ctx), ctx.actor, termId);
  return {
    private: historyCard(h.term, h.versions, { timeZone: h.timeZone, total: h.total, canRollBack: h.canRollBack }),
  };
}

function glossaryCommand(env: GlossaryEnv): Command {
  return {
    word: 'glossary',
    summary: 'one definition the whole company shares: look up, search, propose, approve',
    usage: USAGE,
    async handle(ctx, args) {
      const intent = parseGlossaryArgs(args);
      const deps = depsOf(env, ctx);
      switch (intent.kind) {
        case 'overview':
          return { private: overviewCard(USAGE, await termCounts(deps, ctx.actor)) };
        case 'lookup':
          return lookup(env, ctx, intent.query);
        case 'search':
          return search(env, ctx, intent.text);
        case 'propose':
          return propose(env, ctx, intent.name, intent.definition);
        case 'edit':
          return openTermForm(env, ctx, await service.termIdNamed(deps, ctx.actor, intent.term));
        case 'alias': {
          const alias = parseOrRefuse(aliasText, intent.alias);
          return changeReply(await changing(env, service.addAlias(deps, ctx.actor, alias, intent.term)), `Alias “${alias}” added:`);
        }
        case 'history':
          return showHistory(env, ctx, await service.termIdNamed(deps, ctx.actor, intent.term));
        case 'recent': {
          const { rows, timeZone } = await recent(deps, ctx.actor, intent.count);
          return { private: recentCard(rows, timeZone) };
        }
        case 'stats':
          // What this process has not written yet counts too (the asker's own latest lookups).
          await env.options.lookupLog.flush();
          return { private: statsCard(await lookupStats(deps, ctx.actor)) };
        case 'explain':
          return { private: termsInTextCard(await termsInText(ctx.services.db, ctx.actor.orgId, intent.text)) };
        case 'watch': {
          const message = await env.watch.setWatched(ctx.services.db, ctx.actor, ctx.request, intent.on);
          return { private: decidedCard(intent.on ? 'Watching this channel' : 'Watching', message) };
        }
        case 'deprecate': {
          const done = await changing(env, service.deprecate(deps, ctx.actor, intent.term, intent.replacement));
          const message = done.replacement
            ? `“${done.name}” is deprecated (version ${done.version}); lookups of it and its aliases now lead to “${done.replacement}”.`
            : `“${done.name}” is deprecated (version ${done.version}).`;
          return { private: decidedCard('Deprecated', message) };
        }
      }
    },
  };
}

/** The buttons of term cards: open, share, suggest an edit, history, propose a missing term. */
function termActions(env: GlossaryEnv) {
  return [
    defineAction({
      action: ACTIONS.compose,
      schema: z.object({}),
      handle: (ctx, _payload, values) => composeResults(env, ctx, values.query ?? ''),
    }),
    defineAction({ action: ACTIONS.lookupOpen, schema: z.object({}), handle: async () => ({ form: lookupForm() }) }),
    defineAction({
      action: ACTIONS.lookup,
      schema: z.object({}),
      handle: (ctx, _payload, values) => lookup(env, ctx, parseOrRefuse(lookupQuery, values.query ?? '')),
    }),
    defineAction({
      action: 'glossary.nudge.exception',
      schema: termPayload,
      handle: async (ctx, payload) => ({ private: decidedCard('Noted', await env.watch.makeException(ctx.services.db, ctx.actor, payload.termId)) }),
    }),
    defineAction({
      action: ACTIONS.show,
      schema: termPayload,
      async handle(ctx, payload) {
        const card = await termReply(env, ctx, payload.termId);
        // Opening a candidate is looking the term up (termReply refused a term that no longer exists).
        logLookup(env, ctx, card.title, 'found', payload.termId);
        return { private: card };
      },
    }),
    defineAction({
      action: ACTIONS.share,
      schema: termPayload,
      async handle(ctx, payload) {
        const view = await service.termCardView(depsOf(env, ctx), ctx.actor, payload.termId);
        return { public: termCard(view, { mode: 'shared', sharedBy: ctx.actor.name }) };
      },
    }),
    defineAction({
      action: ACTIONS.suggest,
      schema: termPayload,
      handle: (ctx, payload) => openTermForm(env, ctx, payload.termId),
    }),
    defineAction({
      action: ACTIONS.history,
      schema: termPayload,
      handle: (ctx, payload) => showHistory(env, ctx, payload.termId),
    }),
    defineAction({
      action: ACTIONS.propose,
      schema: proposePayload,
      async handle(ctx, payload) {
        // Buttons of older messages carry the id of the logged lookup rather than the query itself.
        const deps = depsOf(env, ctx);
        const asked = payload.query ?? (payload.lookupId ? await loggedQueryText(deps, ctx.actor, payload.lookupId) : undefined);
        const name = asked?.trim().slice(0, GLOSSARY_LIMITS.name);
        const { editor } = await service.termForm(deps, ctx.actor, undefined);
        return { form: termForm({ editor, ...(name ? { initial: { name } } : {}) }) };
      },
    }),
  ];
}

/** Forms and the stewards' buttons: submit a term, approve, reject, roll back. */
function proposalActions(env: GlossaryEnv) {
  return [
    defineAction({
      action: ACTIONS.submit,
      schema: submitPayload,
      async handle(ctx, payload, values) {
        const form = parseOrRefuse(termFormValues, {
          [FORM_INPUTS.name]: values[FORM_INPUTS.name] ?? '',
          [FORM_INPUTS.definition]: values[FORM_INPUTS.definition] ?? '',
          [FORM_INPUTS.notes]: values[FORM_INPUTS.notes] ?? '',
          [FORM_INPUTS.aliases]: values[FORM_INPUTS.aliases] ?? '',
          [FORM_INPUTS.links]: values[FORM_INPUTS.links] ?? '',
        });
        const content: TermContent = {
          name: form[FORM_INPUTS.name],
          definition: form[FORM_INPUTS.definition],
          notes: form[FORM_INPUTS.notes] || null,
          links: form[FORM_INPUTS.links],
          aliases: form[FORM_INPUTS.aliases],
        };
        return changeReply(await changing(env, service.submitTerm(depsOf(env, ctx), ctx.actor, payload.termId, content)), payload.termId ? 'Your edit is published:' : 'New term');
      },
    }),
    defineAction({
      action: ACTIONS.approve,
      schema: proposalPayload,
      async handle(ctx, payload) {
        const decision = await changing(env, decideProposal(depsOf(env, ctx), ctx.actor, payload.proposalId, { approve: true }));
        return { replace: decision.card };
      },
    }),
    defineAction({
      action: ACTIONS.reject,
      schema: proposalPayload,
      async handle(ctx, payload) {
        const proposal = await decidableProposal(depsOf(env, ctx), ctx.actor, payload.proposalId);
        return { form: rejectForm(payload.proposalId, proposal.name) };
      },
    }),
    defineAction({
      action: ACTIONS.rejectConfirm,
      schema: proposalPayload,
      async handle(ctx, payload, values) {
        const { [FORM_INPUTS.reason]: reason } = parseOrRefuse(rejectFormValues, { [FORM_INPUTS.reason]: values[FORM_INPUTS.reason] ?? '' });
        const decision = await changing(env, decideProposal(depsOf(env, ctx), ctx.actor, payload.proposalId, { approve: false, reason }));
        return { replace: decision.card, private: decidedCard('Rejected', 'The proposal is rejected and the proposer has been told your reason.') };
      },
    }),
    defineAction({
      action: ACTIONS.rollback,
      schema: rollbackPayload,
      async handle(ctx, payload) {
        const done = await changing(env, service.rollBack(depsOf(env, ctx), ctx.actor, payload.termId, payload.version));
        return { private: publishedCard(done.termId, done.name, done.version, `Rolled back to version ${payload.version}:`) };
      },
    }),
  ];
}
