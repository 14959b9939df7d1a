// Every change of a ping's state after it was sent: the Acknowledge / Snooze / Escalate / Resolve
// buttons, and what the escalation worker does when a ping is due (escalate one level up, stop at the
// top, or end a snooze with a reminder). Each is one transaction around one conditional UPDATE, so an
// acknowledgement and an escalation racing each other produce exactly one outcome.
import { mention, text, type PersonRef, type RichText } from '../chat/card.js';
import { InvalidInput, NotFound, PermissionDenied } from '../chat/errors.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import { personRef } from '../orgs/people.js';
import { hasRole, type Actor } from '../chat/actor.js';
import { isOpen, latestRoundOf, loadPingViews, nextInLine, type PingView } from './view.js';
import { holdersAbove, type Holder } from '../journeys/owners.js';
import { ownerChains } from '../journeys/repo.js';
import * as orgsRepo from '../orgs/repo.js';
import type { PingRow } from './repo.js';
import type { PingState } from '../journeys/tables.js';
import * as repo from './repo.js';
import { pingRow, recordEvent, transition } from './repo.js';
import { recipientsOf, redraws, sendRound, sendRounds, senderNote, viewOf, type RoundToSend } from './steps.js';
import { enqueueMessages } from '../delivery/outbox-repo.js';
import type { Executor } from '../journeys/repo.js';
import { delayMs, escalationDelayHours, formatHours } from '../journeys/settings.js';

export const SNOOZE_MS = 24 * 3_600_000;

// ---------------------------------------------------------------------------------------------
// What people do with the buttons

export interface PingActionResult {
  /** The ping after the action, for the card that replaces the clicked message. */
  view: PingView;
  outboxIds: string[];
  /** When the escalation worker must look at it next, if ever. */
  nextDueAt: Date | null;
  /** Set when nothing changed because it was already so (a double click). */
  unchanged?: string;
}

export function dueAt(ping: PingRow): Date | null {
  if (ping.state === 'snoozed') return ping.snoozed_until;
  if (ping.state === 'sent') return ping.escalate_at;
  return null;
}

/** The person the ping is with, their deputy, or an admin: nobody else may act on it. */
async function mayAct(db: Executor, actor: Actor, ping: PingRow): Promise<boolean> {
  if (hasRole(actor, 'admin')) return true;
  if (ping.holder_person_id === actor.personId) return true;
  if (!ping.holder_journey_id) return false;
  return (await repo.journeyDeputy(db, ping.holder_journey_id)) === actor.personId;
}

async function pingForActor(db: Executor, actor: Actor, pingId: string): Promise<PingRow> {
  const ping = await pingRow(db, pingId);
  if (!ping || ping.org_id !== actor.orgId) throw new NotFound('That ping no longer exists. Nothing was changed.');
  return ping;
}

async function refuse(db: Executor, ping: PingRow, doing: string): Promise<never> {
  const view = await viewOf(db, ping.id);
  const holder = view.holder ? view.holder.ref.name : 'the admins';
  throw new PermissionDenied(`This ping is with ${holder}: only they, their deputy or an admin can ${doing} it. Nothing was changed.`);
}

/** Why a racing change won: re-read and say what happened instead. */
async function explainConflict(db: Executor, pingId: string): Promise<never> {
  const view = await viewOf(db, pingId);
  const { ping } = view;
  const last = view.history.at(-1);
  if (ping.state === 'acknowledged') throw new InvalidInput(`This ping was acknowledged${last?.actor ? ` by ${last.actor.name}` : ''} a moment ago. Nothing was changed.`);
  if (ping.state === 'resolved') throw new InvalidInput('This ping was resolved a moment ago. Nothing was changed.');
  if (last?.kind === 'escalated') throw new InvalidInput(`This ping was escalated to ${last.to?.name ?? 'the next owner'} a moment ago; it is with them now. Nothing was changed.`);
  throw new InvalidInput('This ping changed while you clicked; look at the updated message and try again. Nothing was changed.');
}

export interface PingDeps {
  db: Db;
  clock: Clock;
}

