// Every BullMQ job is declared once (defineJob: its queue, default job options, processor, optional
// periodic sweep) and run by one JobRegistry: the Queue in every process, the Worker and sweep only
// in worker processes. Queue and worker errors are logged (at most once a minute per queue and role)
// and counted for /metrics, never swallowed.
import { Queue, Worker, type DefaultJobOptions, type Processor } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import type { PeriodicSweep } from './periodic.js';

export interface JobDefinition<Data, Deps, Sweep extends PeriodicSweep<unknown> = PeriodicSweep<unknown>> {
  /** The BullMQ queue name. */
  queue: string;
  /** Options every job added to the queue gets unless the call says otherwise. */
  jobOptions?: DefaultJobOptions;
  /** How many jobs one worker process runs at once. */
  concurrency: number;
  processor(deps: Deps): Processor<Data>;
  /** A loop that finds work whose job was lost (Redis away, a worker killed); runs in worker processes. */
  sweep?(deps: Deps, intervalMs: number | undefined): Sweep;
  /** Work a worker process does once when it starts; its failures are its own to log. */
  onStart?(deps: Deps): Promise<void>;
}

export function defineJob<Data, Deps, Sweep extends PeriodicSweep<unknown> = PeriodicSweep<unknown>>(
  definition: JobDefinition<Data, Deps, Sweep>,
): JobDefinition<Data, Deps, Sweep> {
  return definition;
}

interface Closable {
  readonly name: string;
  close(): Promise<void>;
}

export type QueueRole = 'queue' | 'worker';

export interface JobRegistryOptions {
  /** Owned by the registry from now on: disconnected by close(). */
  connections: { producer: Redis; worker?: Redis | undefined };
  /** BullMQ key prefix; tests give each run its own. */
  prefix?: string | undefined;
  /** How often sweeps run; each sweep has its own default. */
  sweepIntervalMs?: number | undefined;
  log: Logger;
}

/** At most one log line per queue and role a minute; the ones in between are counted in the next. */
const ERROR_LOG_INTERVAL_MS = 60_000;

export class JobRegistry {
  // Only what close() needs of them: the typed queues and workers belong to their callers.
  private readonly queues = new Map<string, Closable>();
  private readonly workers: Closable[] = [];
  private readonly sweeps: PeriodicSweep<unknown>[] = [];
  private readonly errors = new Map<string, { queue: string; role: QueueRole; count: number; loggedAt: number; suppressed: number }>();
  private closed = false;

  constructor(private readonly options: JobRegistryOptions) {}

  /** The producer connection, for other short Redis commands (rate limits) under the same prefix. */
  get producer(): Redis {
    return this.options.connections.producer;
  }

  get prefix(): string | undefined {
    return this.options.prefix;
  }

  /** Whether this process runs workers (it was given a worker connection). */
  get runsWorkers(): boolean {
    return Boolean(this.options.connections.worker);
  }

  /** The producer side of a job's queue; one per queue and process (ask once, pass it on). */
  queue<Data>(job: JobDefinition<Data, never>): Queue<Data> {
    if (this.queues.has(job.queue)) throw new Error(`the ${job.queue} queue was opened twice`);
    const queue = new Queue<Data>(job.queue, {
      connection: this.options.connections.producer,
      ...(this.options.prefix ? { prefix: this.options.prefix } : {}),
      ...(job.jobOptions ? { defaultJobOptions: job.jobOptions } : {}),
    });
    queue.on('error', (error: Error) => this.failed(job.queue, 'queue', error));
    this.queues.set(job.queue, queue);
    return queue;
  }

  /** In a worker process: the job's worker, its sweep (returned) and its start-up work. Elsewhere nothing. */
  start<Data, Deps, Sweep extends PeriodicSweep<unknown>>(job: JobDefinition<Data, Deps, Sweep>, deps: Deps): Sweep | undefined {
    if (!this.runsWorkers) return undefined;
    this.startWorker(job, deps);
    const sweep = job.sweep?.(deps, this.options.sweepIntervalMs);
    if (sweep) {
      this.sweeps.push(sweep);
      sweep.start();
    }
    job.onStart?.(deps).catch((error: unknown) => this.options.log.warn({ err: error, queue: job.queue }, 'start-up work of a job failed'));
    return sweep;
  }

  /** Only the worker, without sweep or start-up work (tests that watch the delayed job alone). */
  startWorker<Data, Deps>(job: JobDefinition<Data, Deps>, deps: Deps): Worker<Data> {
    const connection = this.options.connections.worker;
    if (!connection) throw new Error(`no worker connection: this process does not run the ${job.queue} worker`);
    const worker = new Worker<Data>(job.queue, job.processor(deps), {
      connection,
      concurrency: job.concurrency,
      ...(this.options.prefix ? { prefix: this.options.prefix } : {}),
    });
    worker.on('error', (error: Error) => this.failed(job.queue, 'worker', error));
    this.workers.push(worker);
    return worker;
  }

  /** Queue and worker errors since start, by queue and role (for /metrics). */
  errorCounts(): { queue: string; role: QueueRole; count: number }[] {
    return [...this.errors.values()].map(({ queue, role, count }) => ({ queue, role, count }));
  }

  /** Sweeps first (they enqueue), then workers (they finish their job), then queues, then Redis. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const sweep of this.sweeps) sweep.stop();
    await Promise.all(this.workers.map((worker) => this.settle(worker.close(), worker.name, 'worker')));
    await Promise.all([...this.queues.values()].map((queue) => this.settle(queue.close(), queue.name, 'queue')));
    this.options.connections.producer.disconnect();
    this.options.connections.worker?.disconnect();
  }

  private async settle(closing: Promise<void>, queue: string, role: QueueRole): Promise<void> {
    await closing.catch((error: unknown) => this.options.log.debug({ err: error, queue, role }, 'closing failed (Redis away?)'));
  }

  private failed(queue: string, role: QueueRole, error: Error): void {
    const key = `${queue} ${role}`;
    const now = Date.now();
    let entry = this.errors.get(key);
    if (!entry) this.errors.set(key, (entry = { queue, role, count: 0, loggedAt: -Infinity, suppressed: 0 }));
    entry.count++;
    if (now - entry.loggedAt < ERROR_LOG_INTERVAL_MS) {
      entry.suppressed++;
      return;
    }
    this.options.log.warn({ queue, role, err: error, suppressed: entry.suppressed }, 'queue error (Redis away?); the outbox and the sweeps catch up when it returns');
    entry.loggedAt = now;
    entry.suppressed = 0;
  }
}
