// Governance use cases: the settings boards vote by, the governance channels, the board, and the
// schedule of the digest and reminders. Settings live in `organisations.settings` beside other
// capabilities' keys (every write merges); the time zone is the organisation's own column, which the
// digest schedule reads too. Posting the digest is in digest/service.ts.
import { NotFound, InvalidInput } from '../chat/errors.js';
import { hasRole, requireRole, type Actor } from '../chat/actor.js';
import type { Db } from '../db/database.js';
import type { Platform } from '../db/foundation-tables.js';
import { upsertConversation } from '../orgs/conversations.js';
import * as orgsRepo from '../orgs/repo.js';
import { grantRole, revokeRole } from '../orgs/service.js';
import type { Services } from '../services.js';
import * as repo from './repo.js';
import { nextSlots, readScheduleSettings } from './schedule.js';
import { formPatch, governanceSettingsShape, readGovernanceSettings, scheduleChange, settingPatch, type GovernanceSettings, type SettingsPatch } from './schema.js';

export interface ScheduleInfo {
  enabled: boolean;
  cron: string;
  timeZone: string;
  reminderHours: number;
  next: Date[];
  channels: number;
}

export type { SettingsPatch } from './schema.js';

/** What governance needs from the proposals capability, which depends on governance (never the reverse). */
export interface GovernancePorts {
  /** Posts the proposals open for votes to a channel that just became a governance channel; returns how many. */
  postOpenProposals(deps: Pick<Services, 'db' | 'clock' | 'kickDelivery'>, orgId: string, conversationId: string): Promise<number>;
}

export type GovernanceDeps = Pick<Services, 'db' | 'clock' | 'kickDelivery' | 'syncSchedules'> & GovernancePorts;

export interface OrgGovernance extends GovernanceSettings {
  orgName: string;
  timeZone: string;
}

export async function loadGovernanceSettings(db: Db, orgId: string): Promise<OrgGovernance> {
  const org = await repo.orgSettings(db, orgId);
  if (!org) throw new NotFound('That organisation no longer exists.');
  return { ...readGovernanceSettings(org.settings), orgName: org.name, timeZone: org.time_zone };
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
  if (!(await repo.mergeOrgSettings(db, orgId, stored, timeZone))) throw new NotFound('That organisation no longer exists.');
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

function toChannel(row: repo.ConversationRow): GovernanceChannel {
  return { conversationId: row.id, platform: row.platform, installationExternalId: row.installation_external_id, externalId: row.external_id, name: row.name };
}

/** Conversation ids (rows of `conversations`) of the organisation's governance channels, as stored. */
export async function governanceConversationIds(db: Db, orgId: string): Promise<string[]> {
  const org = await repo.orgSettings(db, orgId);
  return org ? readGovernanceSettings(org.settings).governanceChannels : [];
}

/** Where proposals (and the weekly digest) are posted: the channels admins chose that Steward still knows. */
export async function governanceChannels(db: Db, orgId: string): Promise<GovernanceChannel[]> {
  const { governanceChannels: ids } = await loadGovernanceSettings(db, orgId);
  const byId = new Map((await repo.conversationsByIds(db, ids, orgId)).map((r) => [r.id, r]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    return row ? [toChannel(row)] : [];
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
    const settings = await repo.lockOrgSettings(trx, orgId);
    if (!settings) throw new NotFound('That organisation no longer exists.');
    const conversationId = await upsertConversation(trx, {
      orgId,
      platform: channel.platform,
      installationExternalId: channel.installationExternalId,
      externalId: channel.externalId,
      kind: channel.kind,
      name: channel.name ?? null,
    });
    const current = readGovernanceSettings(settings).governanceChannels;
    const rows = await repo.conversationsByIds(trx, current);
    const replaced = rows
      .filter((r) => r.id !== conversationId && r.platform === channel.platform && r.installation_external_id === channel.installationExternalId)
      .map(toChannel);
    const known = new Set(rows.map((r) => r.id));
    const next = [...current.filter((id) => known.has(id) && id !== conversationId && !replaced.some((r) => r.conversationId === id)), conversationId];
    await repo.mergeOrgSettings(trx, orgId, { governanceChannels: next });
    return { conversationId, replaced };
  });
}

/** Stops posting proposals to a channel; returns whether it was a governance channel. */
export async function removeGovernanceChannel(db: Db, orgId: string, conversationId: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const settings = await repo.lockOrgSettings(trx, orgId);
    if (!settings) throw new NotFound('That organisation no longer exists.');
    const current = readGovernanceSettings(settings).governanceChannels;
    if (!current.includes(conversationId)) return false;
    await repo.mergeOrgSettings(trx, orgId, { governanceChannels: current.filter((id) => id !== conversationId) });
    return true;
  });
}

// Use cases on behalf of a person in chat.

/** The settings card's contents; anyone may read them (the rules are on every proposal card anyway). */
export async function showSettings(deps: Pick<GovernanceDeps, 'db'>, actor: Actor) {
  const [settings, channels, board] = await Promise.all([
    loadGovernanceSettings(deps.db, actor.orgId),
    governanceChannels(deps.db, actor.orgId),
    orgsRepo.peopleWithRole(deps.db, actor.orgId, 'board'),
  ]);
  return { settings, channels, board: board.map((p) => p.display_name), canChange: hasRole(actor, 'admin') };
}

async function saveSettings(deps: GovernanceDeps, actor: Actor, patch: SettingsPatch): Promise<void> {
  await updateGovernanceSettings(deps.db, actor.orgId, patch);
  // The weekly digest runs on a cron in the organisation's time zone.
  if (patch.timeZone !== undefined) deps.syncSchedules(actor.orgId);
}

