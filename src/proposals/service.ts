// Use cases of proposals and board voting: submit, open, vote, close at the deadline, withdraw,
// extend, follow up. Each one authorises, validates, changes the database and queues its messages in
// one transaction; deliveries are kicked (and deadlines scheduled) only after the commit.
import { InvalidInput, NotFound, PermissionDenied } from '../chat/errors.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import { enqueueMessage } from '../delivery/outbox-repo.js';
import { accountableOwner } from '../journeys/owners.js';
import { findJourneyExact } from '../journeys/repo.js';
import { hasRole, requireRole, type Actor } from '../chat/actor.js';
import type { Services } from '../services.js';
import { governanceChannels, loadGovernanceSettings } from '../governance/service.js';
import { decisionCard, noticeCard, proposalCard } from './cards.js';
import { localTime } from '../chat/time-text.js';
import { parseDeadlineInput, type DeadlineInput } from './deadline.js';
import { postCards, queueCardChange, queueCardRefresh, replyInThreads } from './live-card.js';
import * as repo from './repo.js';
import * as ballots from './repo/ballots.js';
import { decide, ruleAtOpening, votingOpen, type DecisionRule, type Outcome, type Tally } from './rules.js';
import { NO_JOURNEY, parseProposalNumber, type ProposalForm } from './schema.js';
import type { Choice, ProposalStatus } from './tables.js';
import { loadProposalView } from './view.js';

/** Tells the deadline queue when a proposal closes (src/jobs/proposal-deadline.ts). */
export interface DeadlineScheduler {
  schedule(proposalId: string, deadline: Date): void;
}

/** What the proposals capability is given at creation, beside the services. */
export interface ProposalPorts {
  deadlines?: DeadlineScheduler;
  /** Wall clock for coalescing card updates (the delivery side's time); tests may replace it. */
  wallClock?: Clock;
}

export type ProposalDeps = Pick<Services, 'db' | 'clock' | 'kickDelivery'> & ProposalPorts;

const LONGEST_VOTE_DAYS = 90;

function afterCommit(deps: ProposalDeps, outboxIds: string[], deadline?: { proposalId: string; at: Date }): void {
  if (outboxIds.length) deps.kickDelivery(outboxIds);
  if (deadline) deps.deadlines?.schedule(deadline.proposalId, deadline.at);
}

function cardRef(p: { id: string; org_id: string; number: number; title: string }) {
  return { orgId: p.org_id, proposalId: p.id, number: p.number, title: p.title };
}

async function lockedProposal(trx: Db, id: string): Promise<repo.ProposalRow> {
  const proposal = await repo.lockProposal(trx, id);
  if (!proposal) throw new Error(`proposal ${id} vanished`);
  return proposal;
}

/** The proposal with this number in the actor's organisation. */
export async function proposalForActor(db: Db, actor: Actor, number: number): Promise<repo.ProposalRow> {
  const proposal = await repo.proposalByNumber(db, actor.orgId, number);
  if (!proposal) throw new NotFound(`There is no proposal #${number}. \`proposal list\` shows the open ones.`);
  return proposal;
}

async function resolveJourney(db: Db, orgId: string, typed: string | undefined): Promise<string | null> {
  if (!typed || typed === NO_JOURNEY) return null;
  const byId = /^[0-9a-f-]{36}$/i.test(typed) ? await repo.journeyIdInOrg(db, orgId, typed) : undefined;
  const journey = byId ?? (await findJourneyExact(db, orgId, typed))?.id;
  if (!journey) throw new InvalidInput(`There is no journey “${typed}”. Leave the journey empty, or use a key or name from \`journey list\`. Nothing was saved.`);
  return journey;
}

