// Durable before acknowledged, against a real crash: a Steward serving HTTP in its own OS process is
// killed with SIGKILL in the middle of a burst of 200 board votes (signed Slack button clicks), then
// started again. Every click Slack was answered 200 for (and so showed the voter as sent) must be in
// the database exactly once; a click that got no 200 is one Slack shows the voter as failed. Votes go
// through the click inbox (src/chat/inbox.ts): stored, acknowledged, then handled, also by the
// restarted process for the clicks the killed one had stored but not yet handled.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import type { Db } from '../../src/db/database.js';
import * as orgsRepo from '../../src/orgs/repo.js';
import { submitProposal } from '../../src/proposals/service.js';
import { makeGovernanceChannel } from '../../src/governance/service.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { FakeSlack } from '../support/fake-slack.js';
import { form, testServices } from '../support/proposal-fixtures.js';
import { blockActionBody, postSlack, SIGNING_SECRET } from '../support/slack.js';
import { TEST_REDIS_URL } from '../support/steward.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';
import { waitUntil } from '../support/wait.js';
import { countClicks } from '../../src/chat/inbox-repo.js';

const MEMBERS = 200;
const CONCURRENCY = 20;
/** The serving process is killed when this many clicks have been answered 200. */
const KILL_AFTER_ACKS = 60;
const TEAM = 'T0001';
const CHANNEL = 'CGOVCRASH';
const memberUser = (i: number) => `UVOTE${String(i).padStart(4, '0')}`;
const CHOICES = ['approve', 'reject', 'abstain'] as const;

