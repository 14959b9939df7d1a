// Reading and changing an organisation's governance settings. They live in `organisations.settings`
// beside other capabilities' keys, so every write merges (jsonb ||) instead of replacing the object;
// the time zone is the organisation's own column, which the digest schedule reads too.
import { sql } from 'kysely';
import { NotFound } from '../chat/errors.js';
import type { Db } from '../db/database.js';
import type { Platform } from '../db/foundation-tables.js';
import { upsertConversation } from '../orgs/conversations.js';
import { governanceSettingsShape, readGovernanceSettings, type GovernanceSettings } from './schema.js';

export interface OrgGovernance extends GovernanceSettings {
  orgName: string;
  timeZone: string;
}

export async function loadGovernanceSettings(db: Db, orgId: string): Promise<OrgGovernance> {
  const org = await db.selectFrom('organisations').select(['name', 'time_zone', 'settings']).where('id', '=', orgId).executeTakeFirst();
  if (!org) throw new NotFound('That organisation no longer exists.');
  return { ...readGovernanceSettings(org.settings), orgName: org.name, timeZone: org.time_zone };
}

export interface SettingsPatch {
  votingPeriodHours?: number;
  quorum?: GovernanceSettings['quorum'];
  majority?: GovernanceSettings['majority'];
  anonymousBallots?: boolean;
  timeZone?: string;
}

/** Changes the given settings and nothing else; other capabilities' keys stay as they are. */
export async function updateGovernanceSettings(db: Db, orgId: string, patch: SettingsPatch): Promise<OrgGovernance> {
  const { timeZone, ...rest } = patch;
  // Validated again here: the CLI and chat both call this, and nothing unchecked may reach the jsonb.
  const stored = {
    ...(rest.votingPeriodHours !== undefined ? { votingPeriodHours: governanceSettingsShape.votingPeriodHours.parse(rest.votingPeriodHours) } : {}),
    ...(rest.quorum !== undefined ? { quorum: governanceSettingsShape.quorum.parse(rest.quorum) } : {}),
    ...(rest.majority !== undefined ? { majority: governanceSettingsShape.majority.parse(rest.majority) } : {}),
    ...(rest.anonymousBallots !== undefined ? { anonymousBallots: governanceSettingsShape.anonymousBallots.parse(rest.anonymousBallots) } : {}),
  };
  const result = await db
    .updateTable('organisations')
    .set({
      settings: sql`settings || ${JSON.stringify(stored)}::jsonb`,
      ...(timeZone !== undefined ? { time_zone: timeZone } : {}),
    })
    .where('id', '=', orgId)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw new NotFound('That organisation no longer exists.');
  return loadGovernanceSettings(db, orgId);
}

export interface GovernanceChannel {
  /** The `conversations` row (outbox target). */
  conversationId: string;
  platform: Platform;
  installationExternalId: string;
  externalId: string;
  name: string | null;
}

/** Where proposals (and the weekly digest) are posted: the channels admins chose that Steward still knows. */
export async function governanceChannels(db: Db, orgId: string): Promise<GovernanceChannel[]> {
  const { governanceChannels: ids } = await loadGovernanceSettings(db, orgId);
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('conversations')
    .select(['id', 'platform', 'installation_external_id', 'external_id', 'name'])
    .where('org_id', '=', orgId)
    .where('id', 'in', ids)
    .execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    return row ? [{ conversationId: row.id, platform: row.platform, installationExternalId: row.installation_external_id, externalId: row.external_id, name: row.name }] : [];
  });
}

export interface ChannelToGovern {
  platform: Platform;
  installationExternalId: string;
  externalId: string;
  kind: 'channel' | 'group';
  name?: string | null;
}

/**
 * Makes a channel the governance channel of its workspace (Slack) or tenant (Teams): one per
 * installation, so Slack and Teams departments each see proposals where they work. Returns the
 * channels it replaced.
 */
export async function makeGovernanceChannel(db: Db, orgId: string, channel: ChannelToGovern): Promise<{ conversationId: string; replaced: GovernanceChannel[] }> {
  return db.transaction().execute(async (trx) => {
    // Serialises concurrent changes of the channel list (read, change, write).
    const org = await trx.selectFrom('organisations').select('settings').where('id', '=', orgId).forUpdate().executeTakeFirst();
    if (!org) throw new NotFound('That organisation no longer exists.');
    const conversationId = await upsertConversation(trx, {
      orgId,
      platform: channel.platform,
      installationExternalId: channel.installationExternalId,
      externalId: channel.externalId,
      kind: channel.kind,
      name: channel.name ?? null,
    });
    const current = readGovernanceSettings(org.settings).governanceChannels;
    const rows = current.length
      ? await trx.selectFrom('conversations').select(['id', 'platform', 'installation_external_id', 'external_id', 'name']).where('id', 'in', current).execute()
      : [];
    const replaced = rows
      .filter((r) => r.id !== conversationId && r.platform === channel.platform && r.installation_external_id === channel.installationExternalId)
      .map((r) => ({ conversationId: r.id, platform: r.platform, installationExternalId: r.installation_external_id, externalId: r.external_id, name: r.name }));
    const known = new Set(rows.map((r) => r.id));
    const next = [...current.filter((id) => known.has(id) && id !== conversationId && !replaced.some((r) => r.conversationId === id)), conversationId];
    await trx
      .updateTable('organisations')
      .set({ settings: sql`settings || ${JSON.stringify({ governanceChannels: next })}::jsonb` })
      .where('id', '=', orgId)
      .execute();
    return { conversationId, replaced };
  });
}

/** Stops posting proposals to a channel; returns whether it was a governance channel. */
export async function removeGovernanceChannel(db: Db, orgId: string, conversationId: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const org = await trx.selectFrom('organisations').select('settings').where('id', '=', orgId).forUpdate().executeTakeFirst();
    if (!org) throw new NotFound('That organisation no longer exists.');
    const current = readGovernanceSettings(org.settings).governanceChannels;
    if (!current.includes(conversationId)) return false;
    const next = current.filter((id) => id !== conversationId);
    await trx
      .updateTable('organisations')
      .set({ settings: sql`settings || ${JSON.stringify({ governanceChannels: next })}::jsonb` })
      .where('id', '=', orgId)
      .execute();
    return true;
  });
}