/** Why a proposal cannot open for votes right now, or undefined when it can. */
async function cannotOpen(db: Db, orgId: string): Promise<string | undefined> {
  if ((await governanceChannels(db, orgId)).length === 0) {
    return 'There is no governance channel yet: an admin types “governance here” in the channel where the board votes.';
  }
  if ((await repo.boardSize(db, orgId)) === 0) return 'The board has no members yet: an admin adds them with `settings board add @person`.';
  return undefined;
}

/** Opens a draft inside the caller's transaction: the rule snapshot, the deadline, the cards. */
async function openInTransaction(trx: Db, proposal: repo.ProposalRow, by: string | null, now: Date): Promise<{ outboxIds: string[]; deadline: Date }> {
  const settings = await loadGovernanceSettings(trx, proposal.org_id);
  const channels = await governanceChannels(trx, proposal.org_id);
  const rule = ruleAtOpening(settings, await repo.boardSize(trx, proposal.org_id));
  const deadline = new Date(now.getTime() + settings.votingPeriodHours * 3_600_000);
  const opened = await repo.openIfDraft(trx, proposal.id, { rule: JSON.stringify(rule), opened_at: now, deadline, updated_at: now });
  if (!opened) throw new InvalidInput(`Proposal #${proposal.number} is not a draft any more.`);
  await repo.recordEvent(trx, { proposalId: proposal.id, kind: 'opened', from: 'draft', to: 'open', by, at: now, detail: { deadline: deadline.toISOString(), rule } });
  const outboxIds = await postCards(trx, cardRef(proposal), channels.map((c) => c.conversationId));
  return { outboxIds, deadline };
}

export interface SubmitResult {
  proposalId: string;
  opened: boolean;
  /** Why it stayed a draft. */
  reason?: string;
  /** The same form was submitted before; nothing new was created. */
  duplicate: boolean;
}

/** A submitted form becomes a proposal, opened for votes at once when the organisation is set up for it. */
export async function submitProposal(deps: ProposalDeps, actor: Actor, form: ProposalForm, submissionKey: string): Promise<SubmitResult> {
  const { db, clock } = deps;
  const journeyId = await resolveJourney(db, actor.orgId, form.journey);
  const now = clock.now();
  const result = await db.transaction().execute(async (trx) => {
    const earlier = await repo.proposalBySubmissionKey(trx, actor.orgId, submissionKey);
    if (earlier) return { proposalId: earlier.id, opened: earlier.status !== 'draft', duplicate: true, outboxIds: [] as string[] };
    const number = await repo.nextNumber(trx, actor.orgId);
    const proposal = await repo.insertProposal(trx, {
        org_id: actor.orgId,
        number,
        submission_key: submissionKey,
        title: form.title,
        problem: form.problem,
        journey_id: journeyId,
        kpi_impact: form.kpiImpact ?? null,
        effort: form.effort,
        customer_value: form.customerValue,
        business_value: form.businessValue,
        proposer_person_id: actor.personId,
        status: 'draft',
        rule: null,
        created_at: now,
        updated_at: now,
    });
    await repo.recordEvent(trx, { proposalId: proposal.id, kind: 'created', from: null, to: 'draft', by: actor.personId, at: now });
    const reason = await cannotOpen(trx, actor.orgId);
    if (reason) return { proposalId: proposal.id, opened: false, reason, duplicate: false, outboxIds: [] as string[] };
    const opened = await openInTransaction(trx, proposal, actor.personId, now);
    return { proposalId: proposal.id, opened: true, duplicate: false, outboxIds: opened.outboxIds, deadline: opened.deadline };
  });
  afterCommit(deps, result.outboxIds, 'deadline' in result && result.deadline ? { proposalId: result.proposalId, at: result.deadline } : undefined);
  return { proposalId: result.proposalId, opened: result.opened, duplicate: result.duplicate, ...('reason' in result && result.reason ? { reason: result.reason } : {}) };
}

