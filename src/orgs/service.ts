// Who is asking, for which organisation, with which roles. The first workspace or tenant creates
// (or joins) the organisation; any other must be linked by an admin or allowed by configuration. An
// unknown user becomes a person, linked by e-mail to one the CLI or an admin already named.
import { AnswerCache } from '../db/answer-cache.js';
import type { Db } from '../db/database.js';
import type { Platform, Role } from '../db/foundation-tables.js';
import type { ChatRequest } from '../chat/request.js';
import { requireRole, ROLES, type Actor, type EmailLookup } from '../chat/actor.js';
import { ChatError, InvalidInput, NotFound } from '../chat/errors.js';
import { ERROR_CODES } from '../errors.js';
import type { Logger } from '../log.js';
import * as repo from './repo.js';

/** How stale an identity's last_seen_at may get before a command refreshes it. */
const LAST_SEEN_RESOLUTION_MS = 60_000;

/**
 * How long a resolved actor serves the same user's next commands while change notices cannot be
 * heard. Role changes made in this process take effect at once (see rolesChanged); made elsewhere
 * (the CLI, another process), within this.
 */
const ACTOR_REUSE_MS = 2_000;
/**
 * How long it serves while change notices are heard: a change anywhere to what an actor holds (a
 * role, a name, an identity) sends a notice that forgets every remembered actor
 * (src/db/remembered-tables.ts `actors`). A minute at most all the same: resolving an actor again is
 * what refreshes last_seen_at, which needs minute resolution.
 */
const ACTOR_REMEMBERED_MS = 60_000;
const ACTOR_CACHE_MAX = 10_000;

/** Bumped by every role change in this process: an actor resolved before it is not reused. */
let rolesEpoch = 0;
function rolesChanged(): void {
  rolesEpoch++;
}

export interface OrgDirectoryOptions {
  /** Name of the organisation created on first contact when none exists yet. */
  defaultOrgName: string;
  /** Installations that may join the organisation on first contact: `slack:T…`, `slack-grid:E…`, `teams:<tenant>`. */
  allowedInstallations?: readonly string[];
  log?: Logger;
}

/** A Slack workspace or Teams tenant reached Steward without being linked to its organisation. */
export class InstallationNotLinked extends ChatError {
  constructor(platform: Platform, externalId: string) {
    const what = platform === 'slack' ? `This Slack workspace (${externalId})` : `This Microsoft Teams tenant (${externalId})`;
    super(
      ERROR_CODES.installationNotLinked,
      `${what} is not linked to a Steward organisation, so Steward does not answer here. An admin links it with ` +
        `\`npx steward org link-installation --platform ${platform} --id ${externalId}\`, or adds \`${platform}:${externalId}\` to STEWARD_ALLOWED_INSTALLATIONS.`,
    );
    this.name = 'InstallationNotLinked';
  }
}

