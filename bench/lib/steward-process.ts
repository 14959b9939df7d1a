// Steward under benchmark: the real composition root (startSteward: HTTP side and workers) in its own
// process, on a fresh Postgres schema, Redis with its own queue prefix, the Slack Web API at a fake.
// It runs compiled by tsc, as `npm start` runs it, so no TypeScript loader sits in its memory or CPU.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { startServerProcess, type ServerProcess } from './server-process.js';

export const BENCH_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface StewardProcess extends ServerProcess {
  /** The fresh schema Steward runs on; seed benchmark data through it. */
  database: TestDatabase;
}

export interface StewardProcessOptions {
  signingSecret: string;
  /** The Slack Web API base (a fake's). */
  apiUrl: string;
  /** More environment (or overrides) for Steward's config. */
  env?: Record<string, string>;
  /** Extra node flags, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] to profile Steward. */
  nodeFlags?: string[];
}

let build: Promise<string> | undefined;

/**
 * Compiles src/ and migrations/ once per benchmark process (type-checking is the test suite's job)
 * into dist/bench-<pid>/, inside the repository so that node_modules resolves; removed at exit.
 */
export function buildSteward(): Promise<string> {
  build ??= new Promise<string>((resolve, reject) => {
    removeOrphanBuilds();
    const outDir = `${ROOT}dist/bench-${process.pid}`;
    const tsc = spawn(process.execPath, [`${ROOT}node_modules/typescript/bin/tsc`, '-p', `${ROOT}tsconfig.build.json`, '--noCheck', '--outDir', outDir], { stdio: 'inherit' });
    process.once('exit', () => rmSync(outDir, { recursive: true, force: true }));
    tsc.once('exit', (code) => {
      if (existsSync(`${outDir}/src/app.js`)) resolve(outDir);
      else reject(new Error(`tsc could not build Steward for the benchmark (exit ${code})`));
    });
  });
  return build;
}

/** Builds left by benchmark processes that were killed before they could clean up. */
function removeOrphanBuilds(): void {
  const dist = `${ROOT}dist`;
  if (!existsSync(dist)) return;
  for (const entry of readdirSync(dist)) {
    const pid = Number(/^bench-(\d+)$/.exec(entry)?.[1]);
    if (!pid || pid === process.pid || isAlive(pid)) continue;
    rmSync(`${dist}/${entry}`, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
}

/** The process body: startSteward with a queue prefix of its own, then `ready <url>`. */
function serveScript(outDir: string): string {
  const app = pathToFileURL(`${outDir}/src/app.js`).href;
  const config = pathToFileURL(`${outDir}/src/config.js`).href;
  return `
    const { startSteward } = await import(${JSON.stringify(app)});
    const { loadConfig } = await import(${JSON.stringify(config)});
    const steward = await startSteward({ config: loadConfig(), queuePrefix: process.env.STEWARD_BENCH_QUEUE_PREFIX });
    process.once('SIGTERM', () => steward.close().then(() => process.exit(0)));
    process.stdout.write('ready ' + steward.url + '\\n');
  `;
}

/**
 * BENCH_PROFILE=<dir>: any benchmark writes a CPU profile of its Steward process there (open it in
 * Chrome's DevTools). BENCH_NODE_FLAGS: more node flags for Steward, e.g. V8 heap settings to try;
 * BENCH_STDOUT=<file>: Steward's stdout appended there (with BENCH_NODE_FLAGS=--trace-gc, its collections).
 */
function profileFlags(): string[] {
  return [
    ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []),
    ...(process.env.BENCH_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? []),
  ];
}

export async function startStewardProcess(options: StewardProcessOptions): Promise<StewardProcess> {
  const outDir = await buildSteward();
  const database = await createTestDatabase('postgres');
  if (!database.url) throw new Error('the benchmark database has no URL');
  try {
    const server = await startServerProcess({
      name: 'Steward',
      copyStdoutTo: process.env.BENCH_STDOUT,
      // The heap limit `npm start` gives Steward (package.json), so memory is measured as it runs.
      nodeArgs: [`--max-old-space-size=${process.env.STEWARD_HEAP_MB ?? 384}`, ...profileFlags(), ...(options.nodeFlags ?? []), '--input-type=module', '--eval', serveScript(outDir)],
      env: {
        NODE_ENV: 'production',
        TEAMS_ALLOW_ANONYMOUS: 'true',
        LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
        PORT: '0',
        DATABASE_URL: database.url,
        REDIS_URL: BENCH_REDIS_URL,
        SLACK_SIGNING_SECRET: options.signingSecret,
        SLACK_BOT_TOKEN: 'xoxb-bench-steward',
        SLACK_API_URL: options.apiUrl,
        STEWARD_BENCH_QUEUE_PREFIX: `bench-${randomUUID()}`,
        ...options.env,
      },
    });
    return {
      ...server,
      database,
      async stop() {
        await server.stop();
        await database.drop();
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
}
