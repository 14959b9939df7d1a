// What each MCP tool answers, as structured content: the capabilities' own read use cases (the
// glossary's lookup and search, the journey tree, the KPI snapshot, the proposals), for the token's
// organisation only. Nothing here writes, except the glossary lookup log, like a lookup in chat.
import { withoutUnsafeCharacters } from '../chat/text-hygiene.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import type { TermCardView } from '../glossary/cards.js';
import { recent } from '../glossary/history.js';
import type { LookupLog } from '../glossary/lookup-log.js';
import { loggedQuery } from '../glossary/matching/lookup.js';
import type { RankedTerm } from '../glossary/matching/ranking.js';
import type { TermIndexes } from '../glossary/matching/term-indexes.js';
import type { TermCards } from '../glossary/term-cards.js';
import * as glossary from '../glossary/service.js';
import { journeyOwner, journeysOfPerson } from '../journeys/reads.js';
import { deltaText, formatValue, statusText } from '../kpis/cards.js';
import { periodLabel } from '../kpis/periods.js';
import { readSnapshot } from '../kpis/reads.js';
import type { KpiView } from '../kpis/snapshot.js';
import { openProposals, recentDecisions } from '../proposals/reads.js';
import type { Input, KpiOut, Output } from './schema.js';

/** What a tool call may use: the token's organisation, and the parts of Steward it reads. */
export interface McpContext {
  orgId: string;
  db: Db;
  clock: Clock;
  lookupLog: LookupLog;
  termIndexes?: TermIndexes;
  termCards?: TermCards;
}

/** An answer, and whether it found what was asked (for the metrics). */
export interface Answer<T> {
  output: T;
  found: boolean;
}

const clean = withoutUnsafeCharacters;

function glossaryDeps(ctx: McpContext): glossary.GlossaryDeps {
  // Reading the glossary never delivers anything: no outbox row to wake a worker for.
  return { db: ctx.db, clock: ctx.clock, kickDelivery: () => {}, ...(ctx.termIndexes ? { termIndexes: ctx.termIndexes } : {}), ...(ctx.termCards ? { termCards: ctx.termCards } : {}) };
}

const candidateOut = (r: RankedTerm) => ({ name: clean(r.name), status: r.status, definition: clean(r.summary) });

function termOut(view: TermCardView): NonNullable<Output<'lookupTerm'>['term']> {
  return {
    name: clean(view.name),
    status: view.status,
    definitive: view.status === 'approved',
    definition: clean(view.definition),
    notes: view.notes === null ? null : clean(view.notes),
    aliases: view.aliases.map(clean),
    links: view.links.map(clean),
    steward: view.steward ? clean(view.steward.name) : null,
    version: view.version,
    updated_at: view.updatedAt.toISOString(),
    replaced_by: view.replacedBy ? clean(view.replacedBy.name) : null,
  };
}

/** The same matching as `glossary <term>` in chat; every lookup is logged with the source `mcp`, misses included. */
export async function lookupTerm(ctx: McpContext, input: Input<'lookupTerm'>): Promise<Answer<Output<'lookupTerm'>>> {
  const query = clean(input.term);
  const deps = glossaryDeps(ctx);
  const reader = { orgId: ctx.orgId };
  const found = await glossary.lookUp(deps, reader, query);
  const log = (outcome: 'found' | 'candidates' | 'miss', termId: string | null) =>
    ctx.lookupLog.record({ orgId: ctx.orgId, ...loggedQuery(query), termId, outcome, personId: null, platform: 'mcp', at: ctx.clock.now() });
  if (found.kind === 'term') {
    const view = await glossary.termCardView(deps, reader, found.termId, found.read);
    log('found', found.termId);
    const replaced = found.replaced ? { name: clean(found.replaced.name), by: clean(found.replaced.by) } : null;
    return { output: { query, outcome: 'found', term: termOut(view), replaced, closest_match: found.closest, candidates: [] }, found: true };
  }
  const outcome = found.candidates.length ? 'candidates' : 'miss';
  log(outcome, null);
  return { output: { query, outcome, term: null, replaced: null, closest_match: false, candidates: found.candidates.map(candidateOut) }, found: false };
}

export async function searchGlossary(ctx: McpContext, input: Input<'searchGlossary'>): Promise<Answer<Output<'searchGlossary'>>> {
  const words = clean(input.words);
  const results = (await glossary.search(glossaryDeps(ctx), { orgId: ctx.orgId }, words)).map(candidateOut);
  return { output: { words, results }, found: results.length > 0 };
}

export async function recentChanges(ctx: McpContext, input: Input<'recentChanges'>): Promise<Answer<Output<'recentChanges'>>> {
  const { rows } = await recent(glossaryDeps(ctx), { orgId: ctx.orgId }, input.count);
  const changes = rows.map((r) => ({ name: clean(r.name), version: r.version, change: r.change, by: clean(r.by), at: r.at.toISOString() }));
  return { output: { changes }, found: changes.length > 0 };
}

