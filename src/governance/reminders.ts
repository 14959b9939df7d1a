// The nudge before a deadline: board members who have not voted on an open proposal get a direct
// message once, when the deadline is within the organisation's reminder window (default 24 h).
import { sql } from 'kysely';
import { actions, fields, para, text, type Card } from '../chat/card.js';
import type { Db } from '../db/database.js';
import { enqueueMessage } from '../delivery/outbox.js';
import { describeSlot, readScheduleSettings } from './schedule.js';

function reminderCard(proposal: { id: string; number: number; title: string; deadline: Date }, timeZone: string): Card {
  const when = describeSlot(proposal.deadline, timeZone);
  return {
    title: `Your vote on proposal #${proposal.number} is still open`,
    blocks: [
      fields(['Proposal', `#${proposal.number} ${proposal.title}`], ['Voting closes', when]),
      para(text('You have not voted yet. Vote on the card in the governance channel, or here:')),
      // The same buttons as the channel card: the vote handler checks membership and the deadline.
      actions(
        { label: 'Approve', style: 'primary', payload: { action: 'proposal.vote', p: proposal.id, c: 'approve' } },
        { label: 'Reject', style: 'danger', payload: { action: 'proposal.vote', p: proposal.id, c: 'reject' } },
        { label: 'Abstain', payload: { action: 'proposal.vote', p: proposal.id, c: 'abstain' } },
      ),
    ],
    summary: `Reminder: proposal #${proposal.number} “${proposal.title}” closes ${when} and you have not voted.`,
  };
}

/** Queues the reminders that are due at `now`; returns the outbox ids to deliver. */
export async function queueVoteReminders(db: Db, now: Date): Promise<string[]> {
  const orgs = await db.selectFrom('organisations').select(['id', 'time_zone', 'settings']).execute();
  const outboxIds: string[] = [];
  for (const org of orgs) {
    const hours = readScheduleSettings(org.settings).voteReminderHours;
    if (hours <= 0) continue;
    const due = await db
      .selectFrom('proposals')
      .select(['id', 'number', 'title', 'deadline'])
      .where('org_id', '=', org.id)
      .where('status', '=', 'open')
      .where('deadline', '>', now)
      .where('deadline', '<=', new Date(now.getTime() + hours * 3_600_000))
      .execute();
    for (const proposal of due) {
      if (!proposal.deadline) continue;
      const deadline = proposal.deadline;
      const ids = await db.transaction().execute(async (trx) => {
        const claimed = await trx
          .insertInto('governance_runs')
          .values({ org_id: org.id, kind: 'vote-reminder', period_key: `proposal:${proposal.id}` })
          .onConflict((oc) => oc.columns(['org_id', 'kind', 'period_key']).doNothing())
          .returning('period_key')
          .executeTakeFirst();
        if (!claimed) return [];
        const pending = await sql<{ id: string }>`
          select p.id from roles r join people p on p.id = r.person_id
          where p.org_id = ${org.id} and r.role = 'board'
            and not exists (select 1 from proposal_ballots b where b.proposal_id = ${proposal.id} and b.person_id = p.id)
        `.execute(trx);
        const queued: string[] = [];
        for (const member of pending.rows) {
          const id = await enqueueMessage(trx, {
            orgId: org.id,
            dedupeKey: `vote-reminder:${proposal.id}:${member.id}`,
            target: { kind: 'person', personId: member.id },
            card: reminderCard({ id: proposal.id, number: proposal.number, title: proposal.title, deadline }, org.time_zone),
          });
          if (id) queued.push(id);
        }
        await trx
          .updateTable('governance_runs')
          .set({ outbox_ids: JSON.stringify(queued) })
          .where('org_id', '=', org.id)
          .where('kind', '=', 'vote-reminder')
          .where('period_key', '=', `proposal:${proposal.id}`)
          .execute();
        return queued;
      });
      outboxIds.push(...ids);
    }
  }
  return outboxIds;
}
