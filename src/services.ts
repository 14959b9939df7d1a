// What every handler and job may use; built once in src/main.ts (and by tests with their own parts).
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Db } from './db/database.js';
import type { Logger } from './log.js';
import type { OrgDirectory } from './orgs/service.js';

export interface Services {
  db: Db;
  clock: Clock;
  config: Config;
  log: Logger;
  orgs: OrgDirectory;
  /**
   * Tells the delivery queue that outbox rows were committed; harmless when Redis is away. With
   * `background`, they go after every message waiting without it (see DeliveryQueue.kick).
   */
  kickDelivery(outboxIds: string[], options?: { background?: boolean }): void;
  /** Re-reads an organisation's schedule settings into its BullMQ job schedulers. */
  syncSchedules(orgId: string): void;
}
