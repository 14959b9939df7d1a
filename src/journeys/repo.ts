// SQL of the journey tree: loading an organisation's tree, changing journeys, their change log, and a
// journey's history (its changes and its pings, step by step).
import { sql, type RawBuilder, type Selectable, type Transaction } from 'kysely';
import type { Db } from '../db/database.js';
import type { Database } from '../db/tables.js';
import type { JourneyEventKind, JourneyLevel, JourneysTable } from './tables.js';
import type { TreeJourney } from './tree.js';

export type Executor = Db | Transaction<Database>;

export interface JourneyRow extends TreeJourney {
  orgId: string;
  description: string | null;
  channelConversationId: string | null;
}

const columns = [
  'id',
  'org_id',
  'key',
  'name',
  'level',
  'parent_id',
  'owner_person_id',
  'deputy_person_id',
  'description',
  'channel_conversation_id',
] as const;

/** A journey row as the tree reads it (everything but its timestamps), from the table type. */
type Selected = Omit<Selectable<JourneysTable>, 'created_at' | 'updated_at'>;

function toRow(r: Selected): JourneyRow {
  return {
    id: r.id,
    orgId: r.org_id,
    key: r.key,
    name: r.name,
    level: r.level,
    parentId: r.parent_id,
    ownerPersonId: r.owner_person_id,
    deputyPersonId: r.deputy_person_id,
    description: r.description,
    channelConversationId: r.channel_conversation_id,
  };
}

/** Every journey of an organisation: the tree is small and most commands need all of it. */
export async function loadJourneys(db: Executor, orgId: string): Promise<JourneyRow[]> {
  const rows = await db.selectFrom('journeys').select(columns).where('org_id', '=', orgId).orderBy('name').execute();
  return rows.map(toRow);
}

export async function journeyById(db: Executor, orgId: string, id: string): Promise<JourneyRow | undefined> {
  const row = await db.selectFrom('journeys').select(columns).where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return row ? toRow(row) : undefined;
}

export interface NewJourney {
  orgId: string;
  key: string;
  name: string;
  level: JourneyLevel;
  parentId: string | null;
  ownerPersonId: string | null;
  deputyPersonId?: string | null;
  description: string | null;
}