/** `settings <key> <value>` (admins). */
export async function changeSetting(deps: GovernanceDeps, actor: Actor, key: string, value: string): Promise<void> {
  requireRole(actor, 'admin', 'change governance settings');
  await saveSettings(deps, actor, settingPatch(key, value));
}

/** The settings as the form shows them for changing (admins). */
export async function settingsForEditing(deps: Pick<GovernanceDeps, 'db'>, actor: Actor): Promise<OrgGovernance> {
  requireRole(actor, 'admin', 'change governance settings');
  return loadGovernanceSettings(deps.db, actor.orgId);
}

/** The submitted settings form (admins). */
export async function saveSettingsForm(deps: GovernanceDeps, actor: Actor, values: Record<string, string>): Promise<void> {
  requireRole(actor, 'admin', 'change governance settings');
  await saveSettings(deps, actor, formPatch(values));
}

/** `settings board add|remove @person` (admins); `person` resolves the mention once the request is allowed. */
export async function changeBoard(deps: Pick<GovernanceDeps, 'db'>, actor: Actor, verb: string | undefined, who: string | undefined, person: (who: string) => Promise<Actor>) {
  requireRole(actor, 'admin', 'change the board');
  if ((verb !== 'add' && verb !== 'remove') || !who) throw new InvalidInput(`Usage: \`settings board add @person\` or \`settings board remove @person\`.`);
  const member = await person(who);
  const options = { orgId: actor.orgId, role: 'board' as const, byPersonId: actor.personId, byLabel: actor.name };
  const changed = verb === 'add' ? await grantRole(deps.db, member.personId, options) : await revokeRole(deps.db, member.personId, options);
  return { verb, name: member.name, changed };
}

export interface ChannelHere {
  platform: Platform;
  installationExternalId: string;
  externalId: string;
  kind: 'personal' | 'channel' | 'group';
  name?: string | null;
}

function requireChannel(actor: Actor, channel: ChannelHere): ChannelToGovern {
  requireRole(actor, 'admin', 'choose the governance channel');
  if (channel.kind === 'personal') {
    throw new InvalidInput('Type “governance here” in the channel that should become the governance channel, not in a direct message. Nothing was changed.');
  }
  return { ...channel, kind: channel.kind, name: channel.name ?? null };
}

/** `governance here` (admins): this channel becomes its installation's governance channel, with the open votes posted in it. */
export async function chooseGovernanceChannel(deps: GovernanceDeps, actor: Actor, here: ChannelHere) {
  const channel = requireChannel(actor, here);
  const { conversationId, replaced } = await makeGovernanceChannel(deps.db, actor.orgId, channel);
  const posted = await deps.postOpenProposals(deps, actor.orgId, conversationId);
  const settings = await loadGovernanceSettings(deps.db, actor.orgId);
  return { channel: { conversationId, platform: channel.platform, installationExternalId: channel.installationExternalId, externalId: channel.externalId, name: channel.name ?? null }, replaced, orgName: settings.orgName, posted };
}

/** `governance off` (admins); returns whether this channel was a governance channel. */
export async function dropGovernanceChannel(deps: Pick<GovernanceDeps, 'db'>, actor: Actor, here: ChannelHere): Promise<boolean> {
  requireChannel(actor, here);
  const known = await governanceChannels(deps.db, actor.orgId);
  const match = known.find((c) => c.platform === here.platform && c.externalId === here.externalId);
  return match ? removeGovernanceChannel(deps.db, actor.orgId, match.conversationId) : false;
}

/** The organisation's time zone and schedule settings. */
export async function loadSchedule(db: Db, orgId: string) {
  const org = await repo.orgSettings(db, orgId);
  if (!org) throw new NotFound('That organisation no longer exists.');
  return { timeZone: org.time_zone, schedule: readScheduleSettings(org.settings) };
}

/** `schedule digest|timezone|reminders …` (admins). */
export async function changeSchedule(deps: Pick<GovernanceDeps, 'db' | 'syncSchedules'>, actor: Actor, args: string): Promise<void> {
  requireRole(actor, 'admin', 'change the schedule');
  const change = scheduleChange(args);
  if (change.what === 'timezone') {
    await repo.setOrgTimeZone(deps.db, actor.orgId, change.value);
  } else {
    const { schedule } = await loadSchedule(deps.db, actor.orgId);
    const next = {
      ...schedule,
      ...(change.what === 'digest-cron' ? { digestCron: change.value, digestEnabled: true } : {}),
      ...(change.what === 'digest-toggle' ? { digestEnabled: change.value === 'on' } : {}),
      ...(change.what === 'reminders' ? { voteReminderHours: change.value } : {}),
    };
    // Merged into settings so other capabilities' keys stay untouched.
    await repo.mergeOrgSettings(deps.db, actor.orgId, { governanceSchedule: next });
  }
  deps.syncSchedules(actor.orgId);
}

/** What `schedule` shows: the digest's cron and next slots, the reminders, how many channels. */
export async function scheduleInfo(deps: Pick<GovernanceDeps, 'db' | 'clock'>, actor: Actor): Promise<ScheduleInfo> {
  const { timeZone, schedule } = await loadSchedule(deps.db, actor.orgId);
  return {
    enabled: schedule.digestEnabled,
    cron: schedule.digestCron,
    timeZone,
    reminderHours: schedule.voteReminderHours,
    next: nextSlots(schedule.digestCron, timeZone, deps.clock.now(), 3),
    channels: (await governanceConversationIds(deps.db, actor.orgId)).length,
  };
}
