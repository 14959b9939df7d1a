// SQL of pings: the pings themselves, their messages (one per person and round) and their events
// (the history). The state machine that decides what is written lives in transitions.ts and steps.ts.
import { sql, type Insertable, type Selectable } from 'kysely';
import type { OutboxTable } from '../db/foundation-tables.js';
import { personRefJson, type PersonRefRow } from '../orgs/repo.js';
import { idsInOrder, outboxInsert } from '../delivery/outbox-repo.js';
import { hasRole, type Actor } from '../chat/actor.js';
import type { Db } from '../db/database.js';
import { compiledOnce } from '../db/compiled-once.js';
import { journeyChainCte, type ChainLink, type Executor } from '../journeys/repo.js';
import type { PingEventKind, PingsTable, PingState } from '../journeys/tables.js';

export type PingRow = Selectable<PingsTable>;

export async function pingByDedupeKey(db: Executor, orgId: string, dedupeKey: string) {
  return db.selectFrom('pings').select(['id', 'escalate_at']).where('org_id', '=', orgId).where('dedupe_key', '=', dedupeKey).executeTakeFirst();
}

/** Inserts the ping unless one with its dedupe key exists (then undefined: the first one stands). */
export async function insertPing(db: Executor, row: Insertable<PingsTable>) {
  return db.insertInto('pings').values(row).onConflict((oc) => oc.constraint('pings_org_dedupe_key').doNothing()).returningAll().executeTakeFirst();
}

/** Pings whose escalation or snooze end has come, oldest first: what the sweep looks at. */
export async function duePingIds(db: Db, now: Date, limit = 500): Promise<string[]> {
  const escalations = db
    .selectFrom('pings')
    .select(['id', 'escalate_at as due'])
    .where('state', '=', 'sent')
    .where('escalate_at', 'is not', null)
    .where('escalate_at', '<=', now);
  const snoozes = db.selectFrom('pings').select(['id', 'snoozed_until as due']).where('state', '=', 'snoozed').where('snoozed_until', '<=', now);
  const rows = await escalations.unionAll(snoozes).orderBy('due').limit(limit).execute();
  return rows.map((r) => r.id);
}

/**
 * Locks pings to escalate or wake, in one statement: `pingId` (whether due or not: its job asks) and
 * then up to `limit` in all that are due by `dueBy`, oldest first. Rows another transaction holds (a
 * click, another worker's batch) are skipped, so workers claiming at once share the due pings out
 * instead of waiting on each other; LIMIT applies after the skip, to rows actually locked. Each
 * is decided on its row as locked here (the latest version), so the outcome stays one per ping.
 */
export async function claimDuePings(trx: Executor, input: { pingId?: string | undefined; dueBy: Date; limit: number }): Promise<PingRow[]> {
  const due = sql<Date>`case when state = 'sent' then escalate_at else snoozed_until end`;
  return trx
    .selectFrom('pings')
    .selectAll()
    .where((eb) =>
      eb.or([
        ...(input.pingId ? [eb('id', '=', input.pingId)] : []),
        eb.and([eb('state', '=', 'sent'), eb('escalate_at', 'is not', null), eb('escalate_at', '<=', input.dueBy)]),
        eb.and([eb('state', '=', 'snoozed'), eb('snoozed_until', '<=', input.dueBy)]),
      ]),
    )
    .$if(Boolean(input.pingId), (qb) => qb.orderBy(sql`id = ${input.pingId ?? null}::uuid`, 'desc'))
    .orderBy(due)
    .limit(input.limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

export async function pingExists(db: Executor, pingId: string): Promise<boolean> {
  return (await db.selectFrom('pings').select('id').where('id', '=', pingId).executeTakeFirst()) !== undefined;
}

/**
 * Writes "delivered" (or "undelivered") into the history of ping messages the outbox has finished
 * with. Run by the escalation sweep; the unique index makes two sweeps at once harmless.
 */
export async function recordPingDeliveries(db: Db, limit = 500): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const finished = await trx
      .selectFrom('ping_messages as m')
      .innerJoin('outbox as o', 'o.id', 'm.outbox_id')
      .select(['m.outbox_id', 'm.ping_id', 'm.person_id', 'm.level', 'o.status', 'o.delivered_at', 'o.failed_at', 'o.last_error', 'o.created_at'])
      .where('m.delivery_recorded', '=', false)
      .where('o.status', 'in', ['delivered', 'failed'])
      .orderBy('m.outbox_id')
      .limit(limit)
      .forUpdate('m')
      .skipLocked()
      .execute();
    if (finished.length === 0) return 0;
    await trx
      .updateTable('ping_messages')
      .set({ delivery_recorded: true })
      .where(
        'outbox_id',
        'in',
        finished.map((f) => f.outbox_id),
      )
      .execute();
    await trx
      .insertInto('ping_events')
      .values(
        finished.map((f) => ({
          ping_id: f.ping_id,
          kind: f.status === 'delivered' ? ('delivered' as const) : ('undelivered' as const),
          level: f.level,
          to_person_id: f.person_id,
          outbox_id: f.outbox_id,
          note: f.status === 'failed' ? (f.last_error ?? 'delivery failed') : null,
          // When it happened, by the clock the rest of the history uses (rows failed before failed_at existed: their creation).
          at: f.delivered_at ?? f.failed_at ?? f.created_at,
        })),
      )
      .onConflict((oc) => oc.column('outbox_id').where('kind', 'in', ['delivered', 'undelivered']).doNothing())
      .execute();
    return finished.length;
  });
}

