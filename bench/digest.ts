// bench/digest: 500 organisations, each with a governance channel on Slack or Teams, all due at the
// same minute; two worker processes; the fake Slack API answers one post in ten with 429 and
// Retry-After: 1. Prints the time until every digest is delivered, duplicates and misses.
// Run: npx tsx bench/digest.ts [organisations]
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { GOVERNANCE_QUEUE } from '../src/governance/jobs.js';
import { upsertConversation } from '../src/orgs/conversations.js';
import * as orgsRepo from '../src/orgs/repo.js';
import { createTestDatabase } from '../test/support/database.js';
import { FakeConnector } from '../test/support/fake-connector.js';
import { FakeSlack } from '../test/support/fake-slack.js';
import { SIGNING_SECRET } from '../test/support/slack.js';
import { TEST_REDIS_URL } from '../test/support/steward.js';
import { startWorkerProcess } from '../test/support/worker-process.js';

const ORGS = Number(process.argv[2] ?? 500);
const TIMEOUT_MS = 180_000;

async function main(): Promise<void> {
  const slack = await new FakeSlack().start();
  slack.rateLimitEvery('chat.postMessage', 10, 1);
  const connector = await new FakeConnector().start();
  const database = await createTestDatabase('postgres');
  if (!database.url) throw new Error('no database URL');
  const db = database.db;
  const queuePrefix = `bench-${randomUUID()}`;

  console.log(`bench/digest: setting up ${ORGS} organisations (half Slack, half Teams)…`);
  const slackChannels: string[] = [];
  const teamsChannels: string[] = [];
  for (let i = 0; i < ORGS; i++) {
    const org = await orgsRepo.createOrganisation(db, `Org ${i}`);
    const onSlack = i % 2 === 0;
    const external = onSlack ? `C${String(i).padStart(6, '0')}` : `19:governance-${i}@thread.tacv2`;
    const installation = onSlack ? `T${String(i).padStart(6, '0')}` : `tenant-${i}`;
    await orgsRepo.upsertInstallation(db, org.id, onSlack ? 'slack' : 'teams', installation, null);
    const conversationId = await upsertConversation(db, {
      orgId: org.id,
      platform: onSlack ? 'slack' : 'teams',
      installationExternalId: installation,
      externalId: external,
      kind: 'channel',
      reference: onSlack
        ? null
        : { serviceUrl: connector.url, channelId: 'msteams', conversation: { id: external, isGroup: true, conversationType: 'channel', name: 'governance', tenantId: installation }, bot: { id: '28:steward', name: 'Steward' } },
    });
    await db
      .updateTable('organisations')
      .set({ settings: sql`settings || ${JSON.stringify({ governanceChannels: [conversationId] })}::jsonb` })
      .where('id', '=', org.id)
      .execute();
    (onSlack ? slackChannels : teamsChannels).push(external);
  }

  const env = { DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_API_URL: slack.apiUrl };
  const started = Date.now();
  // The moment every scheduler fires: one digest job per organisation, all at once.
  const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(GOVERNANCE_QUEUE, { connection, prefix: queuePrefix });
  const orgIds = (await db.selectFrom('organisations').select('id').execute()).map((o) => o.id);
  await queue.addBulk(orgIds.map((orgId) => ({ name: 'digest', data: { orgId } })));
  const workers = await Promise.all([1, 2].map(() => startWorkerProcess({ env, queuePrefix, leaseMs: 30_000, sweepIntervalMs: 1_000 })));
  console.log(`two worker processes up after ${Date.now() - started} ms`);

  const deliveredCount = () => slack.posted().length + connector.sent().length;
  while (deliveredCount() < ORGS && Date.now() - started < TIMEOUT_MS) await new Promise((resolve) => setTimeout(resolve, 100));
  const elapsed = Date.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 2_000)); // let late duplicates show

  // Every attempt per channel (429s included): the pace we sent at.
  const attempts = new Map<string, number[]>();
  for (const call of slack.callsOf('chat.postMessage')) {
    const channel = String(call.args.channel);
    attempts.set(channel, [...(attempts.get(channel) ?? []), call.at]);
  }
  const teamsByChannel = new Map<string, number>();
  for (const call of connector.sent()) teamsByChannel.set(call.conversationId, (teamsByChannel.get(call.conversationId) ?? 0) + 1);
  const counts = [...slackChannels.map((c) => slack.postedIn(c)), ...teamsChannels.map((c) => teamsByChannel.get(c) ?? 0)];
  const duplicates = counts.reduce((sum, n) => sum + Math.max(0, n - 1), 0);
  const misses = counts.filter((n) => n === 0).length;

  console.log('');
  console.log(`organisations:           ${ORGS} (${slackChannels.length} Slack, ${teamsChannels.length} Teams)`);
  console.log(`all delivered in:        ${deliveredCount() >= ORGS ? `${(elapsed / 1000).toFixed(1)} s` : `NOT within ${TIMEOUT_MS / 1000} s`} (target ≤ 60 s)`);
  console.log(`duplicates:              ${duplicates} (target 0)`);
  console.log(`misses:                  ${misses} (target 0)`);
  console.log(`Slack 429 answers:       ${slack.rateLimited} (one post in ten, Retry-After: 1)`);
  console.log(`max sends per channel/s: ${maxPerSecond(attempts)} (target ≤ 1)`);

  for (const worker of workers) await worker.stop();
  await queue.close();
  connection.disconnect();
  await slack.close();
  await connector.close();
  await database.drop();
}

function maxPerSecond(perChannel: Map<string, number[]>): number {
  let max = 0;
  for (const times of perChannel.values()) {
    const sorted = [...times].sort((a, b) => a - b);
    for (let i = 0; i < sorted.length; i++) {
      const inWindow = sorted.filter((t) => t >= sorted[i]! && t < sorted[i]! + 1_000).length;
      max = Math.max(max, inWindow);
    }
  }
  return max;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
