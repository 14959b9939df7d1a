// Use cases of the journey tree: find a journey from what was typed, add, move, name an owner or a
// deputy, link a channel. Each checks who may do it, validates, refuses cycles before the database
// would, changes the tree and logs the change in one transaction.
import { z } from 'zod';
import { InvalidInput, NotFound, PermissionDenied } from '../chat/errors.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import { enqueueMessage } from '../delivery/outbox-repo.js';
import { upsertConversation } from '../orgs/conversations.js';
import { personRefs } from '../orgs/people.js';
import { hasRole, type Actor } from '../chat/actor.js';
import { ownerChangedCard } from './cards.js';
import { clearWinner, fold, matchJourneys } from './match.js';
import * as repo from './repo.js';
import { setEscalationDelayHours } from './settings.js';
import type { JourneyRow } from './repo.js';
import type { JourneyLevel } from './tables.js';
import { JourneyTree, levelProblem } from './tree.js';

export interface JourneyDeps {
  db: Db;
  clock: Clock;
}

export async function loadTree(db: repo.Executor, orgId: string): Promise<{ tree: JourneyTree; rows: JourneyRow[] }> {
  const rows = await repo.loadJourneys(db, orgId);
  return { tree: new JourneyTree(rows), rows };
}

export type Lookup = { kind: 'found'; journey: JourneyRow; closest: boolean } | { kind: 'choose'; candidates: JourneyRow[] } | { kind: 'none' };

/** A journey from what someone typed: exact key or name, else the clear best candidate, else a choice. */
export function lookup(rows: JourneyRow[], typed: string): Lookup {
  const result = matchJourneys(rows, typed);
  const winner = clearWinner(result);
  if (winner) return { kind: 'found', journey: winner, closest: !result.exact };
  if (result.candidates.length) return { kind: 'choose', candidates: result.candidates.map((c) => c.journey) };
  return { kind: 'none' };
}

/** Like lookup, but a command that changes something needs one journey, so anything else is an error. */
export function requireJourney(rows: JourneyRow[], typed: string): JourneyRow {
  const found = lookup(rows, typed);
  if (found.kind === 'found') return found.journey;
  if (found.kind === 'choose') {
    throw new InvalidInput(`“${typed}” could be ${found.candidates.map((c) => `${c.name} (${c.key})`).join(', ')}. Say which with its key. Nothing was changed.`);
  }
  throw new NotFound(`There is no journey “${typed}”. Type \`journey list\` to see them all. Nothing was changed.`);
}

/**
 * Splits "<journey> <rest>" where the journey may be several words or "quoted": the longest run of
 * leading words that is exactly a journey's key or name wins; otherwise the first word, matched
 * tolerantly. The rest comes back as typed (a ping message keeps its spacing).
 */
export function splitJourney(rows: JourneyRow[], raw: string): { journey: JourneyRow; rest: string } {
  const textIn = raw.trim();
  const quoted = /^(?:"([^"]+)"|“([^”]+)”)\s*/.exec(textIn);
  if (quoted) return { journey: requireJourney(rows, quoted[1] ?? quoted[2] ?? ''), rest: textIn.slice(quoted[0].length).trim() };
  const ends = [...textIn.matchAll(/\S+/g)].map((m) => m.index + m[0].length);
  if (ends.length === 0) throw new InvalidInput('Which journey? Give its key or name first. Nothing was changed.');
  for (let n = Math.min(ends.length, 8); n >= 1; n--) {
    const typed = fold(textIn.slice(0, ends[n - 1]));
    const exact = rows.find((r) => fold(r.key) === typed || fold(r.name) === typed);
    if (exact) return { journey: exact, rest: textIn.slice(ends[n - 1]).trim() };
  }
  const firstEnd = ends[0]!;
  return { journey: requireJourney(rows, textIn.slice(0, firstEnd)), rest: textIn.slice(firstEnd).trim() };
}