// ---------------------------------------------------------------------------------------------
// Reading pings for lists and the digest

export interface OpenPing {
  pingId: string;
  journeyId: string;
  journeyName: string;
  journeyKey: string;
  message: string;
  state: PingState;
  holderPersonId: string | null;
  fromPersonId: string | null;
  createdAt: Date;
  escalateAt: Date | null;
  snoozedUntil: Date | null;
  /** Reached the top without acknowledgement. */
  exhaustedAt: Date | null;
  level: number;
}

function openPingsQuery(db: Db, orgId: string) {
  return db
    .selectFrom('pings as p')
    .innerJoin('journeys as j', 'j.id', 'p.journey_id')
    .select([
      'p.id',
      'p.journey_id',
      'j.name',
      'j.key',
      'p.message',
      'p.state',
      'p.holder_person_id',
      'p.holder_journey_id',
      'p.from_person_id',
      'p.created_at',
      'p.escalate_at',
      'p.snoozed_until',
      'p.exhausted_at',
      'p.level',
    ])
    .where('p.org_id', '=', orgId)
    .where('p.state', 'in', ['sent', 'snoozed'])
    .orderBy('p.created_at');
}

type OpenRow = Awaited<ReturnType<ReturnType<typeof openPingsQuery>['execute']>>[number];

function toOpenPing(r: OpenRow): OpenPing {
  return {
    pingId: r.id,
    journeyId: r.journey_id,
    journeyName: r.name,
    journeyKey: r.key,
    message: r.message,
    state: r.state,
    holderPersonId: r.holder_person_id,
    fromPersonId: r.from_person_id,
    createdAt: r.created_at,
    escalateAt: r.escalate_at,
    snoozedUntil: r.snoozed_until,
    exhaustedAt: r.exhausted_at,
    level: r.level,
  };
}

/** Every unacknowledged ping of the organisation, oldest first (for the weekly digest). */
export async function openPingsForDigest(db: Db, orgId: string): Promise<OpenPing[]> {
  return (await openPingsQuery(db, orgId).execute()).map(toOpenPing);
}

/** Open pings a person must act on (as holder, deputy, or admin of an ownerless one), and those they sent. */
export async function pingsOf(db: Db, actor: Actor): Promise<{ withMe: OpenPing[]; sentByMe: OpenPing[] }> {
  const admin = hasRole(actor, 'admin');
  const rows = await openPingsQuery(db, actor.orgId)
    .leftJoin('journeys as hj', 'hj.id', 'p.holder_journey_id')
    .where((eb) =>
      eb.or([
        eb('p.holder_person_id', '=', actor.personId),
        eb('hj.deputy_person_id', '=', actor.personId),
        eb('p.from_person_id', '=', actor.personId),
        ...(admin ? [eb('p.holder_person_id', 'is', null)] : []),
      ]),
    )
    .select('hj.deputy_person_id as holder_deputy')
    .execute();
  const withMe = rows.filter((r) => r.holder_person_id === actor.personId || r.holder_deputy === actor.personId || (admin && r.holder_person_id === null));
  const sentByMe = rows.filter((r) => r.from_person_id === actor.personId && !withMe.includes(r));
  return { withMe: withMe.map(toOpenPing), sentByMe: sentByMe.map(toOpenPing) };
}


