// The reach sweep: in every worker process, a few accountable people Steward has never met are looked
// up per pass (Slack by e-mail, the Teams rosters), paced under Slack's rate tier by the same limiter
// as a message's lookup. An imported owner is then usually known before their first ping or
// escalation, and `people check` and the digest's "cannot reach" list stay current.
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import { RateLimitedError } from '../delivery/notifier.js';
import { PeriodicSweep } from '../jobs/periodic.js';
import type { Logger } from '../log.js';
import { peopleToLookUp } from './repo.js';
import type { Reach } from './resolver.js';

const DAY_MS = 86_400_000;

export class ReachSweep extends PeriodicSweep<number> {
  constructor(private readonly options: { db: Db; reach: Reach; clock: Clock; log: Logger; intervalMs: number; perPass?: number }) {
    super({ intervalMs: options.intervalMs, busy: 0, onError: (error: unknown) => options.log.debug({ err: error }, 'reach sweep skipped') });
  }

  protected async pass(): Promise<number> {
    const { db, reach, clock } = this.options;
    const people = await peopleToLookUp(db, new Date(clock.now().getTime() - DAY_MS), this.options.perPass ?? 10);
    let checked = 0;
    for (const personId of people) {
      try {
        await reach.check(personId, { whenPaced: 'throw' });
      } catch (error) {
        if (error instanceof RateLimitedError) break; // the tier's budget is used: the next pass goes on
        throw error;
      }
      checked++;
    }
    return checked;
  }
}
