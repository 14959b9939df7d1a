// Publishing a term's next state: the one place that writes terms, their aliases and a new version
// together. Callers hold the organisation's glossary lock (repo/terms.ts lockGlossary) in the same transaction.
import { InvalidInput } from '../chat/errors.js';
import type { Db } from '../db/database.js';
import { distinctAliases, type TermContent } from './changes.js';
import { compact, matchKey, matchTokens, normalise } from './matching/normalise.js';
import { addWords } from './repo/bulk.js';
import * as terms from './repo/terms.js';
import type { AliasRow, NewTermRow, VersionRow } from './repo/terms.js';
import type { TermStatus, VersionChange } from './tables.js';

export interface TermState extends TermContent {
  status: TermStatus;
  replacedById: string | null;
  stewardPersonId: string | null;
}

export interface CurrentTerm {
  id: string;
  version: number;
  state: TermState;
}

export interface Author {
  personId?: string | null;
  label?: string | null;
}

export interface PublishArgs {
  orgId: string;
  /** Undefined for a new term. */
  current?: CurrentTerm;
  next: TermState;
  change: VersionChange;
  by: Author;
  proposedBy?: string | null;
  proposalId?: string | null;
  rolledBackTo?: number | null;
  now: Date;
}

/** What full-text search reads: the words of the name, definition and notes, normalised and singular like every other match. */
export function searchText(state: Pick<TermContent, 'name' | 'definition' | 'notes'>): string {
  return matchTokens(normalise(`${state.name} ${state.definition} ${state.notes ?? ''}`)).join(' ');
}

/** The distinct words a lookup can share with the term: those of its name and of every alias. */
export function termWords(name: string, aliases: string[]): string {
  return [...new Set([name, ...aliases].flatMap((text) => matchTokens(normalise(text))))].join(' ');
}

export function aliasRow(orgId: string, termId: string, alias: string): AliasRow {
  return { org_id: orgId, term_id: termId, alias, alias_norm: normalise(alias) };
}

export function termRow(orgId: string, state: TermState, version: number, now: Date): NewTermRow {
  const norm = normalise(state.name);
  return {
    org_id: orgId,
    name: state.name,
    name_norm: norm,
    name_key: matchKey(norm),
    name_compact: compact(norm),
    definition: state.definition,
    notes: state.notes || null,
    links: JSON.stringify(state.links),
    status: state.status,
    replaced_by_id: state.replacedById,
    steward_person_id: state.stewardPersonId,
    version,
    words: termWords(state.name, state.aliases),
    search_text: searchText(state),
    created_at: now,
    updated_at: now,
  };
}

export function versionRow(args: Omit<PublishArgs, 'current'>, termId: string, version: number, aliases: string[]): VersionRow {
  const { next } = args;
  return {
    org_id: args.orgId,
    term_id: termId,
    version,
    name: next.name,
    definition: next.definition,
    notes: next.notes || null,
    links: JSON.stringify(next.links),
    aliases: JSON.stringify(aliases),
    status: next.status,
    replaced_by_id: next.replacedById,
    steward_person_id: next.stewardPersonId,
    change: args.change,
    changed_by_person_id: args.by.personId ?? null,
    changed_by_label: args.by.label ?? null,
    proposed_by_person_id: args.proposedBy ?? null,
    proposal_id: args.proposalId ?? null,
    rolled_back_to: args.rolledBackTo ?? null,
    created_at: args.now,
  };
}

/** Refuses a name or alias another term already uses, naming that term. */
export async function checkNamesFree(db: Db, orgId: string, termId: string | undefined, name: string, aliases: string[]): Promise<void> {
  const nameNorm = normalise(name);
  const norms = [nameNorm, ...aliases.map(normalise)];
  const owners = (await terms.ownersOfTexts(db, orgId, norms)).filter((o) => o.term_id !== termId);
  const nameOwner = owners.find((o) => o.norm === nameNorm);
  if (nameOwner) {
    throw new InvalidInput(
      nameOwner.kind === 'name'
        ? `“${name}” is already a term in the glossary. Suggest an edit of it instead. Nothing was changed.`
        : `“${name}” is already an alias of “${nameOwner.name}”. Suggest an edit of “${nameOwner.name}” instead. Nothing was changed.`,
    );
  }
  for (const alias of aliases) {
    const owner = owners.find((o) => o.norm === normalise(alias));
    if (owner) {
      const what = owner.kind === 'name' ? 'the name of another term' : `an alias of “${owner.name}”`;
      throw new InvalidInput(`The alias “${alias}” is already ${what}${owner.kind === 'name' ? ` (“${owner.name}”)` : ''}. Nothing was changed.`);
    }
  }
}

/** Writes the next state as a new version (version 1 for a new term) and returns it. */
export async function publish(trx: Db, args: PublishArgs): Promise<{ termId: string; version: number }> {
  const { orgId, current, next, now } = args;
  const aliases = distinctAliases(next.aliases, next.name);
  await checkNamesFree(trx, orgId, current?.id, next.name, aliases);
  const version = (current?.version ?? 0) + 1;
  const row = termRow(orgId, next, version, now);
  let termId: string;
  if (current) {
    const { org_id: _org, created_at: _created, ...changes } = row;
    await terms.updateTerm(trx, current.id, changes);
    termId = current.id;
    const keep = new Set(aliases.map(normalise));
    const existing = await terms.aliasRowsOf(trx, termId);
    const gone = existing.filter((a) => !keep.has(a.alias_norm) || !aliases.includes(a.alias));
    await terms.deleteAliases(trx, gone.map((a) => a.id));
    const stay = new Set(existing.filter((a) => !gone.includes(a)).map((a) => a.alias_norm));
    const added = aliases.filter((a) => !stay.has(normalise(a)));
    await terms.insertAliases(trx, added.map((a) => aliasRow(orgId, termId, a)));
  } else {
    termId = await terms.insertTerm(trx, row);
    await terms.insertAliases(trx, aliases.map((a) => aliasRow(orgId, termId, a)));
  }
  await addWords(trx, orgId, row.words.split(' '));
  await terms.insertVersion(trx, versionRow(args, termId, version, aliases));
  return { termId, version };
}
