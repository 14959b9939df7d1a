// The glossary's neutral messages: the term card, candidates and misses, search, history, recent
// changes, stats, proposals for stewards and their outcome, and the term and rejection forms.
// Everything a user typed goes into text runs, so it is shown literally on both platforms.
import { counted } from '../chat/words.js';
import {
  actions,
  bold,
  code,
  context,
  fields,
  mention,
  para,
  text,
  link,
  withTyped,
  type Block,
  type Button,
  type Card,
  type Form,
  type Inline,
  type PersonRef,
  type RichText,
} from '../chat/card.js';
import { truncate } from '../chat/limits.js';
import { GLOSSARY_LIMITS } from './schema.js';
import type { LookupSource, TermStatus, VersionChange } from './tables.js';

export const ACTIONS = {
  show: 'glossary.show',
  share: 'glossary.share',
  suggest: 'glossary.suggest',
  history: 'glossary.history',
  propose: 'glossary.propose',
  submit: 'glossary.submit',
  approve: 'glossary.approve',
  reject: 'glossary.reject',
  rejectConfirm: 'glossary.reject.confirm',
  rollback: 'glossary.rollback',
  lookupOpen: 'glossary.lookup.open',
  lookup: 'glossary.lookup',
  compose: 'glossary.compose',
} as const;

/** The lookup form (Slack's global shortcut "Look up a CX term"): one box, the same matching as chat. */
export function lookupForm(): Form {
  return {
    title: 'Look up a CX term',
    intro: [text('A term, an alias or an acronym; typos are fine.')],
    inputs: [{ kind: 'text', id: 'query', label: 'Term', placeholder: 'e.g. nps, avoidable contact', maxLength: GLOSSARY_LIMITS.query }],
    submitLabel: 'Look up',
    payload: { action: ACTIONS.lookup },
  };
}

/** How many aliases a card lists before "and N more". */
const ALIASES_SHOWN = 20;
/** A private answer in a Teams channel is seen by everyone in the thread: keep it to this. */
const COMPACT_DEFINITION = 300;

/**
 * A time zone's date format, and the last time it formatted with what it gave: an import stamps
 * every term it writes with one time, so cards of imported terms (most of a glossary) show the same
 * instant again and again, and formatting one is a good part of what a card costs (bench/glossary).
 */
interface DateFormat {
  format: Intl.DateTimeFormat;
  lastMs: number;
  last: string;
}

// Building a DateTimeFormat costs far more than using one: one per time zone, kept.
const dateFormats = new Map<string, DateFormat>();

/** `12 Mar 2026` in the organisation's time zone (UTC when the zone is unknown). */
export function formatDate(date: Date, timeZone: string): string {
  let known = dateFormats.get(timeZone);
  if (!known) {
    const options: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short', year: 'numeric' };
    let format: Intl.DateTimeFormat;
    try {
      format = new Intl.DateTimeFormat('en-GB', { ...options, timeZone });
    } catch {
      format = new Intl.DateTimeFormat('en-GB', { ...options, timeZone: 'UTC' });
    }
    known = { format, lastMs: Number.NaN, last: '' };
    if (dateFormats.size < 100) dateFormats.set(timeZone, known);
  }
  const ms = date.getTime();
  if (ms !== known.lastMs) {
    known.last = known.format.format(date);
    known.lastMs = ms;
  }
  return known.last;
}

const STATUS_LABEL: Record<TermStatus, string> = { approved: 'Approved', proposed: 'Proposed, not approved yet', deprecated: 'Deprecated' };

const CHANGE_LABEL: Record<VersionChange, string> = {
  created: 'created',
  edited: 'edited',
  approved: 'proposal approved',
  aliased: 'alias added',
  deprecated: 'deprecated',
  rolled_back: 'rolled back',
  imported: 'imported',
};

export const termButton = (termId: string, label: string): Button => ({ label, payload: { action: ACTIONS.show, termId } });