const dbError = z.object({ code: z.string(), constraint: z.string().optional() });

/** Turns a refusal of the database into the message a person can act on; rethrows anything else. */
function translateDbError(error: unknown, journey: { key: string; name: string }): never {
  const parsed = dbError.safeParse(error);
  if (parsed.success) {
    const { code, constraint } = parsed.data;
    if (code === '23505' && constraint === 'journeys_org_key_key') throw new InvalidInput(`There is already a journey with the key “${journey.key}”. Nothing was changed.`);
    if (code === '23505' && constraint === 'journeys_org_name_key') throw new InvalidInput(`There is already a journey called “${journey.name}”. Nothing was changed.`);
    if (code === '23514' && constraint === 'journeys_no_cycle') throw new InvalidInput(`That would put ${journey.name} under itself (a cycle in the tree). Nothing was changed.`);
    if (code === '23514' && constraint === 'journeys_max_depth') throw new InvalidInput('The journey tree cannot be deeper than 32 levels. Nothing was changed.');
  }
  throw error;
}

function requireAdmin(actor: Actor, doing: string): void {
  if (!hasRole(actor, 'admin')) throw new PermissionDenied(`Only admins can ${doing}. Nothing was changed.`);
}

export interface AddJourneyInput {
  key: string;
  name: string;
  level: JourneyLevel;
  /** Key or name of the parent; absent for a root. */
  parent?: string | undefined;
  description?: string | undefined;
}

export async function addJourney(deps: JourneyDeps, actor: Actor, input: AddJourneyInput): Promise<JourneyRow> {
  requireAdmin(actor, 'add journeys');
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const { rows } = await loadTree(trx, actor.orgId);
    const parent = input.parent ? requireJourney(rows, input.parent) : undefined;
    const problem = levelProblem(input.level, parent?.level ?? null);
    if (problem) throw new InvalidInput(`${input.name} cannot go there: ${problem}. Nothing was changed.`);
    if (rows.some((r) => r.key === input.key)) throw new InvalidInput(`There is already a journey with the key “${input.key}”. Nothing was changed.`);
    if (rows.some((r) => r.name.toLowerCase() === input.name.toLowerCase())) throw new InvalidInput(`There is already a journey called “${input.name}”. Nothing was changed.`);
    const id = await repo
      .insertJourney(trx, { orgId: actor.orgId, key: input.key, name: input.name, level: input.level, parentId: parent?.id ?? null, ownerPersonId: null, description: input.description ?? null }, now)
      .catch((error: unknown) => translateDbError(error, input));
    await repo.logJourneyEvent(trx, { journeyId: id, kind: 'created', detail: { key: input.key, parent: parent?.key ?? null }, byPersonId: actor.personId, byLabel: actor.name, at: now });
    const created = await repo.journeyById(trx, actor.orgId, id);
    if (!created) throw new Error('journey vanished right after it was created');
    return created;
  });
}

export async function moveJourney(deps: JourneyDeps, actor: Actor, journeyTyped: string, parentTyped: string | null): Promise<{ journey: JourneyRow; parent: JourneyRow | undefined; moved: number }> {
  requireAdmin(actor, 'move journeys');
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const { tree, rows } = await loadTree(trx, actor.orgId);
    const journey = requireJourney(rows, journeyTyped);
    const parent = parentTyped ? requireJourney(rows, parentTyped) : undefined;
    if (tree.wouldCycle(journey.id, parent?.id ?? null)) {
      throw new InvalidInput(`${parent?.name ?? 'That journey'} is ${parent?.id === journey.id ? '' : 'inside '}${journey.name} itself; moving it there would make a cycle. Nothing was changed.`);
    }
    const problem = levelProblem(journey.level, parent?.level ?? null);
    if (problem) throw new InvalidInput(`${journey.name} cannot go there: ${problem}. Nothing was changed.`);
    await repo.updateJourney(trx, actor.orgId, journey.id, { parent_id: parent?.id ?? null }, now).catch((error: unknown) => translateDbError(error, journey));
    await repo.logJourneyEvent(trx, {
      journeyId: journey.id,
      kind: 'moved',
      detail: { from: journey.parentId ? (tree.get(journey.parentId)?.key ?? null) : null, to: parent?.key ?? null },
      byPersonId: actor.personId,
      byLabel: actor.name,
      at: now,
    });
    return { journey, parent, moved: tree.subtree(journey.id).length };
  });
}

