// Glossary use cases on terms: look up, search, create, edit, alias, deprecate, roll back. Each
// authorizes, validates and changes in one transaction (see editing.ts). Stewards and admins change
// terms directly; everyone else proposes (proposals.ts), and the term's steward (or the glossary
// stewards, for a new term) approves or rejects in chat.
import type { Actor } from '../chat/actor.js';
import type { PersonRef } from '../chat/card.js';
import { InvalidInput, NotFound } from '../chat/errors.js';
import type { TermCardView } from './cards.js';
import { applyChanges, diffContent, distinctAliases, hasChanges, type ContentChanges, type TermContent } from './changes.js';
import { author, change, currentTerm, isEditor, requireEditor, stateOf, type GlossaryDeps } from './editing.js';
import type { MissContext } from './matching/lookup-repo.js';
import { followReplacements, prepare, rank, termNamed, type RankOptions } from './matching/lookup.js';
import { normalise } from './matching/normalise.js';
import { EXACT, SHOWN, type RankedTerm } from './matching/ranking.js';
import { createProposal, type ChangeResult } from './proposals.js';
import { checkNamesFree, publish, type TermState } from './publish.js';
import { termCardData, type TermCardRow } from './repo/term-card.js';
import { termSummaries } from './repo/in-text.js';
import * as terms from './repo/terms.js';

export type { GlossaryDeps } from './editing.js';

/** Reading the glossary needs only the organisation: a person in chat, or an MCP token. */
export type Reader = Pick<Actor, 'orgId'>;
export type { ChangeResult } from './proposals.js';

/** What a lookup found: a term (with its card when the lookup read it), or what to offer instead. */
export type LookupResult =
  | { kind: 'term'; termId: string; read?: TermCardRow; replaced?: { name: string; by: string }; closest: boolean }
  | { kind: 'offer'; candidates: RankedTerm[]; miss?: MissContext };

/** What a lookup may read from memory instead of the database: the organisation's term index, and what a miss shows. */
function readFrom(deps: GlossaryDeps, orgId: string): RankOptions {
  return { index: deps.termIndexes?.current(orgId), ...(deps.termCards ? { missContexts: deps.termCards } : {}) };
}

/** A lookup: the confident answer (a deprecated term leads on to its replacement), or candidates. */
export async function lookUp(deps: GlossaryDeps, actor: Reader, raw: string): Promise<LookupResult> {
  const query = prepare(raw);
  const { decision, miss, card } = await rank(deps.db, actor.orgId, query, readFrom(deps, actor.orgId));
  if (decision.kind !== 'confident') return { kind: 'offer', candidates: decision.kind === 'candidates' ? decision.candidates : [], ...(miss ? { miss } : {}) };
  const top = decision.term;
  const read = card ? { read: card } : {};
  if (top.status === 'deprecated') {
    const final = await followReplacements(deps.db, actor.orgId, top.termId);
    if (final.termId !== top.termId) return { kind: 'term', termId: final.termId, ...read, replaced: { name: top.name, by: final.name }, closest: false };
    return { kind: 'term', termId: top.termId, ...read, closest: false };
  }
  return { kind: 'term', termId: top.termId, ...read, closest: top.score < EXACT };
}

/** Up to ten terms whose name, aliases, definition or notes mention the words. */
export async function search(deps: GlossaryDeps, actor: Reader, words: string): Promise<RankedTerm[]> {
  const { ranked } = await rank(deps.db, actor.orgId, prepare(words), { alwaysFuzzy: true, ...readFrom(deps, actor.orgId) });
  return ranked.filter((r) => r.score >= SHOWN).slice(0, 10);
}

/**
 * What the compose extension offers for what someone is typing, from one ranking (the same as a chat
 * lookup: typos, aliases, acronyms): the confident answer (a retired term leads to its replacement)
 * with the terms ranked beside it, or the candidates; eight at most, with the start of each definition.
 */
export async function composeCandidates(deps: GlossaryDeps, actor: Actor, raw: string): Promise<{ terms: { termId: string; name: string; summary: string }[]; outcome: 'found' | 'candidates' | 'miss'; termId: string | null }> {
  const { ranked, decision } = await rank(deps.db, actor.orgId, prepare(raw), readFrom(deps, actor.orgId));
  let first: { termId: string; name: string } | undefined;
  if (decision.kind === 'confident') {
    const top = decision.term;
    first = top.status === 'deprecated' ? await followReplacements(deps.db, actor.orgId, top.termId) : top;
  }
  const picked = new Map<string, string>();
  if (first) picked.set(first.termId, first.name);
  for (const r of decision.kind === 'candidates' ? decision.candidates : ranked.filter((t) => t.score >= SHOWN)) if (!picked.has(r.termId) && picked.size < 8) picked.set(r.termId, r.name);
  const summaries = await definitionsOf(deps, actor.orgId, [...picked.keys()]);
  const terms = [...picked].map(([termId, name]) => ({ termId, name, summary: summaries.get(termId) ?? '' }));
  return { terms, outcome: first ? 'found' : terms.length > 0 ? 'candidates' : 'miss', termId: first?.termId ?? null };
}