/** `proposal open 17`: the proposer or an admin opens a draft once the organisation is ready. */
export async function openDraft(deps: ProposalDeps, actor: Actor, number: number): Promise<{ proposalId: string; deadline: Date }> {
  const { db, clock } = deps;
  const proposal = await proposalForActor(db, actor, number);
  if (proposal.proposer_person_id !== actor.personId && !hasRole(actor, 'admin')) {
    throw new PermissionDenied(`Only the proposer or an admin can open proposal #${number} for votes. Nothing was changed.`);
  }
  if (proposal.status !== 'draft') throw new InvalidInput(`Proposal #${number} is not a draft (${proposal.status.replace('_', ' ')}).`);
  const reason = await cannotOpen(db, actor.orgId);
  if (reason) throw new InvalidInput(`${reason} Proposal #${number} stays a draft.`);
  const now = clock.now();
  const opened = await db.transaction().execute(async (trx) => {
    const locked = await lockedProposal(trx, proposal.id);
    return openInTransaction(trx, locked, actor.personId, now);
  });
  afterCommit(deps, opened.outboxIds, { proposalId: proposal.id, at: opened.deadline });
  return { proposalId: proposal.id, deadline: opened.deadline };
}

export interface VoteResult {
  number: number;
  choice: Choice;
  previous: Choice | null;
  comment: string | null;
  deadline: Date;
  /** The organisation's, for showing the deadline. */
  timeZone: string;
  anonymous: boolean;
  /** A later click of this member was counted first: `choice` is that later vote, and this click changed nothing. */
  superseded?: boolean;
}

/**
 * A board member's vote: the ballot (one per member, a unique key) and its log entry in one
 * transaction, then the card refresh through the outbox. `clickedAt` is when the click arrived (the
 * click inbox handles clicks just after acknowledging them, and again after a crash): the vote counts
 * from then, a later click of the same member wins, and the same click twice changes nothing.
 */
export async function castVote(deps: ProposalDeps, actor: Actor, proposalId: string, choice: Choice, comment?: string, clickedAt?: Date): Promise<VoteResult> {
  const { db, clock } = deps;
  requireRole(actor, 'board', 'vote on proposals');
  const at = clickedAt ?? clock.now();
  const result = await db.transaction().execute(async (trx) => {
    const proposal = await ballots.proposalForVote(trx, proposalId);
    if (!proposal || proposal.org_id !== actor.orgId) throw new NotFound('That proposal does not exist (any more). Nothing was changed.');
    if (proposal.status !== 'open' || !proposal.deadline) {
      throw new InvalidInput(`Voting on proposal #${proposal.number} is closed (${proposal.status.replace('_', ' ')}). Your vote was not counted.`);
    }
    if (!votingOpen(proposal.deadline, at)) {
      throw new InvalidInput(`Voting on proposal #${proposal.number} closed at its deadline. Your vote was not counted.`);
    }
    const vote = { number: proposal.number, choice, previous: null as Choice | null, comment: comment ?? null, deadline: proposal.deadline, timeZone: proposal.time_zone, anonymous: proposal.rule?.anonymous ?? false };
    const ballot = { proposal_id: proposalId, person_id: actor.personId, choice, comment: comment ?? null, at };
    if (!(await ballots.insertFirstBallot(trx, ballot))) {
      const current = await ballots.lockBallot(trx, proposalId, actor.personId);
      if (current.updated_at > at) return { outboxIds: [], vote: { ...vote, choice: current.choice, comment: current.comment, superseded: true } };
      // A comment belongs to the choice it was written for: kept on a repeat, dropped on a change.
      const kept = comment ?? (current.choice === choice ? current.comment : null);
      vote.previous = current.choice;
      vote.comment = kept;
      if (current.choice === choice && current.comment === kept) return { outboxIds: [], vote };
      await ballots.changeBallot(trx, { ...ballot, comment: kept, previous: current.choice, logComment: comment ?? null });
    }
    return { outboxIds: await queueCardRefresh(trx, cardRef(proposal), deps.wallClock), vote };
  });
  afterCommit(deps, result.outboxIds);
  return result.vote;
}

