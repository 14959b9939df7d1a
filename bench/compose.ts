// bench/compose: the glossary where people write, at scale. On 100,000 generated terms (× 2 aliases)
// in Postgres: (1) Teams' compose extension — `composeExtension/query` invokes to /api/messages as
// Teams sends them as someone types (names, aliases, typos, misses) at concurrency 50 — against the
// bare Bolt baseline answering the same queries as signed `/glossary` commands, in alternating
// rounds (targets: p99 well inside Teams' 5 s and ≤ 2 × bare Bolt's p99); (2) a watched Slack
// channel receiving 50 messages a second (one in ten with a retired term): Steward's CPU per message
// on the nudge path (target ≤ 1 ms), and the tips it sent.
// Run: npx tsx bench/compose.ts [--terms 100000] [--seconds 20] [--rounds 2] [--concurrency 50] [--rate 50] [--channel-seconds 20]
import { randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import type { ChatRequest } from '../src/chat/request.js';
import { systemClock } from '../src/clock.js';
import { GlossaryWatch } from '../src/glossary/watch.js';
import { createLogger } from '../src/log.js';
import type { Services } from '../src/services.js';
import type { Db as StewardDb } from '../src/db/database.js';
import * as orgsRepo from '../src/orgs/repo.js';
import { startBareBoltProcess } from './lib/bare-bolt.js';
import { startFakeSlackApi } from './lib/fake-slack-api.js';
import { generateQueries, generateTerms } from './lib/glossary-data.js';
import { GLOSSARY_LOAD_OPTIONS, glossaryCommand, glossaryLoadSettings, importBenchGlossary } from './lib/glossary-seed.js';
import type { ServerProcess } from './lib/server-process.js';
import { BENCH_SIGNING_SECRET, postOn, runLoad, runSlackLoad, slackSignature, type LoadRun } from './lib/slack-load.js';
import { combine, formatFigures, summarise } from './lib/stats.js';
import { startStewardProcess } from './lib/steward-process.js';

const { values } = parseArgs({
  options: {
    ...GLOSSARY_LOAD_OPTIONS,
    rate: { type: 'string', default: '50' },
    'channel-seconds': { type: 'string', default: '20' },
    // Only the watched channel (to profile its path alone).
    'channel-only': { type: 'boolean', default: false },
  },
});
const { terms: TERMS, seconds: SECONDS, rounds: ROUNDS, concurrency: CONCURRENCY, warmupMs: WARMUP_MS } = glossaryLoadSettings(values);
const RATE = Number(values.rate);
const CHANNEL_SECONDS = Number(values['channel-seconds']);
const TEAM = 'T0BENCH01';
const TENANT = 'tenant-bench';
const WATCHED = 'C0BENCHWATCH';
const RETIRED = 200;

const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');

/** A `composeExtension/query` invoke as Teams sends it while someone types in the compose box. */
function composeInvoke(sender: number, typed: string): string {
  const aad = `00000000-0000-0000-0000-${String(sender).padStart(12, '0')}`;
  return JSON.stringify({
    type: 'invoke',
    name: 'composeExtension/query',
    id: `inv-${randomUUID()}`,
    timestamp: new Date().toISOString(),
    serviceUrl: 'http://127.0.0.1:9/',
    channelId: 'msteams',
    from: { id: `29:${aad}`, aadObjectId: aad, name: `Bench ${sender}` },
    recipient: { id: '28:steward-bot', name: 'Steward' },
    conversation: { id: `19:bench-chat-${sender}`, conversationType: 'groupChat', tenantId: TENANT },
    value: { commandId: 'lookupTerm', parameters: [{ name: 'query', value: typed }], queryOptions: { skip: 0, count: 25 } },
    channelData: { tenant: { id: TENANT } },
    locale: 'en-US',
  });
}

/** Compose queries from `concurrency` senders back to back for `durationMs`; every answer must be a result list or a "nothing matches". */
async function composeLoad(target: ServerProcess, durationMs: number, next: () => string): Promise<LoadRun & { results: number }> {
  let results = 0;
  const run = await runLoad({
    url: target.url,
    concurrency: CONCURRENCY,
    durationMs,
    async send(agent, url, sender) {
      const answer = await postOn(agent, url, '/api/messages', composeInvoke(sender, next()), { 'content-type': 'application/json' });
      const extension = answer.status === 200 ? (JSON.parse(answer.body) as { composeExtension?: { type: string } }).composeExtension : undefined;
      if (extension?.type === 'result') results++;
      return extension?.type === 'result' || extension?.type === 'message' ? undefined : `HTTP ${answer.status}: ${answer.body.slice(0, 120)}`;
    },
  });
  return { ...run, results };
}

/** A Slack `message` event in a channel, signed as the Events API sends it. */
function channelMessage(text: string, user: string): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify({
    type: 'event_callback',
    team_id: TEAM,
    api_app_id: 'A0BENCH01',
    event_id: `Ev${randomUUID().replace(/-/g, '').slice(0, 16)}`,
    event_time: Math.floor(Date.now() / 1000),
    event: { type: 'message', channel_type: 'channel', channel: WATCHED, user, text, ts: `${(Date.now() / 1000).toFixed(6)}`, team: TEAM },
  });
  const timestamp = Math.floor(Date.now() / 1000);
  return { body, headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': slackSignature(body, timestamp, BENCH_SIGNING_SECRET) } };
}

/** RATE messages a second for CHANNEL_SECONDS, one in ten with a retired term; returns what was sent and Steward's CPU for it. */
async function watchedChannelLoad(steward: ServerProcess, retiredNames: string[]): Promise<{ sent: number; failed: number; cpuMs: number; seconds: number }> {
  const url = new URL(steward.url);
  const agent = new Agent({ keepAlive: true, maxSockets: 20 });
  const chatter = ['Can someone check the onboarding numbers before Friday?', 'The customer called twice about the same invoice, see the ticket.', 'Moving the review to Thursday; the deck is in the shared folder.', 'Our churn in the north region looks better than last quarter.'];
  const total = Math.round(RATE * CHANNEL_SECONDS);
  let failed = 0;
  const pending: Promise<void>[] = [];
  const cpuBefore = steward.cpuMs();
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const text = i % 10 === 0 ? `I think the ${retiredNames[i % retiredNames.length]!.toLowerCase()} went up this week` : chatter[i % chatter.length]!;
    const { body, headers } = channelMessage(text, `UCHAT${String(i % 400).padStart(4, '0')}`);
    pending.push(
      postOn(agent, url, '/slack/events', body, headers).then(
        (answer) => void (answer.status === 200 || failed++),
        () => void failed++,
      ),
    );
  }
  await Promise.all(pending);
  // The nudges are sent after the acknowledgement: wait until Steward is quiet again.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { sent: total, failed, cpuMs: steward.cpuMs() - cpuBefore, seconds };
}

