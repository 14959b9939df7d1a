// The SQL of watched channels (migration 0015): which channels are watched, the retired names and
// aliases to listen for, nudges (one per person, term and day, never after an exception) and the
// weekly counts of retired terms per channel that the digest reports.
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { Platform } from '../../db/foundation-tables.js';

export interface WatchedChannel {
  platform: Platform;
  conversationId: string;
  orgId: string;
  name: string | null;
  watchedBy: string;
}

export async function watchChannel(db: Db, channel: WatchedChannel): Promise<boolean> {
  const row = await db
    .insertInto('glossary_watched_channels')
    .values({ platform: channel.platform, conversation_external_id: channel.conversationId, org_id: channel.orgId, name: channel.name, watched_by: channel.watchedBy })
    .onConflict((oc) => oc.columns(['platform', 'conversation_external_id']).doNothing())
    .returning('org_id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function unwatchChannel(db: Db, orgId: string, platform: Platform, conversationId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('glossary_watched_channels')
    .where('org_id', '=', orgId)
    .where('platform', '=', platform)
    .where('conversation_external_id', '=', conversationId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** The organisation watching this channel, if it is watched. */
export async function watchingOrg(db: Db, platform: Platform, conversationId: string): Promise<string | undefined> {
  const row = await db.selectFrom('glossary_watched_channels').select('org_id').where('platform', '=', platform).where('conversation_external_id', '=', conversationId).executeTakeFirst();
  return row?.org_id;
}

export interface RetiredPhrase {
  term_id: string;
  name: string;
  phrase: string;
  replaced_by_id: string;
}

/** The names and aliases of the organisation's deprecated terms that have a replacement. */
export async function retiredPhrases(db: Db, orgId: string): Promise<RetiredPhrase[]> {
  const retired = db.selectFrom('glossary_terms as t').where('t.org_id', '=', orgId).where('t.status', '=', 'deprecated').where('t.replaced_by_id', 'is not', null);
  const names = retired.select(['t.id as term_id', 't.name', 't.name_norm as phrase', sql<string>`t.replaced_by_id`.as('replaced_by_id')]);
  const aliases = retired
    .innerJoin('glossary_aliases as a', 'a.term_id', 't.id')
    .select(['t.id as term_id', 't.name', 'a.alias_norm as phrase', sql<string>`t.replaced_by_id`.as('replaced_by_id')]);
  return names.unionAll(aliases).execute();
}

/** One more use of each term in the channel this week. */
export async function countUses(db: Db, use: { orgId: string; platform: Platform; conversationId: string; termIds: string[]; week: string }): Promise<void> {
  if (use.termIds.length === 0) return;
  await db
    .insertInto('glossary_adherence')
    .values(use.termIds.map((termId) => ({ org_id: use.orgId, platform: use.platform, conversation_external_id: use.conversationId, term_id: termId, week: use.week, uses: 1 })))
    .onConflict((oc) => oc.columns(['platform', 'conversation_external_id', 'term_id', 'week']).doUpdateSet({ uses: sql`glossary_adherence.uses + 1` }))
    .execute();
}

/** True when this is the person's first nudge about the term today and they made no exception for it. */
export async function claimNudge(db: Db, personId: string, termId: string, day: string): Promise<boolean> {
  const result = await sql<{ person_id: string }>`
    insert into glossary_nudges (person_id, term_id, day)
    select ${personId}, ${termId}, ${day}::date
    where not exists (select 1 from glossary_nudge_exceptions e where e.person_id = ${personId} and e.term_id = ${termId})
    on conflict do nothing
    returning person_id
  `.execute(db);
  return result.rows.length > 0;
}

export async function addException(db: Db, personId: string, termId: string): Promise<void> {
  await db.insertInto('glossary_nudge_exceptions').values({ person_id: personId, term_id: termId }).onConflict((oc) => oc.columns(['person_id', 'term_id']).doNothing()).execute();
}

export interface ChannelAdherence {
  platform: Platform;
  conversation_external_id: string;
  name: string | null;
  this_week: number;
  last_week: number;
  top_term: string | null;
}

/** Each watched channel with its uses of retired terms this week and last, and the most used one this week. */
export async function adherenceByChannel(db: Db, orgId: string, thisWeek: string, lastWeek: string): Promise<ChannelAdherence[]> {
  const result = await sql<ChannelAdherence>`
    select w.platform, w.conversation_external_id, w.name,
      coalesce(sum(a.uses) filter (where a.week = ${thisWeek}::date), 0)::int as this_week,
      coalesce(sum(a.uses) filter (where a.week = ${lastWeek}::date), 0)::int as last_week,
      (select t.name from glossary_adherence b join glossary_terms t on t.id = b.term_id
        where b.platform = w.platform and b.conversation_external_id = w.conversation_external_id and b.week = ${thisWeek}::date
        order by b.uses desc, t.name limit 1) as top_term
    from glossary_watched_channels w
    left join glossary_adherence a on a.platform = w.platform and a.conversation_external_id = w.conversation_external_id
    where w.org_id = ${orgId}
    group by w.platform, w.conversation_external_id, w.name
    order by this_week desc, w.name
  `.execute(db);
  return result.rows;
}