const journeyOut = (j: { key: string; name: string; level: string }) => ({ key: j.key, name: clean(j.name), level: j.level });
const personOut = (p: { name: string; email: string | null }) => ({ name: clean(p.name), email: p.email });

export async function ownerOfJourney(ctx: McpContext, input: Input<'journeyOwner'>): Promise<Answer<Output<'journeyOwner'>>> {
  const answer = await journeyOwner(ctx.db, ctx.orgId, clean(input.journey));
  if (answer.kind !== 'found') {
    return { output: { outcome: answer.kind, journey: null, owner: null, inherited_from: null, deputy: null, closest_match: false, candidates: answer.candidates.map(journeyOut) }, found: false };
  }
  const { view } = answer;
  const journey = { ...journeyOut(view.journey), description: view.journey.description === null ? null : clean(view.journey.description), path: view.journey.path.map(journeyOut) };
  return {
    output: {
      outcome: 'found',
      journey,
      owner: view.owner ? personOut(view.owner) : null,
      inherited_from: view.inheritedFrom ? journeyOut(view.inheritedFrom) : null,
      deputy: view.deputy ? personOut(view.deputy) : null,
      closest_match: view.closestMatch,
      candidates: [],
    },
    found: true,
  };
}

export async function journeysOf(ctx: McpContext, input: Input<'journeysOfPerson'>): Promise<Answer<Output<'journeysOfPerson'>>> {
  const answer = await journeysOfPerson(ctx.db, ctx.orgId, clean(input.person));
  if (answer.kind !== 'found') return { output: { outcome: answer.kind, person: null, owns: [], deputises: [], inherits: [], candidates: answer.candidates.map(personOut) }, found: false };
  const { person, owns, deputises, inherits } = answer.journeys;
  return {
    output: {
      outcome: 'found',
      person: personOut(person),
      owns: owns.map(journeyOut),
      deputises: deputises.map(journeyOut),
      inherits: inherits.map((j) => ({ ...journeyOut(j), from: journeyOut(j.from) })),
      candidates: [],
    },
    found: true,
  };
}

function kpiOut(view: KpiView): KpiOut {
  const { kpi, reading } = view;
  return {
    key: kpi.key,
    name: clean(kpi.name),
    segment: view.segment,
    unit: kpi.unit,
    value: reading.latest?.value ?? null,
    value_text: reading.latest ? formatValue(reading.latest.value, kpi.unit) : null,
    period: reading.latest ? periodLabel(kpi.cadence, reading.latest.period) : null,
    target: kpi.target,
    target_text: formatValue(kpi.target, kpi.unit),
    status: reading.status,
    status_text: statusText(reading.status),
    change_text: reading.delta ? deltaText(kpi, reading.delta) : null,
    definition: view.definition ? { term: clean(view.definition.term), text: view.definition.text === undefined ? null : clean(view.definition.text) } : null,
  };
}

export async function kpiSnapshot(ctx: McpContext, input: Input<'kpiSnapshot'>): Promise<Answer<Output<'kpiSnapshot'>>> {
  const read = await readSnapshot(ctx, { orgId: ctx.orgId }, clean(input.journey_or_kpi), input.segment);
  if (read.kind === 'none') return { output: { outcome: 'none', journey: null, kpis: [], suggestions: read.suggestions }, found: false };
  return { output: { outcome: read.kind, journey: { key: read.journey.key, name: clean(read.journey.name) }, kpis: read.views.map(kpiOut), suggestions: [] }, found: true };
}

export async function proposalsOpen(ctx: McpContext): Promise<Answer<Output<'openProposals'>>> {
  const rows = await openProposals(ctx, { orgId: ctx.orgId });
  const proposals = rows.map((p) => ({
    number: p.number,
    title: clean(p.title),
    problem: clean(p.problem),
    kpi_impact: p.kpi_impact === null ? null : clean(p.kpi_impact),
    journey: p.journey_name === null ? null : clean(p.journey_name),
    deadline: p.deadline ? p.deadline.toISOString() : null,
    tally: p.tally,
  }));
  return { output: { proposals }, found: proposals.length > 0 };
}

export async function decisionsRecent(ctx: McpContext, input: Input<'recentDecisions'>): Promise<Answer<Output<'recentDecisions'>>> {
  const rows = await recentDecisions(ctx, { orgId: ctx.orgId }, input.count);
  const decisions = rows.map((d) => ({
    number: d.number,
    title: clean(d.title),
    outcome: d.outcome,
    decided_at: d.decided_at.toISOString(),
    votes: { approve: d.approve, reject: d.reject, abstain: d.abstain, not_voted: d.not_voted, board_size: d.board_size },
    journey: d.journey_name === null ? null : clean(d.journey_name),
    status_now: d.status,
  }));
  return { output: { decisions }, found: decisions.length > 0 };
}