export class OrgDirectory {
  // Installations hardly ever move between organisations; a short cache keeps the hot path to one query.
  private readonly installationCache = new Map<string, { orgId: string; at: number }>();
  // A person's commands come in bursts (a command, then its buttons); reusing the actor for a moment
  // keeps the database, and its latency, off the path of most of them.
  private readonly actorCache = new Map<string, { actor: Actor; at: number; epoch: number }>();
  /**
   * Actors remembered for longer while change notices arrive (src/app.ts connects this to the
   * listener): a command then needs no database round trip to know who asks, yet a role granted or
   * revoked anywhere counts from its next command.
   */
  readonly actors = new AnswerCache<{ actor: Actor; epoch: number }>({ shows: 'actors', maxEntries: ACTOR_CACHE_MAX, maxAgeMs: ACTOR_REMEMBERED_MS, sizeOf: actorBytes });
  // Identities whose last_seen_at is due for a refresh, written together a second later: one UPDATE
  // (and one commit) for a busy second instead of one per person, and none on the request path.
  private readonly seen = new Set<string>();
  private seenTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly options: OrgDirectoryOptions,
  ) {}

  /**
   * The organisation of a workspace or tenant. `quiet` is for bookkeeping of a contact that is also
   * answered (Teams stores a conversation before answering it): a refusal is then not logged or
   * counted twice.
   */
  async orgForInstallation(platform: Platform, externalId: string, name?: string, group?: string, options: { quiet?: boolean } = {}): Promise<string> {
    const key = `${platform}:${externalId}`;
    const cached = this.installationCache.get(key);
    if (cached && Date.now() - cached.at < 60_000) return cached.orgId;
    const installation = await repo.findInstallation(this.db, platform, externalId);
    const orgId = installation?.org_id ?? (await this.admitInstallation(platform, externalId, name, group, options.quiet ?? false));
    this.installationCache.set(key, { orgId, at: Date.now() });
    return orgId;
  }

  /** Installations refused since start, by platform (for /metrics). */
  readonly refused: Record<Platform, number> = { slack: 0, teams: 0 };

  /**
   * The organisation an unknown workspace or tenant may join: the first installation creates (or
   * joins) the only organisation; after that, only one an admin linked or allowed. Anyone who can
   * reach the endpoint must not be able to read the organisation's glossary, journeys and KPIs.
   */
  private async admitInstallation(platform: Platform, externalId: string, name: string | undefined, group: string | undefined, quiet: boolean): Promise<string> {
    const allowed = this.options.allowedInstallations ?? [];
    const listed = allowed.includes(`${platform}:${externalId}`) || (group !== undefined && allowed.includes(`${platform}-grid:${group}`));
    // One transaction under the first-contact lock: two first requests of one workspace at once
    // must both be admitted, and only the first installation may join an organisation unasked.
    const orgId = await this.db.transaction().execute(async (trx) => {
      await repo.lockFirstContact(trx);
      const known = await repo.findInstallation(trx, platform, externalId);
      if (known) return known.org_id;
      const existing = await repo.listOrganisations(trx);
      const only = existing.length === 1 ? existing[0] : undefined;
      const joining = existing.length === 0 ? (await repo.createOrganisation(trx, this.options.defaultOrgName)).id : only && (listed || (await repo.countInstallations(trx)) === 0) ? only.id : undefined;
      if (joining) await repo.upsertInstallation(trx, joining, platform, externalId, name ?? null);
      return joining;
    });
    if (orgId) return orgId;
    if (quiet) throw new InstallationNotLinked(platform, externalId);
    this.refused[platform]++;
    this.options.log?.warn({ platform, installation: externalId, ...(group ? { group } : {}) }, 'refused a workspace or tenant that is not linked to an organisation');
    throw new InstallationNotLinked(platform, externalId);
  }

  /** Single-organisation mode: the only organisation, created on first use. */
  async defaultOrganisation(): Promise<string> {
    return this.db.transaction().execute(async (trx) => {
      await repo.lockFirstContact(trx);
      const existing = await repo.listOrganisations(trx);
      if (existing.length > 1) {
        throw new InvalidInput('There are several organisations; an admin says which with `steward org link-installation`.');
      }
      if (existing[0]) return existing[0].id;
      return (await repo.createOrganisation(trx, this.options.defaultOrgName)).id;
    });
  }

  private noteSeen(identityId: string): void {
    this.seen.add(identityId);
    if (this.seenTimer) return;
    this.seenTimer = setTimeout(() => {
      this.seenTimer = undefined;
      const ids = [...this.seen];
      this.seen.clear();
      void repo.touchIdentities(this.db, ids).catch(() => {});
    }, 1_000);
    this.seenTimer.unref();
  }

  async resolveActor(request: ChatRequest, lookupEmail?: EmailLookup): Promise<Actor> {
    const { platform, installationId, user } = request;
    const key = `${platform}:${installationId}:${user.id}`;
    // Remembered while notices arrive (a change elsewhere forgets it at once), else for a moment.
    const listening = this.actors.isEnabled;
    const known = listening ? this.actors.get(key) : this.recentActor(key);
    if (known && known.epoch === rolesEpoch) return known.actor;
    const epoch = rolesEpoch;
    const ticket = this.actors.ticket();
    const actor = await this.lookUpActor(request, lookupEmail);
    if (listening) {
      this.actors.set(key, { actor, epoch }, ticket);
    } else {
      if (this.actorCache.size >= ACTOR_CACHE_MAX) this.actorCache.clear();
      this.actorCache.set(key, { actor, at: Date.now(), epoch });
    }
    return actor;
  }

  private recentActor(key: string): { actor: Actor; epoch: number } | undefined {
    const cached = this.actorCache.get(key);
    return cached && Date.now() - cached.at < ACTOR_REUSE_MS ? cached : undefined;
  }

  private async lookUpActor(request: ChatRequest, lookupEmail?: EmailLookup): Promise<Actor> {
    const { platform, installationId, user } = request;
    const orgId = await this.orgForInstallation(platform, installationId, request.installationName, request.installationGroup);
    let person = await repo.findPersonByIdentity(this.db, platform, installationId, user.id);
    if (!person) {
      const email = (user.email ?? (await lookupEmail?.(request).catch(() => undefined)))?.toLowerCase();
      await this.db.transaction().execute(async (trx) => {
        const known = email ? await repo.findPersonByEmail(trx, orgId, email) : undefined;
        const rosterName = !user.name && platform === 'teams' ? await repo.teamsRosterName(trx, installationId, user.id) : undefined;
        const personId = known?.id ?? (await repo.createPerson(trx, orgId, user.name ?? rosterName ?? user.id, email ?? null)).id;
        await repo.addIdentity(trx, personId, platform, installationId, user.id);
        // They found Steward themselves: their first message from it needs no welcome.
        await repo.markMet(trx, personId);
      });
      person = await repo.findPersonByIdentity(this.db, platform, installationId, user.id);
      if (!person) throw new Error('identity vanished right after it was created');
    } else if (user.name && person.display_name === user.id) {
      // Known until now only by their id (first seen without a name): named as the platform names them.
      await repo.nameIfUnknown(this.db, person.id, user.name, user.id);
      person = { ...person, display_name: user.name };
    } else if (Date.now() - person.last_seen_at.getTime() > LAST_SEEN_RESOLUTION_MS) {
      // "Which platform did they use last" only needs minute resolution, not a write per command.
      this.noteSeen(person.identity_id);
    }
    return {
      personId: person.id,
      orgId: person.org_id,
      name: person.display_name,
      email: person.email,
      roles: new Set(person.roles),
      platform,
      platformUserId: user.id,
    };
  }
}

