// Builds a running Steward from a config: database, queues, chat adapters, HTTP server, workers.
// src/main.ts runs it as a process; tests build it in-process with their own database and Redis.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { ChatRouter } from './chat/router.js';
import type { Capability } from './chat/capability.js';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { openDatabase, ping, type DatabaseHandle } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { Deliverer } from './delivery/deliver.js';
import type { Notifier } from './delivery/notifier.js';
import { outboxCounts } from './delivery/outbox.js';
import { helpCapability } from './help/capability.js';
import { Metrics } from './http/metrics.js';
import { createHttpServer, sendJson, type Route } from './http/server.js';
import { ingestRoutes } from './http/api/ingest.js';
import { RedisRateLimiter } from './http/api/rate-limit.js';
import { chartRoute } from './charts/route.js';
import { KpiAlertQueue, KpiAlertSweep, startKpiAlertWorker } from './jobs/kpi-alerts.js';
import { kpisCapability } from './kpis/capability.js';
import { KpiCharts } from './kpis/charts.js';
import { DeliveryQueue, OutboxSweep, startDeliveryWorker } from './jobs/delivery.js';
import { EscalationQueue, EscalationSweep, startEscalationWorker } from './jobs/escalation.js';
import { journeysCapability } from './journeys/capability.js';
import { PING_MESSAGE_RENDERER, pingMessageRenderer } from './journeys/pings.js';
import { RedisHealth, redisConnection } from './jobs/redis.js';
import { GovernanceSchedules, catchUpDigests, startGovernanceWorker } from './jobs/governance.js';
import { governanceCapability } from './governance/capability.js';
import type { Card } from './chat/card.js';
import { AnswerCache } from './db/answer-cache.js';
import { TermIndexes } from './glossary/matching/term-indexes.js';
import { createGlossaryCapability, type LookupAnswer } from './glossary/capability.js';
import { LookupLog } from './glossary/lookup-log.js';
import { kpisUsingTerm, type KpiTermLink } from './kpis/glossary-section.js';
import { createLogger, type Logger } from './log.js';
import { orgsCapability } from './orgs/capability.js';
import { ProposalDeadlineQueue, ProposalDeadlineSweep, startProposalDeadlineWorker } from './jobs/proposal-deadline.js';
import { proposalsCapability } from './proposals/capability.js';
import { PROPOSAL_CARD_RENDERER, proposalCardRenderer } from './proposals/live-card.js';
import { settingsCapability } from './settings/capability.js';
import { OrgDirectory } from './orgs/service.js';
import { seedDemoIfEmpty } from './seed/demo.js';
import type { Services } from './services.js';
import { SlackAdapter } from './slack/app.js';
import { SlackNotifier } from './slack/notifier.js';
import { activityProblem, createCloudAdapter, processTeamsRequest } from './teams/adapter.js';
import { StewardTeamsBot } from './teams/bot.js';
import { TeamsNotifier } from './teams/notifier.js';
import { withTimeout } from './with-timeout.js';

export interface StewardOptions {
  config: Config;
  /** Run the HTTP side (chat endpoints, health, metrics). */
  http?: boolean;
  /** Run the workers (delivery, sweep, schedules). */
  workers?: boolean;
  clock?: Clock;
  log?: Logger;
  /** Use this database instead of opening one from the config (tests). */
  database?: DatabaseHandle;
  /** BullMQ key prefix; tests give each run its own. */
  queuePrefix?: string;
  /** Delivery lease; tests shorten it. */
  deliveryLeaseMs?: number;
  sweepIntervalMs?: number;
}

export interface Steward {
  services: Services;
  router: ChatRouter;
  server?: Server;
  url?: string;
  deliverer: Deliverer;
  queue: DeliveryQueue;
  sweep?: OutboxSweep;
  redisHealth: RedisHealth;
  /** The glossary lookup log, written behind the answers; flush() to read what was just asked. */
  lookupLog: LookupLog;
  /** Whether glossary answers are remembered now (the change listener is connected). */
  answersCached(): boolean;
  /** Each organisation's glossary names, aliases and words in memory, while they are current. */
  termIndexes: TermIndexes;
  close(): Promise<void>;
}