export async function pingRow(db: Executor, pingId: string): Promise<PingRow | undefined> {
  return db.selectFrom('pings').selectAll().where('id', '=', pingId).executeTakeFirst();
}

/**
 * The ping as pingRow reads it, and whether another transaction holds its row lock right now (a
 * batch escalating it, a click): asked with SKIP LOCKED in the same statement, so a job that would
 * only find its ping busy needs no transaction of its own. Outside a transaction the lock it takes to
 * ask is let go when the statement ends.
 */
export async function pingRowAndLock(db: Executor, pingId: string): Promise<{ ping: PingRow; locked: boolean } | undefined> {
  const row = await db
    .selectFrom('pings as p')
    .selectAll('p')
    .select((eb) => eb.not(eb.exists(eb.selectFrom('pings as l').select('l.id').whereRef('l.id', '=', 'p.id').forUpdate().skipLocked())).as('locked'))
    .where('p.id', '=', pingId)
    .executeTakeFirst();
  if (!row) return undefined;
  const { locked, ...ping } = row;
  return { ping, locked: Boolean(locked) };
}


/** A ping event as pingEvents reads it. */
export interface PingEventLine {
  kind: PingEventKind;
  level: number;
  at: Date;
  actor_person_id: string | null;
  to_person_id: string | null;
  until: Date | null;
  note: string | null;
  to_journey_name: string | null;
}

/** A direct message sent about a ping: to whom, in which round (what a change redraws). */
export interface PingMessageLine {
  outboxId: string;
  personId: string;
  round: number;
}

/**
 * Pings with their journeys, their holders' journeys, the organisations' settings, their histories (as
 * pingEvents reads them), their direct messages so far, the owner chains above their holders and the
 * people they mention, in one query; one ping, or a batch's. `alsoPeople`: more people, by ping id.
 */
export async function pingsWithJourneys(db: Executor, pingIds: string[], alsoPeople: Map<string, string[]> = new Map()) {
  if (pingIds.length === 0) return [];
  const also = JSON.stringify(Object.fromEntries([...alsoPeople].filter(([, ids]) => ids.length > 0)));
  const { rows } = await pingsWithJourneysStatement(db, { pingIds, also });
  return rows.map((row) => {
    const events: PingEventLine[] = row.events.map((e) => ({ ...e, at: new Date(e.at), until: e.until === null ? null : new Date(e.until) }));
    return { ...row, events };
  });
}

