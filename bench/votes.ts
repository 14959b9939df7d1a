// bench/votes: a board of 1,000 members votes on one proposal all at once, through signed Slack
// interaction requests (button clicks) to a Steward process (real Postgres on a fresh schema, Redis,
// Slack Web API at a local fake), and the same burst against the bare Bolt baseline of
// bench/overhead. Prints the acknowledgement latencies (p50/p95/p99/max), errors, the final tally
// against the votes sent, and how many card updates reached the fake Slack API and how fast.
// Run: npx tsx bench/votes.ts [--members 1000]
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import type { Db } from '../src/db/database.js';
import * as orgsRepo from '../src/orgs/repo.js';
import { makeGovernanceChannel } from '../src/governance/service.js';
import { startBareBoltProcess } from './lib/bare-bolt.js';
import { startFakeSlackApi } from './lib/fake-slack-api.js';
import { blockActionForm, burst, burstAgent, openConnections } from './lib/slack-burst.js';
import { BENCH_SIGNING_SECRET, slackSignature } from './lib/slack-load.js';
import { formatFigures, summarise } from './lib/stats.js';
import { startStewardProcess } from './lib/steward-process.js';
import type { ServerProcess } from './lib/server-process.js';

const { values } = parseArgs({ options: { members: { type: 'string', default: '1000' } } });
const MEMBERS = Number(values.members);
const TEAM = 'T0BENCH01';
const CHANNEL = 'C0BENCHGOV';
const CHOICES = ['approve', 'reject', 'abstain'] as const;
/** Half approve, three in ten reject, one in five abstain. */
const choiceOf = (i: number) => (i % 10 < 5 ? CHOICES[0] : i % 10 < 8 ? CHOICES[1] : CHOICES[2]);

// The whole run is bounded: a hung server must not hold the machine.
const overall = setTimeout(() => {
  console.error('bench/votes: gave up after 6 minutes');
  process.exit(1);
}, 6 * 60_000);
overall.unref();

interface Update {
  at: number;
  ts: string;
  text: string;
}

async function waitUntil(what: string, predicate: () => Promise<boolean> | boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!(await predicate())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Date.now();
}

async function seed(db: Db): Promise<{ orgId: string }> {
  const org = await orgsRepo.createOrganisation(db, 'Bench organisation');
  await orgsRepo.upsertInstallation(db, org.id, 'slack', TEAM, 'bench');
  const proposer = await orgsRepo.createPerson(db, org.id, 'Paula Proposer', null);
  await orgsRepo.addIdentity(db, proposer.id, 'slack', TEAM, 'UPROPOSER');
  for (let start = 0; start < MEMBERS; start += 500) {
    const rows = Array.from({ length: Math.min(500, MEMBERS - start) }, (_, k) => ({ org_id: org.id, display_name: `Member ${String(start + k + 1).padStart(4, '0')}`, email: null }));
    const people = await db.insertInto('people').values(rows).returning('id').execute();
    await db.insertInto('identities').values(people.map((p, k) => ({ person_id: p.id, platform: 'slack' as const, installation_external_id: TEAM, external_user_id: memberUser(start + k) }))).execute();
    await db.insertInto('roles').values(people.map((p) => ({ person_id: p.id, role: 'board' as const, granted_by: 'bench' }))).execute();
  }
  await makeGovernanceChannel(db, org.id, { platform: 'slack', installationExternalId: TEAM, externalId: CHANNEL, kind: 'channel', name: 'governance' });
  return { orgId: org.id };
}

const memberUser = (i: number) => `UV${String(i).padStart(6, '0')}`;