export async function insertJourney(db: Executor, journey: NewJourney, now: Date): Promise<string> {
  const row = await db
    .insertInto('journeys')
    .values({
      org_id: journey.orgId,
      key: journey.key,
      name: journey.name,
      level: journey.level,
      parent_id: journey.parentId,
      owner_person_id: journey.ownerPersonId,
      deputy_person_id: journey.deputyPersonId ?? null,
      description: journey.description,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface JourneyChange {
  name?: string;
  level?: JourneyLevel;
  parent_id?: string | null;
  owner_person_id?: string | null;
  deputy_person_id?: string | null;
  description?: string | null;
  channel_conversation_id?: string | null;
}

export async function updateJourney(db: Executor, orgId: string, id: string, change: JourneyChange, now: Date): Promise<void> {
  await db
    .updateTable('journeys')
    .set({ ...change, updated_at: now })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .execute();
}

export async function logJourneyEvent(
  db: Executor,
  event: { journeyId: string; kind: JourneyEventKind; detail: Record<string, unknown>; byPersonId: string | null; byLabel: string | null; at: Date },
): Promise<string> {
  const row = await db
    .insertInto('journey_events')
    .values({
      journey_id: event.journeyId,
      kind: event.kind,
      detail: JSON.stringify(event.detail),
      by_person_id: event.byPersonId,
      by_label: event.byLabel,
      at: event.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return String(row.id);
}

/** Journeys a person owns or deputises for (directly, not inherited). */
export async function journeysHeldBy(db: Executor, orgId: string, personId: string) {
  return db
    .selectFrom('journeys')
    .select(['id', 'key', 'name', 'level', 'owner_person_id', 'deputy_person_id'])
    .where('org_id', '=', orgId)
    .where((eb) => eb.or([eb('owner_person_id', '=', personId), eb('deputy_person_id', '=', personId)]))
    .orderBy('name')
    .execute();
}

export async function conversationName(db: Executor, conversationId: string) {
  return db.selectFrom('conversations').select(['name', 'platform', 'external_id']).where('id', '=', conversationId).executeTakeFirst();
}

// ---------------------------------------------------------------------------------------------
// A journey's history: its change log and its pings with their steps, newest first. Each query
// carries the total (a window count), so a card can say how many more there are in one round trip.

export async function latestJourneyEvents(db: Executor, orgId: string, journeyId: string, limit: number) {
  return db
    .selectFrom('journey_events as e')
    .innerJoin('journeys as j', 'j.id', 'e.journey_id')
    .select(['e.id', 'e.kind', 'e.detail', 'e.by_person_id', 'e.by_label', 'e.at'])
    .select((eb) => eb.fn.countAll<number>().over().as('total'))
    .where('j.org_id', '=', orgId)
    .where('e.journey_id', '=', journeyId)
    .orderBy('e.id', 'desc')
    .limit(limit)
    .execute();
}

export async function latestPingsAbout(db: Executor, orgId: string, journeyId: string, limit: number) {
  return db
    .selectFrom('pings')
    .select(['id', 'reason', 'message', 'from_person_id', 'state', 'holder_person_id', 'snoozed_until', 'exhausted_at', 'created_at'])
    .select((eb) => eb.fn.countAll<number>().over().as('total'))
    .where('org_id', '=', orgId)
    .where('journey_id', '=', journeyId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** Every step of these pings, oldest first by when it happened (a delivery is recorded after the fact). */
export async function stepsOfPings(db: Executor, orgId: string, pingIds: string[]) {
  if (pingIds.length === 0) return [];
  return db
    .selectFrom('ping_events as e')
    .innerJoin('pings as p', 'p.id', 'e.ping_id')
    .leftJoin('journeys as tj', 'tj.id', 'e.to_journey_id')
    .select(['e.ping_id', 'e.kind', 'e.level', 'e.actor_person_id', 'e.to_person_id', 'e.until', 'e.note', 'e.at', 'tj.name as to_journey_name'])
    .where('p.org_id', '=', orgId)
    .where('e.ping_id', 'in', pingIds)
    .orderBy('e.at')
    .orderBy('e.id')
    .execute();
}

export async function conversationNames(db: Executor, orgId: string, conversationIds: string[]) {
  if (conversationIds.length === 0) return [];
  return db.selectFrom('conversations').select(['id', 'name', 'external_id']).where('org_id', '=', orgId).where('id', 'in', conversationIds).execute();
}

/** Pings about the journey still waiting for an answer (the journey card's count). */
export async function openPingCount(db: Executor, journeyId: string): Promise<number> {
  const row = await db
    .selectFrom('pings')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('journey_id', '=', journeyId)
    .where('state', 'in', ['sent', 'snoozed'])
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export interface ChainLink {
  id: string;
  key: string;
  name: string;
  ownerPersonId: string | null;
  deputyPersonId: string | null;
  /** 0 for the journey itself, 1 for its parent, … */
  depth: number;
}

/** How far up a chain of journeys is read: a chain read this long may go on above. */
export const JOURNEY_CHAIN_DEPTH = 32;

/**
 * `with recursive chain as (…)`: the journeys `where` picks, each the `start` of its chain, and their
 * ancestors, nearest first (`depth` 0 is the journey itself), at most JOURNEY_CHAIN_DEPTH levels up,
 * with what is inherited down the tree (owner, deputy, channel). ownerChains reads it; so do a ping's
 * view, for the chain above its holder (src/pings/repo.ts), and a KPI alert, for its channel.
 */
export function journeyChainCte(where: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`with recursive chain as (
      select id as start, id, key, name, parent_id, owner_person_id, deputy_person_id, channel_conversation_id, 0 as depth from journeys where ${where}
      union all
      select chain.start, up.id, up.key, up.name, up.parent_id, up.owner_person_id, up.deputy_person_id, up.channel_conversation_id, chain.depth + 1
      from journeys up join chain on up.id = chain.parent_id
      where chain.depth < ${sql.lit(JOURNEY_CHAIN_DEPTH)}
    )`;
}

/** The journey and its ancestors, nearest first (bounded, like the tree's depth). */
export async function ownerChain(db: Executor, journeyId: string): Promise<ChainLink[]> {
  return (await ownerChains(db, [journeyId])).get(journeyId) ?? [];
}

/** ownerChain of each journey, in one statement (a batch of escalations reads its pings' chains together). */
export async function ownerChains(db: Executor, journeyIds: string[]): Promise<Map<string, ChainLink[]>> {
  const chains = new Map<string, ChainLink[]>();
  if (journeyIds.length === 0) return chains;
  const result = await sql<{ start: string; id: string; key: string; name: string; owner_person_id: string | null; deputy_person_id: string | null; depth: number }>`
    ${journeyChainCte(sql`id = any(${journeyIds}::uuid[])`)}
    select start, id, key, name, owner_person_id, deputy_person_id, depth from chain order by start, depth
  `.execute(db);
  for (const r of result.rows) {
    const link = { id: r.id, key: r.key, name: r.name, ownerPersonId: r.owner_person_id, deputyPersonId: r.deputy_person_id, depth: Number(r.depth) };
    const chain = chains.get(r.start);
    if (chain) chain.push(link);
    else chains.set(r.start, [link]);
  }
  return chains;
}

/** A journey by exact key or case-insensitive name, within one organisation. */
export async function findJourneyExact(db: Db, orgId: string, keyOrName: string) {
  const needle = keyOrName.trim().toLowerCase();
  return db
    .selectFrom('journeys')
    .selectAll()
    .where('org_id', '=', orgId)
    .where((eb) => eb.or([eb('key', '=', needle), eb(sql`lower(name)`, '=', needle)]))
    .executeTakeFirst();
}

export async function orgSettings(db: Executor, orgId: string): Promise<unknown> {
  return (await db.selectFrom('organisations').select('settings').where('id', '=', orgId).executeTakeFirst())?.settings;
}

/** Sets the escalation delay in the organisation's settings, merged: the other keys belong to other capabilities. */
export async function mergeEscalationDelay(db: Executor, orgId: string, hours: number): Promise<void> {
  await db
    .updateTable('organisations')
    .set({ settings: sql<string>`settings || jsonb_build_object('escalationDelayHours', ${hours}::float8)` })
    .where('id', '=', orgId)
    .execute();
}

export async function orgTimeZoneOf(db: Executor, orgId: string): Promise<string | undefined> {
  return (await db.selectFrom('organisations').select('time_zone').where('id', '=', orgId).executeTakeFirst())?.time_zone;
}

export async function peopleByIds(db: Executor, ids: string[]) {
  return db.selectFrom('people').select(['id', 'email', 'display_name']).where('id', 'in', ids).execute();
}

export async function peopleWithEmails(db: Executor, orgId: string, emails: string[]) {
  return db.selectFrom('people').select('email').where('org_id', '=', orgId).where('email', 'in', emails).execute();
}
