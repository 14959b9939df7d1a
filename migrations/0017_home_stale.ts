// A Slack Home tab shows one person's pings, owed votes, journeys' KPIs, approvals and proposals
// (src/home/). The refresh sweep looks at every opened tab in turn; these triggers put a tab first in
// line (checked_until to the epoch) in the same transaction as a change it shows, so the person sees
// it at the next pass (every 20 s) however many tabs are open. Coalesced: a tab marked ten times is
// looked at once. Only people with an opened tab have a row, so for everyone else a mark is a miss on
// the primary key.
import { sql, type Kysely } from 'kysely';

/** Table → the trigger function's body: `perform home_stale(array[…])` with the people it concerns. */
const ROW_TRIGGERS: Record<string, { events: string; people: string }> = {
  // Pings waiting for me: the holder, the deputy of the holder's journey, and the admins while nobody holds it.
  pings: {
    events: 'insert or update or delete',
    people: `
      select unnest(array[(new).holder_person_id, (old).holder_person_id])
      union all
      select j.deputy_person_id from journeys j where j.id in ((new).holder_journey_id, (old).holder_journey_id)
      union all
      select r.person_id from roles r join people p on p.id = r.person_id
      where r.role = 'admin' and p.org_id = coalesce((new).org_id, (old).org_id)
        and ((tg_op <> 'INSERT' and (old).holder_person_id is null) or (tg_op <> 'DELETE' and (new).holder_person_id is null))`,
  },
  // Votes owed (every board member of the organisation) and my proposals (the proposer).
  proposals: {
    events: 'insert or update or delete',
    people: `
      select r.person_id from roles r join people p on p.id = r.person_id
      where r.role = 'board' and p.org_id = coalesce((new).org_id, (old).org_id)
      union all select (new).proposer_person_id union all select (old).proposer_person_id`,
  },
  // A vote cast or changed: the voter owes one fewer.
  proposal_ballots: {
    events: 'insert or update or delete',
    people: `select (new).person_id union all select (old).person_id`,
  },
  // Glossary changes waiting for approval: the term's steward, the glossary stewards and the admins.
  glossary_proposals: {
    events: 'insert or update or delete',
    people: `
      select t.steward_person_id from glossary_terms t where t.id = coalesce((new).term_id, (old).term_id)
      union all
      select r.person_id from roles r join people p on p.id = r.person_id
      where r.role in ('glossary_steward', 'admin') and p.org_id = coalesce((new).org_id, (old).org_id)`,
  },
  // My journeys: the owners and deputies, before and after.
  journeys: {
    events: 'insert or update or delete',
    people: `select unnest(array[(new).owner_person_id, (new).deputy_person_id, (old).owner_person_id, (old).deputy_person_id])`,
  },
  // A KPI's target or direction changed: its journey's owner and deputy.
  kpis: {
    events: 'update',
    people: `select unnest(array[j.owner_person_id, j.deputy_person_id]) from journeys j where j.id = (new).journey_id`,
  },
};

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function home_stale(people uuid[]) returns void language sql as $$
      update home_views set checked_until = timestamptz 'epoch'
      where person_id = any(people) and checked_until > timestamptz 'epoch'
    $$
  `.execute(db);
  for (const [table, { events, people }] of Object.entries(ROW_TRIGGERS)) {
    // NEW is null on a delete and OLD on an insert: (new).column is then null, and nulls are left out.
    await sql
      .raw(
        `create function ${table}_home_stale() returns trigger language plpgsql as $$
        begin
          perform home_stale(array(select p from (${people}) as concerned(p) where p is not null));
          return null;
        end $$`,
      )
      .execute(db);
    await sql.raw(`create trigger ${table}_home_stale after ${events} on ${table} for each row execute function ${table}_home_stale()`).execute(db);
  }
  // KPI values arrive in bulk (a CSV of thousands): one mark per statement, from its transition table.
  for (const event of ['insert', 'update']) {
    await sql
      .raw(
        `create function kpi_values_home_stale_${event}() returns trigger language plpgsql as $$
        begin
          perform home_stale(array(
            select distinct unnest(array[j.owner_person_id, j.deputy_person_id])
            from (select distinct kpi_id from changed) v join kpis k on k.id = v.kpi_id join journeys j on j.id = k.journey_id));
          return null;
        end $$`,
      )
      .execute(db);
    await sql
      .raw(`create trigger kpi_values_home_stale_${event} after ${event} on kpi_values referencing new table as changed for each statement execute function kpi_values_home_stale_${event}()`)
      .execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const event of ['insert', 'update']) {
    await sql.raw(`drop trigger if exists kpi_values_home_stale_${event} on kpi_values`).execute(db);
    await sql.raw(`drop function if exists kpi_values_home_stale_${event}()`).execute(db);
  }
  for (const table of Object.keys(ROW_TRIGGERS)) {
    await sql.raw(`drop trigger if exists ${table}_home_stale on ${table}`).execute(db);
    await sql.raw(`drop function if exists ${table}_home_stale()`).execute(db);
  }
  await sql`drop function if exists home_stale(uuid[])`.execute(db);
}