// Read for every ping message drawn (each delivery and each click): compiled once (src/db/compiled-once.ts).
const pingsWithJourneysStatement = compiledOnce((db: Executor, { pingIds, also }: { pingIds: string[]; also: string }) =>
  db
    .selectFrom('pings as p')
    .innerJoin('journeys as j', 'j.id', 'p.journey_id')
    .innerJoin('organisations as o', 'o.id', 'p.org_id')
    .leftJoin('journeys as hj', 'hj.id', 'p.holder_journey_id')
    // While the ping is open, the owner chain above its holder (as ownerChain reads it): who is next in line.
    .leftJoinLateral(
      sql<{ chain: ChainLink[]; chain_owners: string[] | null }>`(
        ${journeyChainCte(sql`id = p.holder_journey_id and p.state in ('sent', 'snoozed')`)}
        select coalesce(json_agg(json_build_object('id', id, 'key', key, 'name', name, 'ownerPersonId', owner_person_id, 'deputyPersonId', deputy_person_id, 'depth', depth) order by depth), '[]'::json) as chain,
          array_agg(owner_person_id) filter (where owner_person_id is not null) as chain_owners
        from chain)`.as('c'),
      (join) => join.onTrue(),
    )
    .selectAll('p')
    .select(['j.key as journey_key', 'j.name as journey_name', 'hj.name as holder_journey_name', 'hj.deputy_person_id as holder_deputy_id', 'o.time_zone', 'o.settings', 'c.chain'])
    .select([
      sql<(Omit<PingEventLine, 'at' | 'until'> & { at: string; until: string | null })[]>`coalesce((
        select json_agg(json_build_object('kind', e.kind, 'level', e.level, 'at', e.at, 'actor_person_id', e.actor_person_id, 'to_person_id', e.to_person_id,
          'until', e.until, 'note', e.note, 'to_journey_name', tj.name) order by e.at, e.id)
        from ping_events e left join journeys tj on tj.id = e.to_journey_id where e.ping_id = p.id), '[]'::json)`.as('events'),
      sql<PingMessageLine[]>`coalesce((
        select json_agg(json_build_object('outboxId', m.outbox_id::text, 'personId', m.person_id, 'round', m.round) order by m.outbox_id)
        from ping_messages m where m.ping_id = p.id), '[]'::json)`.as('messages'),
      // Everyone it mentions (its sender, holder, the holder's deputy, the people of its history, the
      // owners above who may be next, and its `alsoPeople`), as mentions need them: the view needs no
      // read of its own for them.
      // The ids first, then each person by key: a condition that ORs an array with a subquery made
      // Postgres scan all people once per ping (measured: 0.5–1 s for a batch of 16 pings among
      // 600 people, against a few ms now).
      sql<PersonRefRow[]>`coalesce((
        select json_agg(${personRefJson('pp')}) from people pp
        where pp.id in (
          select unnest(array[p.from_person_id, p.holder_person_id, hj.deputy_person_id] || coalesce(c.chain_owners, '{}')
            || array(select jsonb_array_elements_text(${also}::jsonb -> p.id::text))::uuid[])
          union select e.actor_person_id from ping_events e where e.ping_id = p.id
          union select e.to_person_id from ping_events e where e.ping_id = p.id)), '[]'::json)`.as('people'),
    ])
    .where('p.id', '=', sql<string>`any(${pingIds}::uuid[])`),
);

/** A ping's history, oldest first, with the names of the journeys it moved to. */
export async function pingEvents(db: Executor, pingId: string) {
  return db
    .selectFrom('ping_events as e')
    .leftJoin('journeys as tj', 'tj.id', 'e.to_journey_id')
    .select(['e.kind', 'e.level', 'e.at', 'e.actor_person_id', 'e.to_person_id', 'e.until', 'e.note', 'tj.name as to_journey_name'])
    .where('e.ping_id', '=', pingId)
    .orderBy('e.at').orderBy('e.id')
    .execute();
}

/** The deputy of the journey that holds a ping, if it has one. */
export async function journeyDeputy(db: Executor, journeyId: string): Promise<string | null> {
  const journey = await db.selectFrom('journeys').select('deputy_person_id').where('id', '=', journeyId).executeTakeFirst();
  return journey?.deputy_person_id ?? null;
}

/** A round of a ping's direct messages, as insertRounds writes it. */
export interface RoundToInsert {
  pingId: string;
  round: number;
  level: number;
  /** The history event recorded per recipient; null records none (a reminder). */
  eventKind: PingEventKind | null;
  at: Date;
  messages: { personId: string; outbox: Insertable<OutboxTable> }[];
  /** Outbox rows written in the same statement: the redraws of earlier messages, the note to the sender. */
  alongside: Insertable<OutboxTable>[];
}

/**
 * Rounds of direct messages in one statement, one round per ping or a batch's rounds together: the
 * outbox rows (a dedupe key already queued is skipped), the ping's message record of each and, with
 * an `eventKind`, a history event per recipient; and the outbox rows `alongside` each round. Returns,
 * per round in the order given, its new outbox rows with their recipients (in the order of its
 * messages) and the ids of its new rows alongside (in theirs).
 */
