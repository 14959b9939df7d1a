// KPI alert evaluation on BullMQ: one job per KPI (job id `kpi-<id>`, delayed a moment, so values
// arriving while a job waits add nothing), a worker that evaluates the KPI's alerts, and a sweep that
// re-enqueues KPIs whose values were never evaluated (Redis away at ingest, a worker killed) and
// tells admins about alert messages that could not be delivered. Postgres says what needs doing;
// Redis only triggers.
import type { Job, Queue } from 'bullmq';
import { PeriodicSweep } from '../jobs/periodic.js';
import { defineJob } from '../jobs/registry.js';
import type { Logger } from '../log.js';
import { evaluateKpiAlerts, kpisAwaitingEvaluation, reportUndeliverable, type AlertDeps } from './alerts.js';
import { kpiHasUnevaluatedValues } from './repo.js';

export const KPI_ALERT_QUEUE = 'steward-kpi-alerts';

export interface KpiAlertJob {
  kpiId: string;
}

/**
 * How long a KPI's evaluation waits after the first ingest that asks for it: a pipeline sending many
 * batches for one KPI in a row gets one evaluation, not one per batch.
 */
const DEBOUNCE_MS = 500;

/** Asks for KPIs' alerts to be evaluated. */
export class KpiAlertQueue {
  constructor(
    readonly queue: Queue<KpiAlertJob>,
    private readonly options: { log: Logger; debounceMs?: number },
  ) {}

  async enqueue(kpiIds: string[]): Promise<void> {
    if (kpiIds.length === 0) return;
    const delay = this.options.debounceMs ?? DEBOUNCE_MS;
    await this.queue.addBulk([...new Set(kpiIds)].map((kpiId) => ({ name: 'evaluate', data: { kpiId }, opts: { jobId: `kpi-${kpiId}`, delay } })));
  }

  /** After a commit; if Redis is away the sweep finds the KPIs later. */
  kick(kpiIds: string[]): void {
    this.enqueue(kpiIds).catch((error: unknown) => {
      this.options.log.debug({ err: error, count: kpiIds.length }, 'KPI alert kick failed; the sweep will evaluate them');
    });
  }
}

export interface KpiAlertJobDeps {
  alerts: AlertDeps;
  queue: KpiAlertQueue;
}

/** Values that arrive while a KPI is being evaluated bump its version; evaluate again until it holds still. */
const MAX_ROUNDS = 3;

export const kpiAlertJob = defineJob({
  queue: KPI_ALERT_QUEUE,
  jobOptions: { attempts: 5, backoff: { type: 'exponential', delay: 1_000 }, removeOnComplete: true, removeOnFail: true },
  concurrency: 4,
  processor:
    ({ alerts }: KpiAlertJobDeps) =>
    async (job: Job<KpiAlertJob>) => {
      try {
        for (let round = 0; round < MAX_ROUNDS; round++) {
          await evaluateKpiAlerts(alerts, job.data.kpiId);
          if (!(await kpiHasUnevaluatedValues(alerts.db, job.data.kpiId))) return;
        }
      } catch (error) {
        alerts.log.warn({ kpiId: job.data.kpiId, err: error }, 'KPI alert evaluation failed; will retry');
        throw error;
      }
    },
  sweep: (deps: KpiAlertJobDeps, intervalMs) => new KpiAlertSweep({ ...deps, intervalMs }),
});

export class KpiAlertSweep extends PeriodicSweep<{ enqueued: number; reported: number }> {
  constructor(private readonly options: KpiAlertJobDeps & { intervalMs?: number | undefined }) {
    super({
      intervalMs: options.intervalMs ?? 10_000,
      busy: { enqueued: 0, reported: 0 },
      onError: (error: unknown) => options.alerts.log.debug({ err: error }, 'KPI alert sweep skipped'),
    });
  }

  protected async pass(): Promise<{ enqueued: number; reported: number }> {
    const backlog = await kpisAwaitingEvaluation(this.options.alerts.db);
    await this.options.queue.enqueue(backlog);
    const reported = await reportUndeliverable(this.options.alerts);
    return { enqueued: backlog.length, reported };
  }
}
