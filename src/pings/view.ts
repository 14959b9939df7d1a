// Reads a ping as cards show it: the row, its journey, who sent it, who holds it, who is next in
// line, and its history with people resolved to mentions. Every card is rendered from this, so a
// message always reflects the database, never what a button carried.
import type { PersonRef } from '../chat/card.js';
import { personRefs, refsOf } from '../orgs/people.js';
import * as orgsRepo from '../orgs/repo.js';
import { holdersAbove, nextHolderAbove, type Holder } from '../journeys/owners.js';
import type { Executor } from '../journeys/repo.js';
import * as repo from './repo.js';
import type { PingMessageLine, PingRow } from './repo.js';
import { delayFromSettings } from '../journeys/settings.js';
import type { PingEventKind } from '../journeys/tables.js';



export interface PingHistoryLine {
  kind: PingEventKind;
  level: number;
  at: Date;
  actor?: PersonRef | undefined;
  to?: PersonRef | undefined;
  toJourneyName?: string | undefined;
  until?: Date | undefined;
  note?: string | undefined;
}

/** The columns of a ping event a history line shows. */
export interface PingEventFields {
  kind: PingEventKind;
  level: number;
  at: Date;
  actor_person_id: string | null;
  to_person_id: string | null;
  to_journey_name: string | null;
  until: Date | null;
  note: string | null;
}

/** A ping event as a line of the ping's history, its people as mentions. */
export function historyLineOf(event: PingEventFields, ref: (id: string | null) => PersonRef | undefined): PingHistoryLine {
  return {
    kind: event.kind,
    level: event.level,
    at: event.at,
    actor: ref(event.actor_person_id),
    to: ref(event.to_person_id),
    toJourneyName: event.to_journey_name ?? undefined,
    until: event.until ?? undefined,
    note: event.note ?? undefined,
  };
}

/**
 * Whether the "sent" line `history[i]` belongs to a round an escalation sent: an "escalated" line of
 * the same level, recorded at the same moment, comes just before it (other lines of the round aside).
 * Both renderings of a ping's history (its card, the journey history's steps) leave such a line out.
 */
export function toldByEscalation(history: PingHistoryLine[], i: number): boolean {
  const line = history[i]!;
  for (let j = i - 1; j >= 0; j--) {
    const before = history[j]!;
    if (before.at.getTime() !== line.at.getTime()) return false;
    if (before.kind !== 'sent') return before.kind === 'escalated' && before.level === line.level;
  }
  return false;
}

export interface PingView {
  ping: PingRow;
  journey: { id: string; key: string; name: string };
  /** Null for a ping Steward raised itself (a KPI alert). */
  from: PersonRef | null;
  /** Null while the ping is with the organisation's admins. */
  holder: { personId: string; ref: PersonRef; journeyName: string } | null;
  deputy: { personId: string; ref: PersonRef } | null;
  admins: { personId: string; ref: PersonRef }[];
  /** Who it escalates to next; null when nobody is left above. */
  next: { personId: string; ref: PersonRef; journeyName: string } | null;
  history: PingHistoryLine[];
  /** The direct messages sent about it so far, every round's: what a change redraws. */
  messages: PingMessageLine[];
  timeZone: string;
  delayHours: number;
  /** Everyone the view mentions, by person id. */
  people: Map<string, PersonRef>;
}

/** The round of its latest direct messages; null before any was sent. */
export function latestRoundOf(view: PingView): number | null {
  return view.messages.reduce<number | null>((latest, m) => (latest === null || m.round > latest ? m.round : latest), null);
}

export function isOpen(ping: PingRow): boolean {
  return ping.state === 'sent' || ping.state === 'snoozed';
}

/** The next holder if the ping escalated now, or undefined when nobody is left above. */
export async function nextInLine(db: Executor, ping: PingRow): Promise<Holder | undefined> {
  if (!ping.holder_journey_id) return undefined;
  return nextHolderAbove(db, ping.holder_journey_id, ping.holder_person_id);
}

/** What the caller of loadPingView knows already: who is next in line (null: nobody), and other people its cards will mention. */
export interface KnownOfPing {
  next?: Holder | null;
  alsoPeople?: string[];
}

