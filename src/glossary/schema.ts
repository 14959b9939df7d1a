// What the glossary accepts from outside: command text, button payloads, form values, and the limits
// every term respects. Each refusal names the field and the limit, and nothing is changed.
import { z } from 'zod';
import { splitFirstWord } from '../chat/words.js';
import { InvalidInput } from '../chat/errors.js';
import { safeUrl } from '../chat/limits.js';
import { normalise } from './matching/normalise.js';

export const GLOSSARY_LIMITS = {
  name: 120,
  definition: 2000,
  notes: 2000,
  alias: 120,
  aliases: 100,
  link: 500,
  links: 10,
  reason: 500,
  query: 200,
  recent: 50,
} as const;

const number = (n: number) => n.toLocaleString('en');

/** Postgres refuses NUL in text, and nobody means to type it. */
const clean = (value: string) => value.split('\u0000').join('').trim();

/** Text of at most `max` characters; the message names the field, its length and the limit. */
export function limitedText(label: string, max: number, options: { optional?: boolean } = {}) {
  return z
    .string()
    .transform(clean)
    .superRefine((value, ctx) => {
      if (!options.optional && value.length === 0) ctx.addIssue({ code: 'custom', message: `The ${label} is empty.` });
      if (value.length > max) {
        ctx.addIssue({ code: 'custom', message: `The ${label} is ${number(value.length)} characters long; the limit is ${number(max)}.` });
      }
    });
}

export const termName = limitedText('term', GLOSSARY_LIMITS.name).superRefine((value, ctx) => {
  if (value && !normalise(value)) ctx.addIssue({ code: 'custom', message: `The term “${value}” has no letters or digits.` });
});
export const definitionText = limitedText('definition', GLOSSARY_LIMITS.definition);
/** What the lookup form's box holds. */
export const lookupQuery = limitedText('term to look up', GLOSSARY_LIMITS.query);
export const notesText = limitedText('notes', GLOSSARY_LIMITS.notes, { optional: true });
export const aliasText = limitedText('alias', GLOSSARY_LIMITS.alias).superRefine((value, ctx) => {
  if (value && !normalise(value)) ctx.addIssue({ code: 'custom', message: `The alias “${value}” has no letters or digits.` });
});
export const reasonText = limitedText('reason', GLOSSARY_LIMITS.reason);

/** `NPS; promoter score` (or one per line in a form) → distinct aliases, in the order given. */
export const aliasList = z
  .string()
  .transform((value) => value.split(/[;\n]/).map(clean).filter(Boolean))
  .pipe(z.array(aliasText).max(GLOSSARY_LIMITS.aliases, `A term has at most ${GLOSSARY_LIMITS.aliases} aliases.`));

/** Web links separated by `;`, spaces or new lines. */
export const linkList = z
  .string()
  .transform((value) => value.split(/[;\s]+/).map(clean).filter(Boolean))
  .pipe(
    z
      .array(
        z.string().superRefine((value, ctx) => {
          if (value.length > GLOSSARY_LIMITS.link) ctx.addIssue({ code: 'custom', message: `A link is at most ${GLOSSARY_LIMITS.link} characters.` });
          else if (!safeUrl(value)) ctx.addIssue({ code: 'custom', message: `“${value}” is not a web link (https://…).` });
        }),
      )
      .max(GLOSSARY_LIMITS.links, `A term has at most ${GLOSSARY_LIMITS.links} links.`),
  );

/** The first problem zod found, as a sentence for chat. */
export function firstProblem(error: z.ZodError): string {
  return error.issues[0]?.message ?? 'That input is not valid.';
}

/** Parses with a schema or throws InvalidInput with the first problem. */
export function parseOrRefuse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new InvalidInput(`${firstProblem(parsed.error)} Nothing was changed.`);
  return parsed.data;
}

// Button payloads: ids only.
export const termPayload = z.object({ termId: z.uuid() });
export const proposalPayload = z.object({ proposalId: z.uuid() });
export const rollbackPayload = z.object({ termId: z.uuid(), version: z.number().int().min(1) });
export const proposePayload = z.object({ query: z.string().max(200).optional(), lookupId: z.number().int().positive().optional() });
export const submitPayload = z.object({ termId: z.uuid().optional() });

/** Input ids of the term form (kept apart from payload keys, which Teams sends in the same object). */
export const FORM_INPUTS = {
  name: 'term_name',
  definition: 'term_definition',
  notes: 'term_notes',
  aliases: 'term_aliases',
  links: 'term_links',
  reason: 'reject_reason',
} as const;

export const termFormValues = z.object({
  [FORM_INPUTS.name]: termName,
  [FORM_INPUTS.definition]: definitionText,
  [FORM_INPUTS.notes]: notesText.default(''),
  [FORM_INPUTS.aliases]: aliasList.default([]),
  [FORM_INPUTS.links]: linkList.default([]),
});

