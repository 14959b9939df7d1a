// `glossary …` in chat and the glossary's buttons and forms, on Slack and Teams alike.
import { text, type Card, type RichText } from '../chat/card.js';
import { defineAction, type Capability, type ChatContext, type CommandUsage } from '../chat/capability.js';
import type { ChatRequest, Reply } from '../chat/request.js';
import {
  ACTIONS,
  candidatesCard,
  decidedCard,
  historyCard,
  missCard,
  overviewCard,
  proposalSentCard,
  publishedCard,
  recentCard,
  rejectForm,
  searchCard,
  statsCard,
  termCard,
  termForm,
  type CandidateView,
} from './cards.js';
import type { TermContent } from './changes.js';
import { termSections, type TermCardSection } from './hooks.js';
import { followReplacements, loggedQuery, prepare, rank, termNamed } from './lookup.js';
import type { TermIndexes } from './term-indexes.js';
import type { AnswerCache } from '../db/answer-cache.js';
import type { LookupLog } from './lookup-log.js';
import type { LookupOutcome } from './tables.js';
import { EXACT, SHOWN, type RankedTerm } from './ranking.js';
import * as repo from './repo.js';
import {
  GLOSSARY_LIMITS,
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
import * as service from './service.js';

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
];

/** In a Teams channel nobody can be answered privately: the thread sees the answer, so it stays short. */
function answerIsSeenByOthers(request: ChatRequest): boolean {
  return request.platform === 'teams' && request.conversation.kind !== 'personal';
}

/** What a lookup answered, as remembered by the answer cache. */
export interface LookupAnswer {
  card: Card;
  outcome: LookupOutcome;
  termId: string | null;
}

export interface GlossaryOptions {
  /** Where lookups are logged (written behind the answer). */
  lookupLog: LookupLog;
  /** Remembers answers while change notices arrive (src/glossary/answer-cache.ts); without it, every lookup asks the database. */
  answers?: AnswerCache<LookupAnswer>;
  /** Extra sections for the term card, such as the KPIs that use a definition. */
  termSections?: TermCardSection[];
  /** Names, aliases and words in memory while change notices arrive (src/glossary/term-indexes.ts); without it, lookups match in the database. */
  termIndexes?: TermIndexes;
}

