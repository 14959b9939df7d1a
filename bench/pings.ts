// bench/pings: 2,000 unacknowledged pings across 200 journeys, all escalating at the same moment,
// handled by two worker processes (the real composition root, on Postgres and Redis, Slack at a
// fake). Prints the time from the due moment until every escalated direct message reached Slack
// (and until the redraws and the senders' notes, which follow in the background, did too),
// duplicates (must be 0) and misses (must be 0). Targets: all delivered within 15 s of being due on a
// quiet machine, so that 30 s holds with other work on it (the load average before is printed).
// Each pinged journey has its own parent (and parent owner) and its own sender, as in a real tree;
// Steward sends at most one message per second to any one Slack channel (a DM is a channel), so the
// floor is (pings per recipient) seconds: with fewer parents than journeys, pass [parents] to see it.
// With --by-email the parent owners (who receive the escalations) are known only by e-mail and have
// never been looked up (the reach sweep is off): each is found at escalation time with
// users.lookupByEmail (paced at Slack's Tier 3: about 50 a minute after a burst of 20), and the number
// of lookups is printed. With --by-email --checked the reach sweep ran before they fell due, as it
// does in the background after an import. With --slack-latency=MS every Slack call is answered that
// much later (Slack's own take 100–300 ms), so deliveries wait on the network as they do in production.
// Run: npx tsx bench/pings.ts [pings] [journeys] [parents] [--by-email [--checked]] [--slack-latency=MS]
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { Redis } from 'ioredis';
import { systemClock } from '../src/clock.js';
import { EscalationQueue, escalationJob } from '../src/pings/jobs.js';
import { JobRegistry } from '../src/jobs/registry.js';
import { createPing } from '../src/pings/service.js';
import { createLogger } from '../src/log.js';
import * as orgsRepo from '../src/orgs/repo.js';
import { createTestDatabase } from '../test/support/database.js';
import { FakeSlack } from '../test/support/fake-slack.js';
import { SIGNING_SECRET } from '../test/support/slack.js';
import { TEST_REDIS_URL } from '../test/support/steward.js';
import { startWorkerProcess, type WorkerProcess } from '../test/support/worker-process.js';
import { cpuMsOf } from './lib/server-process.js';

