// The SQL of My Steward: the votes a board member still owes, their own proposals, the glossary
// changes waiting for their approval, and the KPIs of the journeys they own.
import { sql } from 'kysely';
import type { Db } from '../db/database.js';

export async function votesOwed(db: Db, orgId: string, personId: string, limit: number) {
  return db
    .selectFrom('proposals as p')
    .select(['p.id', 'p.number', 'p.title', 'p.deadline'])
    .where('p.org_id', '=', orgId)
    .where('p.status', '=', 'open')
    .where((eb) => eb.not(eb.exists(eb.selectFrom('proposal_ballots as b').select(sql`1`.as('one')).whereRef('b.proposal_id', '=', 'p.id').where('b.person_id', '=', personId))))
    .orderBy('p.deadline')
    .limit(limit)
    .execute();
}

export async function proposalsBy(db: Db, orgId: string, personId: string, limit: number) {
  return db
    .selectFrom('proposals')
    .select(['id', 'number', 'title', 'status', 'deadline'])
    .where('org_id', '=', orgId)
    .where('proposer_person_id', '=', personId)
    .where('status', 'in', ['draft', 'open', 'approved', 'in_progress'])
    .orderBy('number', 'desc')
    .limit(limit)
    .execute();
}

/** Pending glossary proposals this person may decide: as the term's steward, or (`everyone`) as a glossary steward or admin; never their own. */
export async function approvalsWaiting(db: Db, orgId: string, personId: string, everyone: boolean, limit: number) {
  return db
    .selectFrom('glossary_proposals as gp')
    .leftJoin('glossary_terms as t', 't.id', 'gp.term_id')
    .select(['gp.id', 'gp.kind', sql<string>`coalesce(gp.name, t.name)`.as('name'), 'gp.created_at'])
    .where('gp.org_id', '=', orgId)
    .where('gp.status', '=', 'pending')
    .where('gp.proposed_by_person_id', '!=', personId)
    .$if(!everyone, (qb) => qb.where('t.steward_person_id', '=', personId))
    .orderBy('gp.created_at')
    .limit(limit)
    .execute();
}

/** The person opened their Slack Home tab and was shown `hash`: keep it current for a week. */
export async function homeOpened(db: Db, slack: { teamId: string; userId: string }, hash: string, now: Date): Promise<void> {
  await sql`
    insert into home_views (person_id, installation_external_id, user_external_id, opened_at, published_hash, checked_until)
    select i.person_id, ${slack.teamId}, ${slack.userId}, ${now}, ${hash}, ${now}
    from identities i where i.platform = 'slack' and i.installation_external_id = ${slack.teamId} and i.external_user_id = ${slack.userId}
    on conflict (person_id) do update set opened_at = excluded.opened_at, published_hash = excluded.published_hash,
      installation_external_id = excluded.installation_external_id, user_external_id = excluded.user_external_id
  `.execute(db);
}

/** Home tabs opened in the last week and not checked since `now`, taken by this process until `until`. */
export async function homesToCheck(db: Db, now: Date, until: Date, limit: number) {
  const since = new Date(now.getTime() - 7 * 24 * 60 * 60_000);
  return db
    .updateTable('home_views')
    .set({ checked_until: until })
    .where('person_id', 'in', (eb) => eb.selectFrom('home_views').select('person_id').where('opened_at', '>', since).where('checked_until', '<=', now).orderBy('checked_until').limit(limit).forUpdate().skipLocked())
    .returning(['person_id', 'installation_external_id', 'user_external_id', 'published_hash'])
    .execute();
}

export async function homePublished(db: Db, personId: string, hash: string): Promise<void> {
  await db.updateTable('home_views').set({ published_hash: hash }).where('person_id', '=', personId).execute();
}
