// The shared proposal card under a burst of votes: updates coalesced to one per card per second and
// sent more than a second apart, drawn from the database at delivery (so the last one shows the final
// totals), never overtaking one another, and never missing a vote that committed while one was drawn.
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { plainText, type Card } from '../../src/chat/card.js';
import { ManualClock } from '../../src/clock.js';
import type { DeliveredRef } from '../../src/db/foundation-tables.js';
import { Reach } from '../../src/reach/resolver.js';
import { Deliverer } from '../../src/delivery/deliver.js';
import { RateLimitedError, type Notifier } from '../../src/delivery/notifier.js';
import { MIN_UPDATE_GAP_MS, PROPOSAL_CARD_RENDERER, proposalCardRenderer } from '../../src/proposals/live-card.js';
import { holdCardForVote } from '../../src/proposals/repo/posts.js';
import { castVote, closeProposal, submitProposal, type ProposalPorts } from '../../src/proposals/service.js';
import type { Actor } from '../../src/chat/actor.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/database.js';
import { addGovernanceChannel, addPerson, createFixture, form, type Fixture } from '../support/proposal-fixtures.js';

/** Records what reached the platform; an update can be held until the test lets it go. */
class RecordingNotifier implements Notifier {
  readonly platform = 'slack' as const;
  readonly posts: Card[] = [];
  readonly updates: Card[] = [];
  hold: Promise<void> | undefined;
  private seq = 0;

  async post(_destination: unknown, card: Card): Promise<DeliveredRef> {
    this.posts.push(card);
    return { platform: 'slack', channel: 'CGOV', messageId: `1700000000.${String(++this.seq).padStart(6, '0')}` };
  }

  async update(_ref: DeliveredRef, card: Card): Promise<void> {
    const hold = this.hold;
    if (hold) await hold;
    this.updates.push(card);
  }

  async findPosted(): Promise<DeliveredRef | undefined> {
    return undefined;
  }
}

function cardText(card: Card): string {
  return card.blocks.map((b) => (b.kind === 'text' || b.kind === 'context' ? plainText(b.text) : '')).join('\n');
}