export interface TermCardView {
  id: string;
  name: string;
  definition: string;
  notes: string | null;
  links: string[];
  status: TermStatus;
  version: number;
  updatedAt: Date;
  timeZone: string;
  aliases: string[];
  steward?: PersonRef | undefined;
  replacedBy?: { id: string; name: string } | undefined;
  pendingProposals: number;
}

export interface TermCardOptions {
  /** private: the asker's full card; compact: a private answer others can see; shared: posted for everyone. */
  mode: 'private' | 'compact' | 'shared';
  sharedBy?: string;
  /** How the answer was reached, when that is not obvious (an alias, a replacement, a typo). */
  notice?: RichText;
  /** Sections other capabilities add (e.g. the KPIs that use this definition). */
  extra?: Block[];
}

function aliasesText(aliases: string[]): string {
  const shown = aliases.slice(0, ALIASES_SHOWN).join(', ');
  return aliases.length > ALIASES_SHOWN ? `${shown} and ${aliases.length - ALIASES_SHOWN} more` : shown;
}

export function termCard(view: TermCardView, options: TermCardOptions): Card {
  const { mode } = options;
  const blocks: Block[] = [];
  if (options.notice?.length) blocks.push(context(...options.notice));
  if (view.status === 'deprecated') {
    blocks.push(view.replacedBy ? para(bold('Deprecated'), text(': use '), bold(view.replacedBy.name), text(' instead.')) : para(bold('Deprecated.')));
  }
  blocks.push(para(mode === 'compact' ? truncate(view.definition, COMPACT_DEFINITION) : view.definition));
  if (view.notes && mode !== 'compact') blocks.push(para(bold('Notes: '), text(view.notes)));
  const facts: [string, RichText][] = [];
  if (view.aliases.length) facts.push(['Aliases', [text(aliasesText(view.aliases))]]);
  // A shared card names the steward without a mention, so sharing never pings them.
  const steward: Inline = view.steward ? (mode === 'shared' ? text(view.steward.name) : mention(view.steward)) : text('the glossary stewards');
  facts.push(['Steward', [steward]]);
  if (view.links.length && mode !== 'compact') {
    facts.push(['Links', view.links.flatMap((url, i) => (i ? [text(' · '), link(truncate(url, 80), url)] : [link(truncate(url, 80), url)]))]);
  }
  blocks.push(fields(...facts));
  if (mode !== 'compact') blocks.push(...(options.extra ?? []));
  if (view.pendingProposals > 0 && mode !== 'shared') {
    blocks.push(context(view.pendingProposals === 1 ? 'One proposed change is waiting for approval.' : `${view.pendingProposals} proposed changes are waiting for approval.`));
  }
  if (mode === 'shared' && options.sharedBy) blocks.push(context(`Shared by ${options.sharedBy}`));
  if (mode === 'compact') blocks.push(context('Short answer, because everyone in this thread sees it. Message Steward directly for the full card.'));
  const buttons: Button[] = [];
  if (view.replacedBy) buttons.push({ label: `Open ${view.replacedBy.name}`, payload: { action: ACTIONS.show, termId: view.replacedBy.id }, style: 'primary' });
  if (mode !== 'shared') buttons.push({ label: 'Share in channel', payload: { action: ACTIONS.share, termId: view.id } });
  buttons.push({ label: 'Suggest an edit', payload: { action: ACTIONS.suggest, termId: view.id } });
  buttons.push({ label: 'History', payload: { action: ACTIONS.history, termId: view.id } });
  blocks.push(actions(...buttons));
  return {
    title: view.name,
    subtitle: [text(`${STATUS_LABEL[view.status]} · version ${view.version} · updated ${formatDate(view.updatedAt, view.timeZone)}`)],
    blocks,
    summary: truncate(`${view.name}: ${view.definition}`, 300),
  };
}

export interface CandidateView {
  termId: string;
  name: string;
  status: TermStatus;
  definition: string;
}

export interface PendingNewTerm {
  name: string;
  proposedBy: string;
  createdAt: Date;
}