export async function acknowledgePing(deps: PingDeps, actor: Actor, pingId: string): Promise<PingActionResult> {
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const ping = await pingForActor(trx, actor, pingId);
    if (!(await mayAct(trx, actor, ping))) await refuse(trx, ping, 'acknowledge');
    if (!isOpen(ping)) {
      return { view: await viewOf(trx, ping.id), outboxIds: [], nextDueAt: null, unchanged: `This ping is already ${ping.state}.` };
    }
    const after = await transition(trx, ping, ['sent', 'snoozed'], { state: 'acknowledged', escalate_at: null, snoozed_until: null }, now);
    if (!after) return explainConflict(trx, ping.id);
    await recordEvent(trx, after, 'acknowledged', now, { actor: actor.personId });
    const view = await viewOf(trx, after.id);
    const outboxIds = await enqueueMessages(trx, [
      ...redraws(view, { liveRound: null, skipPersonId: actor.personId }),
      ...senderNote(view, { kind: 'acknowledged', by: await personRef(trx, actor.personId) }, actor.personId),
    ]);
    return { view, outboxIds, nextDueAt: null };
  });
}

export async function snoozePing(deps: PingDeps, actor: Actor, pingId: string): Promise<PingActionResult> {
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const ping = await pingForActor(trx, actor, pingId);
    if (!(await mayAct(trx, actor, ping))) await refuse(trx, ping, 'snooze');
    if (!isOpen(ping)) throw new InvalidInput(`This ping is already ${ping.state}; there is nothing to snooze. Nothing was changed.`);
    if (ping.state === 'snoozed') {
      return { view: await viewOf(trx, ping.id), outboxIds: [], nextDueAt: ping.snoozed_until, unchanged: 'This ping is already snoozed.' };
    }
    if (ping.exhausted_at) throw new InvalidInput('Nobody is left above to escalate this ping to, so there is nothing to postpone: acknowledge it instead. Nothing was changed.');
    const until = new Date(now.getTime() + SNOOZE_MS);
    const after = await transition(trx, ping, ['sent'], { state: 'snoozed', snoozed_until: until, escalate_at: null }, now);
    if (!after) return explainConflict(trx, ping.id);
    await recordEvent(trx, after, 'snoozed', now, { actor: actor.personId, until });
    const view = await viewOf(trx, after.id);
    const outboxIds = await enqueueMessages(trx, [
      ...redraws(view, { liveRound: latestRoundOf(view), skipPersonId: actor.personId }),
      ...senderNote(view, { kind: 'snoozed', by: await personRef(trx, actor.personId), until }, actor.personId),
    ]);
    return { view, outboxIds, nextDueAt: until };
  });
}

export async function escalatePingNow(deps: PingDeps, actor: Actor, pingId: string): Promise<PingActionResult> {
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const ping = await pingForActor(trx, actor, pingId);
    if (!(await mayAct(trx, actor, ping))) await refuse(trx, ping, 'escalate');
    if (!isOpen(ping)) throw new InvalidInput(`This ping is already ${ping.state}; there is nothing to escalate. Nothing was changed.`);
    const result = await escalate(trx, ping, now, actor);
    if (result.outcome === 'raced') return explainConflict(trx, ping.id);
    return { view: await viewOf(trx, ping.id), outboxIds: result.outboxIds, nextDueAt: result.nextDueAt };
  });
}

export async function resolvePingByActor(deps: PingDeps, actor: Actor, pingId: string): Promise<PingActionResult> {
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const ping = await pingForActor(trx, actor, pingId);
    if (ping.from_person_id !== actor.personId && !(await mayAct(trx, actor, ping))) await refuse(trx, ping, 'resolve');
    const result = await resolvePing(trx, { orgId: actor.orgId, pingId, now, byPersonId: actor.personId });
    return { view: await viewOf(trx, ping.id), outboxIds: result.outboxIds, nextDueAt: null, ...(result.resolved ? {} : { unchanged: 'This ping is already resolved.' }) };
  });
}

