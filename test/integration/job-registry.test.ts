// The job registry against real Redis: a queue's errors are logged at most once a minute with the
// count of the ones in between, and every one of them is counted in /metrics.
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Metrics } from '../../src/http/metrics.js';
import { defineJob, JobRegistry } from '../../src/jobs/registry.js';
import { redisConnection } from '../../src/jobs/redis.js';
import { TEST_REDIS_URL } from '../support/steward.js';

const noopJob = defineJob({ queue: 'steward-test-noop', concurrency: 1, processor: () => async () => 'done' });

describe('job registry', () => {
  let jobs: JobRegistry | undefined;

  afterEach(async () => {
    await jobs?.close();
    jobs = undefined;
  });

  it('logs a burst of queue errors once, with how many it held back, and counts them all in /metrics', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    jobs = new JobRegistry({ connections: { producer: redisConnection(TEST_REDIS_URL, 'producer') }, prefix: `test-${randomUUID()}`, log });
    const metrics = new Metrics({ queueErrors: () => jobs!.errorCounts() });
    const queue = jobs.queue(noopJob);

    for (let i = 0; i < 3; i++) queue.emit('error', new Error('Connection is closed.'));

    const warnings = lines.map((line) => JSON.parse(line) as { msg: string; queue: string; role: string; suppressed: number });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ queue: 'steward-test-noop', role: 'queue', suppressed: 0 });
    expect(await metrics.registry.metrics()).toContain('steward_queue_errors_total{queue="steward-test-noop",role="queue"} 3');
    // A second scrape does not count them again.
    expect(await metrics.registry.metrics()).toContain('steward_queue_errors_total{queue="steward-test-noop",role="queue"} 3');
  });

  it('runs a declared job\'s worker only in a process that has a worker connection', async () => {
    const log = pino({ level: 'silent' });
    const connections = { producer: redisConnection(TEST_REDIS_URL, 'producer'), worker: redisConnection(TEST_REDIS_URL, 'worker') };
    jobs = new JobRegistry({ connections, prefix: `test-${randomUUID()}`, log });
    const queue = jobs.queue(noopJob);
    const worker = jobs.startWorker(noopJob, undefined);
    const done = new Promise<unknown>((resolve) => worker.once('completed', (_job, result) => resolve(result)));
    await queue.add('noop', {});
    expect(await done).toBe('done');
  });
});