describe.each(DATABASE_KINDS)('live proposal card on %s', (kind) => {
  let database: TestDatabase;
  let f: Fixture;
  let wall: ManualClock;
  let deps: ProposalPorts;
  let notifier: RecordingNotifier;
  let deliverer: Deliverer;
  let board: Actor[];
  let proposalId: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database.drop();
  });

  beforeEach(async () => {
    f = await createFixture(database.db);
    wall = new ManualClock(new Date('2027-03-29T08:00:00.200Z'));
    deps = { wallClock: wall };
    notifier = new RecordingNotifier();
    deliverer = new Deliverer({ db: database.db, clock: wall, notifiers: { slack: notifier }, people: new Reach({ db: database.db, clock: wall, platforms: ['slack'] }), renderers: { [PROPOSAL_CARD_RENDERER]: proposalCardRenderer(database.db, wall) } });
    const proposer = await addPerson(f, 'Paula Proposer');
    board = await Promise.all(['Ada', 'Bo', 'Cy', 'Di'].map((name) => addPerson(f, name, ['board'])));
    await addGovernanceChannel(f);
    proposalId = (await submitProposal({ ...f.services, ...deps }, proposer, form(), crypto.randomUUID())).proposalId;
    const postId = (await f.services.db.selectFrom('proposal_posts').select('outbox_id').where('proposal_id', '=', proposalId).executeTakeFirstOrThrow()).outbox_id;
    await deliverer.deliver(String(postId));
    expect(cardText(notifier.posts[0]!)).toContain('Approve 0 · Reject 0 · Abstain 0 · 4 not voted');
  });

  async function updateRows() {
    return f.services.db
      .selectFrom('outbox')
      .select(['id', 'dedupe_key', 'status', 'not_before'])
      .where('org_id', '=', f.orgId)
      .where('dedupe_key', 'like', `proposal:${proposalId}:card:%`)
      .orderBy('id')
      .execute();
  }

  it('coalesces a burst of votes into one update, drawn with the final totals at the end of the second', async () => {
    await castVote({ ...f.services, ...deps }, board[0]!, proposalId, 'approve');
    await castVote({ ...f.services, ...deps }, board[1]!, proposalId, 'approve');
    await castVote({ ...f.services, ...deps }, board[2]!, proposalId, 'reject');
    await castVote({ ...f.services, ...deps }, board[0]!, proposalId, 'abstain');
    const rows = await updateRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.not_before.toISOString()).toBe('2027-03-29T08:00:01.000Z');
    expect(await deliverer.deliver(String(rows[0]!.id))).toMatchObject({ status: 'not-due' });
    wall.set('2027-03-29T08:00:01.000Z');
    await deliverer.deliver(String(rows[0]!.id));
    expect(notifier.updates).toHaveLength(1);
    expect(cardText(notifier.updates[0]!)).toContain('Approve 1 · Reject 1 · Abstain 1 · 1 not voted');
  });

  it('queues the next second when this second’s update is already on its way, so the last vote is shown', async () => {
    await castVote({ ...f.services, ...deps }, board[0]!, proposalId, 'approve');
    wall.set('2027-03-29T08:00:01.000Z');
    const [first] = await updateRows();
    await deliverer.deliver(String(first!.id));
    // A vote stamped in the first second that commits after its update was drawn.
    wall.set('2027-03-29T08:00:00.900Z');
    await castVote({ ...f.services, ...deps }, board[1]!, proposalId, 'reject');
    const rows = await updateRows();
    expect(rows).toHaveLength(2);
    expect(rows[1]!.not_before.toISOString()).toBe('2027-03-29T08:00:02.000Z');
    wall.set('2027-03-29T08:00:02.200Z');
    await deliverer.deliver(String(rows[1]!.id));
    expect(notifier.updates.map((c) => cardText(c).match(/Approve \d+ · Reject \d+/)?.[0])).toEqual(['Approve 1 · Reject 0', 'Approve 1 · Reject 1']);
  });

  it('queues no second update while one is still waiting, however long the worker takes', async () => {
    await castVote({ ...f.services, ...deps }, board[0]!, proposalId, 'approve');
    wall.set('2027-03-29T08:00:03.500Z');
    await castVote({ ...f.services, ...deps }, board[1]!, proposalId, 'reject');
    wall.set('2027-03-29T08:00:07.100Z');
    await castVote({ ...f.services, ...deps }, board[2]!, proposalId, 'abstain');
    const rows = await updateRows();
    expect(rows).toHaveLength(1);
    await deliverer.deliver(String(rows[0]!.id));
    expect(notifier.updates.map(cardText)).toEqual([expect.stringContaining('Approve 1 · Reject 1 · Abstain 1')]);
  });

  it('keeps updates of one card more than a second apart', async () => {
    await castVote({ ...f.services, ...deps }, board[0]!, proposalId, 'approve');
    wall.set('2027-03-29T08:00:01.000Z');
    const [first] = await updateRows();
    await deliverer.deliver(String(first!.id));
    wall.set('2027-03-29T08:00:01.500Z');
    await castVote({ ...f.services, ...deps }, board[1]!, proposalId, 'reject');
    const next = (await updateRows())[1]!;
    expect(next.not_before.toISOString()).toBe('2027-03-29T08:00:02.000Z');
    wall.set('2027-03-29T08:00:02.000Z');
    const early = deliverer.deliver(String(next.id));
    await expect(early).rejects.toBeInstanceOf(RateLimitedError);
    await expect(early).rejects.toMatchObject({ retryAfterMs: MIN_UPDATE_GAP_MS - 1_000 });
    wall.set('2027-03-29T08:00:02.100Z');
    await deliverer.deliver(String(next.id));
    expect(notifier.updates).toHaveLength(2);
    expect(cardText(notifier.updates[1]!)).toContain('Approve 1 · Reject 1');
  });

  it('never lets a later update overtake one still in flight', async () => {
    await castVote({ ...f.services, ...deps }, board[0]!, proposalId, 'approve');
    wall.set('2027-03-29T08:00:01.000Z');
    const [first] = await updateRows();
    let release!: () => void;
    notifier.hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = deliverer.deliver(String(first!.id));
    await new Promise((resolve) => setTimeout(resolve, 200));
    notifier.hold = undefined;
    await castVote({ ...f.services, ...deps }, board[1]!, proposalId, 'reject');
    wall.set('2027-03-29T08:00:02.000Z');
    const second = (await updateRows())[1]!;
    await expect(deliverer.deliver(String(second.id))).rejects.toBeInstanceOf(RateLimitedError);
    release();
    await slow;
    wall.set('2027-03-29T08:00:03.000Z');
    await deliverer.deliver(String(second.id));
    expect(notifier.updates.map((c) => /Reject (\d+)/.exec(cardText(c))?.[1])).toEqual(['0', '1']);
  });

  it('draws an update only after the votes in flight have committed', async () => {
    await castVote({ ...f.services, ...deps }, board[0]!, proposalId, 'approve');
    const [row] = await updateRows();
    wall.set('2027-03-29T08:00:01.000Z');
    let commit!: () => void;
    const committed = new Promise<void>((resolve) => {
      commit = resolve;
    });
    let voteHeld!: () => void;
    const holding = new Promise<void>((resolve) => {
      voteHeld = resolve;
    });
    // A vote transaction that has taken its lock and written its ballot, but not committed yet.
    const vote = database.db.transaction().execute(async (trx) => {
      await sql`select ${holdCardForVote(proposalId)}`.execute(trx);
      await trx.insertInto('proposal_ballots').values({ proposal_id: proposalId, person_id: board[1]!.personId, choice: 'reject', comment: null, cast_at: f.clock.now(), updated_at: f.clock.now() }).execute();
      voteHeld();
      await committed;
    });
    await holding;
    const delivery = deliverer.deliver(String(row!.id));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(notifier.updates).toHaveLength(0);
    commit();
    await vote;
    await delivery;
    expect(cardText(notifier.updates[0]!)).toContain('Approve 1 · Reject 1');
  });

  it('removes the buttons and shows the decision once voting closes', async () => {
    for (const member of board.slice(0, 3)) await castVote({ ...f.services, ...deps }, member, proposalId, 'approve');
    f.clock.advance(7 * 24 * 3_600_000);
    await closeProposal(f.services, proposalId);
    const decided = (await updateRows()).find((r) => r.dedupe_key.endsWith(':decided'))!;
    await deliverer.deliver(String(decided.id));
    const final = notifier.updates.at(-1)!;
    expect(final.blocks.some((b) => b.kind === 'actions')).toBe(false);
    expect(cardText(final)).toContain('Decision: Approved');
    expect(cardText(final)).toContain('Approve 3 · Reject 0 · Abstain 0 · 1 not voted');
  });
});