export async function insertRounds(trx: Executor, rounds: RoundToInsert[]): Promise<{ round: { outboxId: string; personId: string }[]; alongside: string[] }[]> {
  const messages = rounds.flatMap((r) => r.messages.map((m) => m.outbox));
  const alongside = rounds.flatMap((r) => r.alongside);
  if (messages.length === 0) {
    // Only rows alongside (no round has recipients): each round's new ids, by dedupe key (those queued before are not new).
    const inserted = alongside.length === 0 ? [] : await outboxInsert(trx.insertInto('outbox'), alongside).returning(['id', 'dedupe_key']).execute();
    return rounds.map((r) => ({ round: [], alongside: idsInOrder(r.alongside, inserted) }));
  }
  // What each message row belongs to, by its dedupe key (unique within an organisation's outbox).
  const specs = JSON.stringify(
    rounds.flatMap((r) => r.messages.map((m) => ({ dedupe_key: m.outbox.dedupe_key, ping_id: r.pingId, round: r.round, level: r.level, event_kind: r.eventKind, at: r.at }))),
  );
  const withMessages = trx
    // A raw CTE is written as given: its parentheses are its own.
    .with('s', () =>
      sql<{ dedupe_key: string; ping_id: string; round: number; level: number; event_kind: PingEventKind | null; at: Date }>`(select * from json_to_recordset(${specs}::json)
        as s(dedupe_key text, ping_id uuid, round int, level int, event_kind text, at timestamptz))`,
    )
    .with('o', (db) => outboxInsert(db.insertInto('outbox'), messages).returning(['id', 'dedupe_key', sql<string>`(target->>'personId')::uuid`.as('person_id')]))
    .with('m', (db) =>
      db
        .insertInto('ping_messages')
        .columns(['outbox_id', 'ping_id', 'person_id', 'round', 'level'])
        .expression((eb) => eb.selectFrom('o').innerJoin('s', 's.dedupe_key', 'o.dedupe_key').select(['o.id', 's.ping_id', 'o.person_id', 's.round', 's.level']))
        .returning('outbox_id'),
    )
    .with('e', (db) =>
      db
        .insertInto('ping_events')
        .columns(['ping_id', 'kind', 'level', 'to_person_id', 'outbox_id', 'at'])
        .expression((eb) =>
          eb
            .selectFrom('o')
            .innerJoin('s', 's.dedupe_key', 'o.dedupe_key')
            .select(['s.ping_id', sql<PingEventKind>`s.event_kind`.as('kind'), 's.level', 'o.person_id', 'o.id', 's.at'])
            // A round without an event kind (a reminder) records no history line.
            .where('s.event_kind', 'is not', null)
            .orderBy('o.id'),
        )
        .returning('id'),
    );
  const rows =
    alongside.length === 0
      ? await withMessages.selectFrom('o').select(['o.id', 'o.person_id', 'o.dedupe_key', sql<boolean>`true`.as('of_round')]).execute()
      : await withMessages
          .with('x', (db) => outboxInsert(db.insertInto('outbox'), alongside).returning(['id', 'dedupe_key']))
          .selectFrom('o')
          .select(['o.id', 'o.person_id', 'o.dedupe_key', sql<boolean>`true`.as('of_round')])
          .unionAll((eb) => eb.selectFrom('x').select(['x.id', sql<string>`null`.as('person_id'), 'x.dedupe_key', sql<boolean>`false`.as('of_round')]))
          .execute();
  const ofRound = new Map(rows.filter((r) => r.of_round).map((r) => [r.dedupe_key, { outboxId: String(r.id), personId: r.person_id }]));
  const besides = rows.filter((r) => !r.of_round);
  return rounds.map((r) => ({
    round: r.messages.flatMap((m) => ofRound.get(m.outbox.dedupe_key) ?? []),
    alongside: idsInOrder(r.alongside, besides),
  }));
}

/** One escalation of moveUp: the ping as read, and who it moves to. */
export interface MoveUp {
  ping: PingRow;
  /** The states it may be escalated from (a click may escalate a snoozed ping too). */
  from: PingState[];
  to: { personId: string; journeyId: string };
  escalateAt: Date;
  /** Who escalated it (null: it was due), and why it moved on early, for its history. */
  actor: string | null;
  note: string | null;
}

/**
 * Escalates pings in one statement: each moves one level up to its next holder (transition's
 * condition: only if nobody changed it since it was read, and only from `from`), with its
 * 'escalated' history event. Returns the pings it changed, as they are now; one missing raced.
 */