export async function resolvePing(
  trx: Executor,
  input: { orgId: string; pingId: string; now: Date; note?: string; byPersonId?: string | null },
): Promise<{ outboxIds: string[]; resolved: boolean }> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const ping = await pingRow(trx, input.pingId);
    if (!ping || ping.org_id !== input.orgId) throw new NotFound('That ping no longer exists.');
    if (ping.state === 'resolved') return { outboxIds: [], resolved: false };
    const after = await transition(trx, ping, ['sent', 'snoozed', 'acknowledged'], { state: 'resolved', escalate_at: null, snoozed_until: null }, input.now);
    if (!after) continue; // changed under us (e.g. escalated): resolve the newer version
    await recordEvent(trx, after, 'resolved', input.now, { actor: input.byPersonId ?? null, note: input.note ?? null });
    const view = await viewOf(trx, after.id);
    const by = input.byPersonId ? await personRef(trx, input.byPersonId) : undefined;
    const outboxIds = await enqueueMessages(trx, [
      ...redraws(view, { liveRound: null, skipPersonId: input.byPersonId ?? undefined }),
      ...senderNote(view, { kind: 'resolved', by, note: input.note }, input.byPersonId ?? null),
    ]);
    return { outboxIds, resolved: true };
  }
  throw new Error(`ping ${input.pingId} kept changing while it was being resolved`);
}

// ---------------------------------------------------------------------------------------------
// What the escalation worker does when a ping is due

export type DueOutcome =
  | {
      outcome: 'escalated' | 'exhausted' | 'reminded';
      outboxIds: string[];
      /** Of outboxIds, what can follow the rest a moment later: redraws of earlier messages, the note to the sender. */
      laterOutboxIds?: string[];
      nextDueAt: Date | null;
    }
  /** Someone else (a click, another worker) changed it first; nothing was done here. */
  | { outcome: 'raced'; outboxIds: []; nextDueAt: null }
  | { outcome: 'not-due'; outboxIds: []; nextDueAt: Date | null }
  | { outcome: 'gone'; outboxIds: []; nextDueAt: null };

/** Why a ping moves on before its time: the person it was with cannot be reached. */
interface Unreachable {
  who: PersonRef;
  reason: string;
}

/** What one batch of due steps reads once for all its pings: each organisation's escalation delay. */
export interface BatchMemo {
  delayHours: Map<string, number>;
}

async function delayHoursOf(trx: Executor, orgId: string, memo?: BatchMemo): Promise<number> {
  const known = memo?.delayHours.get(orgId);
  if (known !== undefined) return known;
  const hours = await escalationDelayHours(trx, orgId);
  memo?.delayHours.set(orgId, hours);
  return hours;
}

/** A ping to escalate: who escalated it (null: it fell due) and, when it moves on early, why. */
interface Escalation {
  ping: PingRow;
  by: Actor | null;
  because?: Unreachable | undefined;
}

type Stepped = Exclude<DueOutcome, { outcome: 'not-due' | 'gone' }>;

const RACED: Stepped = { outcome: 'raced', outboxIds: [], nextDueAt: null };

async function escalate(trx: Executor, ping: PingRow, now: Date, by: Actor | null, because?: Unreachable, memo?: BatchMemo): Promise<Stepped> {
  return (await escalateAll(trx, [{ ping, by, because }], now, memo)).get(ping.id) ?? RACED;
}

/**
 * Escalates pings one level up, a batch's together in a few statements whatever its size: their
 * owner chains in one read, the moves with their history events in one statement, their views in
 * one query, and their new rounds with the redraws and the senders' notes in one statement. A ping
 * with nobody left above is marked exhausted on its own (rare: the top of the tree).
 */
