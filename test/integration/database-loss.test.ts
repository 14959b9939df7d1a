// Losing the Postgres connection under load: a running Steward answers a steady stream of signed
// /glossary commands while its database sessions are terminated (pg_terminate_backend), and then
// while the database is unreachable for a few seconds (a proxy in between drops and refuses every
// connection). Health checks keep answering, readiness says the database is down while it is, every
// command gets either its normal answer or a clear "try again in a moment" (never silence, never an
// internal error), and afterwards the same process answers normally again, with its change-notice
// listener back, without a restart.
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { startSteward, type Steward } from '../../src/app.js';
import { systemClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { openPostgres, type DatabaseHandle } from '../../src/db/database.js';
import { importGlossaryCsv } from '../../src/glossary/csv.js';
import { createLogger } from '../../src/log.js';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../support/database.js';
import { FakeSlack } from '../support/fake-slack.js';
import { postSlack, SIGNING_SECRET, slashCommandBody } from '../support/slack.js';
import { TEST_REDIS_URL } from '../support/steward.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { waitUntil } from '../support/wait.js';

const TRY_AGAIN = 'Try again in a moment';

interface Sent {
  n: number;
  phase: string;
  status: number | string;
  /** The answer in the acknowledgement, when there was one. */
  ackText: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('database: connections lost under load', () => {
  let slack: FakeSlack | undefined;
  let database: TestDatabase | undefined;
  let proxy: TcpProxy | undefined;
  let served: DatabaseHandle | undefined;
  let steward: Steward | undefined;
  let admin: pg.Client | undefined;

  afterEach(async () => {
    proxy?.restore();
    await steward?.close();
    steward = undefined;
    await served?.close();
    served = undefined;
    await proxy?.close();
    proxy = undefined;
    await admin?.end();
    admin = undefined;
    await slack?.close();
    slack = undefined;
    await database?.drop();
    database = undefined;
  });

  it('keeps answering health checks and commands, says "try again" while the database is away, and recovers without a restart', async () => {
    slack = await new FakeSlack().start();
    database = await createTestDatabase('postgres');
    const schema = database.schema!;
    const target = new URL(TEST_DATABASE_URL);
    proxy = await new TcpProxy(target.hostname, Number(target.port || 5432)).start();
    const viaProxy = new URL(TEST_DATABASE_URL);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    served = openPostgres({ url: viaProxy.toString(), schema });
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_API_URL: slack.apiUrl,
      REDIS_URL: TEST_REDIS_URL,
      STEWARD_SECRET: 'test-secret-0123456789abcdef',
    });
    steward = await startSteward({ config, database: served, clock: systemClock, log: createLogger(config.LOG_LEVEL), queuePrefix: `test-${randomUUID()}`, sweepIntervalMs: 500 });
    const url = steward.url!;
    const orgId = await steward.services.orgs.defaultOrganisation();
    const csv = readFileSync(new URL('../../data/demo/glossary.csv', import.meta.url), 'utf8');
    expect((await importGlossaryCsv(database.db, orgId, csv, { by: 'test', now: new Date() })).problems).toEqual([]);
    await waitUntil('the change-notice listener is connected', () => steward!.answersCached(), 15_000);

    admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    /** Terminates every session of this Steward (the pool's and the change-notice listener's). */
    const terminate = async (): Promise<number> => {
      const result = await admin!.query<{ n: number }>(
        `select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where application_name like 'steward%' and application_name like '%' || $1`,
        [schema],
      );
      return result.rows[0]?.n ?? 0;
    };

    // A steady load: two people typing /glossary nps, one command after another each.
    let phase = 'before';
    const sent: Sent[] = [];
    let counter = 0;
    let running = true;
    const command = async (): Promise<Sent> => {
      const n = ++counter;
      const at = phase;
      const body = slashCommandBody({ command: '/glossary', text: 'nps', user_id: n % 2 ? 'U0001' : 'U0002', response_url: slack!.responseUrl(`cmd-${n}`) });
      try {
        const response = await postSlack(url, body);
        return { n, phase: at, status: response.status, ackText: await response.text() };
      } catch (error) {
        return { n, phase: at, status: error instanceof Error ? error.message : String(error), ackText: '' };
      }
    };
    const load = Promise.all(
      [0, 1].map(async () => {
        while (running) {
          sent.push(await command());
          await sleep(40);
        }
      }),
    );
    const health: number[] = [];
    const healthLoop = (async () => {
      while (running) {
        const response = await fetch(`${url}/healthz`).catch(() => undefined);
        health.push(response?.status ?? 0);
        await sleep(100);
      }
    })();
    const ready = async () => {
      const response = await fetch(`${url}/readyz`);
      return { status: response.status, body: (await response.json()) as { database: { ok: boolean } } };
    };

    try {
      await sleep(1_500);

      // 1. Every session terminated, several times over a second and a half.
      phase = 'terminated';
      let terminated = 0;
      for (let i = 0; i < 6; i++) {
        terminated += await terminate();
        await sleep(250);
      }
      expect(terminated, 'sessions of this Steward were terminated').toBeGreaterThan(0);
      phase = 'after terminations';
      await waitUntil('the change-notice listener is back', () => steward!.answersCached(), 20_000);
      await sleep(1_500);

      // 2. The database unreachable for a while.
      phase = 'unreachable';
      proxy.cut();
      await waitUntil('readiness says the database is down', async () => {
        const r = await ready();
        return r.status === 503 && !r.body.database.ok;
      }, 10_000);
      expect(steward.answersCached(), 'nothing is remembered while changes may go unnoticed').toBe(false);
      await sleep(3_000);
      proxy.restore();
      phase = 'back';
      await waitUntil('readiness says the database is back', async () => (await ready()).status === 200, 20_000);
      await waitUntil('the change-notice listener is back again', () => steward!.answersCached(), 30_000);
      await sleep(1_500);
    } finally {
      running = false;
      await load;
      await healthLoop;
    }

    // Every command has an answer: in its acknowledgement, or through its response_url.
    const answerOf = (s: Sent): string => s.ackText || JSON.stringify(slack!.responses.filter((r) => r.path === `/response/cmd-${s.n}`).map((r) => r.body));
    await waitUntil('every command is answered', () => sent.every((s) => s.status === 200 && answerOf(s) !== '[]'), 15_000).catch(() => undefined);
    const kinds = sent.map((s) => {
      const text = answerOf(s);
      const kind = s.status !== 200 ? `HTTP ${s.status}` : text.includes('Net Promoter Score') ? 'answer' : text.includes(TRY_AGAIN) ? 'try again' : text === '[]' ? 'silence' : 'other';
      return { ...s, kind, text };
    });
    const byPhase: Record<string, Record<string, number>> = {};
    for (const k of kinds) {
      byPhase[k.phase] ??= {};
      byPhase[k.phase]![k.kind] = (byPhase[k.phase]![k.kind] ?? 0) + 1;
    }
    console.log(`database-loss: ${sent.length} commands; by phase: ${JSON.stringify(byPhase)}; health checks: ${health.length}, not 200: ${health.filter((s) => s !== 200).length}`);
    const odd = kinds.filter((k) => k.kind !== 'answer' && k.kind !== 'try again');
    expect(odd.map((k) => `#${k.n} (${k.phase}) ${k.kind}: ${k.text.slice(0, 300)}`)).toEqual([]);
    expect(health.length).toBeGreaterThan(10);
    expect(health.every((s) => s === 200)).toBe(true);
    expect(byPhase.unreachable?.['try again'] ?? 0, 'commands while the database was unreachable were told to try again').toBeGreaterThan(0);

    // And afterwards, the same process answers normally.
    const last = kinds.filter((k) => k.phase === 'back').slice(-5);
    expect(last.length).toBe(5);
    expect(last.every((k) => k.kind === 'answer')).toBe(true);
    const after = await postSlack(url, slashCommandBody({ command: '/glossary', text: 'nps' }));
    expect(await after.text()).toContain('Net Promoter Score');
  }, 180_000);
});