/** Submits the proposal form as Slack does when the modal's Submit is pressed. */
async function submitProposal(steward: ServerProcess, title: string): Promise<void> {
  const state = (id: string, value: string, select = false) => ({ [id]: select ? { type: 'static_select', selected_option: { value } } : { type: 'plain_text_input', value } });
  const payload = {
    type: 'view_submission',
    team: { id: TEAM, domain: 'bench' },
    user: { id: 'UPROPOSER', username: 'paula', name: 'paula', team_id: TEAM },
    api_app_id: 'A0BENCH01',
    token: 'deprecated-verification-token',
    trigger_id: '1234.5678.bench',
    view: {
      id: `V${randomUUID().slice(0, 8)}`,
      team_id: TEAM,
      type: 'modal',
      callback_id: 'steward_form',
      private_metadata: JSON.stringify({ payload: { action: 'proposal.submit', key: randomUUID() }, channelId: 'C0BENCHTEAM' }),
      state: {
        values: {
          title: state('title', title),
          problem: state('problem', 'Customers wait too long for a first answer and call again, which doubles the load on the service desk.'),
          effort: state('effort', '3', true),
          customerValue: state('customerValue', '4', true),
          businessValue: state('businessValue', '4', true),
        },
      },
    },
  };
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const timestamp = Math.floor(Date.now() / 1000);
  const response = await fetch(`${steward.url}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': slackSignature(body, timestamp, BENCH_SIGNING_SECRET) },
    body,
  });
  if (response.status !== 200) throw new Error(`the proposal form was refused: HTTP ${response.status}`);
}

/** The posted card of proposal `number`: its id and the Slack ts of its message. */
async function postedCard(db: Db, orgId: string, number: number): Promise<{ id: string; ts: string } | undefined> {
  const row = await db
    .selectFrom('proposals as p')
    .innerJoin('proposal_posts as pp', 'pp.proposal_id', 'p.id')
    .innerJoin('outbox as o', 'o.id', 'pp.outbox_id')
    .select(['p.id', 'o.delivered_ref'])
    .where('p.org_id', '=', orgId)
    .where('p.number', '=', number)
    .executeTakeFirst();
  return row?.delivered_ref ? { id: row.id, ts: row.delivered_ref.messageId } : undefined;
}

async function ballots(db: Db, proposalId: string): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('proposal_ballots')
    .select(['choice', sql<number>`count(*)::int`.as('n')])
    .where('proposal_id', '=', proposalId)
    .groupBy('choice')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.choice, Number(r.n)]));
}

const votes = (proposalId: string, responseUrl: string, ts: string) =>
  Array.from({ length: MEMBERS }, (_, i) =>
    blockActionForm({ userId: memberUser(i), teamId: TEAM, channelId: CHANNEL, messageTs: ts, responseUrl, value: JSON.stringify({ action: 'proposal.vote', p: proposalId, c: choiceOf(i) }) }),
  );

async function main(): Promise<void> {
  console.log(`bench/votes: ${MEMBERS} board members click a vote button on one card at the same moment; bare Bolt (ack only) vs Steward`);
  const updates: Update[] = [];
  const fake = await startFakeSlackApi((method, args, at) => {
    if (method === 'chat.update') updates.push({ at, ts: args.get('ts') ?? '', text: args.get('text') ?? '' });
  });
  const bolt = await startBareBoltProcess({ signingSecret: BENCH_SIGNING_SECRET, apiUrl: fake.apiUrl });
  const steward = await startStewardProcess({ signingSecret: BENCH_SIGNING_SECRET, apiUrl: fake.apiUrl });
  const db = steward.database.db;
  const responseUrl = `${fake.apiUrl}response`;
  try {
    const { orgId } = await seed(db);
    await submitProposal(steward, 'Warm-up proposal');
    await waitUntil('the warm-up card is posted', async () => Boolean(await postedCard(db, orgId, 1)), 30_000);
    await submitProposal(steward, 'Answer every customer within one working day');
    await waitUntil('the card is posted', async () => Boolean(await postedCard(db, orgId, 2)), 30_000);
    const warmup = (await postedCard(db, orgId, 1))!;
    const card = (await postedCard(db, orgId, 2))!;

    // Warm-up (unmeasured): the same burst on another card, so both processes have run the path once.
    const warmupAgent = burstAgent(MEMBERS);
    await burst({ url: steward.url, signingSecret: BENCH_SIGNING_SECRET, bodies: votes(warmup.id, responseUrl, warmup.ts), agent: warmupAgent });
    await burst({ url: bolt.url, signingSecret: BENCH_SIGNING_SECRET, bodies: votes(warmup.id, responseUrl, warmup.ts), agent: warmupAgent });
    warmupAgent.destroy();
    await waitUntil('the warm-up votes are counted', async () => Object.values(await ballots(db, warmup.id)).reduce((a, b) => a + b, 0) === MEMBERS, 120_000);
    await new Promise((resolve) => setTimeout(resolve, 2_000));

    // Measured: the baseline first, then Steward, each on connections opened just before.
    const boltAgent = burstAgent(MEMBERS);
    await openConnections(bolt.url, boltAgent, MEMBERS);
    const boltCpu = bolt.cpuMs();
    const boltRun = await burst({ url: bolt.url, signingSecret: BENCH_SIGNING_SECRET, bodies: votes(card.id, responseUrl, card.ts), agent: boltAgent });
    const boltCpuMs = bolt.cpuMs() - boltCpu;
    boltAgent.destroy();

    const stewardAgent = burstAgent(MEMBERS);
    await openConnections(steward.url, stewardAgent, MEMBERS);
    const updatesBefore = updates.filter((u) => u.ts === card.ts).length;
    const stewardCpu = steward.cpuMs();
    const started = Date.now();
    const stewardRun = await burst({ url: steward.url, signingSecret: BENCH_SIGNING_SECRET, bodies: votes(card.id, responseUrl, card.ts), agent: stewardAgent });
    stewardAgent.destroy();
    const counted = await waitUntil('every vote is counted', async () => Object.values(await ballots(db, card.id)).reduce((a, b) => a + b, 0) >= MEMBERS, 120_000).catch(async (error: unknown) => {
      console.error(`acks: ${stewardRun.latenciesMs.length} ok, ${stewardRun.errors} errors (${stewardRun.errorSamples.join('; ')}); counted so far: ${JSON.stringify(await ballots(db, card.id))}`);
      throw error;
    });
    const stewardCpuMs = steward.cpuMs() - stewardCpu;

    const expected = { approve: 0, reject: 0, abstain: 0 };
    for (let i = 0; i < MEMBERS; i++) expected[choiceOf(i)]++;
    const finalLine = `Approve ${expected.approve} · Reject ${expected.reject} · Abstain ${expected.abstain} · 0 not voted`;
    const shown = await waitUntil('the card shows the final totals', () => updates.some((u) => u.ts === card.ts && u.text.includes(finalLine)), 30_000).catch(() => undefined);
    // Anything still queued would arrive within a second or two.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const tally = await ballots(db, card.id);
    const cardUpdates = updates.filter((u) => u.ts === card.ts).slice(updatesBefore);
    const gaps = cardUpdates.slice(1).map((u, i) => u.at - cardUpdates[i]!.at);
    const perSecondMax = Math.max(0, ...cardUpdates.map((u) => cardUpdates.filter((v) => v.at >= u.at && v.at < u.at + 1_000).length));
    const last = cardUpdates.at(-1);
    const failed = await db.selectFrom('outbox').select(sql<number>`count(*)::int`.as('n')).where('status', '=', 'failed').executeTakeFirstOrThrow();
    const rows = await db
      .selectFrom('outbox')
      .select(['dedupe_key', 'status', 'attempts', 'not_before', 'delivered_at', 'last_error', 'created_at'])
      .where('dedupe_key', 'like', `proposal:${card.id}:card:%`)
      .orderBy('id')
      .execute();
    if (process.env.BENCH_VERBOSE) {
      const failures = await db.selectFrom('outbox').select(['dedupe_key', 'attempts', 'last_error']).where('status', '=', 'failed').execute();
      for (const r of failures) console.log(`  failed: ${r.dedupe_key} after ${r.attempts} attempts: ${r.last_error ?? ''}`);
    }
    if (process.env.BENCH_VERBOSE) for (const r of rows) console.log(`  ${r.dedupe_key.split(':').pop()} ${r.status} attempts ${r.attempts} created ${r.created_at.toISOString()} due ${r.not_before.toISOString()} sent ${r.delivered_at?.toISOString() ?? '-'} ${r.last_error ?? ''}`);

    const b = summarise(boltRun.latenciesMs, boltRun.errors, boltRun.durationMs);
    const s = summarise(stewardRun.latenciesMs, stewardRun.errors, stewardRun.durationMs);
    const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');
    console.log('');
    console.log('Acknowledgement of each click (time from sending the signed request to the HTTP 200):');
    console.log(formatFigures('bare Bolt', b));
    console.log(formatFigures('Steward', s));
    if (boltRun.errorSamples.length || stewardRun.errorSamples.length) console.log(`errors, e.g.: ${[...boltRun.errorSamples, ...stewardRun.errorSamples].join('; ')}`);
    console.log(`server CPU for the burst: bare Bolt ${boltCpuMs.toFixed(0)} ms; Steward ${stewardCpuMs.toFixed(0)} ms until every vote was counted (Postgres not counted)`);
    console.log('');
    console.log(`every vote acknowledged within 3 s, max ≤ 1.5 s:  Steward max ${s.max.toFixed(0)} ms, errors ${s.errors}  (${mark(s.max <= 1_500 && s.errors === 0 && s.requests === MEMBERS)})`);
    console.log(`p99 Steward / bare Bolt:                         ${(s.p99 / b.p99).toFixed(2)}  (target ≤ 2.00: ${mark(s.p99 <= 2 * b.p99)})`);
    console.log(`all ${MEMBERS} votes counted:                          ${((counted - started) / 1000).toFixed(1)} s after the burst started`);
    console.log(`final tally in the database:                     approve ${tally.approve ?? 0}, reject ${tally.reject ?? 0}, abstain ${tally.abstain ?? 0}  (sent ${expected.approve}/${expected.reject}/${expected.abstain}: ${mark((tally.approve ?? 0) === expected.approve && (tally.reject ?? 0) === expected.reject && (tally.abstain ?? 0) === expected.abstain)})`);
    console.log(`card updates that reached the fake Slack API:    ${cardUpdates.length} chat.update over ${last ? ((last.at - started) / 1000).toFixed(1) : '0'} s; most in any 1 s: ${perSecondMax}; smallest gap ${gaps.length ? Math.min(...gaps) : '-'} ms  (≤ 1 per second: ${mark(perSecondMax <= 1)})`);
    console.log(`last update shows the final totals:              ${last?.text.includes(finalLine) ? 'yes' : 'NO'}${shown ? `, ${((shown - started) / 1000).toFixed(1)} s after the burst started` : ''}  (${mark(Boolean(last?.text.includes(finalLine)))})`);
    console.log(`private confirmations posted to response_url:    ${fake.calls.get('response') ?? 0} (warm-up and measured bursts)`);
    console.log(`card update rows queued in the outbox:           ${rows.length} (one per second with votes), ${rows.reduce((n, r) => n + Math.max(0, r.attempts - 1), 0)} deferrals; outbox rows that failed: ${failed.n}`);
  } finally {
    await steward.stop();
    await bolt.stop();
    await fake.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
