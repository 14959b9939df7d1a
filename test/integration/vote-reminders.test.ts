// Board members who have not voted get one direct message when a deadline comes within the
// reminder window; those who voted get none, and a second run sends nothing again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueVoteReminders } from '../../src/governance/reminders.js';
import { castVote, submitProposal } from '../../src/proposals/service.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/database.js';
import { addBoard, addGovernanceChannel, addPerson, createFixture, form } from '../support/proposal-fixtures.js';

describe.each(DATABASE_KINDS)('vote reminders on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database.drop();
  });

  it('reminds each member without a ballot once, the day before the deadline', async () => {
    const f = await createFixture(database.db);
    await addGovernanceChannel(f);
    const [voter, quiet1, quiet2] = await addBoard(f, 3);
    const proposer = await addPerson(f, 'Lead');
    const submitted = await submitProposal(f.services, proposer, form(), 'reminder-test');
    if (!('proposalId' in submitted) || !voter || !quiet1 || !quiet2) throw new Error('fixture');
    await castVote(f.services, voter, submitted.proposalId, 'approve');
    const deadline = (await database.db.selectFrom('proposals').select('deadline').where('id', '=', submitted.proposalId).executeTakeFirstOrThrow()).deadline!;

    // Two days before: nothing yet.
    expect(await queueVoteReminders(database.db, new Date(deadline.getTime() - 48 * 3_600_000))).toEqual([]);
    // Within 24 h: the two who have not voted.
    const ids = await queueVoteReminders(database.db, new Date(deadline.getTime() - 20 * 3_600_000));
    expect(ids).toHaveLength(2);
    const rows = await database.db.selectFrom('outbox').select(['target', 'message']).where('id', 'in', ids).execute();
    expect(rows.map((r) => (r.target.kind === 'person' ? r.target.personId : '')).sort()).toEqual([quiet1.personId, quiet2.personId].sort());
    expect(JSON.stringify(rows[0]?.message)).toContain('still open');
    // Later runs in the window send nothing again.
    expect(await queueVoteReminders(database.db, new Date(deadline.getTime() - 10 * 3_600_000))).toEqual([]);
  });
});
