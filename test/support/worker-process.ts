// A Steward delivery worker in its own OS process, so a test can kill it with SIGKILL mid-job exactly
// as a crashed machine would. Run as a script (node --import tsx) it starts the workers from the
// environment; imported, it gives tests `startWorkerProcess`. With `http`, the same process also
// serves HTTP (/slack/events, /healthz …) on the given port, so a test can kill a serving Steward
// in the middle of a burst of requests.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const READY_LINE = 'steward-test-worker-ready';

export interface WorkerProcessOptions {
  /** Environment for the worker's config: DATABASE_URL, REDIS_URL, SLACK_* … */
  env: Record<string, string>;
  queuePrefix: string;
  leaseMs: number;
  sweepIntervalMs: number;
  /** Serve HTTP too, on this port (0: any free port; see `url`). */
  http?: { port: number };
  /** Run the workers (default true); a serving-only process sets false. */
  workers?: boolean;
}

export interface WorkerProcess {
  readonly pid: number;
  /** The HTTP base URL when started with `http`. */
  readonly url?: string;
  /** What the process wrote to stderr so far (for failure messages). */
  output(): string;
  /** Kills with SIGKILL: no shutdown code runs, the job it holds stays active in BullMQ. */
  kill(): Promise<void>;
  /** Asks it to shut down gracefully (SIGTERM). */
  stop(): Promise<void>;
}

export async function startWorkerProcess(options: WorkerProcessOptions): Promise<WorkerProcess> {
  const script = fileURLToPath(import.meta.url);
  // node --import tsx runs the script in this very process; the tsx CLI would put a wrapper process
  // in between, and a SIGKILL to the wrapper would leave the real worker running.
  // BENCH_PROFILE=<dir> (as for bench/lib/steward-process.ts): a CPU profile of each worker there.
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const child: ChildProcess = spawn(process.execPath, [...profile, '--import', 'tsx', script], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      ...options.env,
      STEWARD_TEST_QUEUE_PREFIX: options.queuePrefix,
      STEWARD_TEST_LEASE_MS: String(options.leaseMs),
      STEWARD_TEST_SWEEP_MS: String(options.sweepIntervalMs),
      STEWARD_TEST_WORKERS: String(options.workers ?? true),
      ...(options.http ? { STEWARD_TEST_HTTP: 'true', PORT: String(options.http.port) } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string | undefined>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the worker process did not start within 60 s:\n${stderr}`));
    }, 60_000);
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const ready = new RegExp(`${READY_LINE}(?: (\\S+))?\\n`).exec(stdout);
      if (ready) {
        clearTimeout(timer);
        resolve(ready[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the worker process exited (${code}) before it was ready:\n${stderr}`));
    });
  });
  if (child.pid === undefined) throw new Error('the worker process has no pid');
  const pid = child.pid;
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };
  return { pid, ...(url ? { url } : {}), output: () => stderr, kill: () => signal('SIGKILL'), stop: () => signal('SIGTERM') };
}

async function runWorker(): Promise<void> {
  const { startSteward } = await import('../../src/app.js');
  const { loadConfig } = await import('../../src/config.js');
  const config = loadConfig();
  const steward = await startSteward({
    config,
    http: process.env.STEWARD_TEST_HTTP === 'true',
    workers: process.env.STEWARD_TEST_WORKERS !== 'false',
    queuePrefix: process.env.STEWARD_TEST_QUEUE_PREFIX ?? 'steward-test',
    deliveryLeaseMs: Number(process.env.STEWARD_TEST_LEASE_MS ?? 2_000),
    clickLeaseMs: Number(process.env.STEWARD_TEST_LEASE_MS ?? 2_000),
    sweepIntervalMs: Number(process.env.STEWARD_TEST_SWEEP_MS ?? 250),
    ...(process.env.STEWARD_TEST_REACH_SWEEP_MS ? { reachSweepIntervalMs: Number(process.env.STEWARD_TEST_REACH_SWEEP_MS) } : {}),
  });
  process.once('SIGTERM', () => {
    void steward.close().then(() => process.exit(0));
  });
  process.stdout.write(`${READY_LINE}${steward.url ? ` ${steward.url}` : ''}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runWorker().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