/**
 * The nudge path alone, in this process: the watch's listener (src/glossary/watch.ts) given the same
 * messages at the same pace against the same database, without HTTP, signatures or Bolt around it.
 */
async function nudgePathAlone(db: StewardDb, orgId: string, retiredNames: string[]): Promise<{ messages: number; cpuMs: number; tips: number }> {
  const watch = new GlossaryWatch();
  const listener = watch.listener();
  const people = await db
    .insertInto('people')
    .values(Array.from({ length: 400 }, (_, i) => ({ org_id: orgId, display_name: `Alone ${i}`, email: null })))
    .returning('id')
    .execute();
  const services = { db, clock: systemClock, log: createLogger('silent'), kickDelivery: () => {} } as unknown as Services;
  const chatter = ['Can someone check the onboarding numbers before Friday?', 'Moving the review to Thursday; the deck is in the shared folder.'];
  const total = Math.round(RATE * CHANNEL_SECONDS);
  let tips = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const wait = started + (i * 1000) / RATE - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const user = i % 400;
    const text = i % 10 === 0 ? `I think the ${retiredNames[i % retiredNames.length]!.toLowerCase()} went up this week` : chatter[i % chatter.length]!;
    const request: ChatRequest = { platform: 'slack', installationId: TEAM, user: { id: `UALONE${user}` }, conversation: { id: WATCHED, kind: 'channel' }, input: { kind: 'text', text }, mentions: [] };
    const actor = { personId: people[user]!.id, orgId, name: `Alone ${user}`, email: null, roles: new Set<never>(), platform: 'slack' as const, platformUserId: `UALONE${user}` };
    if (await listener.hear(request, services, async () => actor)) tips++;
  }
  const cpu = process.cpuUsage(cpuBefore);
  return { messages: total, cpuMs: (cpu.user + cpu.system) / 1000, tips };
}

