// Glossary use cases: authorize, validate, change, and queue the messages a change causes (in the
// same transaction). Stewards and admins change terms directly; everyone else proposes, and the
// term's steward (or the glossary stewards, for a new term) approves or rejects in chat.
import type { ChatContext } from '../chat/capability.js';
import type { Card, PersonRef } from '../chat/card.js';
import { InvalidInput, NotFound, PermissionDenied } from '../chat/errors.js';
import type { Db } from '../db/database.js';
import { enqueueMessage } from '../delivery/outbox.js';
import { personRef } from '../orgs/people.js';
import * as orgsRepo from '../orgs/repo.js';
import { hasRole, type Actor } from '../chat/actor.js';
import {
  outcomeCard,
  proposalCard,
  type ChangeLine,
  type ProposalView,
  type RecentView,
  type StatsView,
  type TermCardView,
  type VersionView,
} from './cards.js';
import { applyChanges, diffContent, distinctAliases, hasChanges, type ContentChanges, type TermContent } from './changes.js';
import { normalise } from './normalise.js';
import { followReplacements, termNamed } from './lookup.js';
import { checkNamesFree, publish, type CurrentTerm, type TermState } from './publish.js';
import * as repo from './repo.js';
import type { GlossaryProposalsTable } from './tables.js';
import type { Selectable } from 'kysely';

type ProposalRow = Selectable<GlossaryProposalsTable>;

/** Admins, glossary stewards and the term's own steward change terms directly. */
export function isEditor(actor: Actor, stewardPersonId?: string | null): boolean {
  return hasRole(actor, 'admin') || hasRole(actor, 'glossary_steward') || (Boolean(stewardPersonId) && stewardPersonId === actor.personId);
}

export function requireEditor(actor: Actor, stewardPersonId: string | null | undefined, doing: string): void {
  if (!isEditor(actor, stewardPersonId)) {
    throw new PermissionDenied(`Only the term's steward, glossary stewards and admins can ${doing}. Nothing was changed.`);
  }
}

/** The term's current state, locked for the rest of the transaction. */
export async function currentTerm(trx: Db, orgId: string, termId: string): Promise<CurrentTerm> {
  const row = await repo.lockTerm(trx, orgId, termId);
  if (!row) throw new NotFound('That term no longer exists in this organisation. Nothing was changed.');
  return { id: row.id, version: row.version, state: stateOf(row, await repo.aliasesOf(trx, row.id)) };
}

function stateOf(row: repo.TermRow, aliases: string[]): TermState {
  return {
    name: row.name,
    definition: row.definition,
    notes: row.notes,
    links: row.links,
    aliases,
    status: row.status,
    replacedById: row.replaced_by_id,
    stewardPersonId: row.steward_person_id,
  };
}