const numbers = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const BY_EMAIL = process.argv.includes('--by-email');
const CHECKED = BY_EMAIL && process.argv.includes('--checked');
const SLACK_LATENCY_MS = Number(process.argv.find((arg) => arg.startsWith('--slack-latency='))?.split('=')[1] ?? 0);
const PINGS = Number(numbers[0] ?? 2_000);
const JOURNEYS = Number(numbers[1] ?? 200);
const PARENTS = Number(numbers[2] ?? JOURNEYS);
// First contact at escalation time is paced by Slack's lookup tier: give it the time that takes.
const TIMEOUT_MS = BY_EMAIL && !CHECKED ? 120_000 + PARENTS * 1_300 : 120_000;
const TEAM = 'T0BENCH01';

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  const slack = await new FakeSlack().start();
  slack.latencyMs = SLACK_LATENCY_MS;
  const database = await createTestDatabase('postgres');
  if (!database.url) throw new Error('no database URL');
  const db = database.db;
  const queuePrefix = `bench-${randomUUID()}`;
  const workers: WorkerProcess[] = [];
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  const jobs = new JobRegistry({ connections: { producer: redis }, prefix: queuePrefix, log: createLogger('silent') });
  const escalations = new EscalationQueue(jobs.queue(escalationJob), { clock: systemClock, log: createLogger('silent') });
  try {
    console.log(
      `bench/pings: ${PINGS} pings across ${JOURNEYS} journeys (under ${PARENTS} parent journeys), two worker processes${SLACK_LATENCY_MS ? `; Slack answers after ${SLACK_LATENCY_MS} ms` : ''}${BY_EMAIL ? `; parent owners known only by e-mail${CHECKED ? ', looked up by the reach sweep before they fell due' : ', first contact at escalation time'}` : ''}`,
    );
    const setupStarted = Date.now();
    const { id: orgId } = await orgsRepo.createOrganisation(db, 'Bench');
    await orgsRepo.upsertInstallation(db, orgId, 'slack', TEAM, 'bench');
    const person = async (name: string, slackUser: string, options: { byEmail?: boolean } = {}) => {
      const email = `${slackUser.toLowerCase()}@bench.example.com`;
      const { id } = await orgsRepo.createPerson(db, orgId, name, email);
      if (options.byEmail) slack.emails.set(slackUser, email);
      else await orgsRepo.addIdentity(db, id, 'slack', TEAM, slackUser);
      return id;
    };
    const rootOwner = await person('Root owner', 'UROOT');
    const senders: string[] = [];
    for (let s = 0; s < JOURNEYS; s++) senders.push(await person(`Sender ${s}`, `USENDER${s}`));
    const { id: rootId } = await db.insertInto('journeys').values({ org_id: orgId, key: 'lifecycle', name: 'Lifecycle', level: 'lifecycle', owner_person_id: rootOwner }).returning('id').executeTakeFirstOrThrow();
    const parentOwners = new Map<string, string>();
    const parents: string[] = [];
    for (let p = 0; p < PARENTS; p++) {
      const user = `UPARENT${p}`;
      const owner = await person(`Parent owner ${p}`, user, { byEmail: BY_EMAIL });
      const { id } = await db.insertInto('journeys').values({ org_id: orgId, key: `parent-${p}`, name: `Parent ${p}`, level: 'journey', parent_id: rootId, owner_person_id: owner }).returning('id').executeTakeFirstOrThrow();
      parents.push(id);
      parentOwners.set(id, user);
    }
    const journeys: { id: string; parentUser: string }[] = [];
    for (let j = 0; j < JOURNEYS; j++) {
      const owner = await person(`Owner ${j}`, `UOWNER${j}`);
      const parentId = parents[j % PARENTS]!;
      const { id } = await db.insertInto('journeys').values({ org_id: orgId, key: `journey-${j}`, name: `Journey ${j}`, level: 'task', parent_id: parentId, owner_person_id: owner }).returning('id').executeTakeFirstOrThrow();
      journeys.push({ id, parentUser: parentOwners.get(parentId)! });
    }
    // The pings were sent earlier and their direct messages delivered then; they escalate (far in
    // the future for now) only when the benchmark moves their due moment, once the workers run.
    const sentAt = new Date();
    const expected = new Map<string, string>();
    for (let i = 0; i < PINGS; i++) {
      const journey = journeys[i % JOURNEYS]!;
      const message = `bench ping ${i} ${randomUUID().slice(0, 8)}`;
      const created = await db.transaction().execute((trx) =>
        createPing(trx, { orgId, journeyId: journey.id, fromPersonId: senders[i % senders.length]!, reason: 'manual', message, dedupeKey: `bench:${i}`, now: sentAt }),
      );
      await db
        .updateTable('outbox')
        .set({ status: 'delivered', delivered_at: sentAt, delivered_ref: JSON.stringify({ platform: 'slack', channel: 'D0', messageId: `${i}.000001` }) })
        .where('id', 'in', created.outboxIds)
        .execute();
      expected.set(message, journey.parentUser);
    }
    const perRecipient = Math.ceil(PINGS / Math.min(PARENTS, JOURNEYS));
    console.log(`  set up in ${seconds(Date.now() - setupStarted)}; up to ${perRecipient} escalations per parent owner, so ≥ ${perRecipient - 1} s at one message per second per DM channel`);

    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_BOT_TOKEN: 'xoxb-bench-token',
      SLACK_API_URL: slack.apiUrl,
      STEWARD_SECRET: 'bench-secret-0123456789abcdef',
      LOG_LEVEL: 'silent',
      // The reach sweep only where the benchmark asks for it: otherwise first contact is at escalation time.
      STEWARD_TEST_REACH_SWEEP_MS: CHECKED ? '1000' : '0',
    };
    workers.push(...(await Promise.all([0, 1].map(() => startWorkerProcess({ env, queuePrefix, leaseMs: 60_000, sweepIntervalMs: 5_000 })))));
    if (CHECKED) {
      const checkStarted = Date.now();
      const unchecked = async () => (await sql<{ n: number }>`select count(*)::int as n from people p where p.org_id = ${orgId} and not exists (select 1 from identities i where i.person_id = p.id)`.execute(db)).rows[0]?.n ?? 0;
      while ((await unchecked()) > 0 && Date.now() - checkStarted < 15 * 60_000) await new Promise((resolve) => setTimeout(resolve, 1_000));
      console.log(`  the reach sweep found all ${PARENTS} parent owners in ${seconds(Date.now() - checkStarted)} (${slack.callsOf('users.lookupByEmail').length} lookups)`);
    }
    const lookupsBefore = slack.callsOf('users.lookupByEmail').length;

    // Everything escalates at one moment, a few seconds from now; one delayed job per ping.
    const due = new Date(Date.now() + 3_000);
    await sql`update pings set escalate_at = ${due} where org_id = ${orgId}`.execute(db);
    const ids = await db.selectFrom('pings').select('id').where('org_id', '=', orgId).execute();
    await Promise.all(ids.map((p) => escalations.add(p.id, due)));
    console.log(`  ${ids.length} escalation jobs due at ${due.toISOString()}`);

    const cpuBefore = workers.map((w) => cpuMsOf(w.pid));
    const loadBefore = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    const arrivals = new Map<string, number[]>();
    const tally = () => {
      arrivals.clear();
      for (const call of slack.callsOf('chat.postMessage')) {
        const text = String(call.args.text ?? '');
        const match = /bench ping \d+ [0-9a-f]{8}/.exec(text);
        if (!match || !text.startsWith('Ping about')) continue;
        const parentUser = expected.get(match[0]);
        if (parentUser !== call.args.channel) continue;
        arrivals.set(match[0], [...(arrivals.get(match[0]) ?? []), call.at]);
      }
      return arrivals.size;
    };
    while (tally() < PINGS && Date.now() < due.getTime() + TIMEOUT_MS) await new Promise((resolve) => setTimeout(resolve, 250));
    const dmsDoneAt = Date.now();
    // The redraws of the first owners' messages and the notes to the senders follow the escalated DMs
    // (they are delivered in the background): wait for every message the escalations wrote.
    const undelivered = async () =>
      Number((await db.selectFrom('outbox').select(sql<number>`count(*)::int`.as('n')).where('org_id', '=', orgId).where('created_at', '>', due).where('status', '!=', 'delivered').executeTakeFirstOrThrow()).n);
    while ((await undelivered()) > 0 && Date.now() < due.getTime() + TIMEOUT_MS) await new Promise((resolve) => setTimeout(resolve, 250));
    const everythingDone = await db.selectFrom('outbox').select(sql<Date>`max(delivered_at)`.as('last')).where('org_id', '=', orgId).where('created_at', '>', due).executeTakeFirstOrThrow();
    // A little longer, so a late duplicate would be counted too.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 3_000 - (Date.now() - dmsDoneAt))));
    tally();

    const lastArrival = Math.max(...[...arrivals.values()].map((times) => Math.min(...times)));
    const duplicates = [...arrivals.values()].reduce((sum, times) => sum + times.length - 1, 0);
    const misses = PINGS - arrivals.size;
    const escalatedEvents = await db
      .selectFrom('ping_events as e')
      .innerJoin('pings as p', 'p.id', 'e.ping_id')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('p.org_id', '=', orgId)
      .where('e.kind', '=', 'escalated')
      .executeTakeFirstOrThrow();
    const firstArrival = Math.min(...[...arrivals.values()].map((times) => Math.min(...times)));
    const elapsed = lastArrival - due.getTime();
    console.log(`  escalated DMs delivered: ${arrivals.size} of ${PINGS}`);
    console.log(`  first delivered ${seconds(firstArrival - due.getTime())} after due; all delivered ${seconds(elapsed)} after due (targets: ≤ 15 s on a quiet machine, ${elapsed <= 15_000 ? 'met' : 'MISSED'}; ≤ 30 s under load, ${elapsed <= 30_000 ? 'met' : 'MISSED'}; see the load average below)`);
    console.log(`  every message the escalations wrote (the senders' notes and the first owners' redraws too, sent after the DMs) delivered ${seconds(new Date(everythingDone.last).getTime() - due.getTime())} after due`);
    console.log(`  throughput: ${(arrivals.size / Math.max(0.001, (lastArrival - firstArrival) / 1000)).toFixed(0)} escalations delivered per second`);
    console.log(`  duplicates: ${duplicates} (must be 0); misses: ${misses} (must be 0); escalation events recorded: ${escalatedEvents.n} (must be ${PINGS})`);
    if (BY_EMAIL) {
      const lookups = slack.callsOf('users.lookupByEmail').length - lookupsBefore;
      const opened = slack.callsOf('conversations.open').length;
      console.log(`  e-mail lookups during the escalations: ${lookups} (for ${PARENTS} parent owners; Slack's Tier 3 allows about 50 a minute), conversations.open: ${opened}`);
    }
    console.log(`  Slack calls: ${slack.callsOf('chat.postMessage').length} chat.postMessage (escalated DMs + the senders' notes), ${slack.callsOf('chat.update').length} chat.update (the first owners' messages)`);
    const steps = await db
      .selectFrom('ping_events as e')
      .innerJoin('pings as p', 'p.id', 'e.ping_id')
      .select([sql<Date>`min(e.at)`.as('first'), sql<Date>`max(e.at)`.as('last')])
      .where('p.org_id', '=', orgId)
      .where('e.kind', '=', 'escalated')
      .executeTakeFirstOrThrow();
    const attempts = await db.selectFrom('outbox').select([sql<number>`avg(attempts)::float`.as('avg'), sql<number>`max(attempts)`.as('max')]).where('org_id', '=', orgId).where('created_at', '>', due).executeTakeFirstOrThrow();
    console.log(`  escalations recorded from ${seconds(new Date(steps.first).getTime() - due.getTime())} to ${seconds(new Date(steps.last).getTime() - due.getTime())} after due; delivery attempts per message: avg ${Number(attempts.avg).toFixed(2)}, max ${attempts.max}`);
    // How long an escalated DM waited for a worker once it could go: after it was written, or after
    // the turn its channel booked for it (one message per second). Slots are the floor; this is the rest.
    const waited = await sql<{ p50: number; max: number; booked: number }>`
      select percentile_cont(0.5) within group (order by extract(epoch from o.delivered_at - greatest(o.created_at, o.not_before))) as p50,
        max(extract(epoch from o.delivered_at - greatest(o.created_at, o.not_before)))::float as max,
        count(*) filter (where o.not_before > o.created_at)::int as booked
      from outbox o join identities i on i.person_id::text = o.target->>'personId'
      where o.org_id = ${orgId} and o.created_at > ${due} and o.message->>'updateOfOutboxId' is null and i.external_user_id like 'UPARENT%'`.execute(db);
    const wait = waited.rows[0];
    if (wait) console.log(`  escalated DMs waited for a worker, once their turn came: median ${seconds(wait.p50 * 1000)}, longest ${seconds(wait.max * 1000)} (${wait.booked} of them waited for a booked turn first)`);
    const cpu = workers.reduce((sum, w, i) => sum + cpuMsOf(w.pid) - (cpuBefore[i] ?? 0), 0);
    console.log(`  worker CPU: ${seconds(cpu)} for both processes (${(cpu / PINGS).toFixed(1)} ms per escalation, Postgres not counted); machine load average before: ${loadBefore}`);
    if (duplicates || misses || escalatedEvents.n !== PINGS) process.exitCode = 1;
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await jobs.close();
    await database.drop();
    await slack.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