/** The start of each term's definition: from the remembered cards (read together when not), or in one query. */
async function definitionsOf(deps: GlossaryDeps, orgId: string, termIds: string[]): Promise<Map<string, string>> {
  const { termCards } = deps;
  if (!termCards) return new Map((await termSummaries(deps.db, orgId, termIds)).map((t) => [t.id, t.definition]));
  const rows = await Promise.all(termIds.map((id) => termCards.get(orgId, id)));
  return new Map(rows.flatMap((row) => (row ? [[row.id, row.definition.slice(0, 400)] as const] : [])));
}

/** The term a command names (`history nps`, `edit nps`), or a refusal that suggests what was meant. */
export async function termIdNamed(deps: GlossaryDeps, actor: Actor, text: string): Promise<string> {
  return (await termNamed(deps.db, actor.orgId, text)).termId;
}

/** The card's content; `read` is the term's card row when the lookup already read it. */
export async function termCardView(deps: GlossaryDeps, actor: Reader, termId: string, read?: TermCardRow): Promise<TermCardView> {
  const row = read?.id === termId ? read : deps.termCards ? await deps.termCards.get(actor.orgId, termId) : await termCardData(deps.db, actor.orgId, termId);
  if (!row) throw new NotFound('That term no longer exists in this organisation.');
  // The steward as a mention where they are known (as orgs/people.ts personRef builds it, without two more queries).
  const steward: PersonRef | undefined = row.steward_person_id
    ? {
        name: row.steward_name ?? 'someone',
        slackUserId: row.steward_identities?.find((i) => i.platform === 'slack')?.user,
        teamsAadId: row.steward_identities?.find((i) => i.platform === 'teams')?.user,
      }
    : undefined;
  return {
    id: row.id,
    name: row.name,
    definition: row.definition,
    notes: row.notes,
    links: row.links,
    status: row.status,
    version: row.version,
    updatedAt: row.updated_at,
    timeZone: row.time_zone,
    aliases: row.aliases,
    steward,
    replacedBy: row.replaced_by_id && row.replaced_by_name ? { id: row.replaced_by_id, name: row.replaced_by_name } : undefined,
    pendingProposals: Number(row.pending_proposals),
  };
}

/**
 * A submitted term form or `propose <term> = <definition>`: published at once by an editor, a
 * proposal for everyone else. `termId` is the term being edited; none for a new term.
 */
export async function submitTerm(deps: GlossaryDeps, actor: Actor, termId: string | undefined, content: TermContent): Promise<ChangeResult> {
  return change(deps, actor, async (trx, outboxIds) => {
    const now = deps.clock.now();
    if (termId) {
      const term = await currentTerm(trx, actor.orgId, termId);
      const changes = diffContent(term.state, content);
      if (!hasChanges(changes)) throw new InvalidInput(`That is what “${term.state.name}” already says. Nothing was changed.`);
      const next = applyChanges(term.state, changes);
      await checkNamesFree(trx, actor.orgId, term.id, next.name, distinctAliases(next.aliases, next.name));
      if (isEditor(actor, term.state.stewardPersonId)) {
        const status = term.state.status === 'proposed' ? 'approved' : term.state.status;
        const published = await publish(trx, { orgId: actor.orgId, current: term, next: { ...term.state, ...next, status }, change: 'edited', by: author(actor), now });
        return { kind: 'published', termId: published.termId, name: next.name, version: published.version };
      }
      const created = await createProposal(trx, deps, actor, { term, changes });
      outboxIds.push(...created.outboxIds);
      return created.result;
    }
    const aliases = distinctAliases(content.aliases, content.name);
    await checkNamesFree(trx, actor.orgId, undefined, content.name, aliases);
    if (isEditor(actor, null)) {
      const published = await publish(trx, {
        orgId: actor.orgId,
        next: { ...content, aliases, status: 'approved', replacedById: null, stewardPersonId: actor.personId },
        change: 'created',
        by: author(actor),
        now,
      });
      return { kind: 'published', termId: published.termId, name: content.name, version: published.version };
    }
    const created = await createProposal(trx, deps, actor, { content: { ...content, aliases } });
    outboxIds.push(...created.outboxIds);
    return created.result;
  });
}

/** The term a text names exactly (name or alias), for `propose <term> = …` on an existing term. */
export async function exactTerm(deps: GlossaryDeps, actor: Actor, text: string): Promise<string | undefined> {
  const norm = normalise(text);
  const rows = await terms.ownersOfTexts(deps.db, actor.orgId, [norm]);
  return rows.find((r) => r.kind === 'name')?.term_id ?? rows[0]?.term_id;
}

export async function termContent(deps: GlossaryDeps, actor: Actor, termId: string): Promise<{ content: TermContent; stewardPersonId: string | null }> {
  const row = await terms.findTerm(deps.db, actor.orgId, termId);
  if (!row) throw new NotFound('That term no longer exists in this organisation.');
  return { content: stateOf(row, await terms.aliasesOf(deps.db, termId)), stewardPersonId: row.steward_person_id };
}

