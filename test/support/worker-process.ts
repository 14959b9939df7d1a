// A Steward delivery worker in its own OS process, so a test can kill it with SIGKILL mid-job exactly
// as a crashed machine would. Run as a script (node --import tsx) it starts the workers from the
// environment; imported, it gives tests `startWorkerProcess`.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const READY_LINE = 'steward-test-worker-ready';

export interface WorkerProcessOptions {
  /** Environment for the worker's config: DATABASE_URL, REDIS_URL, SLACK_* … */
  env: Record<string, string>;
  queuePrefix: string;
  leaseMs: number;
  sweepIntervalMs: number;
}

export interface WorkerProcess {
  readonly pid: number;
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
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      ...options.env,
      STEWARD_TEST_QUEUE_PREFIX: options.queuePrefix,
      STEWARD_TEST_LEASE_MS: String(options.leaseMs),
      STEWARD_TEST_SWEEP_MS: String(options.sweepIntervalMs),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the worker process did not start within 60 s:\n${stderr}`));
    }, 60_000);
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes(READY_LINE)) {
        clearTimeout(timer);
        resolve();
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
  return { pid, output: () => stderr, kill: () => signal('SIGKILL'), stop: () => signal('SIGTERM') };
}

async function runWorker(): Promise<void> {
  const { startSteward } = await import('../../src/app.js');
  const { loadConfig } = await import('../../src/config.js');
  const config = loadConfig();
  const steward = await startSteward({
    config,
    http: false,
    workers: true,
    queuePrefix: process.env.STEWARD_TEST_QUEUE_PREFIX ?? 'steward-test',
    deliveryLeaseMs: Number(process.env.STEWARD_TEST_LEASE_MS ?? 2_000),
    sweepIntervalMs: Number(process.env.STEWARD_TEST_SWEEP_MS ?? 250),
  });
  process.once('SIGTERM', () => {
    void steward.close().then(() => process.exit(0));
  });
  process.stdout.write(`${READY_LINE}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runWorker().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
