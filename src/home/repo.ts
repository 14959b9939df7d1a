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