export type CloseResult = { status: 'closed'; outcome: Outcome; tally: Tally } | { status: 'not-due'; deadline: Date } | { status: 'not-open' };

/**
 * Closes voting once the deadline has passed: the decision (written once, with the tally that made
 * it), the card without buttons, the announcement in its thread, and direct messages to the proposer
 * and the journey owner. Safe to call any number of times from any number of workers.
 */
export async function closeProposal(deps: ProposalDeps, proposalId: string): Promise<CloseResult> {
  const { db, clock } = deps;
  const now = clock.now();
  const result = await db.transaction().execute(async (trx) => {
    const proposal = await repo.lockProposal(trx, proposalId);
    if (!proposal || proposal.status !== 'open' || !proposal.deadline || !proposal.rule) return { close: { status: 'not-open' as const }, outboxIds: [] };
    if (votingOpen(proposal.deadline, now)) return { close: { status: 'not-due' as const, deadline: proposal.deadline }, outboxIds: [] };
    const rule: DecisionRule = proposal.rule;
    const tally = await repo.tallyOf(trx, proposalId);
    const notVoted = await repo.notVoted(trx, proposal.org_id, proposalId, 0);
    const outcome = decide(tally, rule);
    await repo.insertDecision(trx, {
        proposal_id: proposalId,
        outcome,
        ...tally,
        not_voted: notVoted.count,
        board_size: rule.boardSize,
        quorum_required: rule.quorumRequired,
        rule: JSON.stringify(rule),
        decided_at: now,
    });
    await repo.updateProposal(trx, proposalId, { status: outcome, closed_at: now, updated_at: now });
    await repo.recordEvent(trx, { proposalId, kind: 'decided', from: 'open', to: outcome, by: null, at: now, detail: { ...tally, notVoted: notVoted.count } });

    const ref = cardRef(proposal);
    const view = await loadProposalView(trx, proposalId);
    if (!view) throw new Error('proposal vanished while closing');
    const outboxIds = [...(await queueCardChange(trx, ref, 'decided')), ...(await replyInThreads(trx, ref, 'decided', decisionCard(view)))];
    const owner = proposal.journey_id ? await accountableOwner(trx, proposal.journey_id) : undefined;
    const recipients = new Map<string, boolean>([[proposal.proposer_person_id, false]]);
    if (owner) recipients.set(owner.personId, true);
    for (const [personId, isOwner] of recipients) {
      const id = await enqueueMessage(trx, {
        orgId: proposal.org_id,
        dedupeKey: `proposal:${proposalId}:decided:dm:${personId}`,
        target: { kind: 'person', personId },
        card: decisionCard(view, { followUp: isOwner }),
      });
      if (id) outboxIds.push(id);
    }
    return { close: { status: 'closed' as const, outcome, tally }, outboxIds };
  });
  afterCommit(deps, result.outboxIds);
  return result.close;
}

/** The proposer takes the proposal back before the deadline; the card loses its buttons. */
export async function withdrawProposal(deps: ProposalDeps, actor: Actor, number: number): Promise<repo.ProposalRow> {
  const { db, clock } = deps;
  const now = clock.now();
  const found = await proposalForActor(db, actor, number);
  if (found.proposer_person_id !== actor.personId) throw new PermissionDenied(`Only the proposer can withdraw proposal #${number}. Nothing was changed.`);
  const result = await db.transaction().execute(async (trx) => {
    const proposal = await lockedProposal(trx, found.id);
    if (proposal.status !== 'open' && proposal.status !== 'draft') throw new InvalidInput(`Proposal #${number} can no longer be withdrawn (${proposal.status.replace('_', ' ')}).`);
    if (proposal.status === 'open' && proposal.deadline && !votingOpen(proposal.deadline, now)) {
      throw new InvalidInput(`Voting on proposal #${number} has closed; it can no longer be withdrawn.`);
    }
    await repo.updateProposal(trx, proposal.id, { status: 'withdrawn', closed_at: now, updated_at: now });
    await repo.recordEvent(trx, { proposalId: proposal.id, kind: 'withdrawn', from: proposal.status, to: 'withdrawn', by: actor.personId, at: now });
    const ref = cardRef(proposal);
    const outboxIds = [
      ...(await queueCardChange(trx, ref, 'withdrawn')),
      ...(await replyInThreads(trx, ref, 'withdrawn', noticeCard(`Proposal #${number} withdrawn`, `${actor.name} withdrew proposal #${number} “${proposal.title}”. Votes on it are no longer counted.`))),
    ];
    return { proposal: { ...proposal, status: 'withdrawn' as const }, outboxIds };
  });
  afterCommit(deps, result.outboxIds);
  return result.proposal;
}