/** An organisation on Slack team T0001 with a governance channel, a board of MEMBERS and one open proposal. */
async function seed(db: Db): Promise<{ proposalId: string; memberIds: string[] }> {
  const org = await orgsRepo.createOrganisation(db, 'Acme');
  await orgsRepo.upsertInstallation(db, org.id, 'slack', TEAM, 'acme');
  const proposer = await orgsRepo.createPerson(db, org.id, 'Paula Proposer', null);
  await orgsRepo.addIdentity(db, proposer.id, 'slack', TEAM, 'UPROPOSER');
  const rows = Array.from({ length: MEMBERS }, (_, i) => ({ org_id: org.id, display_name: `Member ${String(i + 1).padStart(4, '0')}`, email: null }));
  const people = await db.insertInto('people').values(rows).returning('id').execute();
  await db.insertInto('identities').values(people.map((p, i) => ({ person_id: p.id, platform: 'slack' as const, installation_external_id: TEAM, external_user_id: memberUser(i) }))).execute();
  await db.insertInto('roles').values(people.map((p) => ({ person_id: p.id, role: 'board' as const, granted_by: 'test' }))).execute();
  await makeGovernanceChannel(db, org.id, { platform: 'slack', installationExternalId: TEAM, externalId: CHANNEL, kind: 'channel', name: 'governance' });
  const services = testServices(db, systemClock, []);
  const actor = { personId: proposer.id, orgId: org.id, name: 'Paula Proposer', email: null, roles: new Set<never>(), platform: 'slack' as const, platformUserId: 'UPROPOSER' };
  const submitted = await submitProposal(services, actor, form(), randomUUID());
  if (!submitted.opened) throw new Error(`the proposal did not open for votes: ${submitted.reason ?? 'no reason given'}`);
  return { proposalId: submitted.proposalId, memberIds: people.map((p) => p.id) };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

type Outcome = { kind: 'acked' } | { kind: 'failed'; reason: string };

describe('votes: the serving process killed during a burst of clicks', () => {
  let slack: FakeSlack | undefined;
  let database: TestDatabase | undefined;
  const processes: WorkerProcess[] = [];

  afterEach(async () => {
    for (const child of processes.splice(0)) await child.kill();
    await slack?.close();
    slack = undefined;
    await database?.drop();
    database = undefined;
  });

  it('keeps every click it answered 200, exactly once, and restarts serving the rest', async () => {
    slack = await new FakeSlack().start();
    database = await createTestDatabase('postgres');
    if (!database.url) throw new Error('the Postgres test database has no URL');
    const db = database.db;
    const { proposalId, memberIds } = await seed(db);
    const port = await freePort();
    const start = () =>
      startWorkerProcess({
        env: { DATABASE_URL: database!.url!, REDIS_URL: TEST_REDIS_URL, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_API_URL: slack!.apiUrl },
        queuePrefix: `test-${randomUUID()}`,
        leaseMs: 2_000,
        sweepIntervalMs: 1_000,
        http: { port },
        workers: false,
      });
    const first = await start();
    processes.push(first);
    const url = first.url!;

    // Each member clicks once, CONCURRENCY clicks in flight at a time, as Slack would send them.
    const outcomes = new Map<number, Outcome>();
    let acked = 0;
    let killing: Promise<void> | undefined;
    let killedAt = -1;
    const click = async (i: number): Promise<void> => {
      const value = JSON.stringify({ action: 'proposal.vote', p: proposalId, c: CHOICES[i % 3] });
      const body = blockActionBody({ userId: memberUser(i), teamId: TEAM, channelId: CHANNEL, value, messageTs: '1700000000.000100', responseUrl: slack!.responseUrl(`vote-${i}`) });
      try {
        const response = await postSlack(url, body);
        await response.arrayBuffer();
        if (response.status === 200) {
          outcomes.set(i, { kind: 'acked' });
          if (++acked === KILL_AFTER_ACKS) {
            killedAt = i;
            killing = first.kill();
          }
        } else {
          outcomes.set(i, { kind: 'failed', reason: `HTTP ${response.status}` });
        }
      } catch (error) {
        const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
        outcomes.set(i, { kind: 'failed', reason: cause });
      }
    };
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < MEMBERS) await click(next++);
      }),
    );
    await killing;
    expect(killedAt, 'the process was killed during the burst').toBeGreaterThanOrEqual(0);

    const leftInInbox = await countClicks(db);
    // Started again on the same port (Slack's Request URL does not change). Clicks stored in the
    // click inbox but not yet handled when the process died are handled by the new one once their
    // lease (2 s here) runs out.
    const second = await start();
    processes.push(second);
    await waitUntil('the click inbox is empty', async () => (await countClicks(db)) === 0, 30_000);

    const ballots = await db
      .selectFrom('proposal_ballots')
      .select(['person_id', sql<number>`count(*)::int`.as('n')])
      .where('proposal_id', '=', proposalId)
      .groupBy('person_id')
      .execute();
    const logged = await db
      .selectFrom('proposal_vote_log')
      .select(['person_id', sql<number>`count(*)::int`.as('n')])
      .where('proposal_id', '=', proposalId)
      .groupBy('person_id')
      .execute();
    const ballotsOf = new Map(ballots.map((b) => [b.person_id, Number(b.n)]));
    const logOf = new Map(logged.map((l) => [l.person_id, Number(l.n)]));

    const ackedMembers = [...outcomes].filter(([, o]) => o.kind === 'acked').map(([i]) => i);
    const failedMembers = [...outcomes].filter(([, o]) => o.kind === 'failed').map(([i]) => i);
    const lostAcked = ackedMembers.filter((i) => ballotsOf.get(memberIds[i]!) !== 1 || logOf.get(memberIds[i]!) !== 1);
    const storedUnacked = failedMembers.filter((i) => ballotsOf.has(memberIds[i]!));
    const reasonOf = (i: number) => (outcomes.get(i) as { reason: string }).reason;
    const reasons = [...new Set(failedMembers.map(reasonOf))];
    // Cut off in flight by the kill, as opposed to sent while no process was listening.
    const inFlight = failedMembers.filter((i) => !reasonOf(i).includes('ECONNREFUSED'));
    console.log(
      `vote-crash: ${MEMBERS} clicks, killed after the ${KILL_AFTER_ACKS}th 200: ${ackedMembers.length} acknowledged (200), ` +
        `${failedMembers.length} not acknowledged (${inFlight.length} cut off in flight, ${failedMembers.length - inFlight.length} refused while down; ` +
        `${storedUnacked.length} stored anyway: committed, then killed before the 200); ` +
        `${leftInInbox} left in the click inbox by the kill and handled after the restart; ` +
        `acknowledged but not stored exactly once: ${lostAcked.length}; failures: ${reasons.join('; ')}`,
    );

    expect(outcomes.size).toBe(MEMBERS);
    expect(ackedMembers.length).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
    expect(failedMembers.length, 'some clicks were cut off by the kill').toBeGreaterThan(0);
    // Every click answered 200 is stored, exactly once (one ballot and one log entry per member).
    expect(lostAcked.map(memberUser)).toEqual([]);
    // The unique key: never two ballots of one member.
    expect(ballots.every((b) => Number(b.n) === 1)).toBe(true);
    // Nobody was stored who did not click.
    expect(ballots.length).toBe(ackedMembers.length + storedUnacked.length);

    // The voters whose click failed click again (Slack showed them the failure): the restarted
    // service takes every one of them, and a click that had been stored before the kill stays one ballot.
    const retried = await Promise.all(
      failedMembers.map(async (i) => {
        const value = JSON.stringify({ action: 'proposal.vote', p: proposalId, c: CHOICES[i % 3] });
        const response = await postSlack(second.url!, blockActionBody({ userId: memberUser(i), teamId: TEAM, channelId: CHANNEL, value, responseUrl: slack!.responseUrl(`retry-${i}`) }));
        return response.status;
      }),
    );
    expect(retried.every((status) => status === 200)).toBe(true);
    await waitUntil('every member has a ballot', async () => {
      const row = await db.selectFrom('proposal_ballots').select(sql<number>`count(*)::int`.as('n')).where('proposal_id', '=', proposalId).executeTakeFirstOrThrow();
      return Number(row.n) === MEMBERS;
    });
    const choices = await db.selectFrom('proposal_ballots').select(['person_id', 'choice']).where('proposal_id', '=', proposalId).execute();
    const choiceOf = new Map(choices.map((c) => [c.person_id, c.choice]));
    expect(memberIds.every((id, i) => choiceOf.get(id) === CHOICES[i % 3])).toBe(true);
  }, 240_000);
});
