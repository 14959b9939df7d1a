// The MCP tools' input and output schemas (zod): the inputs an assistant may send, and the shape of
// the structured answers (`structuredContent`), which the SDK checks against them before replying.
import { z } from 'zod';

// Plain strings here (they become the tools' JSON Schema); the handlers clean what arrives.
const query = (what: string) => z.string().trim().min(1).max(200).describe(what);
const count = (what: string) => z.number().int().min(1).max(50).default(10).describe(what);

export const inputs = {
  lookupTerm: z.object({ term: query('The term, acronym or alias to define, as the user wrote it (typos are fine), e.g. "NPS" or "avoidable contact".') }),
  searchGlossary: z.object({ words: query('Words to find in term names, aliases, definitions and notes, e.g. "recommend".') }),
  recentChanges: z.object({ count: count('How many recently changed terms to list (1-50, default 10).') }),
  journeyOwner: z.object({ journey: query('The journey\'s key or name, e.g. "onboarding" or "Moving house" (typos are tolerated).') }),
  journeysOfPerson: z.object({ person: query('The person\'s e-mail address, or their name or part of it.') }),
  kpiSnapshot: z.object({
    journey_or_kpi: query('A journey (key or name, e.g. "onboarding") for all its KPIs, or one KPI (key or name, e.g. "nps-onboarding").'),
    segment: z.string().trim().regex(/^[a-z0-9_-]{1,40}$/).default('all').describe('A customer segment of the values (default "all").'),
  }),
  openProposals: z.object({}),
  recentDecisions: z.object({ count: count('How many of the latest decisions to list (1-50, default 10).') }),
};

const status = z.enum(['approved', 'proposed', 'deprecated']);

const candidate = z.object({ name: z.string(), status, definition: z.string() });

const term = z.object({
  name: z.string(),
  status,
  definitive: z.boolean().describe('true only for an approved term: its definition is the company\'s agreed one'),
  definition: z.string(),
  notes: z.string().nullable(),
  aliases: z.array(z.string()),
  links: z.array(z.string()),
  steward: z.string().nullable(),
  version: z.number().int(),
  updated_at: z.string(),
  replaced_by: z.string().nullable().describe('for a deprecated term: the term to use instead'),
});

const journey = z.object({ key: z.string(), name: z.string(), level: z.string() });
const person = z.object({ name: z.string(), email: z.string().nullable() });
const tally = z.object({ approve: z.number().int(), reject: z.number().int(), abstain: z.number().int() });

const kpi = z.object({
  key: z.string(),
  name: z.string(),
  segment: z.string(),
  unit: z.string(),
  value: z.number().nullable(),
  value_text: z.string().nullable(),
  period: z.string().nullable(),
  target: z.number(),
  target_text: z.string(),
  status: z.enum(['on_track', 'at_risk', 'breached', 'no_data', 'stale']),
  status_text: z.string(),
  change_text: z.string().nullable(),
  definition: z.object({ term: z.string(), text: z.string().nullable() }).nullable(),
});

export const outputs = {
  lookupTerm: z.object({
    query: z.string(),
    outcome: z.enum(['found', 'candidates', 'miss']),
    term: term.nullable(),
    replaced: z.object({ name: z.string(), by: z.string() }).nullable().describe('the query named a deprecated term; `term` is its replacement'),
    closest_match: z.boolean(),
    candidates: z.array(candidate),
  }),
  searchGlossary: z.object({ words: z.string(), results: z.array(candidate) }),
  recentChanges: z.object({ changes: z.array(z.object({ name: z.string(), version: z.number().int(), change: z.string(), by: z.string(), at: z.string() })) }),
  journeyOwner: z.object({
    outcome: z.enum(['found', 'choose', 'none']),
    journey: journey.extend({ description: z.string().nullable(), path: z.array(journey) }).nullable(),
    owner: person.nullable(),
    inherited_from: journey.nullable(),
    deputy: person.nullable(),
    closest_match: z.boolean(),
    candidates: z.array(journey),
  }),
  journeysOfPerson: z.object({
    outcome: z.enum(['found', 'choose', 'none']),
    person: person.nullable(),
    owns: z.array(journey),
    deputises: z.array(journey),
    inherits: z.array(journey.extend({ from: journey })),
    candidates: z.array(person),
  }),
  kpiSnapshot: z.object({
    outcome: z.enum(['journey', 'kpi', 'none']),
    journey: z.object({ key: z.string(), name: z.string() }).nullable(),
    kpis: z.array(kpi),
    suggestions: z.array(z.string()),
  }),
  openProposals: z.object({
    proposals: z.array(
      z.object({ number: z.number().int(), title: z.string(), problem: z.string(), kpi_impact: z.string().nullable(), journey: z.string().nullable(), deadline: z.string().nullable(), tally }),
    ),
  }),
  recentDecisions: z.object({
    decisions: z.array(
      z.object({
        number: z.number().int(),
        title: z.string(),
        outcome: z.enum(['approved', 'rejected', 'no_quorum']),
        decided_at: z.string(),
        votes: tally.extend({ not_voted: z.number().int(), board_size: z.number().int() }),
        journey: z.string().nullable(),
        status_now: z.string(),
      }),
    ),
  }),
};

export type Output<K extends keyof typeof outputs> = z.infer<(typeof outputs)[K]>;
export type Input<K extends keyof typeof inputs> = z.infer<(typeof inputs)[K]>;
export type KpiOut = z.infer<typeof kpi>;
