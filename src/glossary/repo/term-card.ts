// The one statement that reads everything a term card shows; the lookup embeds it so that most
// lookups are answered in a single round trip.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/database.js';
import { PLAN_ONCE } from '../../db/prepared-client.js';
import type { Platform } from '../../db/foundation-tables.js';
import type { TermRow } from './terms.js';

/** Everything a term card shows. */
export type TermCardRow = TermRow & {
  time_zone: string;
  aliases: string[];
  steward_name: string | null;
  steward_identities: { platform: Platform; user: string }[] | null;
  replaced_by_name: string | null;
  pending_proposals: number;
};


/** The card of the term whose id `termId` yields (a parameter, or a column of an enclosing query). */
export function termCardSelect(orgId: string, termId: RawBuilder<unknown> | string) {
  return cardsWhere(orgId, sql`t.id = ${termId}`);
}

/** A person's Slack and Teams identities as a JSON array (null when none), in one order for every statement that reads them. */
const stewardIdentities = (personId: RawBuilder<unknown>) =>
  sql`(select json_agg(json_build_object('platform', i.platform, 'user', i.external_user_id) order by i.platform, i.external_user_id) from identities i where i.person_id = ${personId})`;

/** A term's aliases as a JSON array, oldest first. */
const termAliases = (termId: RawBuilder<unknown>) =>
  sql`coalesce((select json_agg(a.alias order by a.created_at, a.alias) from glossary_aliases a where a.term_id = ${termId}), '[]'::json)`;

function cardsWhere(orgId: string, idMatch: RawBuilder<unknown>) {
  return sql`
    select t.id, t.org_id, t.name, t.definition, t.notes, t.links, t.status, t.replaced_by_id, t.steward_person_id, t.version, t.updated_at,
      o.time_zone,
      ${termAliases(sql`t.id`)} as aliases,
      p.display_name as steward_name,
      ${stewardIdentities(sql`t.steward_person_id`)} as steward_identities,
      r.name as replaced_by_name,
      (select count(*)::int from glossary_proposals gp where gp.term_id = t.id and gp.status = 'pending') as pending_proposals
    from glossary_terms t
    join organisations o on o.id = t.org_id
    left join people p on p.id = t.steward_person_id
    left join glossary_terms r on r.id = t.replaced_by_id
    where t.org_id = ${orgId} and ${idMatch}
  `;
}

/** A card row as row_to_json gives it (inside a larger statement): dates as text. */
export type CardJson = Omit<TermCardRow, 'updated_at'> & { updated_at: string };

export const cardRow = (json: CardJson): TermCardRow => ({ ...json, updated_at: new Date(json.updated_at) });

/** Everything a term card shows, in one round trip. */
export async function termCardData(db: Db, orgId: string, termId: string): Promise<TermCardRow | undefined> {
  const result = await sql<TermCardRow>`${sql.raw(PLAN_ONCE)}${termCardSelect(orgId, termId)}`.execute(db);
  return result.rows[0];
}

/** The cards of several terms of one organisation, in one round trip (those that exist). */
export async function termCardsData(db: Db, orgId: string, termIds: readonly string[]): Promise<TermCardRow[]> {
  const result = await sql<TermCardRow>`${sql.raw(PLAN_ONCE)}${cardsWhere(orgId, sql`t.id = any(${[...termIds]}::uuid[])`)}`.execute(db);
  return result.rows;
}

/**
 * A page of an organisation's terms (by id, after `after`), each card's own part as compact JSON
 * text: [name, definition, notes, links, status, replaced_by_id, steward_person_id, version,
 * updated_at in whole milliseconds, aliases]. What several cards share or what changes without the
 * term (the time zone, the stewards, the pending proposals) is read once (cardStoreShared); src/glossary/card-store.ts
 * keeps the text and makes a TermCardRow of it when a card is asked for.
 */
export async function cardTextsPage(db: Db, orgId: string, after: string, limit: number): Promise<CardText[]> {
  const result = await sql<CardText>`
    select t.id, json_build_array(
      t.name, t.definition, t.notes, t.links, t.status, t.replaced_by_id, t.steward_person_id, t.version,
      (extract(epoch from date_trunc('milliseconds', t.updated_at)) * 1000)::bigint,
      ${termAliases(sql`t.id`)}
    )::text as card
    from glossary_terms t
    where t.org_id = ${orgId} and t.id > ${after}
    order by t.id
    limit ${limit}
  `.execute(db);
  return result.rows;
}

/** A term's id and its card's own part (cardTextsPage). */
export interface CardText {
  id: string;
  card: string;
}

/** A steward as the cards show them. */
export interface CardSteward {
  id: string;
  name: string;
  identities: TermCardRow['steward_identities'];
}

/** What the cards of an organisation share: its time zone, its stewards (name and identities) and the pending proposals per term; undefined when it does not exist. */
export async function cardStoreShared(db: Db, orgId: string): Promise<{ timeZone: string; stewards: CardSteward[]; pending: { term_id: string; n: number }[] } | undefined> {
  const org = await db.selectFrom('organisations').select('time_zone').where('id', '=', orgId).executeTakeFirst();
  if (!org) return undefined;
  const stewards = await sql<CardSteward>`
    select p.id, p.display_name as name, ${stewardIdentities(sql`p.id`)} as identities
    from people p
    where p.id in (select t.steward_person_id from glossary_terms t where t.org_id = ${orgId} and t.steward_person_id is not null)
  `.execute(db);
  const pending = await sql<{ term_id: string; n: number }>`
    select gp.term_id, count(*)::int as n from glossary_proposals gp
    where gp.org_id = ${orgId} and gp.status = 'pending' and gp.term_id is not null
    group by gp.term_id
  `.execute(db);
  return { timeZone: org.time_zone, stewards: stewards.rows, pending: pending.rows };
}