function pendingLine(pending: PendingNewTerm | undefined, timeZone: string): Block[] {
  if (!pending) return [];
  return [context(`“${pending.name}” was proposed by ${pending.proposedBy} on ${formatDate(pending.createdAt, timeZone)} and is waiting for a glossary steward.`)];
}

function candidateItems(candidates: CandidateView[]): RichText[] {
  return candidates.map((c) => [
    bold(c.name),
    ...(c.status !== 'approved' ? [text(` (${c.status})`)] : []),
    text(` — ${truncate(c.definition, 120)}`),
  ]);
}

/** Carries what was asked (as the lookup log keeps it), so the form opens with it as the name. */
const proposeButton = (query: string, label: string): Button => ({
  label,
  payload: { action: ACTIONS.propose, query: query.trim().slice(0, 200) },
});

export function candidatesCard(query: string, candidates: CandidateView[], options: { pending?: PendingNewTerm; timeZone: string }): Card {
  const shownQuery = truncate(query.trim(), 60);
  return {
    title: `No exact match for “${shownQuery}”`,
    blocks: [
      para('Did you mean one of these?'),
      { kind: 'list', items: candidateItems(candidates) },
      ...pendingLine(options.pending, options.timeZone),
      actions(...candidates.map((c) => termButton(c.termId, c.name)), proposeButton(query, 'Propose this term')),
    ],
    summary: truncate(`No exact match for “${shownQuery}”. Did you mean: ${candidates.map((c) => c.name).join(', ')}?`, 300),
  };
}

export function missCard(query: string, options: { pending?: PendingNewTerm; timeZone: string }): Card {
  const shownQuery = truncate(query.trim(), 60);
  return {
    title: `“${shownQuery}” is not in the glossary`,
    blocks: [
      para('Nothing in the glossary matches it, not even roughly.'),
      para('To propose it, type ', code(`glossary propose ${truncate(query.trim(), GLOSSARY_LIMITS.name)} = <definition>`), text(' or use the button. A glossary steward approves it.')),
      ...pendingLine(options.pending, options.timeZone),
      actions(proposeButton(query, 'Propose this term')),
    ],
    summary: `“${shownQuery}” is not in the glossary. Propose it with: glossary propose ${shownQuery} = <definition>`,
  };
}

export function searchCard(words: string, results: CandidateView[]): Card {
  const shown = truncate(words.trim(), 60);
  if (results.length === 0) {
    return {
      title: `Glossary search: “${shown}”`,
      blocks: [para('No term mentions that in its name, aliases, definition or notes.'), para('Propose one with ', code('glossary propose <term> = <definition>'), text('.'))],
      summary: `Nothing in the glossary matches “${shown}”.`,
    };
  }
  return {
    title: `Glossary search: “${shown}”`,
    blocks: [{ kind: 'list', items: candidateItems(results) }, actions(...results.map((r) => termButton(r.termId, r.name)))],
    summary: truncate(`${counted(results.length, 'term')} ${results.length === 1 ? 'matches' : 'match'} “${shown}”: ${results.map((r) => r.name).join(', ')}`, 300),
  };
}

export interface VersionView {
  version: number;
  name: string;
  definition: string;
  status: TermStatus;
  change: VersionChange;
  by: string;
  proposedBy?: string | undefined;
  rolledBackTo: number | null;
  createdAt: Date;
}