export async function moveUp(trx: Executor, moves: MoveUp[], now: Date): Promise<PingRow[]> {
  if (moves.length === 0) return [];
  const values = JSON.stringify(
    moves.map((m) => ({ id: m.ping.id, version: m.ping.version, from_states: m.from, holder: m.to.personId, holder_journey: m.to.journeyId, escalate_at: m.escalateAt, actor: m.actor, note: m.note })),
  );
  const result = await sql<PingRow>`
    with v as (
      select * from json_to_recordset(${values}::json)
        as v(id uuid, version int, from_states text[], holder uuid, holder_journey uuid, escalate_at timestamptz, actor uuid, note text)
    ), u as (
      update pings p set state = 'sent', holder_person_id = v.holder, holder_journey_id = v.holder_journey, level = p.level + 1,
        escalate_at = v.escalate_at, snoozed_until = null, exhausted_at = null, version = p.version + 1, updated_at = ${now}
      from v where p.id = v.id and p.version = v.version and p.state = any(v.from_states)
      returning p.*
    ), e as (
      insert into ping_events (ping_id, kind, level, actor_person_id, to_person_id, to_journey_id, note, at)
      select u.id, 'escalated', u.level, v.actor, u.holder_person_id, u.holder_journey_id, v.note, ${now}::timestamptz from u join v on v.id = u.id order by u.id
    )
    select * from u
  `.execute(trx);
  return result.rows;
}

export async function pingMessageByOutbox(db: Executor, outboxId: string) {
  return db.selectFrom('ping_messages').select(['ping_id', 'round', 'level']).where('outbox_id', '=', outboxId).executeTakeFirst();
}

/**
 * Records in the ping's history, at once, that this message could not reach its person (otherwise
 * the escalation sweep records it with the other outcomes, later): so the history says so before the
 * step it caused. Written once per message, whoever records it first.
 */
export async function recordUndelivered(trx: Executor, input: { outboxId: string; pingId: string; personId: string; level: number; reason: string; at: Date }): Promise<void> {
  await trx.updateTable('ping_messages').set({ delivery_recorded: true }).where('outbox_id', '=', input.outboxId).execute();
  await trx
    .insertInto('ping_events')
    .values({ ping_id: input.pingId, kind: 'undelivered', level: input.level, to_person_id: input.personId, outbox_id: input.outboxId, note: input.reason, at: input.at })
    .onConflict((oc) => oc.column('outbox_id').where('kind', 'in', ['delivered', 'undelivered']).doNothing())
    .execute();
}

/** Who the messages of one round went to, and whether each was delivered, failed, or is still on its way. */
export async function roundDeliveries(db: Executor, pingId: string, round: number) {
  return db
    .selectFrom('ping_messages as m')
    .innerJoin('outbox as o', 'o.id', 'm.outbox_id')
    .select(['m.person_id', 'o.status'])
    .where('m.ping_id', '=', pingId)
    .where('m.round', '=', round)
    .execute();
}

/** Every message of a ping sent to a person (not updates), with where its delivery stands. */
export async function messageOutcomes(db: Executor, pingId: string) {
  return db
    .selectFrom('ping_messages as m')
    .innerJoin('outbox as o', 'o.id', 'm.outbox_id')
    .select(['m.person_id', 'm.round', 'o.status', 'o.last_error', 'o.delivered_ref'])
    .where('m.ping_id', '=', pingId)
    .orderBy('m.round')
    .execute();
}

export type Change = {
  state?: PingState;
  holder_person_id?: string | null;
  holder_journey_id?: string | null;
  level?: number;
  escalate_at?: Date | null;
  snoozed_until?: Date | null;
  exhausted_at?: Date | null;
};

/** The one way a ping changes: only if nobody changed it since it was read, and only from these states. */
export async function transition(trx: Executor, ping: PingRow, from: PingState[], change: Change, now: Date): Promise<PingRow | undefined> {
  return trx
    .updateTable('pings')
    .set({ ...change, version: ping.version + 1, updated_at: now })
    .where('id', '=', ping.id)
    .where('version', '=', ping.version)
    .where('state', 'in', from)
    .returningAll()
    .executeTakeFirst();
}

export async function recordEvent(
  trx: Executor,
  ping: PingRow,
  kind: PingEventKind,
  at: Date,
  extra: { actor?: string | null; to?: string | null; toJourney?: string | null; until?: Date | null; note?: string | null } = {},
): Promise<void> {
  await trx
    .insertInto('ping_events')
    .values({
      ping_id: ping.id,
      kind,
      level: ping.level,
      actor_person_id: extra.actor ?? null,
      to_person_id: extra.to ?? null,
      to_journey_id: extra.toJourney ?? null,
      until: extra.until ?? null,
      note: extra.note ?? null,
      at,
    })
    .execute();
}