/** Admins, or whoever is accountable for the journey now (its owner, or the inherited one). */
function mayHandOver(actor: Actor, tree: JourneyTree, journey: JourneyRow): boolean {
  return hasRole(actor, 'admin') || tree.effectiveOwner(journey.id)?.personId === actor.personId;
}

/** The journey whose owner or deputy the actor names, read in the transaction; admins or whoever is accountable now. */
async function journeyToHandOver(trx: repo.Executor, actor: Actor, journeyTyped: string, role: 'owner' | 'deputy'): Promise<{ tree: JourneyTree; journey: JourneyRow }> {
  const { tree, rows } = await loadTree(trx, actor.orgId);
  const journey = requireJourney(rows, journeyTyped);
  if (!mayHandOver(actor, tree, journey)) {
    throw new PermissionDenied(`Only admins or the current owner of ${journey.name} can name its ${role}. Nothing was changed.`);
  }
  return { tree, journey };
}

export async function setOwner(deps: JourneyDeps, actor: Actor, journeyTyped: string, newOwner: { personId: string } | null): Promise<{ journey: JourneyRow; outboxIds: string[]; changed: boolean }> {
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const { tree, journey } = await journeyToHandOver(trx, actor, journeyTyped, 'owner');
    const personId = newOwner?.personId ?? null;
    if (journey.ownerPersonId === personId) return { journey, outboxIds: [], changed: false };
    const deputyClash = personId !== null && journey.deputyPersonId === personId;
    await repo.updateJourney(trx, actor.orgId, journey.id, { owner_person_id: personId, ...(deputyClash ? { deputy_person_id: null } : {}) }, now);
    const eventId = await repo.logJourneyEvent(trx, { journeyId: journey.id, kind: 'owner', detail: { from: journey.ownerPersonId, to: personId }, byPersonId: actor.personId, byLabel: actor.name, at: now });
    const outboxIds: string[] = [];
    const refs = await personRefs(trx, [actor.personId, ...(personId ? [personId] : []), ...(journey.ownerPersonId ? [journey.ownerPersonId] : [])]);
    const by = refs.get(actor.personId) ?? { name: actor.name };
    const parent = tree.parent(journey.id);
    const inheritedBy = tree.subtree(journey.id).filter((j) => j.id !== journey.id && !j.ownerPersonId).length;
    // The new owner hears it from Steward; so does the one handing over, unless they did it themselves.
    if (personId && personId !== actor.personId) {
      const id = await enqueueMessage(trx, {
        orgId: actor.orgId,
        dedupeKey: `journey-event:${eventId}:to:${personId}`,
        target: { kind: 'person', personId },
        card: ownerChangedCard({ journey, parentName: parent?.name, by, role: 'new', inheritedBy }),
      });
      if (id) outboxIds.push(id);
    }
    if (journey.ownerPersonId && journey.ownerPersonId !== actor.personId && journey.ownerPersonId !== personId) {
      const id = await enqueueMessage(trx, {
        orgId: actor.orgId,
        dedupeKey: `journey-event:${eventId}:to:${journey.ownerPersonId}`,
        target: { kind: 'person', personId: journey.ownerPersonId },
        card: ownerChangedCard({ journey, parentName: parent?.name, by, role: 'previous', newOwner: personId ? refs.get(personId) : undefined, inheritedBy }),
      });
      if (id) outboxIds.push(id);
    }
    return { journey, outboxIds, changed: true };
  });
}