/** The card's content; `read` is the term's card row when the lookup already read it. */
export async function termCardView(db: Db, orgId: string, termId: string, read?: repo.TermCardRow): Promise<TermCardView> {
  const row = read?.id === termId ? read : await repo.termCardData(db, orgId, termId);
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

// ---------------------------------------------------------------------------------------------
// Proposals and direct changes

export type ChangeResult =
  | { kind: 'published'; termId: string; name: string; version: number }
  | { kind: 'proposed'; proposalId: string; name: string; approvers: string[] };

/**
 * Who is asked to approve: the term's steward, else the glossary stewards, else the admins. A group
 * nobody in which has used Steward yet (so no message can reach them) passes the question on.
 */
async function approversFor(db: Db, orgId: string, stewardPersonId: string | null, proposerId: string) {
  const groups: { id: string; display_name: string }[][] = [];
  if (stewardPersonId && stewardPersonId !== proposerId) {
    groups.push(await db.selectFrom('people').select(['id', 'display_name']).where('id', '=', stewardPersonId).execute());
  }
  for (const role of ['glossary_steward', 'admin'] as const) {
    groups.push((await orgsRepo.peopleWithRole(db, orgId, role)).filter((p) => p.id !== proposerId));
  }
  const candidates = groups.filter((g) => g.length > 0);
  const reachable = new Set((await orgsRepo.identitiesOf(db, candidates.flat().map((p) => p.id))).map((i) => i.person_id));
  return candidates.find((g) => g.some((p) => reachable.has(p.id))) ?? candidates[0] ?? [];
}

function changesOf(p: ProposalRow): ContentChanges {
  return {
    ...(p.name !== null && p.kind === 'edit' ? { name: p.name } : {}),
    ...(p.definition !== null && p.kind === 'edit' ? { definition: p.definition } : {}),
    ...(p.notes !== null && p.kind === 'edit' ? { notes: p.notes === '' ? null : p.notes } : {}),
    ...(p.links !== null && p.kind === 'edit' ? { links: p.links } : {}),
    aliasesAdd: p.aliases_add,
    aliasesRemove: p.aliases_remove,
  };
}

function newContentOf(p: ProposalRow): TermContent {
  return { name: p.name ?? '', definition: p.definition ?? '', notes: p.notes || null, links: p.links ?? [], aliases: p.aliases_add };
}

function changeLines(p: ProposalRow, current: TermState | undefined): ChangeLine[] {
  if (p.kind === 'new' || !current) {
    const content = newContentOf(p);
    return [
      { label: 'Definition', after: content.definition },
      ...(content.notes ? [{ label: 'Notes', after: content.notes }] : []),
      ...(content.aliases.length ? [{ label: 'Aliases', after: content.aliases.join(', ') }] : []),
      ...(content.links.length ? [{ label: 'Links', after: content.links.join(' ') }] : []),
    ];
  }
  const changes = changesOf(p);
  const lines: ChangeLine[] = [];
  if (changes.name !== undefined) lines.push({ label: 'Name', before: current.name, after: changes.name });
  if (changes.definition !== undefined) lines.push({ label: 'Definition', before: current.definition, after: changes.definition });
  if (changes.notes !== undefined) lines.push({ label: 'Notes', before: current.notes ?? '', after: changes.notes ?? '(removed)' });
  if (changes.links !== undefined) lines.push({ label: 'Links', before: current.links.join(' '), after: changes.links.join(' ') || '(none)' });
  if (changes.aliasesAdd.length) lines.push({ label: 'Add aliases', after: changes.aliasesAdd.join(', ') });
  if (changes.aliasesRemove.length) lines.push({ label: 'Remove aliases', after: changes.aliasesRemove.join(', ') });
  return lines;
}

async function proposalViewOf(db: Db, p: ProposalRow, current: TermState | undefined, decidedBy?: string): Promise<ProposalView> {
  return {
    id: p.id,
    kind: p.kind,
    termName: current?.name ?? p.name ?? 'a term',
    proposer: await personRef(db, p.proposed_by_person_id),
    createdAt: p.created_at,
    timeZone: await repo.orgTimeZone(db, p.org_id),
    changes: changeLines(p, current),
    status: p.status,
    decidedBy,
    decidedAt: p.decided_at ?? undefined,
    reason: p.reason,
    publishedVersion: p.published_version,
  };
}

/** Stores a proposal and asks its approvers by direct message (through the outbox). */
async function createProposal(
  trx: Db,
  ctx: ChatContext,
  args: { term?: CurrentTerm; content?: TermContent; changes?: ContentChanges },
): Promise<{ result: ChangeResult; outboxIds: string[] }> {
  const { actor } = ctx;
  const now = ctx.services.clock.now();
  const changes = args.changes;
  const content = args.content;
  if (!args.term) {
    const pending = content ? await repo.pendingNewProposal(trx, actor.orgId, normalise(content.name)) : undefined;
    if (pending) {
      throw new InvalidInput(`“${pending.name}” was already proposed by ${pending.proposed_by} and is waiting for a glossary steward. Nothing was changed.`);
    }
  }
  const values = args.term
    ? {
        kind: 'edit' as const,
        term_id: args.term.id,
        base_version: args.term.version,
        name: changes?.name ?? null,
        name_norm: null,
        definition: changes?.definition ?? null,
        notes: changes?.notes === undefined ? null : (changes.notes ?? ''),
        links: changes?.links ? JSON.stringify(changes.links) : null,
        aliases_add: JSON.stringify(changes?.aliasesAdd ?? []),
        aliases_remove: JSON.stringify(changes?.aliasesRemove ?? []),
      }
    : {
        kind: 'new' as const,
        term_id: null,
        base_version: null,
        name: content?.name ?? '',
        name_norm: normalise(content?.name ?? ''),
        definition: content?.definition ?? '',
        notes: content?.notes ?? null,
        links: JSON.stringify(content?.links ?? []),
        aliases_add: JSON.stringify(content?.aliases ?? []),
        aliases_remove: '[]',
      };
  const proposal = await trx
    .insertInto('glossary_proposals')
    .values({ ...values, org_id: actor.orgId, proposed_by_person_id: actor.personId, notice_outbox_ids: '[]', created_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();

  const approvers = await approversFor(trx, actor.orgId, args.term?.state.stewardPersonId ?? null, actor.personId);
  const card = proposalCard(await proposalViewOf(trx, proposal, args.term?.state));
  const outboxIds: string[] = [];
  for (const approver of approvers) {
    const id = await enqueueMessage(trx, {
      orgId: actor.orgId,
      dedupeKey: `glossary:proposal:${proposal.id}:ask:${approver.id}`,
      target: { kind: 'person', personId: approver.id },
      card,
    });
    if (id) outboxIds.push(id);
  }
  await trx.updateTable('glossary_proposals').set({ notice_outbox_ids: JSON.stringify(outboxIds) }).where('id', '=', proposal.id).execute();
  const name = args.term?.state.name ?? content?.name ?? '';
  return { result: { kind: 'proposed', proposalId: proposal.id, name, approvers: approvers.map((a) => a.display_name) }, outboxIds };
}

/** Runs a glossary change in one transaction under the organisation's lock, then wakes delivery. */
async function change<T>(ctx: ChatContext, work: (trx: Db, outboxIds: string[]) => Promise<T>): Promise<T> {
  const outboxIds: string[] = [];
  const result = await ctx.services.db.transaction().execute(async (trx) => {
    await repo.lockGlossary(trx, ctx.actor.orgId);
    return work(trx, outboxIds);
  });
  if (outboxIds.length) ctx.services.kickDelivery(outboxIds);
  return result;
}

const author = (actor: Actor) => ({ personId: actor.personId });

/**
 * A submitted term form or `propose <term> = <definition>`: published at once by an editor, a
 * proposal for everyone else. `termId` is the term being edited; none for a new term.
 */
export async function submitTerm(ctx: ChatContext, termId: string | undefined, content: TermContent): Promise<ChangeResult> {
  const { actor } = ctx;
  return change(ctx, async (trx, outboxIds) => {
    const now = ctx.services.clock.now();
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
      const created = await createProposal(trx, ctx, { term, changes });
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
    const created = await createProposal(trx, ctx, { content: { ...content, aliases } });
    outboxIds.push(...created.outboxIds);
    return created.result;
  });
}

/** The term a text names exactly (name or alias), for `propose <term> = …` on an existing term. */
export async function exactTerm(db: Db, orgId: string, text: string): Promise<string | undefined> {
  const norm = normalise(text);
  const rows = await repo.ownersOfTexts(db, orgId, [norm]);
  return rows.find((r) => r.kind === 'name')?.term_id ?? rows[0]?.term_id;
}

export async function termContent(db: Db, orgId: string, termId: string): Promise<{ content: TermContent; stewardPersonId: string | null }> {
  const row = await repo.findTerm(db, orgId, termId);
  if (!row) throw new NotFound('That term no longer exists in this organisation.');
  return { content: stateOf(row, await repo.aliasesOf(db, termId)), stewardPersonId: row.steward_person_id };
}

async function decidedBefore(db: Db, p: ProposalRow): Promise<never> {
  const who = (await repo.personName(db, p.decided_by_person_id)) ?? 'someone';
  throw new InvalidInput(`This proposal was already ${p.status} by ${who}. Nothing was changed.`);
}

/** The proposal, if this actor may decide it now (for the reject form, before anything changes). */
export async function decidableProposal(ctx: ChatContext, proposalId: string): Promise<{ name: string }> {
  const { db } = ctx.services;
  const p = await repo.findProposal(db, ctx.actor.orgId, proposalId);
  if (!p) throw new NotFound('That proposal does not exist in this organisation. Nothing was changed.');
  const term = p.term_id ? await repo.findTerm(db, ctx.actor.orgId, p.term_id) : undefined;
  requireEditor(ctx.actor, term?.steward_person_id, 'approve or reject glossary proposals');
  if (p.status !== 'pending') await decidedBefore(db, p);
  return { name: term?.name ?? p.name ?? 'a term' };
}

export interface Decision {
  card: Card;
  termId?: string;
  version?: number;
}

/** Approves or rejects a pending proposal: checks who decides, publishes, tells the proposer, closes the stewards' cards. */
export async function decideProposal(ctx: ChatContext, proposalId: string, verdict: { approve: true } | { approve: false; reason: string }): Promise<Decision> {
  const { actor } = ctx;
  return change(ctx, async (trx, outboxIds) => {
    const now = ctx.services.clock.now();
    const p = await repo.lockProposal(trx, actor.orgId, proposalId);
    if (!p) throw new NotFound('That proposal does not exist in this organisation. Nothing was changed.');
    const term = p.term_id ? await currentTerm(trx, actor.orgId, p.term_id) : undefined;
    // Who clicked is checked here, whatever the card showed them.
    requireEditor(actor, term?.state.stewardPersonId, 'approve or reject glossary proposals');
    if (p.status !== 'pending') await decidedBefore(trx, p);

    const before = term?.state;
    let published: { termId: string; version: number } | undefined;
    if (verdict.approve) {
      if (term) {
        const next = applyChanges(term.state, changesOf(p));
        const status = term.state.status === 'proposed' ? 'approved' : term.state.status;
        const unchanged = !hasChanges(diffContent(term.state, next)) && status === term.state.status;
        published = unchanged
          ? { termId: term.id, version: term.version }
          : await publish(trx, { orgId: actor.orgId, current: term, next: { ...term.state, ...next, status }, change: 'approved', by: author(actor), proposedBy: p.proposed_by_person_id, proposalId: p.id, now });
      } else {
        const content = newContentOf(p);
        published = await publish(trx, {
          orgId: actor.orgId,
          next: { ...content, status: 'approved', replacedById: null, stewardPersonId: actor.personId },
          change: 'created',
          by: author(actor),
          proposedBy: p.proposed_by_person_id,
          proposalId: p.id,
          now,
        });
      }
    }
    const decided = await trx
      .updateTable('glossary_proposals')
      .set({
        status: verdict.approve ? 'approved' : 'rejected',
        decided_by_person_id: actor.personId,
        decided_at: now,
        reason: verdict.approve ? null : verdict.reason,
        published_term_id: published?.termId ?? null,
        published_version: published?.version ?? null,
      })
      .where('id', '=', p.id)
      .returningAll()
      .executeTakeFirstOrThrow();

    const termName = term?.state.name ?? p.name ?? 'a term';
    const card = proposalCard(await proposalViewOf(trx, decided, before, actor.name));
    const told = await enqueueMessage(trx, {
      orgId: actor.orgId,
      dedupeKey: `glossary:proposal:${p.id}:outcome`,
      target: { kind: 'person', personId: p.proposed_by_person_id },
      card: outcomeCard({
        approved: verdict.approve,
        termName: verdict.approve && term ? applyChanges(term.state, changesOf(p)).name : termName,
        termId: published?.termId,
        version: published?.version,
        decidedBy: actor.name,
        ...(verdict.approve ? {} : { reason: verdict.reason }),
      }),
    });
    if (told) outboxIds.push(told);
    // The other stewards' cards lose their buttons and say who decided.
    const notices = p.notice_outbox_ids.length
      ? await trx.selectFrom('outbox').select(['id', 'target']).where('org_id', '=', actor.orgId).where('id', 'in', p.notice_outbox_ids).execute()
      : [];
    for (const notice of notices) {
      const id = await enqueueMessage(trx, {
        orgId: actor.orgId,
        dedupeKey: `glossary:proposal:${p.id}:close:${notice.id}`,
        target: notice.target,
        card,
        updateOfOutboxId: String(notice.id),
      });
      if (id) outboxIds.push(id);
    }
    return { card, ...(published ? { termId: published.termId, version: published.version } : {}) };
  });
}

/** A new version with the content of an old one; nothing is deleted. */
export async function rollBack(ctx: ChatContext, termId: string, version: number): Promise<{ termId: string; name: string; version: number }> {
  const { actor } = ctx;
  return change(ctx, async (trx) => {
    const term = await currentTerm(trx, actor.orgId, termId);
    requireEditor(actor, term.state.stewardPersonId, 'roll back glossary terms');
    if (version === term.version) throw new InvalidInput(`Version ${version} is the current version of “${term.state.name}”. Nothing was changed.`);
    const old = await repo.versionOf(trx, actor.orgId, termId, version);
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
    const published = await publish(trx, { orgId: actor.orgId, current: term, next, change: 'rolled_back', rolledBackTo: version, by: author(actor), now: ctx.services.clock.now() });
    return { termId, name: next.name, version: published.version };
  });
}

/** Deprecates a term in favour of another; lookups of the old name, and its aliases, lead to the replacement. */
export async function deprecate(ctx: ChatContext, termText: string, replacementText: string | undefined): Promise<{ termId: string; name: string; version: number; replacement?: string }> {
  const { actor } = ctx;
  const { db } = ctx.services;
  const named = await termNamed(db, actor.orgId, termText);
  const replacement = replacementText ? await termNamed(db, actor.orgId, replacementText) : undefined;
  return change(ctx, async (trx) => {
    const term = await currentTerm(trx, actor.orgId, named.termId);
    requireEditor(actor, term.state.stewardPersonId, 'deprecate glossary terms');
    if (replacement) {
      if (replacement.termId === term.id) throw new InvalidInput(`“${term.state.name}” cannot replace itself. Nothing was changed.`);
      const target = await repo.findTerm(trx, actor.orgId, replacement.termId);
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
      now: ctx.services.clock.now(),
    });
    return { termId: term.id, name: term.state.name, version: published.version, ...(replacement ? { replacement: replacement.name } : {}) };
  });
}

/** `alias <alias> = <term>`: added at once by an editor, proposed by anyone else. The term may be named by an alias too. */
export async function addAlias(ctx: ChatContext, alias: string, termText: string): Promise<ChangeResult> {
  const { actor } = ctx;
  const named = await termNamed(ctx.services.db, actor.orgId, termText);
  return change(ctx, async (trx, outboxIds) => {
    const term = await currentTerm(trx, actor.orgId, named.termId);
    const owners = await repo.ownersOfTexts(trx, actor.orgId, [normalise(alias)]);
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
      const published = await publish(trx, { orgId: actor.orgId, current: term, next: { ...term.state, ...next }, change: 'aliased', by: author(actor), now: ctx.services.clock.now() });
      return { kind: 'published', termId: term.id, name: term.state.name, version: published.version };
    }
    const created = await createProposal(trx, ctx, { term, changes });
    outboxIds.push(...created.outboxIds);
    return created.result;
  });
}

// ---------------------------------------------------------------------------------------------
// Reading: history, recent changes, stats

const HISTORY_SHOWN = 10;

export async function history(db: Db, orgId: string, termId: string) {
  const term = await repo.findTerm(db, orgId, termId);
  if (!term) throw new NotFound('That term no longer exists in this organisation.');
  const [rows, total, timeZone] = await Promise.all([repo.versionsOf(db, termId, HISTORY_SHOWN), repo.countVersions(db, termId), repo.orgTimeZone(db, orgId)]);
  const versions: VersionView[] = rows.map((r) => ({
    version: r.version,
    name: r.name,
    definition: r.definition,
    status: r.status,
    change: r.change,
    by: r.changed_by_name ?? r.changed_by_label ?? 'Steward',
    proposedBy: r.proposed_by_name ?? undefined,
    rolledBackTo: r.rolled_back_to,
    createdAt: r.created_at,
  }));
  return { term: { id: term.id, name: term.name, version: term.version, stewardPersonId: term.steward_person_id }, versions, total, timeZone };
}

export async function recent(db: Db, orgId: string, count: number): Promise<{ rows: RecentView[]; timeZone: string }> {
  const [rows, timeZone] = await Promise.all([repo.recentlyChanged(db, orgId, count), repo.orgTimeZone(db, orgId)]);
  return {
    rows: rows.map((r) => ({ termId: r.id, name: r.name, version: r.version, change: r.change, by: r.changed_by_name ?? r.changed_by_label ?? 'Steward', at: r.updated_at })),
    timeZone,
  };
}

export const STATS_DAYS = 30;

export async function stats(db: Db, orgId: string, now: Date): Promise<StatsView> {
  const since = new Date(now.getTime() - STATS_DAYS * 24 * 3600 * 1000);
  const [mostLookedUp, mostMissed, totals, terms] = await Promise.all([
    repo.mostLookedUp(db, orgId, since, 10),
    repo.mostMissed(db, orgId, since, 10),
    repo.lookupTotals(db, orgId, since),
    repo.termCount(db, orgId),
  ]);
  return {
    days: STATS_DAYS,
    total: totals.total,
    found: totals.found,
    mostLookedUp: mostLookedUp.map((r) => ({ termId: r.id, name: r.name, count: Number(r.count) })),
    mostMissed: mostMissed.map((r) => ({ query: r.query, count: r.count })),
    terms,
  };
}
