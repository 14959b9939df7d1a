// Posting the digest: exactly once per organisation and period, however many workers run. The
// period's row in governance_runs and the outbox rows are written in one transaction, so a second
// worker (or a retry, or a catch-up) finds the period taken and posts nothing.
import { requireRole, type Actor } from '../../chat/actor.js';
import type { Card } from '../../chat/card.js';
import type { Db } from '../../db/database.js';
import { enqueueMessage } from '../../delivery/outbox-repo.js';
import type { Services } from '../../services.js';
import * as repo from '../repo.js';
import { describeSlot, latestSlot, nextSlots, periodKey, readScheduleSettings } from '../schedule.js';
import { readGovernanceSettings } from '../schema.js';
import { buildDigestCard, type DigestSectionSource } from './card.js';
import { DIGEST_SECTIONS } from './sections.js';

const WEEK_MS = 7 * 24 * 3600 * 1000;

export type DigestDeps = Pick<Services, 'db'> & {
  /** The digest's sections; DIGEST_SECTIONS unless a test chooses. */
  sections?: DigestSectionSource[];
};

async function orgInfo(db: Db, orgId: string): Promise<repo.OrgSettingsRow> {
  const org = await repo.orgSettings(db, orgId);
  if (!org) throw new Error(`organisation ${orgId} no longer exists`);
  return org;
}

export async function buildDigest(deps: DigestDeps, orgId: string, slot: Date): Promise<Card> {
  const org = await orgInfo(deps.db, orgId);
  const window = { orgId, to: slot, from: new Date(slot.getTime() - WEEK_MS), timeZone: org.time_zone };
  const sections = await Promise.all((deps.sections ?? DIGEST_SECTIONS).map((source) => source(deps.db, window)));
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
export async function postDueDigest(deps: DigestDeps, orgId: string, now: Date): Promise<DigestOutcome> {
  const org = await orgInfo(deps.db, orgId);
  const schedule = readScheduleSettings(org.settings);
  if (!schedule.digestEnabled) return { status: 'disabled' };
  const slot = latestSlot(schedule.digestCron, org.time_zone, now);
  const key = periodKey(slot);
  const channels = readGovernanceSettings(org.settings).governanceChannels;
  if (channels.length === 0) return { status: 'no-governance-channel', periodKey: key };
  if (await repo.runExists(deps.db, orgId, 'digest', key)) return { status: 'already-posted', periodKey: key };
  const card = await buildDigest(deps, orgId, slot);
  return deps.db.transaction().execute(async (trx) => {
    if (!(await repo.claimRun(trx, orgId, 'digest', key))) return { status: 'already-posted' as const, periodKey: key };
    const outboxIds: string[] = [];
    for (const conversationId of channels) {
      const id = await enqueueMessage(trx, { orgId, dedupeKey: `digest:${key}:${conversationId}`, target: { kind: 'conversation', conversationId }, card });
      if (id) outboxIds.push(id);
    }
    await repo.recordRunOutbox(trx, orgId, 'digest', key, outboxIds);
    return { status: 'posted' as const, periodKey: key, outboxIds };
  });
}

/** Organisations whose latest digest slot (within the last week) was never posted: the catch-up list. */
export async function missedDigests(db: Db, now: Date): Promise<string[]> {
  const missed: string[] = [];
  for (const org of await repo.allOrgSettings(db)) {
    const schedule = readScheduleSettings(org.settings);
    if (!schedule.digestEnabled) continue;
    const slot = latestSlot(schedule.digestCron, org.time_zone, now);
    if (now.getTime() - slot.getTime() > WEEK_MS) continue;
    if (!(await repo.runExists(db, org.id, 'digest', periodKey(slot)))) missed.push(org.id);
  }
  return missed;
}

/** `digest preview` (admins): this week's digest now, with when the next one is posted. */
export async function previewDigest(deps: DigestDeps & Pick<Services, 'clock'>, actor: Actor) {
  requireRole(actor, 'admin', 'preview the digest');
  const now = deps.clock.now();
  const org = await orgInfo(deps.db, actor.orgId);
  const schedule = readScheduleSettings(org.settings);
  const card = await buildDigest(deps, actor.orgId, now);
  const next = schedule.digestEnabled ? (nextSlots(schedule.digestCron, org.time_zone, now, 1)[0] ?? now) : undefined;
  return { card, next, last: latestSlot(schedule.digestCron, org.time_zone, now), timeZone: org.time_zone };
}