export const rejectFormValues = z.object({ [FORM_INPUTS.reason]: reasonText });

export type GlossaryIntent =
  | { kind: 'overview' }
  | { kind: 'lookup'; query: string }
  | { kind: 'search'; text: string }
  | { kind: 'propose'; name?: string; definition?: string }
  | { kind: 'edit'; term: string }
  | { kind: 'alias'; alias: string; term: string }
  | { kind: 'history'; term: string }
  | { kind: 'recent'; count: number }
  | { kind: 'stats' }
  | { kind: 'deprecate'; term: string; replacement?: string }
  | { kind: 'explain'; text: string }
  | { kind: 'watch'; on: boolean };

export const USAGE = {
  lookup: '`glossary <term>`, e.g. `glossary nps`',
  search: '`glossary search <words>`, e.g. `glossary search recommend`',
  propose: '`glossary propose <term> = <definition>`, or `glossary propose` for a form',
  edit: '`glossary edit <term>`',
  alias: '`glossary alias <alias> = <term>`, e.g. `glossary alias promoter score = Net Promoter Score`',
  history: '`glossary history <term>`',
  recent: '`glossary recent [n]`, e.g. `glossary recent 5`',
  deprecate: '`glossary deprecate <term> = <replacement>`',
  explain: '`glossary explain <text>`, e.g. `glossary explain Our NPS and CSAT dipped after onboarding`',
  watch: '`glossary watch here` or `glossary unwatch here`, in the channel to watch',
} as const;

function splitPair(rest: string): [string, string | undefined] {
  const at = rest.indexOf('=');
  if (at < 0) return [rest.trim(), undefined];
  return [rest.slice(0, at).trim(), rest.slice(at + 1).trim()];
}

function required(value: string | undefined, usage: string, what: string): string {
  if (!value) throw new InvalidInput(`Say which ${what}: ${usage}.`);
  if (value.length > GLOSSARY_LIMITS.query) throw new InvalidInput(`That ${what} is ${number(value.length)} characters long; a term is at most ${GLOSSARY_LIMITS.name}.`);
  return value;
}

/** The same grammar on both platforms: the text after the word `glossary`. */
export function parseGlossaryArgs(args: string): GlossaryIntent {
  const text = args.trim();
  if (!text) return { kind: 'overview' };
  const { verb, rest } = splitFirstWord(text);
  switch (verb) {
    case 'search':
      return { kind: 'search', text: required(rest, USAGE.search, 'words to search for') };
    case 'propose':
    case 'suggest': {
      if (!rest) return { kind: 'propose' };
      const [name, definition] = splitPair(rest);
      if (!name) throw new InvalidInput(`Put the term before the “=”: ${USAGE.propose}.`);
      return definition ? { kind: 'propose', name, definition } : { kind: 'propose', name };
    }
    case 'edit':
      return { kind: 'edit', term: required(rest, USAGE.edit, 'term') };
    case 'alias': {
      const [alias, term] = splitPair(rest);
      if (!alias || !term) throw new InvalidInput(`Say the alias and its term: ${USAGE.alias}.`);
      return { kind: 'alias', alias, term: required(term, USAGE.alias, 'term') };
    }
    case 'history':
      return { kind: 'history', term: required(rest, USAGE.history, 'term') };
    case 'recent': {
      if (!rest) return { kind: 'recent', count: 10 };
      const count = Number(rest);
      if (!Number.isInteger(count) || count < 1 || count > GLOSSARY_LIMITS.recent) {
        throw new InvalidInput(`\`recent\` takes a whole number from 1 to ${GLOSSARY_LIMITS.recent}: ${USAGE.recent}.`);
      }
      return { kind: 'recent', count };
    }
    case 'stats':
      if (rest) throw new InvalidInput('`glossary stats` takes nothing after it.');
      return { kind: 'stats' };
    case 'explain':
      // A whole message: the router's limit on command text bounds it, not the lookup's.
      if (!rest) throw new InvalidInput(`Say what to explain: ${USAGE.explain}.`);
      return { kind: 'explain', text: rest };
    case 'watch':
    case 'unwatch':
      if (rest.toLowerCase() !== 'here') throw new InvalidInput(`Say it in the channel to ${verb}: ${USAGE.watch}.`);
      return { kind: 'watch', on: verb === 'watch' };
    case 'deprecate': {
      const [term, replacement] = splitPair(rest);
      if (!term) throw new InvalidInput(`Say which term: ${USAGE.deprecate}.`);
      return replacement ? { kind: 'deprecate', term, replacement } : { kind: 'deprecate', term };
    }
    default:
      if (text.length > GLOSSARY_LIMITS.query) {
        throw new InvalidInput(`That lookup is ${number(text.length)} characters long; Steward looks up at most ${GLOSSARY_LIMITS.query}.`);
      }
      return { kind: 'lookup', query: text };
  }
}
