// What a proposal changes, field by field. A proposal stores only the fields it changes, so two edits
// of different fields approved one after the other both survive; edits of the same field keep the
// later one, and both stay in the history.
import { normalise } from './matching/normalise.js';

export interface TermContent {
  name: string;
  definition: string;
  notes: string | null;
  links: string[];
  aliases: string[];
}

export interface ContentChanges {
  name?: string;
  definition?: string;
  /** null clears the notes. */
  notes?: string | null;
  links?: string[];
  aliasesAdd: string[];
  aliasesRemove: string[];
}

/** Distinct aliases by their normalised form, in the order given, without the term's own name. */
export function distinctAliases(aliases: string[], name: string): string[] {
  const seen = new Set([normalise(name)]);
  const out: string[] = [];
  for (const alias of aliases) {
    const norm = normalise(alias);
    if (!norm || seen.has(norm)) continue;
    seen.add(norm);
    out.push(alias);
  }
  return out;
}

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((value, i) => value === b[i]);

export function diffContent(current: TermContent, proposed: TermContent): ContentChanges {
  const changes: ContentChanges = { aliasesAdd: [], aliasesRemove: [] };
  if (proposed.name !== current.name) changes.name = proposed.name;
  if (proposed.definition !== current.definition) changes.definition = proposed.definition;
  if ((proposed.notes ?? '') !== (current.notes ?? '')) changes.notes = proposed.notes || null;
  if (!sameList(proposed.links, current.links)) changes.links = proposed.links;
  const currentNorms = new Set(current.aliases.map(normalise));
  const proposedAliases = distinctAliases(proposed.aliases, proposed.name);
  const proposedNorms = new Set(proposedAliases.map(normalise));
  changes.aliasesAdd = proposedAliases.filter((a) => !currentNorms.has(normalise(a)));
  changes.aliasesRemove = current.aliases.filter((a) => !proposedNorms.has(normalise(a)));
  return changes;
}

export function hasChanges(changes: ContentChanges): boolean {
  return (
    changes.name !== undefined ||
    changes.definition !== undefined ||
    changes.notes !== undefined ||
    changes.links !== undefined ||
    changes.aliasesAdd.length > 0 ||
    changes.aliasesRemove.length > 0
  );
}

export function applyChanges(current: TermContent, changes: ContentChanges): TermContent {
  const name = changes.name ?? current.name;
  const removed = new Set(changes.aliasesRemove.map(normalise));
  const aliases = distinctAliases([...current.aliases.filter((a) => !removed.has(normalise(a))), ...changes.aliasesAdd], name);
  return {
    name,
    definition: changes.definition ?? current.definition,
    notes: changes.notes === undefined ? current.notes : changes.notes,
    links: changes.links ?? current.links,
    aliases,
  };
}
