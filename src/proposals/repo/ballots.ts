// SQL of ballots: one per board member and proposal (a unique key), each change logged.
import { sql, type Insertable } from 'kysely';
import type { Db } from '../../db/database.js';
import { holdCardForVote } from './posts.js';
import type { Choice, ProposalBallotsTable } from '../tables.js';

/**
 * The proposal a vote is cast on, share-locked (votes run side by side; closing, which locks for
 * update, waits for them), with the organisation's time zone. The card's vote lock (see
 * live-card.ts) is taken in the same round trip.
 */
export async function proposalForVote(trx: Db, proposalId: string) {
  return trx
    .selectFrom('proposals')
    .select([
      'id',
      'org_id',
      'number',
      'title',
      'status',
      'deadline',
      'rule',
      sql<string>`(select time_zone from organisations o where o.id = proposals.org_id)`.as('time_zone'),
      holdCardForVote(proposalId).as('card_held'),
    ])
    .where('id', '=', proposalId)
    .forShare()
    .executeTakeFirst();
}

type BallotInput = Pick<Insertable<ProposalBallotsTable>, 'proposal_id' | 'person_id' | 'choice' | 'comment'> & { at: Date };

/** A first vote: the ballot and its log entry in one statement; false (nothing written) when the ballot exists. */
export async function insertFirstBallot(trx: Db, ballot: BallotInput): Promise<boolean> {
  const comment = ballot.comment ?? null;
  const first = await sql<{ id: string }>`
    with ballot as (
      insert into proposal_ballots (proposal_id, person_id, choice, comment, cast_at, updated_at)
      values (${ballot.proposal_id}, ${ballot.person_id}, ${ballot.choice}, ${comment}, ${ballot.at}, ${ballot.at})
      on conflict (proposal_id, person_id) do nothing
      returning proposal_id, person_id
    )
    insert into proposal_vote_log (proposal_id, person_id, choice, previous_choice, comment, at)
    select proposal_id, person_id, ${ballot.choice}, null, ${comment}, ${ballot.at} from ballot
    returning id
  `.execute(trx);
  return first.rows.length > 0;
}

/** The member's ballot, row-locked: their concurrent clicks each see the one committed before. */
export async function lockBallot(trx: Db, proposalId: string, personId: string) {
  return trx
    .selectFrom('proposal_ballots')
    .select(['choice', 'comment', 'updated_at'])
    .where('proposal_id', '=', proposalId)
    .where('person_id', '=', personId)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

/** A changed vote: the ballot and its log entry. */
export async function changeBallot(trx: Db, ballot: BallotInput & { previous: Choice; logComment: string | null }): Promise<void> {
  await trx
    .updateTable('proposal_ballots')
    .set({ choice: ballot.choice, comment: ballot.comment ?? null, updated_at: ballot.at })
    .where('proposal_id', '=', ballot.proposal_id)
    .where('person_id', '=', ballot.person_id)
    .execute();
  await trx
    .insertInto('proposal_vote_log')
    .values({ proposal_id: ballot.proposal_id, person_id: ballot.person_id, choice: ballot.choice, previous_choice: ballot.previous, comment: ballot.logComment, at: ballot.at })
    .execute();
}

/** A ballot with its log entry, written as is (the demo seed). */
export async function insertBallot(trx: Db, ballot: BallotInput): Promise<void> {
  await trx.insertInto('proposal_ballots').values({ proposal_id: ballot.proposal_id, person_id: ballot.person_id, choice: ballot.choice, comment: ballot.comment ?? null, cast_at: ballot.at, updated_at: ballot.at }).execute();
  await trx.insertInto('proposal_vote_log').values({ proposal_id: ballot.proposal_id, person_id: ballot.person_id, choice: ballot.choice, previous_choice: null, comment: ballot.comment ?? null, at: ballot.at }).execute();
}
