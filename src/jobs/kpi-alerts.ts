// KPI alert evaluation on BullMQ: one job per KPI (job id `kpi-<id>`, delayed a moment, so values
// arriving while a job waits add nothing), a worker that evaluates the KPI's alerts, and a sweep that
// re-enqueues KPIs whose values were never evaluated (Redis away at ingest, a worker killed) and
// tells admins about alert messages that could not be delivered. Postgres says what needs doing;
// Redis only triggers.
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { evaluateKpiAlerts, kpisAwaitingEvaluation, reportUndeliverable, type AlertDeps } from '../kpis/alerts.js';
import type { Logger } from '../log.js';
import { PeriodicSweep } from './periodic.js';

export const KPI_ALERT_QUEUE = 'steward-kpi-alerts';

export interface KpiAlertJob {
  kpiId: string;
}

/**
 * How long a KPI's evaluation waits after the first ingest that asks for it: a pipeline sending many
 * batches for one KPI in a row gets one evaluation, not one per batch.
 */
const DEBOUNCE_MS = 500;

export class KpiAlertQueue {
  readonly queue: Queue<KpiAlertJob>;

  constructor(
    connection: Redis,
    private readonly options: { prefix?: string; log: Logger; debounceMs?: number },
  ) {
    this.queue = new Queue<KpiAlertJob>(KPI_ALERT_QUEUE, { connection, ...(options.prefix ? { prefix: options.prefix } : {}) });
    this.queue.on('error', () => {});
  }

  async enqueue(kpiIds: string[]): Promise<void> {
    if (kpiIds.length === 0) return;
    await this.queue.addBulk(
      [...new Set(kpiIds)].map((kpiId) => ({
        name: 'evaluate',
        data: { kpiId },
        opts: { jobId: `kpi-${kpiId}`, delay: this.options.debounceMs ?? DEBOUNCE_MS, attempts: 5, backoff: { type: 'exponential', delay: 1_000 }, removeOnComplete: true, removeOnFail: true },
      })),
    );
  }

  /** After a commit; if Redis is away the sweep finds the KPIs later. */
  kick(kpiIds: string[]): void {
    this.enqueue(kpiIds).catch((error: unknown) => {
      this.options.log.debug({ err: error, count: kpiIds.length }, 'KPI alert kick failed; the sweep will evaluate them');
    });
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

export interface KpiAlertWorkerOptions {
  connection: Redis;
  prefix?: string;
  deps: AlertDeps;
  concurrency?: number;
}

/** Values that arrive while a KPI is being evaluated bump its version; evaluate again until it holds still. */
const MAX_ROUNDS = 3;

export function startKpiAlertWorker(options: KpiAlertWorkerOptions): Worker<KpiAlertJob> {
  const { deps } = options;
  const worker = new Worker<KpiAlertJob>(
    KPI_ALERT_QUEUE,
    async (job: Job<KpiAlertJob>) => {
      for (let round = 0; round < MAX_ROUNDS; round++) {
        await evaluateKpiAlerts(deps, job.data.kpiId);
        const pending = await deps.db
          .selectFrom('kpis')
          .select('id')
          .where('id', '=', job.data.kpiId)
          .whereRef('values_version', '>', 'alerts_evaluated_version')
          .executeTakeFirst();
        if (!pending) return;
      }
    },
    { connection: options.connection, concurrency: options.concurrency ?? 4, ...(options.prefix ? { prefix: options.prefix } : {}) },
  );
  worker.on('error', () => {});
  worker.on('failed', (job, error) => deps.log.warn({ kpiId: job?.data.kpiId, err: error }, 'KPI alert evaluation failed; will retry'));
  return worker;
}

export class KpiAlertSweep extends PeriodicSweep<{ enqueued: number; reported: number }> {
  constructor(private readonly options: { deps: AlertDeps; queue: KpiAlertQueue; intervalMs?: number }) {
    super({
      intervalMs: options.intervalMs ?? 10_000,
      busy: { enqueued: 0, reported: 0 },
      onError: (error: unknown) => options.deps.log.debug({ err: error }, 'KPI alert sweep skipped'),
    });
  }

  protected async pass(): Promise<{ enqueued: number; reported: number }> {
    const backlog = await kpisAwaitingEvaluation(this.options.deps.db);
    await this.options.queue.enqueue(backlog);
    const reported = await reportUndeliverable(this.options.deps);
    return { enqueued: backlog.length, reported };
  }
}
