// Proposals: what someone who may not edit a term asks for, and the steward's decision on it. The
// approvers are asked by direct message (through the outbox, in the same transaction).
import { mayBeReachable } from '../reach/repo.js';
import type { Actor } from '../chat/actor.js';
import type { Card } from '../chat/card.js';
import { InvalidInput, NotFound } from '../chat/errors.js';
import type { Db } from '../db/database.js';
import { enqueueMessage } from '../delivery/outbox-repo.js';
import { personRef } from '../orgs/people.js';
import * as orgsRepo from '../orgs/repo.js';
import { outcomeCard, proposalCard, type ChangeLine, type ProposalView } from './change-cards.js';
import { applyChanges, diffContent, hasChanges, type ContentChanges, type TermContent } from './changes.js';
import { author, change, currentTerm, requireEditor, type GlossaryDeps } from './editing.js';
import { normalise } from './matching/normalise.js';
import { publish, type CurrentTerm, type TermState } from './publish.js';
import * as proposals from './repo/proposals.js';
import type { ProposalRow } from './repo/proposals.js';
import * as terms from './repo/terms.js';


export type ChangeResult =
  | { kind: 'published'; termId: string; name: string; version: number }
  | { kind: 'proposed'; proposalId: string; name: string; approvers: string[] };

/**
 * Who is asked to approve: the term's steward, else the glossary stewards, else the admins. A group
 * nobody in which can be reached (never met, and no e-mail, or found on no platform) passes the
 * question on; people known only by e-mail are looked up when the request is delivered.
 */
async function approversFor(db: Db, orgId: string, stewardPersonId: string | null, proposerId: string) {
  const groups: { id: string; display_name: string }[][] = [];
  if (stewardPersonId && stewardPersonId !== proposerId) {
    groups.push(await proposals.personAsApprover(db, stewardPersonId));
  }
  for (const role of ['glossary_steward', 'admin'] as const) {
    groups.push((await orgsRepo.peopleWithRole(db, orgId, role)).filter((p) => p.id !== proposerId));
  }
  const candidates = groups.filter((g) => g.length > 0);
  const reachable = await mayBeReachable(db, candidates.flat().map((p) => p.id));
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
    timeZone: await terms.orgTimeZone(db, p.org_id),
    changes: changeLines(p, current),
    status: p.status,
    decidedBy,
    decidedAt: p.decided_at ?? undefined,
    reason: p.reason,
    publishedVersion: p.published_version,
  };
}