export function historyCard(
  term: { id: string; name: string; version: number },
  versions: VersionView[],
  options: { timeZone: string; total: number; canRollBack: boolean },
): Card {
  const blocks: Block[] = [];
  for (const v of versions) {
    const what = v.change === 'rolled_back' && v.rolledBackTo ? `rolled back to version ${v.rolledBackTo}` : CHANGE_LABEL[v.change];
    blocks.push(
      para(
        bold(`Version ${v.version}`),
        text(` · ${formatDate(v.createdAt, options.timeZone)} · ${what} by ${v.by}${v.proposedBy ? `, proposed by ${v.proposedBy}` : ''}`),
        ...(v.version === term.version ? [text(' · current')] : []),
      ),
    );
    blocks.push(context(`${v.name}${v.status !== 'approved' ? ` (${v.status})` : ''}: ${truncate(v.definition, 280)}`));
    if (options.canRollBack && v.version !== term.version) {
      blocks.push(actions({ label: `Roll back to version ${v.version}`, payload: { action: ACTIONS.rollback, termId: term.id, version: v.version } }));
    }
  }
  if (options.total > versions.length) blocks.push(context(`${options.total - versions.length} older versions are not shown.`));
  blocks.push(actions(termButton(term.id, `Open ${term.name}`)));
  return {
    title: `History of ${term.name}`,
    subtitle: [text(`${counted(options.total, 'version')}; nothing is ever overwritten, a roll back is a new version.`)],
    blocks,
    summary: `History of ${term.name}: ${counted(options.total, 'version')}, now at version ${term.version}.`,
  };
}

export interface RecentView {
  termId: string;
  name: string;
  version: number;
  change: VersionChange;
  by: string;
  at: Date;
}

export function recentCard(rows: RecentView[], timeZone: string): Card {
  if (rows.length === 0) return { title: 'Recently changed terms', blocks: [para('The glossary is empty so far.')], summary: 'The glossary is empty so far.' };
  return {
    title: 'Recently changed terms',
    blocks: [
      {
        kind: 'list',
        items: rows.map((r) => [bold(r.name), text(` — version ${r.version}, ${CHANGE_LABEL[r.change]} by ${r.by}, ${formatDate(r.at, timeZone)}`)]),
      },
      actions(...rows.slice(0, 10).map((r) => termButton(r.termId, r.name))),
    ],
    summary: `Recently changed: ${rows.map((r) => r.name).join(', ')}`.slice(0, 300),
  };
}

export interface StatsView {
  days: number;
  total: number;
  found: number;
  mostLookedUp: { termId: string; name: string; count: number }[];
  mostMissed: { query: string; count: number; sources: LookupSource[] }[];
  terms: Partial<Record<TermStatus, number>>;
}

const SOURCE_LABELS: Record<LookupSource, string> = { slack: 'Slack', teams: 'Teams', mcp: 'AI assistants (MCP)' };

export function statsCard(stats: StatsView): Card {
  const share = stats.total ? Math.round((stats.found / stats.total) * 100) : 0;
  const blocks: Block[] = [para(`${stats.total} lookups in the last ${stats.days} days; ${share}% found a term straight away.`)];
  blocks.push(para(bold('Most looked up')));
  blocks.push(
    stats.mostLookedUp.length
      ? { kind: 'list', items: stats.mostLookedUp.map((r) => [text(`${r.name} — ${r.count}`)]) }
      : para('Nothing looked up yet.'),
  );
  blocks.push(para(bold('Most missed'), text(' (what people looked for and did not find)')));
  blocks.push(
    stats.mostMissed.length ? { kind: 'list', items: stats.mostMissed.map((r) => [text(`“${truncate(r.query, 80)}” — ${r.count} (${r.sources.map((s) => SOURCE_LABELS[s]).join(', ')})`)]) } : para('No misses.'),
  );
  blocks.push(context(`${stats.terms.approved ?? 0} approved terms, ${stats.terms.proposed ?? 0} proposed, ${stats.terms.deprecated ?? 0} deprecated.`));
  return {
    title: 'Glossary stats',
    blocks,
    summary: `${stats.total} lookups in ${stats.days} days; most looked up: ${stats.mostLookedUp.map((r) => r.name).slice(0, 3).join(', ') || 'none'}.`,
  };
}

export function overviewCard(usage: { example: string; description: string }[], terms: Partial<Record<TermStatus, number>>): Card {
  return {
    title: 'Glossary',
    blocks: [
      para(`One definition the whole company shares: ${terms.approved ?? 0} approved terms.`),
      { kind: 'list', items: usage.map((u) => [code(`glossary ${u.example}`), text('  '), ...withTyped(u.description, (args) => `glossary ${args}`)]) },
    ],
    summary: 'Glossary: type glossary <term> to look one up.',
  };
}