export async function loadPingView(db: Executor, pingId: string, known: KnownOfPing = {}): Promise<PingView | undefined> {
  return (await loadPingViews(db, [pingId], new Map([[pingId, known]]))).get(pingId);
}

/** A ping as pingsWithJourneys reads it, with who is next in line and, while it is with them, the admins. */
type ViewParts = Awaited<ReturnType<typeof repo.pingsWithJourneys>>[number] & { next: Holder | undefined; admins: { id: string }[] };

/** loadPingView of several pings (a batch of escalations): their rows in one query, the people none of them brought in one more. */
export async function loadPingViews(db: Executor, pingIds: string[], known: Map<string, KnownOfPing> = new Map()): Promise<Map<string, PingView>> {
  // One query for the pings with their journeys, their holders' journeys, the settings, their histories and their people.
  const alsoPeople = new Map(pingIds.map((id) => [id, [known.get(id)?.next?.personId, ...(known.get(id)?.alsoPeople ?? [])].filter((p): p is string => Boolean(p))]));
  const parts: ViewParts[] = [];
  for (const row of await repo.pingsWithJourneys(db, pingIds, alsoPeople)) {
    // Who is next in line: as the caller knows it, or from the owner chain the row brought.
    const given = known.get(row.id)?.next;
    const next = !isOpen(row) ? undefined : given !== undefined ? (given ?? undefined) : holdersAbove(row.chain ?? [], row.holder_person_id).next;
    const admins = row.holder_person_id ? [] : await orgsRepo.peopleWithRole(db, row.org_id, 'admin');
    parts.push({ ...row, next, admins });
  }
  // Each ping's own people came with it; only who it does not name yet (the admins, who is next) is read, once for all.
  const refs = parts.map((part) => refsOf(part.people));
  const lacking = parts.map((part, i) => mentionedIn(part).filter((id) => !refs[i]!.has(id)));
  const missing = new Set(lacking.flat());
  const read = missing.size > 0 ? await personRefs(db, [...missing]) : new Map<string, PersonRef>();
  return new Map(
    parts.map((part, i) => {
      for (const id of lacking[i]!) if (read.has(id)) refs[i]!.set(id, read.get(id)!);
      return [part.id, viewFrom(part, refs[i]!)];
    }),
  );
}

/** The holder's deputy, unless the holder deputises for themselves. */
const deputyOf = (part: ViewParts) => (part.holder_deputy_id && part.holder_deputy_id !== part.holder_person_id ? part.holder_deputy_id : null);

/** Everyone a ping's view mentions. */
function mentionedIn(part: ViewParts): string[] {
  const ids = [part.from_person_id, part.holder_person_id, deputyOf(part), part.next?.personId, ...part.admins.map((a) => a.id), ...part.events.flatMap((e) => [e.actor_person_id, e.to_person_id])];
  return ids.filter((id): id is string => Boolean(id));
}

function viewFrom(part: ViewParts, refs: Map<string, PersonRef>): PingView {
  // The row without what the view shows apart is the ping itself.
  const { journey_key, journey_name, holder_journey_name, holder_deputy_id: _deputy, chain: _chain, time_zone, settings, events, messages, people: _people, next, admins, ...ping } = part;
  const deputyId = deputyOf(part);
  const refOf = (id: string): PersonRef => refs.get(id) ?? { name: 'someone' };
  const ref = (id: string | null | undefined): PersonRef | undefined => (id ? refOf(id) : undefined);
  return {
    ping,
    journey: { id: ping.journey_id, key: journey_key, name: journey_name },
    from: ping.from_person_id ? refOf(ping.from_person_id) : null,
    holder: ping.holder_person_id ? { personId: ping.holder_person_id, ref: refOf(ping.holder_person_id), journeyName: holder_journey_name ?? journey_name } : null,
    deputy: deputyId ? { personId: deputyId, ref: refOf(deputyId) } : null,
    admins: admins.map((a) => ({ personId: a.id, ref: refOf(a.id) })),
    next: next ? { personId: next.personId, ref: refOf(next.personId), journeyName: next.journeyName } : null,
    history: events.map((e) => historyLineOf(e, ref)),
    messages,
    timeZone: time_zone,
    delayHours: delayFromSettings(settings),
    people: refs,
  };
}
