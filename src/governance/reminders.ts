// The nudge before a deadline: board members who have not voted on an open proposal get a direct
// message once, when the deadline is within the organisation's reminder window (default 24 h).
import type { Db } from '../db/database.js';
import { enqueueMessage } from '../delivery/outbox-repo.js';
import { reminderCard } from './cards.js';
import * as repo from './repo.js';
import { readScheduleSettings } from './schedule.js';

/** Queues the reminders that are due at `now`; returns the outbox ids to deliver. */
export async function queueVoteReminders(db: Db, now: Date): Promise<string[]> {
  const outboxIds: string[] = [];
  for (const org of await repo.allOrgSettings(db)) {
    const hours = readScheduleSettings(org.settings).voteReminderHours;
    if (hours <= 0) continue;
    for (const proposal of await repo.proposalsClosingBetween(db, org.id, now, new Date(now.getTime() + hours * 3_600_000))) {
      if (!proposal.deadline) continue;
      const deadline = proposal.deadline;
      const period = `proposal:${proposal.id}`;
      const ids = await db.transaction().execute(async (trx) => {
        if (!(await repo.claimRun(trx, org.id, 'vote-reminder', period))) return [];
        const queued: string[] = [];
        for (const personId of await repo.boardMembersWithoutBallot(trx, org.id, proposal.id)) {
          const id = await enqueueMessage(trx, {
            orgId: org.id,
            dedupeKey: `vote-reminder:${proposal.id}:${personId}`,
            target: { kind: 'person', personId },
            card: reminderCard({ id: proposal.id, number: proposal.number, title: proposal.title, deadline }, org.time_zone),
          });
          if (id) queued.push(id);
        }
        await repo.recordRunOutbox(trx, org.id, 'vote-reminder', period, queued);
        return queued;
      });
      outboxIds.push(...ids);
    }
  }
  return outboxIds;
}
