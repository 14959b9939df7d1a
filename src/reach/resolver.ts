// Where a direct message to a person goes. Someone Steward has met goes to the platform they chose
// (`me prefer …`) or used last. Someone known only by e-mail (imported with a journey tree, a glossary
// or a role) is found on the platforms the organisation uses, in the delivery worker and never on a
// request: on Slack with users.lookupByEmail (paced under its rate tier) and a DM opened with
// conversations.open; on Teams in the rosters Steward read, with a 1:1 chat created proactively.
// What it finds is recorded (an identity), and so is what it does not find (reach_checks), so a person
// Slack does not know is not asked about again on every message.
import type { Block } from '../chat/card.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import type { Platform } from '../db/foundation-tables.js';
import { takeChannelSlot } from '../delivery/channel-slots-repo.js';
import type { PeopleReach } from '../delivery/deliver.js';
import { PermanentDeliveryError, RateLimitedError, type Destination } from '../delivery/notifier.js';
import * as orgsRepo from '../orgs/repo.js';
import * as repo from './repo.js';
import { welcomeBlocks } from './welcome.js';

/** Nobody could be found for this person on any platform; `reasons` says why, per platform. */
export class UnreachableError extends PermanentDeliveryError {
  constructor(readonly reasons: string[]) {
    super(reasons.join('; '));
    this.name = 'UnreachableError';
  }
}

export type SlackLookup = { kind: 'found'; userId: string; teamId?: string | undefined; name?: string | undefined } | { kind: 'not-found' } | { kind: 'deactivated' };

/** What Steward asks Slack about people (src/slack/directory.ts). */
export interface SlackDirectory {
  lookupByEmail(email: string): Promise<SlackLookup>;
  /** The id of the direct-message channel with this user, opened if need be. */
  openDm(userId: string): Promise<string>;
}

/** Reads again the rosters of the Teams conversations Steward is in (src/teams/roster.ts). */
export interface TeamsRosters {
  refresh(tenantId: string): Promise<number>;
}

export interface ReachOptions {
  db: Db;
  clock: Clock;
  /** The platforms this process can send to. */
  platforms: Platform[];
  slack?: SlackDirectory | undefined;
  teams?: TeamsRosters | undefined;
  /** How long a "not found" is believed before Slack is asked again (default a day). */
  recheckAfterMs?: number;
  /** users.lookupByEmail pace: Slack's Tier 3 allows about 50 a minute, with bursts. */
  lookupIntervalMs?: number;
  lookupBurst?: number;
}

export interface Reached {
  destination: Destination;
  /** Steward has never written to them: their first message starts with a welcome. */
  welcome: boolean;
  /** False when no platform's refusal was remembered for them: nothing for `reached` to forget. */
  refusedBefore?: boolean;
}

const DAY_MS = 86_400_000;
/** A lookup another worker started this long ago and did not finish is taken over. */
const LOOKUP_CLAIM_MS = 30_000;
/** Rosters are read again at most this often when someone is not found in them. */
const ROSTER_REFRESH_MS = 3_600_000;

export const SLACK_LOOKUP_KEY = 'slack:users.lookupByEmail';

export class Reach implements PeopleReach {
  private readonly rosterReadAt = new Map<string, number>();

  constructor(private readonly options: ReachOptions) {}

  async destinationFor(personId: string, onPlatform?: Platform, claimed?: repo.PersonToReach): Promise<Reached> {
    const { db } = this.options;
    const person = claimed?.id === personId ? claimed : await repo.personWithIdentities(db, personId);
    if (!person) throw new PermanentDeliveryError('this person no longer exists');
    const welcome = person.welcomed_at === null;
    const refusedBefore = Boolean(person.refused);
    const identities = person.identities.filter((i) => this.options.platforms.includes(i.platform));
    if (onPlatform) {
      const there = identities.find((i) => i.platform === onPlatform);
      if (!there) throw new PermanentDeliveryError(`they are no longer known on ${onPlatform === 'slack' ? 'Slack' : 'Teams'}, where the message to update is`);
      return { destination: await this.destinationOfIdentity(personId, there), welcome: false, refusedBefore };
    }
    const preferred = person.preferred_platform;
    if (preferred && this.options.platforms.includes(preferred) && !identities.some((i) => i.platform === preferred)) {
      // They chose a platform Steward has not met them on yet: find them there, else where they are known.
      const found = await this.find(person, preferred).catch(() => undefined);
      if (typeof found === 'object') return { destination: found, welcome };
    }
    const known = identities.find((i) => i.platform === preferred) ?? identities[0];
    if (known) return { destination: await this.destinationOfIdentity(personId, known), welcome, refusedBefore };

    const reasons: string[] = [];
    for (const platform of await this.platformsToTry(person.org_id, preferred)) {
      const found = await this.find(person, platform);
      if (typeof found === 'object') return { destination: found, welcome };
      reasons.push(found);
    }
    if (reasons.length === 0) reasons.push('Steward is not connected to Slack or Teams for this organisation yet');
    throw new UnreachableError(reasons);
  }