export async function startSteward(options: StewardOptions): Promise<Steward> {
  const { config } = options;
  const runHttp = options.http ?? true;
  const runWorkers = options.workers ?? true;
  const log = options.log ?? createLogger(config.LOG_LEVEL);
  const clock = options.clock ?? systemClock;

  const database = options.database ?? (await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, poolSize: config.DATABASE_POOL_SIZE }));
  const applied = await migrateToLatest(database.db);
  if (applied.length) log.info({ applied }, 'database migrated');
  if (database.kind === 'pglite' && !options.database) {
    // Only the embedded default is seeded, and only when brand-new: a first-time user sees real content.
    const seeded = await seedDemoIfEmpty(database.db, { orgName: config.STEWARD_ORG_NAME });
    if (seeded) log.info('new embedded database: loaded the demo organisation (steward seed demo)');
  }
  log.info({ database: database.kind === 'pglite' ? `embedded PGlite in ${config.DATA_DIR}` : 'postgres' }, 'database ready');

  const redisHealth = new RedisHealth(log);
  const producer = redisConnection(config.REDIS_URL, 'producer');
  redisHealth.watch(producer, 'producer');
  const queue = new DeliveryQueue(producer, { log, ...(options.queuePrefix ? { prefix: options.queuePrefix } : {}) });

  const orgs = new OrgDirectory(database.db, { defaultOrgName: config.STEWARD_ORG_NAME });
  const escalations = new EscalationQueue(producer, { clock, log, prefix: options.queuePrefix });
  const schedules = new GovernanceSchedules(producer, { db: database.db, log, ...(options.queuePrefix ? { prefix: options.queuePrefix } : {}) });
  const services: Services = {
    db: database.db,
    clock,
    config,
    log,
    orgs,
    kickDelivery: (ids) => queue.kick(ids),
    syncSchedules: (orgId) => schedules.syncSoon(orgId),
  };

  const deadlines = new ProposalDeadlineQueue(producer, { services, ...(options.queuePrefix ? { prefix: options.queuePrefix } : {}) });
  const kpiCharts = new KpiCharts(services);
  const kpiAlerts = new KpiAlertQueue(producer, { log, ...(options.queuePrefix ? { prefix: options.queuePrefix } : {}) });
  const lookupLog = new LookupLog(database.db, log);
  // Answers are remembered only while the database's change notices arrive (see AnswerCache).
  // A term card shows no KPI values: their ingest must not empty the glossary's answers.
  const answers = new AnswerCache<LookupAnswer>({ unaffectedBy: ['kpi_values'] });
  const kpiLinks = new AnswerCache<KpiTermLink[]>({ maxEntries: 1_000, unaffectedBy: ['kpi_values'] });
  // KPI snapshots also say how fresh the data is ("stale"), which changes with time alone: a minute at most.
  const kpiAnswers = new AnswerCache<Card>({ maxEntries: 2_000, maxAgeMs: 60_000 });
  // Names, aliases and words of each organisation's glossary in memory, under the same rule.
  const termIndexes = new TermIndexes(database.db, log);
  const remembered = [answers, kpiLinks, kpiAnswers, termIndexes];
  // Only the chat side answers lookups; a worker-only process has nothing to remember.
  const changeNotices = runHttp
    ? await database.listenForChanges(
        {
          changed: (table) => remembered.forEach((kept) => kept.changed(table)),
          listening: () => remembered.forEach((cache) => cache.enable()),
          lost: () => remembered.forEach((cache) => cache.disable()),
        },
        log,
      )
    : { close: async () => {} };
  const capabilities: Capability[] = [
    orgsCapability,
    createGlossaryCapability({ lookupLog, answers, termIndexes, termSections: [kpisUsingTerm(kpiLinks)] }),
    governanceCapability,
    journeysCapability({ scheduleEscalation: (pingId, at) => escalations.schedule(pingId, at) }),
    proposalsCapability({ deadlines }),
    settingsCapability,
    kpisCapability(kpiCharts, clock, { answers: kpiAnswers }),
  ];
  const commandList = () => router.listCommands();
  const router: ChatRouter = new ChatRouter(services, [helpCapability(commandList), ...capabilities]);

  const metrics = new Metrics({ queueDepth: () => queue.depth(), outboxDepth: () => outboxCounts(database.db), answers: () => ({ glossary: answers.counts, kpis: kpiAnswers.counts }) });
  const notifiers: Partial<Record<'slack' | 'teams', Notifier>> = {};
  const routes: Route[] = [];

  // Slack
  let slack: SlackAdapter | undefined;
  if (config.slackEnabled && config.SLACK_SIGNING_SECRET && config.SLACK_BOT_TOKEN) {
    slack = new SlackAdapter({
      signingSecret: config.SLACK_SIGNING_SECRET,
      botToken: config.SLACK_BOT_TOKEN,
      apiUrl: config.SLACK_API_URL,
      appToken: config.SLACK_APP_TOKEN,
      router,
      log,
    });
    notifiers.slack = new SlackNotifier({ botToken: config.SLACK_BOT_TOKEN, apiUrl: config.SLACK_API_URL });
    if (runHttp && !slack.socketMode) {
      const receiver = slack.receiver;
      routes.push({ method: 'POST', path: '/slack/events', name: 'slack', handler: (req, res, body) => receiver.handle(req, res, body), maxBodyBytes: 1_000_000 });
    }
  } else if (runHttp) {
    log.info('Slack is off: set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN to turn on /slack/events (and SLACK_APP_TOKEN for Socket Mode)');
  }

  // Teams
  const cloudAdapter = createCloudAdapter(
    { appId: config.MICROSOFT_APP_ID, appPassword: config.MICROSOFT_APP_PASSWORD, appTenantId: config.MICROSOFT_APP_TENANT_ID, appType: config.MICROSOFT_APP_TYPE },
    log,
  );
  const bot = new StewardTeamsBot({ router, orgs, db: database.db, log });
  notifiers.teams = new TeamsNotifier({
    adapter: cloudAdapter,
    appId: config.MICROSOFT_APP_ID ?? '',
    serviceUrlFor: async (tenantId) => {
      const row = await database.db
        .selectFrom('conversations')
        .select('reference')
        .where('platform', '=', 'teams')
        .where('installation_external_id', '=', tenantId)
        .where('reference', 'is not', null)
        .orderBy('updated_at', 'desc')
        .executeTakeFirst();
      const serviceUrl = row?.reference?.serviceUrl;
      return typeof serviceUrl === 'string' ? serviceUrl : undefined;
    },
  });
  if (runHttp) {
    if (config.teamsAnonymous) {
      log.warn('Teams runs WITHOUT authentication (no MICROSOFT_APP_ID): fine for local use and the Agents Playground, never for production');
    }
    routes.push({
      method: 'POST',
      path: '/api/messages',
      name: 'teams',
      maxBodyBytes: 2_000_000,
      handler: async (req, res, body) => {
        let activity: unknown;
        try {
          activity = JSON.parse(body.toString('utf8'));
        } catch {
          sendJson(res, 400, { error: 'the body is not a JSON activity' });
          return '400';
        }
        const problem = activityProblem(activity);
        if (problem) {
          sendJson(res, 400, { error: problem });
          return '400';
        }
        const status = await processTeamsRequest(cloudAdapter, req, res, activity, (context) => bot.run(context));
        return String(status);
      },
    });
  }

  // Delivery timing (leases, Retry-After, channel slots) is wall-clock plumbing, not business time:
  // it always runs on the system clock, also when tests move the business clock.
  const deliverer = new Deliverer({
    db: database.db,
    clock: systemClock,
    notifiers,
    renderers: { [PROPOSAL_CARD_RENDERER]: proposalCardRenderer(database.db), [PING_MESSAGE_RENDERER]: pingMessageRenderer(database.db) },
    ...(options.deliveryLeaseMs ? { leaseMs: options.deliveryLeaseMs } : {}),
  });

  // KPI charts and the ingest API
  routes.push(
    chartRoute({ secret: config.secret, clock, png: (ref) => kpiCharts.png(ref) }),
    ...ingestRoutes({
      db: database.db,
      clock,
      log,
      limiter: new RedisRateLimiter(producer, { log, ...(options.queuePrefix ? { prefix: options.queuePrefix } : {}) }),
      onStored: (kpiIds) => kpiAlerts.kick(kpiIds),
    }),
  );

  // Health and metrics
  routes.push(
    { method: 'GET', path: '/healthz', name: 'healthz', handler: async (_req, res) => sendJson(res, 200, { status: 'ok' }) },
    {
      method: 'GET',
      path: '/readyz',
      name: 'readyz',
      handler: async (_req, res) => {
        const databaseOk = await withTimeout(ping(database.db).then(() => true, () => false), 2_000);
        const redisOk = redisHealth.isReady;
        const ok = Boolean(databaseOk) && redisOk;
        sendJson(res, ok ? 200 : 503, {
          status: ok ? 'ready' : 'degraded',
          database: { ok: Boolean(databaseOk), kind: database.kind },
          redis: { ok: redisOk, ...(redisOk ? {} : { note: 'outbound messages wait in the outbox until Redis returns' }) },
        });
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      name: 'metrics',
      handler: async (_req, res) => {
        const body = await metrics.registry.metrics();
        res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body);
      },
    },
  );

  // Workers
  let worker: Worker | undefined;
  let workerConnection: Redis | undefined;
  let sweep: OutboxSweep | undefined;
  let governanceWorker: Worker | undefined;
  let kpiAlertWorker: Worker | undefined;
  let kpiAlertSweep: KpiAlertSweep | undefined;
  let escalationWorker: Worker | undefined;
  let escalationSweep: EscalationSweep | undefined;
  let deadlineWorker: Worker | undefined;
  let deadlineSweep: ProposalDeadlineSweep | undefined;
  if (runWorkers) {
    workerConnection = redisConnection(config.REDIS_URL, 'worker');
    redisHealth.watch(workerConnection, 'worker');
    worker = startDeliveryWorker({ connection: workerConnection, deliverer, clock: systemClock, log, ...(options.queuePrefix ? { prefix: options.queuePrefix } : {}) });
    sweep = new OutboxSweep({ db: database.db, clock: systemClock, queue, log, ...(options.sweepIntervalMs ? { intervalMs: options.sweepIntervalMs } : {}) });
    sweep.start();
    const alertDeps = { db: database.db, clock, log, kickDelivery: services.kickDelivery, scheduleEscalation: (pingId: string, at: Date) => escalations.schedule(pingId, at) };
    kpiAlertWorker = startKpiAlertWorker({ connection: workerConnection, deps: alertDeps, ...(options.queuePrefix ? { prefix: options.queuePrefix } : {}) });
    kpiAlertSweep = new KpiAlertSweep({ deps: alertDeps, queue: kpiAlerts, ...(options.sweepIntervalMs ? { intervalMs: options.sweepIntervalMs } : {}) });
    kpiAlertSweep.start();
    const escalationDeps = { db: database.db, clock, log, kickDelivery: services.kickDelivery, schedule: (pingId: string, at: Date) => escalations.schedule(pingId, at) };
    escalationWorker = startEscalationWorker({ ...escalationDeps, connection: workerConnection, prefix: options.queuePrefix });
    escalationSweep = new EscalationSweep({ ...escalationDeps, intervalMs: options.sweepIntervalMs });
    escalationSweep.start();
    deadlineWorker = startProposalDeadlineWorker({ connection: workerConnection, services, ...(options.queuePrefix ? { prefix: options.queuePrefix } : {}) });
    deadlineSweep = new ProposalDeadlineSweep({ services, log, ...(options.sweepIntervalMs ? { intervalMs: options.sweepIntervalMs } : {}) });
    deadlineSweep.start();
    governanceWorker = startGovernanceWorker({ connection: workerConnection, db: database.db, clock, log, kickDelivery: services.kickDelivery, ...(options.queuePrefix ? { prefix: options.queuePrefix } : {}) });
    // Schedules follow the settings in the database; a worker that was away posts what it missed, once.
    void schedules.syncAll().catch((error: unknown) => log.warn({ err: error }, 'could not sync digest schedules (Redis away?); retried at next start'));
    void catchUpDigests({ db: database.db, clock, log, kickDelivery: services.kickDelivery }).catch((error: unknown) => log.warn({ err: error }, 'digest catch-up failed'));
  }

  await slack?.start();

  let server: Server | undefined;
  let url: string | undefined;
  if (runHttp) {
    server = createHttpServer(routes, { log, metrics });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(config.PORT, resolve);
    });
    const port = (server.address() as AddressInfo).port;
    url = `http://127.0.0.1:${port}`;
    log.info({ port, slack: Boolean(slack), teams: config.teamsAnonymous ? 'anonymous' : 'authenticated' }, `Steward listening on ${url}`);
  }

  let closed = false;
  return {
    services,
    router,
    deliverer,
    queue,
    redisHealth,
    lookupLog,
    termIndexes,
    answersCached: () => answers.isEnabled,
    ...(server ? { server } : {}),
    ...(url ? { url } : {}),
    ...(sweep ? { sweep } : {}),
    async close() {
      if (closed) return;
      closed = true;
      sweep?.stop();
      escalationSweep?.stop();
      deadlineSweep?.stop();
      if (server) {
        server.closeIdleConnections();
        await new Promise<void>((resolve) => server!.close(() => resolve()));
      }
      await slack?.stop();
      // After the HTTP side stopped answering, so no lookup comes in after the last write.
      await lookupLog.close();
      await changeNotices.close();
      await worker?.close().catch(() => {});
      await governanceWorker?.close().catch(() => {});
      kpiAlertSweep?.stop();
      await kpiAlertWorker?.close().catch(() => {});
      await kpiAlerts.close().catch(() => {});
      await escalationWorker?.close().catch(() => {});
      await deadlineWorker?.close().catch(() => {});
      await deadlines.close().catch(() => {});
      await escalations.close().catch(() => {});
      await schedules.close().catch(() => {});
      await queue.close().catch(() => {});
      producer.disconnect();
      workerConnection?.disconnect();
      if (!options.database) await database.close();
    },
  };
}