export async function setDeputy(deps: JourneyDeps, actor: Actor, journeyTyped: string, deputy: { personId: string } | null): Promise<{ journey: JourneyRow; changed: boolean }> {
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const { journey } = await journeyToHandOver(trx, actor, journeyTyped, 'deputy');
    const personId = deputy?.personId ?? null;
    if (personId && personId === journey.ownerPersonId) throw new InvalidInput('The owner cannot be their own deputy. Nothing was changed.');
    if (journey.deputyPersonId === personId) return { journey, changed: false };
    await repo.updateJourney(trx, actor.orgId, journey.id, { deputy_person_id: personId }, now);
    await repo.logJourneyEvent(trx, { journeyId: journey.id, kind: 'deputy', detail: { from: journey.deputyPersonId, to: personId }, byPersonId: actor.personId, byLabel: actor.name, at: now });
    return { journey, changed: true };
  });
}

/** Links the conversation the command was typed in as the journey's channel. */
export async function setChannel(
  deps: JourneyDeps,
  actor: Actor,
  journeyTyped: string,
  conversation: { platform: 'slack' | 'teams'; installationId: string; id: string; kind: 'personal' | 'channel' | 'group'; name?: string | undefined },
): Promise<JourneyRow> {
  const now = deps.clock.now();
  if (conversation.kind === 'personal') throw new InvalidInput('Type this in the channel you want to link, not in a direct message. Nothing was changed.');
  return deps.db.transaction().execute(async (trx) => {
    const { tree, rows } = await loadTree(trx, actor.orgId);
    const journey = requireJourney(rows, journeyTyped);
    if (!mayHandOver(actor, tree, journey)) throw new PermissionDenied(`Only admins or the owner of ${journey.name} can link its channel. Nothing was changed.`);
    const conversationId = await upsertConversation(trx, {
      orgId: actor.orgId,
      platform: conversation.platform,
      installationExternalId: conversation.installationId,
      externalId: conversation.id,
      kind: conversation.kind,
      name: conversation.name ?? null,
    });
    await repo.updateJourney(trx, actor.orgId, journey.id, { channel_conversation_id: conversationId }, now);
    await repo.logJourneyEvent(trx, { journeyId: journey.id, kind: 'channel', detail: { conversationId }, byPersonId: actor.personId, byLabel: actor.name, at: now });
    return journey;
  });
}

export function ensureJourney(journey: JourneyRow | undefined): JourneyRow {
  if (!journey) throw new NotFound('That journey no longer exists. Nothing was changed.');
  return journey;
}

/** The rows the add-journey form offers as parents; admins only, like adding itself. */
export async function addJourneyFormRows(deps: Pick<JourneyDeps, 'db'>, actor: Actor): Promise<JourneyRow[]> {
  requireAdmin(actor, 'add journeys');
  return (await loadTree(deps.db, actor.orgId)).rows;
}

/** Sets how long a ping waits for an acknowledgement before it escalates (admins). */
export async function changeEscalationDelay(deps: Pick<JourneyDeps, 'db'>, actor: Actor, hours: number): Promise<void> {
  requireAdmin(actor, 'change the escalation delay');
  await setEscalationDelayHours(deps.db, actor.orgId, hours);
}

/** What the journey card shows besides the tree: its channel's name and how many pings are open. */
export async function journeyCardFacts(db: Db, journey: JourneyRow): Promise<{ channelName: string | undefined; openPings: number }> {
  const [channel, openPings] = await Promise.all([
    journey.channelConversationId ? repo.conversationName(db, journey.channelConversationId) : Promise.resolve(undefined),
    repo.openPingCount(db, journey.id),
  ]);
  return { channelName: channel ? (channel.name ? `#${channel.name}` : channel.external_id) : undefined, openPings };
}
