// An organisation with a board, a governance channel and services around a test database, for the
// proposals and settings suites (service level, without HTTP).
import { ManualClock, type Clock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import type { Db } from '../../src/db/database.js';
import type { Role } from '../../src/db/foundation-tables.js';
import { createLogger } from '../../src/log.js';
import * as orgsRepo from '../../src/orgs/repo.js';
import { grantRole, OrgDirectory } from '../../src/orgs/service.js';
import { type Actor } from '../../src/chat/actor.js';
import type { ProposalForm } from '../../src/proposals/schema.js';
import type { Services } from '../../src/services.js';
import { makeGovernanceChannel, updateGovernanceSettings } from '../../src/governance/service.js';

export interface Fixture {
  services: Services;
  clock: ManualClock;
  orgId: string;
  /** Outbox ids handed to kickDelivery, in order. */
  kicked: string[];
}

export function testServices(db: Db, clock: Clock, kicked: string[]): Services {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0' });
  return {
    db,
    clock,
    config,
    log: createLogger('silent'),
    orgs: new OrgDirectory(db, { defaultOrgName: 'Acme' }),
    kickDelivery: (ids) => kicked.push(...ids),
    syncSchedules: () => {},
  };
}

/** A person of the organisation known on one platform (their chat identity), with these roles. */
export async function personOnPlatform(
  db: Db,
  options: { orgId: string; platform: 'slack' | 'teams'; installationId: string; userId: string; name: string; roles: Role[] },
): Promise<string> {
  const created = await orgsRepo.createPerson(db, options.orgId, options.name, null);
  await orgsRepo.addIdentity(db, created.id, options.platform, options.installationId, options.userId);
  for (const role of options.roles) await grantRole(db, created.id, { orgId: options.orgId, role, byLabel: 'test' });
  return created.id;
}

/** A new organisation in the database: tests share one database and keep to their own organisation. */
export async function createFixture(db: Db, start = new Date('2027-03-29T08:00:00Z')): Promise<Fixture> {
  const clock = new ManualClock(start);
  const kicked: string[] = [];
  const services = testServices(db, clock, kicked);
  const { id: orgId } = await orgsRepo.createOrganisation(db, `Acme ${++seq}`);
  return { services, clock, orgId, kicked };
}

let seq = 0;

/** A person with a Slack identity and these roles, as an Actor. */
export async function addPerson(fixture: Fixture, name: string, roles: Role[] = []): Promise<Actor> {
  const { db } = fixture.services;
  const userId = `U${String(++seq).padStart(8, '0')}`;
  const person = await orgsRepo.createPerson(db, fixture.orgId, name, null);
  await orgsRepo.addIdentity(db, person.id, 'slack', 'T0001', userId);
  for (const role of roles) await grantRole(db, person.id, { orgId: fixture.orgId, role, byLabel: 'test' });
  return { personId: person.id, orgId: fixture.orgId, name, email: null, roles: new Set(roles), platform: 'slack', platformUserId: userId };
}

/** Many board members at once (a board of hundreds), inserted in bulk. */
export async function addBoard(fixture: Fixture, count: number, prefix = 'Member'): Promise<Actor[]> {
  const { db } = fixture.services;
  const actors: Actor[] = [];
  const rows = Array.from({ length: count }, (_, i) => ({ org_id: fixture.orgId, display_name: `${prefix} ${String(i + 1).padStart(4, '0')}`, email: null }));
  for (let i = 0; i < rows.length; i += 500) {
    const people = await db.insertInto('people').values(rows.slice(i, i + 500)).returning(['id', 'display_name']).execute();
    await db.insertInto('roles').values(people.map((p) => ({ person_id: p.id, role: 'board' as const, granted_by: 'test' }))).execute();
    for (const p of people) {
      actors.push({ personId: p.id, orgId: fixture.orgId, name: p.display_name, email: null, roles: new Set(['board']), platform: 'slack', platformUserId: `UB${p.id.slice(0, 8)}` });
    }
  }
  return actors;
}

export async function addGovernanceChannel(fixture: Fixture, externalId = `CGOV${fixture.orgId.slice(0, 8).toUpperCase()}`): Promise<string> {
  const { conversationId } = await makeGovernanceChannel(fixture.services.db, fixture.orgId, {
    platform: 'slack',
    installationExternalId: 'T0001',
    externalId,
    kind: 'channel',
    name: 'governance',
  });
  return conversationId;
}

export async function setRule(fixture: Fixture, patch: Parameters<typeof updateGovernanceSettings>[2]): Promise<void> {
  await updateGovernanceSettings(fixture.services.db, fixture.orgId, patch);
}

export function form(overrides: Partial<ProposalForm> = {}): ProposalForm {
  return {
    title: 'Welcome call in the first week',
    problem: 'New customers do not know where to start and call support three times in their first month.',
    journey: undefined,
    kpiImpact: 'Onboarding NPS +5',
    effort: 2,
    customerValue: 4,
    businessValue: 3,
    ...overrides,
  };
}