/** An admin moves the deadline later; everyone who already voted hears about it. */
export async function extendDeadline(deps: ProposalDeps, actor: Actor, number: number, input: DeadlineInput): Promise<{ deadline: Date; told: number }> {
  const { db, clock } = deps;
  requireRole(actor, 'admin', 'extend a voting deadline');
  const now = clock.now();
  const found = await proposalForActor(db, actor, number);
  const result = await db.transaction().execute(async (trx) => {
    const proposal = await lockedProposal(trx, found.id);
    if (proposal.status !== 'open' || !proposal.deadline) throw new InvalidInput(`Proposal #${number} is not open for votes (${proposal.status.replace('_', ' ')}).`);
    if (!votingOpen(proposal.deadline, now)) throw new InvalidInput(`Voting on proposal #${number} has already closed; its deadline cannot move.`);
    const deadline = input.kind === 'extend-by' ? new Date(proposal.deadline.getTime() + input.ms) : input.at;
    if (deadline.getTime() <= proposal.deadline.getTime()) {
      throw new InvalidInput(`The new deadline must be later than the current one. Nothing was changed.`);
    }
    if (deadline.getTime() > now.getTime() + LONGEST_VOTE_DAYS * 86_400_000) {
      throw new InvalidInput(`A vote can run at most ${LONGEST_VOTE_DAYS} days from now. Nothing was changed.`);
    }
    await repo.updateProposal(trx, proposal.id, { deadline, updated_at: now });
    await repo.recordEvent(trx, { proposalId: proposal.id, kind: 'extended', from: 'open', to: 'open', by: actor.personId, at: now, detail: { from: proposal.deadline.toISOString(), to: deadline.toISOString() } });
    const { timeZone } = await loadGovernanceSettings(trx, proposal.org_id);
    const ref = cardRef(proposal);
    const outboxIds = await queueCardChange(trx, ref, `deadline:${deadline.getTime()}`);
    const voters = await repo.voterIds(trx, proposal.id);
    const message = `The deadline of proposal #${number} “${proposal.title}” moved to ${localTime(deadline, timeZone)} (${timeZone}). Your vote still counts; you can change it until then.`;
    for (const personId of voters) {
      const id = await enqueueMessage(trx, {
        orgId: proposal.org_id,
        dedupeKey: `proposal:${proposal.id}:deadline:${deadline.getTime()}:dm:${personId}`,
        target: { kind: 'person', personId },
        card: noticeCard('Voting deadline extended', message),
      });
      if (id) outboxIds.push(id);
    }
    return { deadline, told: voters.length, outboxIds };
  });
  afterCommit(deps, result.outboxIds, { proposalId: found.id, at: result.deadline });
  return { deadline: result.deadline, told: result.told };
}