async function escalateAll(trx: Executor, escalations: Escalation[], now: Date, memo?: BatchMemo): Promise<Map<string, Stepped>> {
  const outcomes = new Map<string, Stepped>();
  const chains = await ownerChains(trx, [...new Set(escalations.flatMap((e) => e.ping.holder_journey_id ?? []))]);
  const planned: { escalation: Escalation; target: Holder; after: Holder | null | undefined; delayHours: number }[] = [];
  for (const escalation of escalations) {
    const { ping, by } = escalation;
    // The next holder, and who comes after them (for the card's "next in line"), from the chain.
    const { next: target, after } = ping.holder_journey_id ? holdersAbove(chains.get(ping.holder_journey_id) ?? [], ping.holder_person_id) : { next: undefined, after: undefined };
    if (!target) {
      if (by) throw new InvalidInput('Nobody is above the current owner in the journey tree, so this ping cannot be escalated. Nothing was changed.');
      outcomes.set(ping.id, await exhaust(trx, ping, now));
      continue;
    }
    planned.push({ escalation, target, after, delayHours: await delayHoursOf(trx, ping.org_id, memo) });
  }
  const moves = planned.map(({ escalation: { ping, by, because }, target, delayHours }) => ({
    ping,
    from: (by ? ['sent', 'snoozed'] : ['sent']) satisfies PingState[],
    to: { personId: target.personId, journeyId: target.journeyId },
    escalateAt: new Date(now.getTime() + delayMs(delayHours)),
    actor: by?.personId ?? null,
    note: because ? `${because.who.name} cannot be reached: ${because.reason}` : null,
  }));
  const moved = new Map((await repo.moveUp(trx, moves, now)).map((after) => [after.id, after]));
  const done = planned.filter((p) => moved.has(p.escalation.ping.id));
  for (const p of planned) if (!moved.has(p.escalation.ping.id)) outcomes.set(p.escalation.ping.id, RACED);
  if (done.length === 0) return outcomes;
  const views = await loadPingViews(
    trx,
    done.map((p) => p.escalation.ping.id),
    new Map(done.map((p) => [p.escalation.ping.id, { ...(p.after !== undefined ? { next: p.after } : {}), alsoPeople: p.escalation.by ? [p.escalation.by.personId] : [] }])),
  );
  const rounds: RoundToSend[] = [];
  for (const p of done) rounds.push(await escalationRound(trx, views.get(p.escalation.ping.id)!, p.escalation, p.target, p.delayHours));
  const written = await sendRounds(trx, rounds, now);
  done.forEach((p, i) => {
    const { sent, alongside } = written[i]!;
    // The new holder's message is what the escalation is for; the redraws and the sender's note can follow.
    outcomes.set(p.escalation.ping.id, { outcome: 'escalated', outboxIds: [...alongside, ...sent], laterOutboxIds: alongside, nextDueAt: moved.get(p.escalation.ping.id)!.escalate_at });
  });
  return outcomes;
}

/** The round an escalation sends: the new holder's (and deputy's) messages, the redraws of earlier ones, the sender's note. */
async function escalationRound(trx: Executor, view: PingView, { ping, by, because }: Escalation, target: Holder, delayHours: number): Promise<RoundToSend> {
  const byRef = by ? (view.people.get(by.personId) ?? (await personRef(trx, by.personId))) : undefined;
  // The previous holder was sent the ping earlier, so the history already names them.
  const previousHolder = ping.holder_person_id;
  const previousRef = previousHolder ? (view.people.get(previousHolder) ?? (await personRef(trx, previousHolder))) : undefined;
  const intro: RichText = because
    ? [text('Sent to you because '), mention(because.who), text(` cannot be reached (${because.reason}).`)]
    : byRef
    ? [mention(byRef), text(' escalated this ping to you.')]
    : [text(`Escalated to you: not acknowledged within ${formatHours(delayHours)}`), ...(previousRef ? [text(' by '), mention(previousRef)] : []), text('.')];
  const note = senderNote(
    view,
    because
      ? { kind: 'unreachable', ...because, instead: view.holder ? [view.holder.ref] : [], insteadAs: `owner of ${target.journeyName}` }
      : { kind: 'escalated', to: view.holder?.ref ?? { name: 'the next owner' }, toJourney: target.journeyName, by: byRef, from: previousRef },
    by?.personId ?? null,
  );
  return {
    view,
    recipients: await recipientsOf(trx, view.ping, target),
    eventKind: 'sent',
    intro,
    alongside: [...redraws(view, { liveRound: null, skipPersonId: by?.personId }), ...note],
  };
}

/** A ping with nobody left above it: it stays with its holder, marked exhausted (the digest lists it). */
async function exhaust(trx: Executor, ping: PingRow, now: Date): Promise<Stepped> {
  const after = await transition(trx, ping, ['sent'], { exhausted_at: now, escalate_at: null }, now);
  if (!after) return RACED;
  await recordEvent(trx, after, 'exhausted', now);
  const view = await viewOf(trx, after.id);
  const outboxIds = await enqueueMessages(trx, [...redraws(view, { liveRound: latestRoundOf(view) }), ...senderNote(view, { kind: 'exhausted', last: view.holder?.ref }, null)]);
  return { outcome: 'exhausted', outboxIds, nextDueAt: null };
}

