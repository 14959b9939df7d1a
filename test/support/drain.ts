// Waiting until a Steward has nothing left to do: no outbox row waiting to be sent and no job ready or
// running in its queues. A test that asserts nothing (more) was posted waits for this instead of
// sleeping a fixed time, so it neither passes by being too quick nor waits longer than needed.
import { Redis } from 'ioredis';
import type { Db } from '../../src/db/database.js';
import { TEST_REDIS_URL } from './steward.js';
import { waitUntil } from './wait.js';

export interface DrainTarget {
  db: Db;
  /** The BullMQ key prefix the Steward under test uses for its queues. */
  queuePrefix: string;
  redisUrl?: string;
}

/** Jobs that are ready or running; delayed jobs (future deadlines, periodic sweeps) are not work left now. */
async function busyJobs(redis: Redis, prefix: string): Promise<number> {
  const queues = (await redis.keys(`${prefix}:*:meta`)).map((key) => key.slice(0, -':meta'.length));
  let busy = 0;
  for (const queue of queues) {
    busy += (await redis.llen(`${queue}:wait`)) + (await redis.llen(`${queue}:active`)) + (await redis.zcard(`${queue}:prioritized`));
  }
  return busy;
}

async function unsentRows(db: Db): Promise<number> {
  const row = await db.selectFrom('outbox').select((eb) => eb.fn.countAll<string>().as('n')).where('status', 'in', ['pending', 'sending']).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Resolves once the outbox and the queues have stayed drained for two checks in a row. */
export async function waitForDrain(target: DrainTarget, timeoutMs = 15_000): Promise<void> {
  const redis = new Redis(target.redisUrl ?? TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let quiet = 0;
    await waitUntil(
      'the outbox and the queues are drained',
      async () => {
        const busy = (await unsentRows(target.db)) + (await busyJobs(redis, target.queuePrefix));
        quiet = busy === 0 ? quiet + 1 : 0;
        return quiet >= 2;
      },
      timeoutMs,
    );
  } finally {
    redis.disconnect();
  }
}
