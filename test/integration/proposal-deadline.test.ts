// Closing on time with real Redis: the delayed BullMQ job closes a vote at its deadline, a job that
// fires early waits, and the sweep closes what no job was there for. Each test on its own queue prefix.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { redisConnection } from '../../src/jobs/redis.js';
import { JobRegistry } from '../../src/jobs/registry.js';
import { ProposalDeadlineQueue, ProposalDeadlineSweep, proposalDeadlineJob } from '../../src/proposals/jobs.js';
import { castVote, submitProposal } from '../../src/proposals/service.js';
import type { Services } from '../../src/services.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { addGovernanceChannel, addPerson, createFixture, form, testServices } from '../support/proposal-fixtures.js';
import { TEST_REDIS_URL } from '../support/steward.js';

describe('proposal deadlines on BullMQ', () => {
  let database: TestDatabase;
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
  });
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });
  afterAll(async () => {
    await database.drop();
  });

  /** An open proposal (on the system clock) whose deadline is moved to `inMs` from now. */
  async function openProposal(services: Services, inMs: number) {
    const real = { ...(await createFixture(database.db)), services };
    await addGovernanceChannel(real);
    const proposer = await addPerson(real, 'Paula Proposer');
    const member = await addPerson(real, 'Ada', ['board']);
    const { proposalId } = await submitProposal(real.services, proposer, form(), randomUUID());
    await castVote(real.services, member, proposalId, 'approve');
    const deadline = new Date(Date.now() + inMs);
    await database.db.updateTable('proposals').set({ deadline, opened_at: new Date(deadline.getTime() - 3_600_000) }).where('id', '=', proposalId).execute();
    return { proposalId, deadline };
  }

  function start(prefix: string, services: Services): ProposalDeadlineQueue {
    const connections = { producer: redisConnection(TEST_REDIS_URL, 'producer'), worker: redisConnection(TEST_REDIS_URL, 'worker') };
    const jobs = new JobRegistry({ connections, prefix, log: services.log });
    const queue = new ProposalDeadlineQueue(jobs.queue(proposalDeadlineJob), services);
    // The worker alone: these tests watch the delayed job, not the sweep.
    jobs.startWorker(proposalDeadlineJob, services);
    stops.push(() => jobs.close());
    return queue;
  }

  const status = async (id: string) => (await database.db.selectFrom('proposals').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;

  async function until(what: string, predicate: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
    const started = Date.now();
    while (!(await predicate())) {
      if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting until ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it('closes the vote when its delayed job fires at the deadline, and not before', async () => {
    const services = testServices(database.db, systemClock, []);
    const { proposalId, deadline } = await openProposal(services, 1_500);
    const queue = start(`test-${randomUUID()}`, services);
    await queue.add(proposalId, deadline);
    // Scheduling the same deadline again collapses into the same job.
    await queue.add(proposalId, deadline);
    expect(await queue.queue.getDelayedCount()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(await status(proposalId)).toBe('open');
    await until('the job closed the vote', async () => (await status(proposalId)) !== 'open');
    expect(Date.now()).toBeGreaterThanOrEqual(deadline.getTime());
    expect(await status(proposalId)).toBe('approved');
    expect(await database.db.selectFrom('proposal_decisions').select('outcome').where('proposal_id', '=', proposalId).execute()).toEqual([{ outcome: 'approved' }]);
  });

  it('lets a job that fires before the deadline (an extension, a clock apart) wait until it is due', async () => {
    const services = testServices(database.db, systemClock, []);
    const { proposalId, deadline } = await openProposal(services, 2_000);
    const queue = start(`test-${randomUUID()}`, services);
    // The job of an earlier deadline fires now; the vote is not due yet and must stay open.
    await queue.add(proposalId, new Date(Date.now() - 1));
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(await status(proposalId)).toBe('open');
    await until('the re-delayed job closed the vote', async () => (await status(proposalId)) !== 'open', 20_000);
    expect(Date.now()).toBeGreaterThanOrEqual(deadline.getTime());
  });

  it('closes, through the sweep, an overdue vote that no job was scheduled for', async () => {
    const services = testServices(database.db, systemClock, []);
    const { proposalId } = await openProposal(services, -1_000);
    const sweep = new ProposalDeadlineSweep({ services, log: services.log, intervalMs: 60_000 });
    expect(await sweep.runOnce()).toBeGreaterThanOrEqual(1);
    expect(await status(proposalId)).toBe('approved');
    expect(await sweep.runOnce()).toBe(0);
  });
});