/** `proposal extend 17 2d` (admins) as typed: by how long, or until when in the organisation's time zone. */
export async function extendDeadlineAsTyped(deps: ProposalDeps, actor: Actor, numberText: string | undefined, whenText: string) {
  requireRole(actor, 'admin', 'extend a voting deadline');
  const number = parseProposalNumber(numberText);
  const { timeZone } = await loadGovernanceSettings(deps.db, actor.orgId);
  const input = parseDeadlineInput(whenText, timeZone);
  if (!input) throw new InvalidInput(`Say how long to extend by (2d, 36h) or until when (2027-04-02 12:00, in ${timeZone}). Nothing was changed.`);
  return { number, timeZone, ...(await extendDeadline(deps, actor, number, input)) };
}

const FOLLOW_UP: Partial<Record<ProposalStatus, ProposalStatus[]>> = { approved: ['in_progress', 'done'], in_progress: ['done'] };

/** The journey owner (or an admin) moves an approved proposal to in progress, then done. */
export async function advanceProposal(deps: ProposalDeps, actor: Actor, proposalId: string, to: 'in_progress' | 'done'): Promise<repo.ProposalRow> {
  const { db, clock } = deps;
  const now = clock.now();
  const found = await repo.proposalById(db, proposalId);
  if (!found || found.org_id !== actor.orgId) throw new NotFound('That proposal does not exist (any more).');
  const owner = found.journey_id ? await accountableOwner(db, found.journey_id) : undefined;
  if (owner?.personId !== actor.personId && !hasRole(actor, 'admin')) {
    throw new PermissionDenied(`Only the owner of the proposal's journey or an admin can move proposal #${found.number} along. Nothing was changed.`);
  }
  const result = await db.transaction().execute(async (trx) => {
    const proposal = await lockedProposal(trx, proposalId);
    if (proposal.status === to) return { proposal, outboxIds: [] as string[] };
    if (!FOLLOW_UP[proposal.status]?.includes(to)) {
      throw new InvalidInput(`Proposal #${proposal.number} is ${proposal.status.replace('_', ' ')}; only approved proposals move to in progress and then done.`);
    }
    const updated = await repo.updateProposal(trx, proposalId, { status: to, updated_at: now });
    await repo.recordEvent(trx, { proposalId, kind: 'progressed', from: proposal.status, to, by: actor.personId, at: now });
    const outboxIds = await queueCardChange(trx, cardRef(proposal), `status:${to}`);
    return { proposal: updated, outboxIds };
  });
  afterCommit(deps, result.outboxIds);
  return result.proposal;
}

/**
 * Posts the cards of proposals open for votes that a new governance channel does not show yet (a
 * channel chosen while votes run, or the demo organisation's first channel). Returns how many.
 */
export async function postOpenProposals(deps: ProposalDeps, orgId: string, conversationId: string): Promise<number> {
  const { db, clock } = deps;
  const now = clock.now();
  const outboxIds = await db.transaction().execute(async (trx) => {
    const open = await repo.openProposalsNotPostedIn(trx, orgId, conversationId, now);
    const ids: string[] = [];
    for (const proposal of open) ids.push(...(await postCards(trx, cardRef(proposal), [conversationId])));
    return ids;
  });
  afterCommit(deps, outboxIds);
  return outboxIds.length;
}

/** A board member's current ballot on an open proposal, for the comment form. */
export async function ballotForComment(deps: Pick<ProposalDeps, 'db'>, actor: Actor, proposalId: string) {
  requireRole(actor, 'board', 'vote on proposals');
  const proposal = await repo.proposalById(deps.db, proposalId);
  if (!proposal || proposal.org_id !== actor.orgId) throw new InvalidInput('That proposal does not exist (any more).');
  if (proposal.status !== 'open') throw new InvalidInput(`Voting on proposal #${proposal.number} is closed.`);
  return { proposal, current: await repo.ballotOf(deps.db, proposal.id, actor.personId) };
}

/** The card as one person sees it after their own vote (Teams shows it in place, to them only). */
export async function cardForVoter(db: Db, proposalId: string, note: string) {
  const view = await loadProposalView(db, proposalId);
  if (!view) throw new NotFound('That proposal does not exist (any more).');
  return proposalCard(view, { note });
}