/** Stores a proposal and asks its approvers by direct message (through the outbox). */
export async function createProposal(
  trx: Db,
  deps: GlossaryDeps,
  actor: Actor,
  args: { term?: CurrentTerm; content?: TermContent; changes?: ContentChanges },
): Promise<{ result: ChangeResult; outboxIds: string[] }> {
  const now = deps.clock.now();
  const changes = args.changes;
  const content = args.content;
  if (!args.term) {
    const pending = content ? await proposals.pendingNewProposal(trx, actor.orgId, normalise(content.name)) : undefined;
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
  const proposal = await proposals.insertProposal(trx, { ...values, org_id: actor.orgId, proposed_by_person_id: actor.personId, notice_outbox_ids: '[]', created_at: now });

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
  await proposals.setNoticeOutboxIds(trx, proposal.id, outboxIds);
  const name = args.term?.state.name ?? content?.name ?? '';
  return { result: { kind: 'proposed', proposalId: proposal.id, name, approvers: approvers.map((a) => a.display_name) }, outboxIds };
}


async function decidedBefore(db: Db, p: ProposalRow): Promise<never> {
  const who = (await terms.personName(db, p.decided_by_person_id)) ?? 'someone';
  throw new InvalidInput(`This proposal was already ${p.status} by ${who}. Nothing was changed.`);
}

/** The proposal, if this actor may decide it now (for the reject form, before anything changes). */
export async function decidableProposal(deps: GlossaryDeps, actor: Actor, proposalId: string): Promise<{ name: string }> {
  const { db } = deps;
  const p = await proposals.findProposal(db, actor.orgId, proposalId);
  if (!p) throw new NotFound('That proposal does not exist in this organisation. Nothing was changed.');
  const term = p.term_id ? await terms.findTerm(db, actor.orgId, p.term_id) : undefined;
  requireEditor(actor, term?.steward_person_id, 'approve or reject glossary proposals');
  if (p.status !== 'pending') await decidedBefore(db, p);
  return { name: term?.name ?? p.name ?? 'a term' };
}

export interface Decision {
  card: Card;
  termId?: string;
  version?: number;
}

type Verdict = { approve: true } | { approve: false; reason: string };

/** Approves or rejects a pending proposal: checks who decides, publishes, tells the proposer, closes the stewards' cards. */
export async function decideProposal(deps: GlossaryDeps, actor: Actor, proposalId: string, verdict: Verdict): Promise<Decision> {
  return change(deps, actor, async (trx, outboxIds) => {
    const now = deps.clock.now();
    const p = await proposals.lockProposal(trx, actor.orgId, proposalId);
    if (!p) throw new NotFound('That proposal does not exist in this organisation. Nothing was changed.');
    const term = p.term_id ? await currentTerm(trx, actor.orgId, p.term_id) : undefined;
    // Who clicked is checked here, whatever the card showed them.
    requireEditor(actor, term?.state.stewardPersonId, 'approve or reject glossary proposals');
    if (p.status !== 'pending') await decidedBefore(trx, p);

    const published = verdict.approve ? await publishApproved(trx, actor, p, term, now) : undefined;
    const decided = await proposals.recordDecision(trx, p.id, {
      status: verdict.approve ? 'approved' : 'rejected',
      decided_by_person_id: actor.personId,
      decided_at: now,
      reason: verdict.approve ? null : verdict.reason,
      published_term_id: published?.termId ?? null,
      published_version: published?.version ?? null,
    });
    const card = proposalCard(await proposalViewOf(trx, decided, term?.state, actor.name));
    outboxIds.push(...(await tellOfDecision(trx, actor, p, term, verdict, published, card)));
    return { card, ...(published ? { termId: published.termId, version: published.version } : {}) };
  });
}

/** Publishes what an approved proposal says (an edit that changes nothing keeps the current version). */
async function publishApproved(trx: Db, actor: Actor, p: ProposalRow, term: CurrentTerm | undefined, now: Date): Promise<{ termId: string; version: number }> {
  if (term) {
    const next = applyChanges(term.state, changesOf(p));
    const status = term.state.status === 'proposed' ? 'approved' : term.state.status;
    const unchanged = !hasChanges(diffContent(term.state, next)) && status === term.state.status;
    return unchanged
      ? { termId: term.id, version: term.version }
      : publish(trx, { orgId: actor.orgId, current: term, next: { ...term.state, ...next, status }, change: 'approved', by: author(actor), proposedBy: p.proposed_by_person_id, proposalId: p.id, now });
  }
  const content = newContentOf(p);
  return publish(trx, {
    orgId: actor.orgId,
    next: { ...content, status: 'approved', replacedById: null, stewardPersonId: actor.personId },
    change: 'created',
    by: author(actor),
    proposedBy: p.proposed_by_person_id,
    proposalId: p.id,
    now,
  });
}

/** Tells the proposer the outcome, and closes the other stewards' cards (they lose their buttons and say who decided). */
async function tellOfDecision(
  trx: Db,
  actor: Actor,
  p: ProposalRow,
  term: CurrentTerm | undefined,
  verdict: Verdict,
  published: { termId: string; version: number } | undefined,
  card: Card,
): Promise<string[]> {
  const outboxIds: string[] = [];
  const termName = term?.state.name ?? p.name ?? 'a term';
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
  for (const notice of await proposals.noticeTargets(trx, actor.orgId, p.notice_outbox_ids)) {
    const id = await enqueueMessage(trx, {
      orgId: actor.orgId,
      dedupeKey: `glossary:proposal:${p.id}:close:${notice.id}`,
      target: notice.target,
      card,
      updateOfOutboxId: String(notice.id),
    });
    if (id) outboxIds.push(id);
  }
  return outboxIds;
}