async function main(): Promise<void> {
  console.log(`bench/compose: ${TERMS.toLocaleString('en')} generated terms × 2 aliases in Postgres; compose-extension queries at concurrency ${CONCURRENCY} vs bare Bolt /glossary, ${SECONDS} s per target in ${ROUNDS} rounds; then a watched channel at ${RATE} messages/s for ${CHANNEL_SECONDS} s`);
  const fake = await startFakeSlackApi();
  const bolt = await startBareBoltProcess({ signingSecret: BENCH_SIGNING_SECRET, apiUrl: fake.apiUrl });
  const steward = await startStewardProcess({ signingSecret: BENCH_SIGNING_SECRET, apiUrl: fake.apiUrl });
  try {
    const db = steward.database.db;
    const terms = generateTerms(TERMS);
    const org = await orgsRepo.createOrganisation(db, 'Bench organisation');
    await orgsRepo.upsertInstallation(db, org.id, 'slack', TEAM, 'bench');
    await orgsRepo.upsertInstallation(db, org.id, 'teams', TENANT, 'bench');
    const imported = await importBenchGlossary(db, org.id, terms);
    console.log(`imported ${imported.created.toLocaleString('en')} terms`);

    if (!values['channel-only']) await composeRounds(steward, bolt, terms);
    await watchedChannel(steward, fake, db, org.id, terms);
  } finally {
    await steward.stop();
    await bolt.stop();
    await fake.close();
  }
}

async function composeRounds(steward: ServerProcess, bolt: ServerProcess, terms: ReturnType<typeof generateTerms>): Promise<void> {
  const queries = generateQueries(terms, 5000);
  let next = 0;
  const nextQuery = () => queries[next++ % queries.length]!.text;
  // Sanity: a typed name comes back as the first result.
  const check = await postOn(new Agent(), new URL(steward.url), '/api/messages', composeInvoke(0, terms[0]!.name.toLowerCase()), { 'content-type': 'application/json' });
  if (!check.body.includes(terms[0]!.name)) throw new Error(`the compose extension did not offer ${terms[0]!.name}: ${check.body.slice(0, 300)}`);

  const slash = (target: ServerProcess, durationMs: number) =>
    runSlackLoad({ url: target.url, signingSecret: BENCH_SIGNING_SECRET, concurrency: CONCURRENCY, durationMs, command: (sender) => glossaryCommand(nextQuery(), sender) });
  await slash(bolt, WARMUP_MS);
  await composeLoad(steward, WARMUP_MS, nextQuery);

  const runs: Record<'bolt' | 'steward', LoadRun[]> = { bolt: [], steward: [] };
  let results = 0;
  const roundMs = (SECONDS * 1000) / ROUNDS;
  for (let round = 1; round <= ROUNDS; round++) {
    const b = await slash(bolt, roundMs);
    runs.bolt.push(b);
    console.log(formatFigures(`r${round} bare Bolt /glossary`, summarise(b.latenciesMs, b.errors, b.durationMs)));
    const cpuBefore = steward.cpuMs();
    const s = await composeLoad(steward, roundMs, nextQuery);
    runs.steward.push(s);
    results += s.results;
    console.log(`${formatFigures(`r${round} Steward compose`, summarise(s.latenciesMs, s.errors, s.durationMs))}   server CPU ${((steward.cpuMs() - cpuBefore) / Math.max(1, s.latenciesMs.length)).toFixed(2)} ms/query`);
    if (s.errorSamples.length) console.log(`    errors, e.g.: ${s.errorSamples.join('; ')}`);
  }
  const b = combine(runs.bolt);
  const s = combine(runs.steward);
  console.log('');
  console.log(formatFigures('bare Bolt /glossary', b));
  console.log(formatFigures('Steward compose', s));
  console.log(`compose p99: ${s.p99.toFixed(0)} ms (Teams allows 5,000 ms: ${mark(s.p99 < 2_500)}); Steward / bare Bolt p99: ${(s.p99 / b.p99).toFixed(2)} (target ≤ 2.00: ${mark(s.p99 / b.p99 <= 2)}); throughput ${(s.rps / b.rps).toFixed(2)} × bare Bolt`);
  console.log(`queries answered with results: ${results.toLocaleString('en')} of ${s.requests.toLocaleString('en')} (the rest: nothing matches, as for the generated misses)`);
}