export function createGlossaryCapability(options: GlossaryOptions): Capability {
  const sections = options.termSections ?? [];

  function logLookup(ctx: ChatContext, raw: string, outcome: LookupOutcome, termId: string | null): void {
    options.lookupLog.record({
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
  function changing<T>(work: Promise<T>): Promise<T> {
    return work.finally(() => {
      options.answers?.forget();
      options.termIndexes?.forget();
    });
  }

  /** The term's card for the asker. */
  async function termReply(ctx: ChatContext, termId: string, notice?: RichText, read?: repo.TermCardRow): Promise<Card> {
    const { db, log } = ctx.services;
    const compact = answerIsSeenByOthers(ctx.request);
    const view = await service.termCardView(db, ctx.actor.orgId, termId, read);
    const context = { db, orgId: ctx.actor.orgId, termId, names: [view.name, ...view.aliases] };
    const extra = compact || sections.length === 0 ? [] : await termSections(sections, context, log);
    return termCard(view, { mode: compact ? 'compact' : 'private', extra, ...(notice ? { notice } : {}) });
  }

  function candidateViews(ranked: RankedTerm[]): CandidateView[] {
    return ranked.map((r) => ({ termId: r.termId, name: r.name, status: r.status, definition: r.summary }));
  }

  /** Answers from memory when the same question was answered since the last change; logs every lookup. */
  async function lookup(ctx: ChatContext, raw: string): Promise<Reply> {
    const { answers } = options;
    const key = `${ctx.actor.orgId}\n${answerIsSeenByOthers(ctx.request) ? 'compact' : 'private'}\n${raw.trim()}`;
    const found = answers ? await answers.remember(key, () => answer(ctx, raw)) : await answer(ctx, raw);
    logLookup(ctx, raw, found.outcome, found.termId);
    return { private: found.card };
  }

  async function answer(ctx: ChatContext, raw: string): Promise<LookupAnswer> {
    const { db } = ctx.services;
    const { actor } = ctx;
    const query = prepare(raw);
    const { decision, miss, card } = await rank(db, actor.orgId, query, { index: options.termIndexes?.current(actor.orgId) });

    if (decision.kind === 'confident') {
      const top = decision.term;
      let termId = top.termId;
      let notice: RichText | undefined;
      if (top.status === 'deprecated') {
        const final = await followReplacements(db, actor.orgId, top.termId);
        if (final.termId !== top.termId) {
          termId = final.termId;
          notice = [text(`“${top.name}” is deprecated; “${final.name}” replaces it.`)];
        }
      } else if (top.score < EXACT) {
        notice = [text(`Closest match for “${raw.trim()}”.`)];
      }
      return { card: await termReply(ctx, termId, notice, card), outcome: 'found', termId };
    }
    const offered = decision.kind === 'candidates' ? decision.candidates : [];
    const candidates = candidateViews(offered);
    const cardOptions = { timeZone: miss?.timeZone ?? 'UTC', ...(miss?.pending ? { pending: miss.pending } : {}) };
    if (candidates.length) return { card: candidatesCard(raw, candidates, cardOptions), outcome: 'candidates', termId: null };
    return { card: missCard(raw, cardOptions), outcome: 'miss', termId: null };
  }

  async function search(ctx: ChatContext, words: string): Promise<Reply> {
    const { ranked } = await rank(ctx.services.db, ctx.actor.orgId, prepare(words), { alwaysFuzzy: true, index: options.termIndexes?.current(ctx.actor.orgId) });
    const results = candidateViews(ranked.filter((r) => r.score >= SHOWN).slice(0, 10));
    return { private: searchCard(words, results) };
  }

  function changeReply(result: service.ChangeResult, what: string): Reply {
    if (result.kind === 'published') return { private: publishedCard(result.termId, result.name, result.version, what) };
    return { private: proposalSentCard(result.name, result.approvers) };
  }

  async function openTermForm(ctx: ChatContext, termId: string | undefined, name?: string): Promise<Reply> {
    if (!termId) return { form: termForm({ editor: service.isEditor(ctx.actor, null), ...(name ? { initial: { name } } : {}) }) };
    const { content, stewardPersonId } = await service.termContent(ctx.services.db, ctx.actor.orgId, termId);
    return { form: termForm({ termId, initial: content, editor: service.isEditor(ctx.actor, stewardPersonId) }) };
  }

  async function propose(ctx: ChatContext, name: string | undefined, definition: string | undefined): Promise<Reply> {
    const { db } = ctx.services;
    if (!name) return openTermForm(ctx, undefined);
    const validName = parseOrRefuse(termName, name);
    const existing = await service.exactTerm(db, ctx.actor.orgId, validName);
    if (definition === undefined) return openTermForm(ctx, existing, validName);
    const validDefinition = parseOrRefuse(definitionText, definition);
    if (existing) {
      const { content } = await service.termContent(db, ctx.actor.orgId, existing);
      return changeReply(await changing(service.submitTerm(ctx, existing, { ...content, definition: validDefinition })), 'The new definition of');
    }
    const content: TermContent = { name: validName, definition: validDefinition, notes: null, links: [], aliases: [] };
    return changeReply(await changing(service.submitTerm(ctx, undefined, content)), 'New term');
  }

  async function showHistory(ctx: ChatContext, termId: string): Promise<Reply> {
    const h = await service.history(ctx.services.db, ctx.actor.orgId, termId);
    return {
      private: historyCard(h.term, h.versions, { timeZone: h.timeZone, total: h.total, canRollBack: service.isEditor(ctx.actor, h.term.stewardPersonId) }),
    };
  }

  return {
    name: 'glossary',
    commands: [
      {
        word: 'glossary',
        summary: 'one definition the whole company shares: look up, search, propose, approve',
        usage: USAGE,
        async handle(ctx, args) {
          const intent = parseGlossaryArgs(args);
          const { db, clock } = ctx.services;
          const orgId = ctx.actor.orgId;
          switch (intent.kind) {
            case 'overview':
              return { private: overviewCard(USAGE, await repo.termCount(db, orgId)) };
            case 'lookup':
              return lookup(ctx, intent.query);
            case 'search':
              return search(ctx, intent.text);
            case 'propose':
              return propose(ctx, intent.name, intent.definition);
            case 'edit':
              return openTermForm(ctx, (await termNamed(db, orgId, intent.term)).termId);
            case 'alias': {
              const alias = parseOrRefuse(aliasText, intent.alias);
              return changeReply(await changing(service.addAlias(ctx, alias, intent.term)), `Alias “${alias}” added:`);
            }
            case 'history':
              return showHistory(ctx, (await termNamed(db, orgId, intent.term)).termId);
            case 'recent': {
              const { rows, timeZone } = await service.recent(db, orgId, intent.count);
              return { private: recentCard(rows, timeZone) };
            }
            case 'stats':
              // What this process has not written yet counts too (the asker's own latest lookups).
              await options.lookupLog.flush();
              return { private: statsCard(await service.stats(db, orgId, clock.now())) };
            case 'deprecate': {
              const done = await changing(service.deprecate(ctx, intent.term, intent.replacement));
              const message = done.replacement
                ? `“${done.name}” is deprecated (version ${done.version}); lookups of it and its aliases now lead to “${done.replacement}”.`
                : `“${done.name}” is deprecated (version ${done.version}).`;
              return { private: decidedCard('Deprecated', message) };
            }
          }
        },
      },
    ],
    actions: [
      defineAction({
        action: ACTIONS.show,
        schema: termPayload,
        async handle(ctx, payload) {
          const card = await termReply(ctx, payload.termId);
          // Opening a candidate is looking the term up (termReply refused a term that no longer exists).
          logLookup(ctx, card.title, 'found', payload.termId);
          return { private: card };
        },
      }),
      defineAction({
        action: ACTIONS.share,
        schema: termPayload,
        async handle(ctx, payload) {
          const view = await service.termCardView(ctx.services.db, ctx.actor.orgId, payload.termId);
          return { public: termCard(view, { mode: 'shared', sharedBy: ctx.actor.name }) };
        },
      }),
      defineAction({
        action: ACTIONS.suggest,
        schema: termPayload,
        handle: (ctx, payload) => openTermForm(ctx, payload.termId),
      }),
      defineAction({
        action: ACTIONS.history,
        schema: termPayload,
        handle: (ctx, payload) => showHistory(ctx, payload.termId),
      }),
      defineAction({
        action: ACTIONS.propose,
        schema: proposePayload,
        async handle(ctx, payload) {
          // Buttons of older messages carry the id of the logged lookup rather than the query itself.
          const asked = payload.query ?? (payload.lookupId ? (await repo.findLookup(ctx.services.db, ctx.actor.orgId, payload.lookupId))?.query : undefined);
          const name = asked?.trim().slice(0, GLOSSARY_LIMITS.name);
          return { form: termForm({ editor: service.isEditor(ctx.actor, null), ...(name ? { initial: { name } } : {}) }) };
        },
      }),
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
          return changeReply(await changing(service.submitTerm(ctx, payload.termId, content)), payload.termId ? 'Your edit is published:' : 'New term');
        },
      }),
      defineAction({
        action: ACTIONS.approve,
        schema: proposalPayload,
        async handle(ctx, payload) {
          const decision = await changing(service.decideProposal(ctx, payload.proposalId, { approve: true }));
          return { replace: decision.card };
        },
      }),
      defineAction({
        action: ACTIONS.reject,
        schema: proposalPayload,
        async handle(ctx, payload) {
          const proposal = await service.decidableProposal(ctx, payload.proposalId);
          return { form: rejectForm(payload.proposalId, proposal.name) };
        },
      }),
      defineAction({
        action: ACTIONS.rejectConfirm,
        schema: proposalPayload,
        async handle(ctx, payload, values) {
          const { [FORM_INPUTS.reason]: reason } = parseOrRefuse(rejectFormValues, { [FORM_INPUTS.reason]: values[FORM_INPUTS.reason] ?? '' });
          const decision = await changing(service.decideProposal(ctx, payload.proposalId, { approve: false, reason }));
          return { replace: decision.card, private: decidedCard('Rejected', 'The proposal is rejected and the proposer has been told your reason.') };
        },
      }),
      defineAction({
        action: ACTIONS.rollback,
        schema: rollbackPayload,
        async handle(ctx, payload) {
          const done = await changing(service.rollBack(ctx, payload.termId, payload.version));
          return { private: publishedCard(done.termId, done.name, done.version, `Rolled back to version ${payload.version}:`) };
        },
      }),
    ],
  };
}
