// Proposals and votes at the service level, on real Postgres and on embedded PGlite: ballots and the
// vote log, the deadline, concurrency, closing once, withdrawal, extension and follow-up.
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidInput, PermissionDenied } from '../../src/chat/errors.js';
import { closeProposal, castVote, extendDeadline, submitProposal, withdrawProposal, advanceProposal, openDraft } from '../../src/proposals/service.js';
import { voteConfirmationText } from '../../src/proposals/cards.js';
import type { Actor } from '../../src/chat/actor.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/database.js';
import { addBoard, addGovernanceChannel, addPerson, createFixture, form, setRule, type Fixture } from '../support/proposal-fixtures.js';

const HOUR = 3_600_000;
let keySeq = 0;
const key = () => `00000000-0000-4000-8000-${String(++keySeq).padStart(12, '0')}`;

describe.each(DATABASE_KINDS)('proposals and votes on %s', (kind) => {
  let database: TestDatabase;
  let f: Fixture;
  let proposer: Actor;
  let board: Actor[];
  let outsider: Actor;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database.drop();
  });
  // Each test has an organisation of its own in the shared database.
  beforeEach(async () => {
    f = await createFixture(database.db);
    proposer = await addPerson(f, 'Paula Proposer');
    board = await Promise.all(['Ada', 'Bo', 'Cy', 'Di', 'Ed'].map((name) => addPerson(f, name, ['board'])));
    outsider = await addPerson(f, 'Olaf Outsider');
    await addGovernanceChannel(f);
    await setRule(f, { votingPeriodHours: 48, quorum: { kind: 'share', value: 0.6 } });
  });

  const ballots = (proposalId: string) => f.services.db.selectFrom('proposal_ballots').selectAll().where('proposal_id', '=', proposalId).execute();
  const log = (proposalId: string) => f.services.db.selectFrom('proposal_vote_log').selectAll().where('proposal_id', '=', proposalId).orderBy('id').execute();
  const proposal = (id: string) => f.services.db.selectFrom('proposals').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('opens a submitted proposal at once: number, deadline, rule snapshot and a card for the governance channel', async () => {
    const submitted = await submitProposal(f.services, proposer, form(), key());
    expect(submitted).toMatchObject({ opened: true, duplicate: false });
    const row = await proposal(submitted.proposalId);
    expect(row).toMatchObject({ number: 1, status: 'open' });
    expect(row.deadline?.getTime()).toBe(f.clock.now().getTime() + 48 * HOUR);
    expect(row.rule).toEqual({ quorum: { kind: 'share', value: 0.6 }, majority: 'simple', anonymous: false, boardSize: 5, quorumRequired: 3 });
    const posts = await f.services.db.selectFrom('proposal_posts').selectAll().where('proposal_id', '=', submitted.proposalId).execute();
    expect(posts).toHaveLength(1);
    expect(f.kicked).toContain(String(posts[0]!.outbox_id));
    const second = await submitProposal(f.services, proposer, form({ title: 'Another one' }), key());
    expect((await proposal(second.proposalId)).number).toBe(2);
  });

  it('finds the same proposal when the same form is submitted twice', async () => {
    const k = key();
    const first = await submitProposal(f.services, proposer, form(), k);
    const again = await submitProposal(f.services, proposer, form(), k);
    expect(again).toMatchObject({ proposalId: first.proposalId, duplicate: true });
    expect(await f.services.db.selectFrom('proposals').select('id').where('org_id', '=', f.orgId).execute()).toHaveLength(1);
  });

  it('keeps a proposal as a draft while there is no governance channel, and opens it later', async () => {
    await sql`update organisations set settings = settings || '{"governanceChannels": []}'::jsonb where id = ${f.orgId}`.execute(f.services.db);
    const submitted = await submitProposal(f.services, proposer, form(), key());
    expect(submitted.opened).toBe(false);
    expect(submitted.reason).toContain('governance channel');
    await expect(openDraft(f.services, proposer, 1)).rejects.toBeInstanceOf(InvalidInput);
    await addGovernanceChannel(f);
    await expect(openDraft(f.services, outsider, 1)).rejects.toBeInstanceOf(PermissionDenied);
    await openDraft(f.services, proposer, 1);
    expect((await proposal(submitted.proposalId)).status).toBe('open');
  });

  it('records a vote, a changed vote and a repeated vote: one ballot, every change in the log', async () => {
    const { proposalId } = await submitProposal(f.services, proposer, form(), key());
    const ada = board[0]!;
    expect(await castVote(f.services, ada, proposalId, 'reject')).toMatchObject({ choice: 'reject', previous: null });
    f.clock.advance(1_000);
    expect(await castVote(f.services, ada, proposalId, 'approve', 'Worth a try')).toMatchObject({ choice: 'approve', previous: 'reject', comment: 'Worth a try' });
    f.clock.advance(1_000);
    expect(await castVote(f.services, ada, proposalId, 'approve')).toMatchObject({ previous: 'approve', comment: 'Worth a try' });
    expect(await ballots(proposalId)).toMatchObject([{ person_id: ada.personId, choice: 'approve', comment: 'Worth a try' }]);
    // The repeat changed nothing, so it leaves no entry: a click handled twice (the click inbox after
    // a crash) must not look like two votes.
    expect((await log(proposalId)).map((e) => [e.choice, e.previous_choice])).toEqual([
      ['reject', null],
      ['approve', 'reject'],
    ]);
  });

  it('counts a click from when it arrived: the same click twice once, and an earlier click never over a later one', async () => {
    const { proposalId } = await submitProposal(f.services, proposer, form(), key());
    const ada = board[0]!;
    const first = f.clock.now();
    const later = new Date(first.getTime() + 2_000);
    f.clock.advance(5_000);
    expect(await castVote(f.services, ada, proposalId, 'reject', undefined, later)).toMatchObject({ choice: 'reject', previous: null });
    // The earlier click handled after the later one (two processes, or a replay after a crash).
    const earlier = await castVote(f.services, ada, proposalId, 'approve', undefined, first);
    expect(earlier).toMatchObject({ choice: 'reject', superseded: true });
    expect(voteConfirmationText(earlier)).toMatch(/later click of yours .* was counted first, so your vote stays Reject/);
    // The later click handled again.
    expect(await castVote(f.services, ada, proposalId, 'reject', undefined, later)).toMatchObject({ choice: 'reject', previous: 'reject' });
    expect(await ballots(proposalId)).toMatchObject([{ choice: 'reject', updated_at: later }]);
    expect((await log(proposalId)).map((e) => [e.choice, e.previous_choice])).toEqual([['reject', null]]);
  });

  it('refuses a vote from someone who is not on the board, and changes nothing', async () => {
    const { proposalId } = await submitProposal(f.services, proposer, form(), key());
    await expect(castVote(f.services, outsider, proposalId, 'approve')).rejects.toBeInstanceOf(PermissionDenied);
    expect(await ballots(proposalId)).toEqual([]);
    expect(await log(proposalId)).toEqual([]);
  });

  it('takes a vote a millisecond before the deadline and refuses one at the deadline', async () => {
    const { proposalId } = await submitProposal(f.services, proposer, form(), key());
    const deadline = (await proposal(proposalId)).deadline!;
    f.clock.set(new Date(deadline.getTime() - 1));
    await castVote(f.services, board[0]!, proposalId, 'approve');
    f.clock.set(deadline);
    await expect(castVote(f.services, board[1]!, proposalId, 'approve')).rejects.toThrow(/closed at its deadline/);
    expect(await ballots(proposalId)).toHaveLength(1);
  });

  it('leaves one ballot and one log entry when the same member clicks Approve 20 times at once', async () => {
    const { proposalId } = await submitProposal(f.services, proposer, form(), key());
    const ada = board[0]!;
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => castVote(f.services, ada, proposalId, 'approve')));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(await ballots(proposalId)).toHaveLength(1);
    // Exactly one first cast; every later click saw the vote before it and changed nothing.
    const entries = await log(proposalId);
    expect(entries.map((e) => [e.choice, e.previous_choice])).toEqual([['approve', null]]);
  });

  it('counts 300 members voting at once exactly', async () => {
    const many = await addBoard(f, 300);
    const { proposalId } = await submitProposal(f.services, proposer, form(), key());
    const choices = ['approve', 'reject', 'abstain'] as const;
    const results = await Promise.allSettled(many.map((member, i) => castVote(f.services, member, proposalId, choices[i % 3]!)));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const counts = await f.services.db
      .selectFrom('proposal_ballots')
      .select(['choice', sql<number>`count(*)::int`.as('n')])
      .where('proposal_id', '=', proposalId)
      .groupBy('choice')
      .execute();
    expect(Object.fromEntries(counts.map((c) => [c.choice, Number(c.n)]))).toEqual({ approve: 100, reject: 100, abstain: 100 });
    expect(await log(proposalId)).toHaveLength(300);
  }, 60_000);

  it('closes at the deadline once, however many closers race, with the tally that decided it', async () => {
    const { proposalId } = await submitProposal(f.services, proposer, form(), key());
    await castVote(f.services, board[0]!, proposalId, 'approve');
    await castVote(f.services, board[1]!, proposalId, 'approve');
    await castVote(f.services, board[2]!, proposalId, 'reject');
    await castVote(f.services, board[3]!, proposalId, 'abstain');
    expect(await closeProposal(f.services, proposalId)).toMatchObject({ status: 'not-due' });
    f.clock.set((await proposal(proposalId)).deadline!);
    const results = await Promise.all(Array.from({ length: 5 }, () => closeProposal(f.services, proposalId)));
    expect(results.filter((r) => r.status === 'closed')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'not-open')).toHaveLength(4);
    const decisions = await f.services.db.selectFrom('proposal_decisions').selectAll().where('proposal_id', '=', proposalId).execute();
    expect(decisions).toMatchObject([{ proposal_id: proposalId, outcome: 'approved', approve: 2, reject: 1, abstain: 1, not_voted: 1, board_size: 5, quorum_required: 3 }]);
    expect((await proposal(proposalId)).status).toBe('approved');
    // The card update, the thread announcement and the proposer's direct message, queued once.
    const keys = (await f.services.db.selectFrom('outbox').select('dedupe_key').where('org_id', '=', f.orgId).execute()).map((r) => r.dedupe_key);
    expect(keys.filter((k) => k.includes(':decided'))).toHaveLength(3);
    expect(keys).toContain(`proposal:${proposalId}:decided:dm:${proposer.personId}`);
    await expect(castVote(f.services, board[4]!, proposalId, 'approve')).rejects.toThrow(/closed/);
  });

  it('decides no quorum when too few members voted', async () => {
    const { proposalId } = await submitProposal(f.services, proposer, form(), key());
    await castVote(f.services, board[0]!, proposalId, 'approve');
    await castVote(f.services, board[1]!, proposalId, 'approve');
    f.clock.advance(48 * HOUR);
    expect(await closeProposal(f.services, proposalId)).toMatchObject({ status: 'closed', outcome: 'no_quorum' });
  });

  it('keeps the vote log and decisions append-only in the database itself', async () => {
    const { proposalId } = await submitProposal(f.services, proposer, form(), key());
    await castVote(f.services, board[0]!, proposalId, 'approve');
    await expect(sql`update proposal_vote_log set choice = 'reject' where proposal_id = ${proposalId}`.execute(f.services.db)).rejects.toThrow(/append-only/);
    f.clock.advance(48 * HOUR);
    await closeProposal(f.services, proposalId);
    await expect(sql`update proposal_decisions set outcome = 'approved' where proposal_id = ${proposalId}`.execute(f.services.db)).rejects.toThrow(/append-only/);
    await expect(
      f.services.db
        .insertInto('proposal_decisions')
        .values({ proposal_id: proposalId, outcome: 'approved', approve: 9, reject: 0, abstain: 0, not_voted: 0, board_size: 5, quorum_required: 3, rule: '{}', decided_at: new Date() })
        .execute(),
    ).rejects.toThrow();
  });

  it('lets only the proposer withdraw, before the deadline; votes are then refused', async () => {
    const { proposalId } = await submitProposal(f.services, proposer, form(), key());
    await expect(withdrawProposal(f.services, board[0]!, 1)).rejects.toBeInstanceOf(PermissionDenied);
    await withdrawProposal(f.services, proposer, 1);
    expect((await proposal(proposalId)).status).toBe('withdrawn');
    await expect(castVote(f.services, board[0]!, proposalId, 'approve')).rejects.toThrow(/closed \(withdrawn\)/);
    expect(await closeProposal(f.services, proposalId)).toEqual({ status: 'not-open' });
  });

  it('lets an admin extend the deadline and tells everyone who voted', async () => {
    const admin = await addPerson(f, 'Alma Admin', ['admin']);
    const { proposalId } = await submitProposal(f.services, proposer, form(), key());
    await castVote(f.services, board[0]!, proposalId, 'approve');
    await castVote(f.services, board[1]!, proposalId, 'reject');
    const before = (await proposal(proposalId)).deadline!;
    await expect(extendDeadline(f.services, board[0]!, 1, { kind: 'extend-by', ms: 24 * HOUR })).rejects.toBeInstanceOf(PermissionDenied);
    await expect(extendDeadline(f.services, admin, 1, { kind: 'until', at: new Date(before.getTime() - HOUR) })).rejects.toBeInstanceOf(InvalidInput);
    const extended = await extendDeadline(f.services, admin, 1, { kind: 'extend-by', ms: 24 * HOUR });
    expect(extended).toEqual({ deadline: new Date(before.getTime() + 24 * HOUR), told: 2 });
    const dms = await f.services.db.selectFrom('outbox').select(['target']).where('dedupe_key', 'like', `proposal:${proposalId}:deadline:%:dm:%`).execute();
    expect(dms.map((d) => d.target)).toEqual(
      expect.arrayContaining([
        { kind: 'person', personId: board[0]!.personId },
        { kind: 'person', personId: board[1]!.personId },
      ]),
    );
    f.clock.set(before);
    await castVote(f.services, board[2]!, proposalId, 'approve');
  });

  it('lets the journey owner or an admin follow an approved proposal up, and nobody else', async () => {
    const owner = await addPerson(f, 'Olga Owner');
    await f.services.db.insertInto('journeys').values({ org_id: f.orgId, key: 'onboarding', name: 'Welcome journey', level: 'journey', owner_person_id: owner.personId }).execute();
    const { proposalId } = await submitProposal(f.services, proposer, form({ journey: 'onboarding' }), key());
    for (const member of board.slice(0, 3)) await castVote(f.services, member, proposalId, 'approve');
    f.clock.advance(48 * HOUR);
    await closeProposal(f.services, proposalId);
    const ownerDm = await f.services.db.selectFrom('outbox').select('message').where('dedupe_key', '=', `proposal:${proposalId}:decided:dm:${owner.personId}`).executeTakeFirstOrThrow();
    expect(JSON.stringify(ownerDm.message)).toContain('Mark in progress');
    await expect(advanceProposal(f.services, proposer, proposalId, 'in_progress')).rejects.toBeInstanceOf(PermissionDenied);
    await advanceProposal(f.services, owner, proposalId, 'in_progress');
    await expect(advanceProposal(f.services, owner, proposalId, 'in_progress')).resolves.toMatchObject({ status: 'in_progress' });
    await advanceProposal(f.services, owner, proposalId, 'done');
    const events = await f.services.db.selectFrom('proposal_events').select(['kind', 'to_status']).where('proposal_id', '=', proposalId).orderBy('id').execute();
    expect(events.map((e) => e.to_status)).toEqual(['draft', 'open', 'approved', 'in_progress', 'done']);
  });
});
