// Posting the digest: exactly once per organisation and period, however many workers run. The
// period's row in governance_runs and the outbox rows are written in one transaction, so a second
// worker (or a retry, or a catch-up) finds the period taken and posts nothing.
import type { Card } from '../chat/card.js';
import type { Db } from '../db/database.js';
import { enqueueMessage } from '../delivery/outbox.js';
import { buildDigestCard, type DigestSectionSource } from './digest.js';
import { describeSlot, latestSlot, periodKey, readScheduleSettings } from './schedule.js';
import { DIGEST_SECTIONS } from './sections.js';
import { governanceConversationIds } from './channels.js';

const WEEK_MS = 7 * 24 * 3600 * 1000;

export interface DigestContext {
  db: Db;
  sections?: DigestSectionSource[];
}

async function orgInfo(db: Db, orgId: string) {
  return db.selectFrom('organisations').select(['id', 'name', 'time_zone', 'settings']).where('id', '=', orgId).executeTakeFirstOrThrow();
}

export async function buildDigest(ctx: DigestContext, orgId: string, slot: Date): Promise<Card> {
  const org = await orgInfo(ctx.db, orgId);
  const window = { orgId, to: slot, from: new Date(slot.getTime() - WEEK_MS) };
  const sections = await Promise.all((ctx.sections ?? DIGEST_SECTIONS).map((source) => source(ctx.db, window)));
  return buildDigestCard(
    sections.filter((s) => s !== undefined),
    { orgName: org.name, period: `week to ${describeSlot(slot, org.time_zone)}` },
  );
}

export type DigestOutcome =
  | { status: 'posted'; periodKey: string; outboxIds: string[] }
  | { status: 'already-posted'; periodKey: string }
  | { status: 'no-governance-channel'; periodKey: string }
  | { status: 'disabled' };

/** Posts the digest for the latest slot at or before `now`, unless that period was posted already. */
export async function postDueDigest(ctx: DigestContext, orgId: string, now: Date): Promise<DigestOutcome> {
  const org = await orgInfo(ctx.db, orgId);
  const schedule = readScheduleSettings(org.settings);
  if (!schedule.digestEnabled) return { status: 'disabled' };
  const slot = latestSlot(schedule.digestCron, org.time_zone, now);
  const key = periodKey(slot);
  const channels = await governanceConversationIds(ctx.db, orgId);
  if (channels.length === 0) return { status: 'no-governance-channel', periodKey: key };
  const taken = await ctx.db.selectFrom('governance_runs').select('period_key').where('org_id', '=', orgId).where('kind', '=', 'digest').where('period_key', '=', key).executeTakeFirst();
  if (taken) return { status: 'already-posted', periodKey: key };
  const card = await buildDigest(ctx, orgId, slot);
  return ctx.db.transaction().execute(async (trx) => {
    const claimed = await trx
      .insertInto('governance_runs')
      .values({ org_id: orgId, kind: 'digest', period_key: key })
      .onConflict((oc) => oc.columns(['org_id', 'kind', 'period_key']).doNothing())
      .returning('period_key')
      .executeTakeFirst();
    if (!claimed) return { status: 'already-posted' as const, periodKey: key };
    const outboxIds: string[] = [];
    for (const conversationId of channels) {
      const id = await enqueueMessage(trx, { orgId, dedupeKey: `digest:${key}:${conversationId}`, target: { kind: 'conversation', conversationId }, card });
      if (id) outboxIds.push(id);
    }
    await trx
      .updateTable('governance_runs')
      .set({ outbox_ids: JSON.stringify(outboxIds) })
      .where('org_id', '=', orgId)
      .where('kind', '=', 'digest')
      .where('period_key', '=', key)
      .execute();
    return { status: 'posted' as const, periodKey: key, outboxIds };
  });
}

/** Organisations whose latest digest slot (within the last week) was never posted: the catch-up list. */
export async function missedDigests(db: Db, now: Date): Promise<string[]> {
  const orgs = await db.selectFrom('organisations').select(['id', 'time_zone', 'settings']).execute();
  const missed: string[] = [];
  for (const org of orgs) {
    const schedule = readScheduleSettings(org.settings);
    if (!schedule.digestEnabled) continue;
    const slot = latestSlot(schedule.digestCron, org.time_zone, now);
    if (now.getTime() - slot.getTime() > WEEK_MS) continue;
    const run = await db.selectFrom('governance_runs').select('period_key').where('org_id', '=', org.id).where('kind', '=', 'digest').where('period_key', '=', periodKey(slot)).executeTakeFirst();
    if (!run) missed.push(org.id);
  }
  return missed;
}