async function wake(trx: Executor, ping: PingRow, now: Date, memo?: BatchMemo): Promise<Exclude<DueOutcome, { outcome: 'not-due' | 'gone' }>> {
  const delayHours = await delayHoursOf(trx, ping.org_id, memo);
  const after = await transition(trx, ping, ['snoozed'], { state: 'sent', snoozed_until: null, escalate_at: new Date(now.getTime() + delayMs(delayHours)) }, now);
  if (!after) return { outcome: 'raced', outboxIds: [], nextDueAt: null };
  const recipients = await recipientsOf(trx, after);
  for (const personId of recipients) await recordEvent(trx, after, 'reminded', now, { to: personId });
  const view = await viewOf(trx, after.id);
  const { sent, alongside } = await sendRound(
    trx,
    { view, recipients, eventKind: null, intro: [text('Reminder: the snooze is over and this ping is still waiting for you.')], alongside: redraws(view, { liveRound: null }) },
    now,
  );
  return { outcome: 'reminded', outboxIds: [...alongside, ...sent], nextDueAt: after.escalate_at };
}

/** Escalates (or wakes) one ping if it is due now; safe to call from any number of workers. */
export async function processDuePing(deps: PingDeps, pingId: string): Promise<DueOutcome> {
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx): Promise<DueOutcome> => {
    const ping = await pingRow(trx, pingId);
    if (!ping) return { outcome: 'gone', outboxIds: [], nextDueAt: null };
    return dueStep(trx, ping, now);
  });
}

const escalationDue = (ping: PingRow, now: Date) => ping.state === 'sent' && ping.escalate_at !== null && ping.escalate_at <= now;

/** The due step of one ping as read (escalate, wake, or nothing yet), inside the caller's transaction. */
async function dueStep(trx: Executor, ping: PingRow, now: Date, memo?: BatchMemo): Promise<DueOutcome> {
  if (escalationDue(ping, now)) return escalate(trx, ping, now, null, undefined, memo);
  if (ping.state === 'snoozed' && ping.snoozed_until && ping.snoozed_until <= now) return wake(trx, ping, now, memo);
  return { outcome: 'not-due', outboxIds: [], nextDueAt: dueAt(ping) };
}

/**
 * Whether a ping is due now, read without waiting for a lock: 'not-due' (or 'gone') is final for a
 * job whose ping another batch already escalated, so most jobs of a burst need no transaction.
 * 'busy': another transaction holds the ping right now (a batch escalating it, a click); look again
 * shortly. 'due' may be stale by the time a batch claims it: processDueBatch decides.
 */
export async function dueNow(deps: PingDeps, pingId: string): Promise<{ outcome: 'due' } | { outcome: 'busy' } | Extract<DueOutcome, { outcome: 'not-due' | 'gone' }>> {
  const read = await repo.pingRowAndLock(deps.db, pingId);
  if (!read) return { outcome: 'gone', outboxIds: [], nextDueAt: null };
  const due = dueAt(read.ping);
  if (due && due <= deps.clock.now()) return read.locked ? { outcome: 'busy' } : { outcome: 'due' };
  return { outcome: 'not-due', outboxIds: [], nextDueAt: due };
}

export interface DueBatch {
  /** The outcome of each ping claimed, `pingId`'s first when it was claimed; `wasDueAt`: the due time it was claimed at. */
  steps: { pingId: string; outcome: DueOutcome; wasDueAt?: Date }[];
  /** `pingId` was not claimed because another transaction holds it (a click, another worker). */
  busy: boolean;
}

/**
 * The due step of several pings in one transaction: `pingId` (a job's own ping, whether due or not)
 * and others due by `dueBy` (default now), up to `limit` in all, claimed with FOR UPDATE SKIP LOCKED
 * (repo.claimDuePings). Workers and sweeps calling this at once each take different pings; a ping
 * another transaction holds is left to it (`busy` when it is `pingId`). Nothing is committed unless
 * every step of the batch is: a worker that dies leaves its pings due for the next job or sweep.
 */