  async welcome(personId: string): Promise<Block[]> {
    return welcomeBlocks(this.options.db, personId);
  }

  async reached(personId: string, platform: Platform): Promise<void> {
    await repo.clearRefusal(this.options.db, personId, platform);
  }

  async welcomed(personId: string): Promise<void> {
    await orgsRepo.markMet(this.options.db, personId);
  }

  /** After a platform refused a message to this person: remembered, so `people check` and the digest say so. */
  async refused(personId: string, platform: Platform, reason: string): Promise<void> {
    await repo.recordReachCheck(this.options.db, personId, platform, { reachable: false, reason }, this.options.clock.now());
  }

  /**
   * Checks one person on every platform the organisation uses, as a message would (for `people check`
   * and the reach sweep). When Slack's pace is used up, says so per platform, or throws (`whenPaced`).
   */
  async check(personId: string, options: { whenPaced: 'note' | 'throw' } = { whenPaced: 'note' }): Promise<Record<Platform, { reachable: boolean; reason: string | null } | undefined>> {
    const person = await repo.personWithIdentities(this.options.db, personId);
    const out: Record<Platform, { reachable: boolean; reason: string | null } | undefined> = { slack: undefined, teams: undefined };
    if (!person) return out;
    for (const platform of await this.platformsToTry(person.org_id, null)) {
      if (person.identities.some((i) => i.platform === platform)) {
        out[platform] = { reachable: true, reason: null };
        continue;
      }
      try {
        const found = await this.find(person, platform, { openDm: false });
        out[platform] = typeof found === 'object' ? { reachable: true, reason: null } : { reachable: false, reason: found };
      } catch (error) {
        if (!(error instanceof RateLimitedError) || options.whenPaced === 'throw') throw error;
        out[platform] = { reachable: false, reason: 'not checked: Slack asked Steward to slow down; run it again in a minute' };
      }
    }
    return out;
  }

  /** The organisation's platforms this process can send to, the one it prefers (or uses most) first. */
  private async platformsToTry(orgId: string, preferred: Platform | null): Promise<Platform[]> {
    const { db, platforms } = this.options;
    const installed: Platform[] = [];
    for (const platform of platforms) if ((await repo.installationIds(db, orgId, platform)).length > 0) installed.push(platform);
    const counts = await repo.identityCounts(db, orgId);
    return installed.sort((a, b) => Number(b === preferred) - Number(a === preferred) || counts[b] - counts[a] || (a === 'slack' ? -1 : 1));
  }

  private async destinationOfIdentity(personId: string, identity: { platform: Platform; installation_external_id: string; external_user_id: string }): Promise<Destination> {
    const { db } = this.options;
    if (identity.platform === 'slack') {
      return { kind: 'user', platform: 'slack', installationId: identity.installation_external_id, userId: identity.external_user_id };
    }
    const personal = await orgsRepo.latestPersonalTeamsChat(db, personId);
    if (personal) {
      return { kind: 'conversation', platform: 'teams', installationId: personal.installation_external_id, conversationId: personal.external_id, reference: personal.reference };
    }
    const member = await repo.rosterMember(db, identity.installation_external_id, identity.external_user_id);
    return {
      kind: 'user',
      platform: 'teams',
      installationId: identity.installation_external_id,
      userId: member?.member_id ?? identity.external_user_id,
      personId,
      ...(member ? { serviceUrl: member.service_url } : {}),
    };
  }

  /** A destination on this platform, or why there is none. */
  private async find(person: { id: string; org_id: string; email: string | null }, platform: Platform, options: { openDm: boolean } = { openDm: true }): Promise<Destination | string> {
    if (!person.email) return 'no e-mail address is recorded for them, and they have not used Steward';
    return platform === 'slack' ? this.findOnSlack(person, person.email, options) : this.findOnTeams(person, person.email);
  }