/** What the term form starts with (nothing for a new term), and whether the asker's submit publishes at once or proposes. */
export async function termForm(deps: GlossaryDeps, actor: Actor, termId: string | undefined): Promise<{ content?: TermContent; editor: boolean }> {
  if (!termId) return { editor: isEditor(actor, null) };
  const { content, stewardPersonId } = await termContent(deps, actor, termId);
  return { content, editor: isEditor(actor, stewardPersonId) };
}

/** A new version with the content of an old one; nothing is deleted. */
export async function rollBack(deps: GlossaryDeps, actor: Actor, termId: string, version: number): Promise<{ termId: string; name: string; version: number }> {
  return change(deps, actor, async (trx) => {
    const term = await currentTerm(trx, actor.orgId, termId);
    requireEditor(actor, term.state.stewardPersonId, 'roll back glossary terms');
    if (version === term.version) throw new InvalidInput(`Version ${version} is the current version of “${term.state.name}”. Nothing was changed.`);
    const old = await terms.versionOf(trx, actor.orgId, termId, version);
    if (!old) throw new NotFound(`“${term.state.name}” has no version ${version}. Nothing was changed.`);
    const next: TermState = {
      name: old.name,
      definition: old.definition,
      notes: old.notes,
      links: old.links,
      aliases: old.aliases,
      status: old.status,
      replacedById: old.status === 'deprecated' ? old.replaced_by_id : null,
      stewardPersonId: term.state.stewardPersonId,
    };
    const published = await publish(trx, { orgId: actor.orgId, current: term, next, change: 'rolled_back', rolledBackTo: version, by: author(actor), now: deps.clock.now() });
    return { termId, name: next.name, version: published.version };
  });
}

/** Deprecates a term in favour of another; lookups of the old name, and its aliases, lead to the replacement. */
export async function deprecate(
  deps: GlossaryDeps,
  actor: Actor,
  termText: string,
  replacementText: string | undefined,
): Promise<{ termId: string; name: string; version: number; replacement?: string }> {
  const named = await termNamed(deps.db, actor.orgId, termText);
  const replacement = replacementText ? await termNamed(deps.db, actor.orgId, replacementText) : undefined;
  return change(deps, actor, async (trx) => {
    const term = await currentTerm(trx, actor.orgId, named.termId);
    requireEditor(actor, term.state.stewardPersonId, 'deprecate glossary terms');
    if (replacement) {
      if (replacement.termId === term.id) throw new InvalidInput(`“${term.state.name}” cannot replace itself. Nothing was changed.`);
      const target = await terms.findTerm(trx, actor.orgId, replacement.termId);
      if (!target) throw new NotFound(`“${replacement.name}” no longer exists. Nothing was changed.`);
      if (target.status === 'deprecated') {
        const final = await followReplacements(trx, actor.orgId, target.id);
        throw new InvalidInput(
          `“${target.name}” is itself deprecated${final.termId !== target.id ? `; point to “${final.name}” instead` : ''}. Nothing was changed.`,
        );
      }
    }
    if (term.state.status === 'deprecated' && term.state.replacedById === (replacement?.termId ?? null)) {
      throw new InvalidInput(`“${term.state.name}” is already deprecated${replacement ? ` in favour of “${replacement.name}”` : ''}. Nothing was changed.`);
    }
    const published = await publish(trx, {
      orgId: actor.orgId,
      current: term,
      next: { ...term.state, status: 'deprecated', replacedById: replacement?.termId ?? null },
      change: 'deprecated',
      by: author(actor),
      now: deps.clock.now(),
    });
    return { termId: term.id, name: term.state.name, version: published.version, ...(replacement ? { replacement: replacement.name } : {}) };
  });
}

/** `alias <alias> = <term>`: added at once by an editor, proposed by anyone else. The term may be named by an alias too. */
export async function addAlias(deps: GlossaryDeps, actor: Actor, alias: string, termText: string): Promise<ChangeResult> {
  const named = await termNamed(deps.db, actor.orgId, termText);
  return change(deps, actor, async (trx, outboxIds) => {
    const term = await currentTerm(trx, actor.orgId, named.termId);
    const owners = await terms.ownersOfTexts(trx, actor.orgId, [normalise(alias)]);
    const owner = owners[0];
    if (owner?.term_id === term.id) throw new InvalidInput(`“${alias}” already leads to “${term.state.name}”. Nothing was changed.`);
    if (owner) {
      throw new InvalidInput(
        `“${alias}” is already ${owner.kind === 'name' ? 'a term of its own' : `an alias of “${owner.name}”`}; an alias leads to one term only. Nothing was changed.`,
      );
    }
    const changes: ContentChanges = { aliasesAdd: [alias], aliasesRemove: [] };
    if (isEditor(actor, term.state.stewardPersonId)) {
      const next = applyChanges(term.state, changes);
      const published = await publish(trx, { orgId: actor.orgId, current: term, next: { ...term.state, ...next }, change: 'aliased', by: author(actor), now: deps.clock.now() });
      return { kind: 'published', termId: term.id, name: term.state.name, version: published.version };
    }
    const created = await createProposal(trx, deps, actor, { term, changes });
    outboxIds.push(...created.outboxIds);
    return created.result;
  });
}
