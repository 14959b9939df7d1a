// Starts a Steward in-process for a test: its own database schema, its own queue prefix, the Slack
// Web API pointed at a fake, a random port.
import { randomUUID } from 'node:crypto';
import { startSteward, type Steward, type StewardOptions } from '../../src/app.js';
import { ManualClock, type Clock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { createTestDatabase, type DatabaseKind, type TestDatabase } from './database.js';
import { FakeConnector } from './fake-connector.js';
import { FakeSlack } from './fake-slack.js';
import { SIGNING_SECRET } from './slack.js';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestStewardOptions {
  databaseKind?: DatabaseKind;
  env?: Record<string, string>;
  clock?: Clock;
  workers?: boolean;
  redisUrl?: string;
  extra?: Partial<StewardOptions>;
}

export interface TestSteward {
  steward: Steward;
  url: string;
  slack: FakeSlack;
  connector: FakeConnector;
  database: TestDatabase;
  queuePrefix: string;
  clock: Clock;
  close(): Promise<void>;
}

export async function startTestSteward(options: TestStewardOptions = {}): Promise<TestSteward> {
  const slack = await new FakeSlack().start();
  const connector = await new FakeConnector().start();
  const database = await createTestDatabase(options.databaseKind ?? 'postgres');
  const queuePrefix = `test-${randomUUID()}`;
  const clock = options.clock ?? new ManualClock(new Date());
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_API_URL: slack.apiUrl,
    REDIS_URL: options.redisUrl ?? TEST_REDIS_URL,
    PUBLIC_URL: 'http://127.0.0.1:3978',
    STEWARD_SECRET: 'test-secret-0123456789abcdef',
    // The suites' Slack workspace and Teams tenant share one organisation, whichever speaks first.
    STEWARD_ALLOWED_INSTALLATIONS: 'slack:T0001,teams:tenant-0001',
    ...options.env,
  });
  const steward = await startSteward({
    config,
    database,
    clock,
    log: createLogger(config.LOG_LEVEL),
    queuePrefix,
    workers: options.workers ?? true,
    deliveryLeaseMs: 2_000,
    sweepIntervalMs: 250,
    ...options.extra,
  });
  return {
    steward,
    url: steward.url ?? '',
    slack,
    connector,
    database,
    queuePrefix,
    clock,
    async close() {
      await steward.close();
      await slack.close();
      await connector.close();
      await database.drop();
    },
  };
}

/**
 * Links each of the fake connector's members to the person with its e-mail, by Teams identity in the
 * test tenant, as an admin would with `steward role grant --teams-user <id> --email <e-mail>` (the
 * same service function): without Bot Framework credentials Steward learns nothing from a request
 * (no e-mail lookup), so tests that need a Teams user to be a known person say so here. A member
 * already known by its Teams identity is left as it is.
 */
export async function linkTeamsMembers(t: TestSteward, tenantId = 'tenant-0001'): Promise<void> {
  const { personForTeamsUser } = await import('../../src/orgs/service.js');
  const { findPersonByIdentity } = await import('../../src/orgs/repo.js');
  const orgId = await t.steward.services.orgs.defaultOrganisation();
  for (const member of t.connector.members.values()) {
    if (!member.email || !member.aadObjectId) continue;
    if (await findPersonByIdentity(t.database.db, 'teams', tenantId, member.aadObjectId)) continue;
    await personForTeamsUser(t.database.db, orgId, tenantId, member.aadObjectId, { email: member.email, displayName: member.name });
  }
}