export async function processDueBatch(deps: PingDeps, input: { pingId?: string; dueBy?: Date; limit: number }): Promise<DueBatch> {
  const now = deps.clock.now();
  const dueBy = input.dueBy && input.dueBy < now ? input.dueBy : now;
  return deps.db.transaction().execute(async (trx): Promise<DueBatch> => {
    const claimed = await repo.claimDuePings(trx, { pingId: input.pingId, dueBy, limit: input.limit });
    const steps: DueBatch['steps'] = [];
    let busy = false;
    if (input.pingId && claimed[0]?.id !== input.pingId) {
      if (await repo.pingExists(trx, input.pingId)) busy = true;
      else steps.push({ pingId: input.pingId, outcome: { outcome: 'gone', outboxIds: [], nextDueAt: null } });
    }
    const memo: BatchMemo = { delayHours: new Map() };
    // The batch's escalations together (a few statements for all of them), then any snooze that ended.
    const escalated = await escalateAll(trx, claimed.filter((ping) => escalationDue(ping, now)).map((ping) => ({ ping, by: null })), now, memo);
    for (const ping of claimed) {
      const wasDueAt = dueAt(ping);
      steps.push({ pingId: ping.id, outcome: escalated.get(ping.id) ?? (await dueStep(trx, ping, now, memo)), ...(wasDueAt ? { wasDueAt } : {}) });
    }
    return { steps, busy };
  });
}


// ---------------------------------------------------------------------------------------------
// When the person a ping is with cannot be reached (src/reach/: no Slack account with their e-mail,
// not in any Teams roster, a platform refused)

/**
 * Passes the ping on at once instead of letting it wait unseen for its escalation: while the deputy
 * (or the holder) of the round may still get it, the sender is told who has it; when nobody of the
 * round can be reached, to the next owner up the tree, or at the top to the admins. Called by the
 * delivery worker for a ping message that failed for good; returns the outbox rows to kick.
 */
export async function passOnUnreachable(deps: PingDeps, input: { pingId: string; round: number; level: number; outboxId: string; personId: string; reason: string }): Promise<string[]> {
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const ping = await pingRow(trx, input.pingId);
    if (!ping || !isOpen(ping) || ping.version !== input.round) return [];
    // The history says who could not be reached before what was done about it.
    await repo.recordUndelivered(trx, { outboxId: input.outboxId, pingId: ping.id, personId: input.personId, level: input.level, reason: input.reason, at: now });
    const because = { who: await personRef(trx, input.personId), reason: input.reason };
    const deliveries = await repo.roundDeliveries(trx, ping.id, ping.version);
    const others = deliveries.filter((d) => d.person_id !== input.personId && d.status !== 'failed');
    const view = await viewOf(trx, ping.id);
    if (others.length > 0) {
      // Someone else of this round (the deputy, another admin) may still see it.
      if (input.personId !== ping.holder_person_id) return [];
      const instead = await Promise.all(others.map((d) => personRef(trx, d.person_id)));
      return enqueueMessages(trx, senderNote(view, { kind: 'unreachable', ...because, instead, insteadAs: 'deputy' }, null));
    }
    if (await nextInLine(trx, ping)) return (await escalate(trx, ping, now, null, because)).outboxIds;
    const tried = new Set(deliveries.map((d) => d.person_id));
    const admins = (await orgsRepo.peopleWithRole(trx, ping.org_id, 'admin')).filter((a) => !tried.has(a.id));
    const intro: RichText = [text('Sent to you, an admin, because '), mention(because.who), text(` cannot be reached (${because.reason}) and nobody above them owns the journey.`)];
    const adminRefs = await Promise.all(admins.map((a) => personRef(trx, a.id)));
    const { sent, alongside } = await sendRound(
      trx,
      { view, recipients: admins.map((a) => a.id), eventKind: 'sent', intro, alongside: senderNote(view, { kind: 'unreachable', ...because, instead: adminRefs, insteadAs: 'the admins' }, null) },
      now,
    );
    return [...sent, ...alongside];
  });
}