/** About the bytes a remembered actor takes: its strings twice (UTF-16), its roles, the objects around them. */
function actorBytes({ actor }: { actor: Actor }): number {
  return 400 + 2 * (actor.personId.length + actor.orgId.length + actor.name.length + (actor.email?.length ?? 0) + actor.platformUserId.length) + 64 * actor.roles.size;
}

export interface GrantOptions {
  orgId: string;
  role: Role;
  byPersonId?: string | null;
  byLabel?: string | null;
}

const roleChange = (personId: string, options: GrantOptions): repo.RoleChange => ({
  personId,
  role: options.role,
  byPersonId: options.byPersonId ?? null,
  byLabel: options.byLabel ?? null,
});

/** Grants a role (idempotent) and logs it. */
export async function grantRole(db: Db, personId: string, options: GrantOptions): Promise<boolean> {
  const change = roleChange(personId, options);
  return db.transaction().execute(async (trx) => {
    if (!(await repo.insertRole(trx, change))) return false;
    await repo.recordRoleEvent(trx, change, 'grant');
    return true;
  }).finally(rolesChanged);
}

export async function revokeRole(db: Db, personId: string, options: GrantOptions): Promise<boolean> {
  const change = roleChange(personId, options);
  return db.transaction().execute(async (trx) => {
    if (options.role === 'admin') {
      // Never leave an organisation without an admin who could grant the role back.
      const admins = await repo.peopleWithRole(trx, options.orgId, 'admin');
      if (admins.length === 1 && admins[0]?.id === personId) {
        throw new InvalidInput('That is the last admin of the organisation; grant admin to someone else first.');
      }
    }
    if (!(await repo.deleteRole(trx, personId, options.role))) return false;
    await repo.recordRoleEvent(trx, change, 'revoke');
    return true;
  }).finally(rolesChanged);
}