  private async findOnSlack(person: { id: string; org_id: string }, email: string, options: { openDm: boolean }): Promise<Destination | string> {
    const { db, clock, slack } = this.options;
    const teams = await repo.installationIds(db, person.org_id, 'slack');
    if (!slack || teams.length === 0) return 'Steward is not installed in a Slack workspace of this organisation';
    const now = clock.now();
    const remembered = await repo.reachCheck(db, person.id, 'slack');
    if (remembered && !remembered.reachable && remembered.reason && remembered.checked_at.getTime() > now.getTime() - (this.options.recheckAfterMs ?? DAY_MS)) return remembered.reason;
    // Another worker asking Slack about this person right now: its answer serves this message too.
    // It may itself be waiting for Slack's pace, so come back in a second or two rather than at once.
    if (!(await repo.claimLookup(db, person.id, 'slack', now, LOOKUP_CLAIM_MS))) throw new RateLimitedError(1_500 + Math.floor(Math.random() * 1_000));
    const slot = await takeChannelSlot(db, SLACK_LOOKUP_KEY, now, { intervalMs: this.options.lookupIntervalMs ?? 1_200, burst: this.options.lookupBurst ?? 20, book: false });
    if (!slot.granted) {
      await repo.recordReachCheck(db, person.id, 'slack', { reachable: false, reason: null }, new Date(0));
      throw new RateLimitedError(Math.max(100, slot.retryAt.getTime() - now.getTime()) + Math.floor(Math.random() * 500));
    }
    const found = await slack.lookupByEmail(email).catch(async (error: unknown) => {
      await repo.recordReachCheck(db, person.id, 'slack', { reachable: false, reason: null }, new Date(0));
      throw error;
    });
    if (found.kind !== 'found') {
      const reason = found.kind === 'not-found' ? `no Slack account with ${email}` : `the Slack account of ${email} is deactivated`;
      await repo.recordReachCheck(db, person.id, 'slack', { reachable: false, reason }, now);
      return reason;
    }
    const team = found.teamId && teams.includes(found.teamId) ? found.teamId : teams[0]!;
    await orgsRepo.addIdentity(db, person.id, 'slack', team, found.userId);
    await orgsRepo.nameIfUnknown(db, person.id, found.name, found.userId);
    await repo.recordReachCheck(db, person.id, 'slack', { reachable: true, reason: null }, now);
    if (!options.openDm) return { kind: 'user', platform: 'slack', installationId: team, userId: found.userId };
    // Opens the DM (a bot may not post to a user it never talked to before it is open); messages then
    // go to the user id, which Slack delivers into that DM, as for everyone Steward knows.
    await slack.openDm(found.userId);
    return { kind: 'user', platform: 'slack', installationId: team, userId: found.userId };
  }

  private async findOnTeams(person: { id: string; org_id: string }, email: string): Promise<Destination | string> {
    const { db, clock } = this.options;
    const tenants = await repo.installationIds(db, person.org_id, 'teams');
    if (tenants.length === 0) return 'Steward is not installed in a Teams tenant of this organisation';
    let member = await repo.rosterMemberByEmail(db, tenants, email);
    if (!member && this.options.teams) {
      for (const tenant of tenants) await this.refreshRoster(tenant);
      member = await repo.rosterMemberByEmail(db, tenants, email);
    }
    if (!member) {
      const reason = `${email} is not a member of any Teams team or chat Steward is installed in`;
      await repo.recordReachCheck(db, person.id, 'teams', { reachable: false, reason }, clock.now());
      return reason;
    }
    await orgsRepo.addIdentity(db, person.id, 'teams', member.tenant_id, member.aad_object_id);
    await orgsRepo.nameIfUnknown(db, person.id, member.name, member.aad_object_id);
    await repo.recordReachCheck(db, person.id, 'teams', { reachable: true, reason: null }, clock.now());
    return { kind: 'user', platform: 'teams', installationId: member.tenant_id, userId: member.member_id, personId: person.id, serviceUrl: member.service_url };
  }

  /** Reads the tenant's rosters again, at most once an hour per process (they change slowly). */
  private async refreshRoster(tenantId: string): Promise<void> {
    const now = this.options.clock.now().getTime();
    const last = this.rosterReadAt.get(tenantId) ?? (await repo.rosterReadAt(this.options.db, tenantId))?.getTime() ?? 0;
    if (now - last < ROSTER_REFRESH_MS) return;
    this.rosterReadAt.set(tenantId, now);
    await this.options.teams?.refresh(tenantId).catch(() => 0);
  }
}