async function watchedChannel(steward: ServerProcess, fake: Awaited<ReturnType<typeof startFakeSlackApi>>, db: StewardDb, orgId: string, terms: ReturnType<typeof generateTerms>): Promise<void> {
  // The watched channel: some terms retired in favour of others, the channel watched.
  const retired = terms.slice(1, RETIRED + 1);
  await sql`
    update glossary_terms t set status = 'deprecated', replaced_by_id = r.id
    from glossary_terms r
    where t.org_id = ${orgId} and r.org_id = ${orgId} and t.name = any(${retired.map((r) => r.name)}) and r.name = ${terms[0]!.name}
  `.execute(db);
  await db.insertInto('glossary_watched_channels').values({ platform: 'slack', conversation_external_id: WATCHED, org_id: orgId, name: 'bench-watch', watched_by: null }).execute();
  const idleBefore = steward.cpuMs();
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  const idlePerSecond = (steward.cpuMs() - idleBefore) / 5;
  const tipsBefore = fake.calls.get('chat.postEphemeral') ?? 0;
  const channel = await watchedChannelLoad(steward, retired.map((r) => r.name));
  const tips = (fake.calls.get('chat.postEphemeral') ?? 0) - tipsBefore;
  const perMessage = channel.cpuMs / channel.sent;
  const net = (channel.cpuMs - idlePerSecond * channel.seconds) / channel.sent;
  const counted = await db.selectFrom('glossary_adherence').select((eb) => eb.fn.sum<number>('uses').as('uses')).executeTakeFirst();
  console.log('');
  console.log(`watched channel: ${channel.sent} messages at ${RATE}/s (${channel.failed} failed), ${Number(counted?.uses ?? 0)} retired-term uses counted, ${tips} tips sent (one per person, term and day)`);
  const alone = await nudgePathAlone(db, orgId, retired.map((r) => r.name));
  const nudgePath = alone.cpuMs / alone.messages;
  console.log(`the nudge path alone (the watch's listener in this process, same pace and database): ${nudgePath.toFixed(3)} ms CPU per message, ${alone.tips} tips  (target ≤ 1 ms: ${mark(nudgePath <= 1)})`);
  console.log(`the whole request in Steward (HTTP, signature, Slack retry check in Postgres, Bolt, the nudge path): ${perMessage.toFixed(2)} ms CPU per message; ${net.toFixed(2)} ms less its idle CPU (${idlePerSecond.toFixed(1)} ms/s)`);
  console.log(`Steward resident memory after the run: ${steward.memory().rssMb.toFixed(0)} MB`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