/** Finds the person with this e-mail in the organisation, or records them so roles can be granted before first contact. */
export async function personForEmail(db: Db, orgId: string, email: string, displayName?: string) {
  const normalised = email.trim().toLowerCase();
  const known = await repo.findPersonByEmail(db, orgId, normalised);
  if (known) return known.id;
  await repo.insertPersonByEmail(db, orgId, normalised, displayName ?? normalised.split('@')[0] ?? normalised);
  const created = await repo.findPersonByEmail(db, orgId, normalised);
  if (!created) throw new NotFound(`No person with e-mail ${normalised}`);
  return created.id;
}

/** What the role use cases need (a Pick of src/services.ts's Services, written out: services.ts imports this module). */
export type OrgsDeps = { db: Db };

/** Who holds each role in the actor's organisation (anyone may ask). */
export async function roleHolders(deps: OrgsDeps, actor: Actor): Promise<{ role: Role; names: string[] }[]> {
  return Promise.all(ROLES.map(async (role) => ({ role, names: (await repo.peopleWithRole(deps.db, actor.orgId, role)).map((p) => p.display_name) })));
}

/**
 * `role grant|revoke`: admins only, checked before anything else happens (`which` parses the role
 * and resolves the mentioned person, who is created on first sight). True when something changed.
 */
export async function changeRole(
  deps: OrgsDeps,
  actor: Actor,
  verb: 'grant' | 'revoke',
  which: () => Promise<{ target: Actor; role: Role }>,
): Promise<{ target: Actor; role: Role; changed: boolean }> {
  requireRole(actor, 'admin', `${verb} roles`);
  const { target, role } = await which();
  const options = { orgId: actor.orgId, role, byPersonId: actor.personId, byLabel: actor.name };
  const changed = verb === 'grant' ? await grantRole(deps.db, target.personId, options) : await revokeRole(deps.db, target.personId, options);
  return { target, role, changed };
}

/**
 * The person with this Teams identity (tenant, AAD object id), recorded now when unknown: how an
 * admin gives a role to a Teams user Steward cannot link by e-mail (an unverified local client
 * such as the Agents Playground, or a user whose e-mail differs). With `email`, an unknown identity
 * joins the person with that e-mail (created if needed). Links the tenant to the organisation when
 * it is not linked yet, as `org link-installation` would.
 */
export async function personForTeamsUser(
  db: Db,
  orgId: string,
  tenantId: string,
  userId: string,
  who: { email?: string | undefined; displayName?: string | undefined } = {},
): Promise<string> {
  return db.transaction().execute(async (trx) => {
    const installation = await repo.findInstallation(trx, 'teams', tenantId);
    if (installation && installation.org_id !== orgId) throw new InvalidInput(`The Teams tenant ${tenantId} belongs to another organisation.`);
    if (!installation) await repo.upsertInstallation(trx, orgId, 'teams', tenantId, null);
    const known = await repo.findPersonByIdentity(trx, 'teams', tenantId, userId);
    const byEmail = who.email ? await personForEmail(trx, orgId, who.email, who.displayName) : undefined;
    if (known) {
      if (byEmail && byEmail !== known.id) throw new InvalidInput(`Teams user ${userId} is already ${known.display_name}, not the person with e-mail ${who.email}.`);
      return known.id;
    }
    const personId = byEmail ?? (await repo.createPerson(trx, orgId, who.displayName ?? `Teams user ${userId.slice(0, 8)}`, null)).id;
    await repo.addIdentity(trx, personId, 'teams', tenantId, userId);
    return personId;
  });
}
