// SQL of governance: the organisation's settings (jsonb shared with other capabilities' keys, so every
// write merges with `||`), its governance channels, the runs of the digest and the vote reminders.
import { sql, type Selectable } from 'kysely';
import type { Db } from '../db/database.js';
import type { ConversationsTable, OrganisationsTable } from '../db/foundation-tables.js';
import type { GovernanceRunsTable } from './tables.js';

export type OrgSettingsRow = Pick<Selectable<OrganisationsTable>, 'id' | 'name' | 'time_zone' | 'settings'>;
export type ConversationRow = Pick<Selectable<ConversationsTable>, 'id' | 'platform' | 'installation_external_id' | 'external_id' | 'name'>;
export type RunKind = GovernanceRunsTable['kind'];

export async function orgSettings(db: Db, orgId: string): Promise<OrgSettingsRow | undefined> {
  return db.selectFrom('organisations').select(['id', 'name', 'time_zone', 'settings']).where('id', '=', orgId).executeTakeFirst();
}

/** Every organisation with its settings: what the digest and reminder sweeps walk through. */
export async function allOrgSettings(db: Db): Promise<OrgSettingsRow[]> {
  return db.selectFrom('organisations').select(['id', 'name', 'time_zone', 'settings']).execute();
}

/** The settings jsonb, locked until the transaction ends: serialises read-change-write of one key. */
export async function lockOrgSettings(trx: Db, orgId: string): Promise<Record<string, unknown> | undefined> {
  const org = await trx.selectFrom('organisations').select('settings').where('id', '=', orgId).forUpdate().executeTakeFirst();
  return org?.settings;
}

/** Merges `keys` into the settings (other keys stay) and sets the time zone when given; false when the organisation is gone. */
export async function mergeOrgSettings(db: Db, orgId: string, keys: Record<string, unknown>, timeZone?: string): Promise<boolean> {
  const result = await db
    .updateTable('organisations')
    .set({
      settings: sql`settings || ${JSON.stringify(keys)}::jsonb`,
      ...(timeZone !== undefined ? { time_zone: timeZone } : {}),
    })
    .where('id', '=', orgId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function setOrgTimeZone(db: Db, orgId: string, timeZone: string): Promise<void> {
  await db.updateTable('organisations').set({ time_zone: timeZone }).where('id', '=', orgId).execute();
}

/** The conversations with these ids (of this organisation, when given). */
export async function conversationsByIds(db: Db, ids: string[], orgId?: string): Promise<ConversationRow[]> {
  if (ids.length === 0) return [];
  let query = db.selectFrom('conversations').select(['id', 'platform', 'installation_external_id', 'external_id', 'name']).where('id', 'in', ids);
  if (orgId !== undefined) query = query.where('org_id', '=', orgId);
  return query.execute();
}

export async function runExists(db: Db, orgId: string, kind: RunKind, periodKey: string): Promise<boolean> {
  const run = await db.selectFrom('governance_runs').select('period_key').where('org_id', '=', orgId).where('kind', '=', kind).where('period_key', '=', periodKey).executeTakeFirst();
  return run !== undefined;
}

/** Takes the period for this run; false when another worker (or an earlier run) took it. */
export async function claimRun(trx: Db, orgId: string, kind: RunKind, periodKey: string): Promise<boolean> {
  const claimed = await trx
    .insertInto('governance_runs')
    .values({ org_id: orgId, kind, period_key: periodKey })
    .onConflict((oc) => oc.columns(['org_id', 'kind', 'period_key']).doNothing())
    .returning('period_key')
    .executeTakeFirst();
  return claimed !== undefined;
}

export async function recordRunOutbox(trx: Db, orgId: string, kind: RunKind, periodKey: string, outboxIds: string[]): Promise<void> {
  await trx
    .updateTable('governance_runs')
    .set({ outbox_ids: JSON.stringify(outboxIds) })
    .where('org_id', '=', orgId)
    .where('kind', '=', kind)
    .where('period_key', '=', periodKey)
    .execute();
}

/** Open proposals whose deadline falls in (now, until]: the ones a reminder is due for. */
export async function proposalsClosingBetween(db: Db, orgId: string, now: Date, until: Date) {
  return db
    .selectFrom('proposals')
    .select(['id', 'number', 'title', 'deadline'])
    .where('org_id', '=', orgId)
    .where('status', '=', 'open')
    .where('deadline', '>', now)
    .where('deadline', '<=', until)
    .execute();
}

/** Board members of the organisation without a ballot on the proposal. */
export async function boardMembersWithoutBallot(db: Db, orgId: string, proposalId: string): Promise<string[]> {
  const pending = await sql<{ id: string }>`
    select p.id from roles r join people p on p.id = r.person_id
    where p.org_id = ${orgId} and r.role = 'board'
      and not exists (select 1 from proposal_ballots b where b.proposal_id = ${proposalId} and b.person_id = p.id)
  `.execute(db);
  return pending.rows.map((r) => r.id);
}
