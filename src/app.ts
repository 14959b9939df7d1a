// Builds a running Steward from a config: database, queues, chat adapters, HTTP server, workers.
// src/main.ts runs it as a process; tests build it in-process with their own database and Redis.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChatRouter } from './chat/router.js';
import type { Capability } from './chat/capability.js';
import type { Card } from './chat/card.js';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { AnswerCache } from './db/answer-cache.js';
import type { ChangeNotices } from './db/change-notices.js';
import { openDatabase, type DatabaseHandle } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import type { Remembered } from './db/remembered.js';
import { Deliverer } from './delivery/deliver.js';
import { DeliveryQueue, deliveryJob, type OutboxSweep } from './delivery/jobs.js';
import { outboxCounts } from './delivery/outbox-repo.js';
import { createGlossaryCapability, type ComposeAnswer, type LookupAnswer } from './glossary/capability.js';
import { LookupLog } from './glossary/lookup-log.js';
import { TermIndexes } from './glossary/matching/term-indexes.js';
import { TermCards } from './glossary/term-cards.js';
import { governanceCapability, settingsCapability } from './governance/capability.js';
import { GovernanceSchedules, governanceJob } from './governance/jobs.js';
import { helpCapability } from './help/capability.js';
import { homeCapability } from './home/capability.js';
import { BearerAuth } from './http/api/bearer.js';
import { ingestRoutes } from './http/api/ingest.js';
import { RedisRateLimiter } from './http/api/rate-limit.js';
import { chartRoute } from './http/chart-route.js';
import { healthRoutes } from './http/health.js';
import { Metrics } from './http/metrics.js';
import { createHttpServer, type Route } from './http/server.js';
import { JobRegistry } from './jobs/registry.js';
import { RedisHealth, redisConnection } from './jobs/redis.js';
import { journeysCapability } from './journeys/capability.js';
import { mcpRoutes } from './mcp/route.js';
import type { JourneyCardSection } from './journeys/cards.js';
import { PING_MESSAGE_RENDERER, pingMessageRenderer } from './pings/steps.js';
import { kpisCapability } from './kpis/capability.js';
import { kpiJourneySection } from './kpis/journey-section.js';
import { KpiCharts } from './kpis/charts.js';
import { kpisUsingTerm, type KpiTermLink } from './kpis/glossary-section.js';
import { KpiAlertQueue, kpiAlertJob } from './kpis/jobs.js';
import { createLogger, type Logger } from './log.js';
import { orgsCapability } from './orgs/capability.js';
import { reachCapability } from './reach/capability.js';
import { OrgDirectory } from './orgs/service.js';
import { pingsCapability } from './pings/capability.js';
import { EscalationQueue, escalationJob, pingUndeliverable } from './pings/jobs.js';
import { proposalsCapability } from './proposals/capability.js';
import { ProposalDeadlineQueue, proposalDeadlineJob } from './proposals/jobs.js';
import { PROPOSAL_CARD_RENDERER, proposalCardRenderer } from './proposals/live-card.js';
import { postOpenProposals } from './proposals/service.js';
import { seedDemoIfEmpty } from './seed/demo.js';
import type { Services } from './services.js';
import { Reach } from './reach/resolver.js';
import { ReachSweep } from './reach/jobs.js';
import { connectPlatforms, type Platforms } from './platforms.js';
import type { Platform } from './db/foundation-tables.js';

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
  /** How often Slack Home tabs are checked for changes (default 20 s; tests shorten it). */
  homeRefreshMs?: number;
  /** How long a serving process keeps a stored click to itself before another may take it (default 30 s; tests shorten it). */
  clickLeaseMs?: number;
  /** How often the reach sweep looks up accountable people Steward has never met (default 60 s; 0: never). */
  reachSweepIntervalMs?: number;
  /** How long a ping's confirmation waits to say whether it reached its people (default 1.5 s; tests that time pings set 0). */
  pingOutcomeWaitMs?: number;
  /** Sections for the journey card besides the KPIs' (tests add their own). */
  journeyCardSections?: JourneyCardSection[];
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
  /** Term cards remembered per term, and read together when not. */
  termCards: TermCards;
  close(): Promise<void>;
}

/** What every step needs: the options as given, with the defaults filled in. */
interface Start {
  options: StewardOptions;
  config: Config;
  log: Logger;
  clock: Clock;
  runHttp: boolean;
  runWorkers: boolean;
}

export async function startSteward(options: StewardOptions): Promise<Steward> {
  const { config } = options;
  const log = options.log ?? createLogger(config.LOG_LEVEL);
  const start: Start = { options, config, log, clock: options.clock ?? systemClock, runHttp: options.http ?? true, runWorkers: options.workers ?? true };
  const database = await openAndMigrate(start);
  const redis = connectRedis(start);
  const queues = openQueues(start, redis.jobs, database);
  const services = buildServices(start, database, queues);
  const memory = await rememberAnswers(start, database, [services.orgs.actors]);
  const router = buildRouter(start, services, memory, queues);
  const platforms = connectPlatforms(start, router, services);
  const reach = findPeople(database, platforms);
  const deliverer = buildDeliverer(start, database, platforms, reach, services);
  const metrics = watchMetrics(database, redis, queues, memory, services);
  const routes = start.runHttp ? [...platforms.routes, ...dataRoutes(start, database, redis, queues, memory, metrics), ...healthRoutes({ database, redisHealth: redis.health, metrics })] : [];
  const sweep = startJobs(start, redis.jobs, { services, deliverer, queues });
  const reachSweep = startReachSweep(start, database, reach);
  await platforms.slack?.start();
  platforms.inbox?.start();
  const http = start.runHttp ? await listen(start, routes, metrics, Boolean(platforms.slack)) : undefined;

  const closers = [
    () => reachSweep?.stop(),
    () => http?.close(),
    () => platforms.slack?.stop(),
    // Clicks stored but not yet handled stay in the inbox for the next serving process.
    () => platforms.inbox?.close(),
    // After the HTTP side stopped answering, so no lookup comes in after the last write.
    () => memory.lookupLog.close(),
    () => memory.changeNotices.close(),
    () => redis.jobs.close(),
    () => (options.database ? undefined : database.close()),
  ];
  let closed = false;
  return {
    services,
    router,
    deliverer,
    queue: queues.delivery,
    redisHealth: redis.health,
    lookupLog: memory.lookupLog,
    termIndexes: memory.termIndexes,
    termCards: memory.termCards,
    answersCached: () => memory.answers.isEnabled,
    ...(http ? { server: http.server, url: http.url } : {}),
    ...(sweep ? { sweep } : {}),
    async close() {
      if (closed) return;
      closed = true;
      for (const close of closers) await close();
    },
  };
}

async function openAndMigrate({ options, config, log }: Start): Promise<DatabaseHandle> {
  const database = options.database ?? (await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, poolSize: config.DATABASE_POOL_SIZE, keepConnections: true }));
  const applied = await migrateToLatest(database.db);
  if (applied.length) log.info({ applied }, 'database migrated');
  if (database.kind === 'pglite' && !options.database) {
    // Only the embedded default is seeded, and only when brand-new: a first-time user sees real content.
    const seeded = await seedDemoIfEmpty(database.db, { orgName: config.STEWARD_ORG_NAME });
    if (seeded) log.info('new embedded database: loaded the demo organisation (steward seed demo)');
  }
  log.info({ database: database.kind === 'pglite' ? `embedded PGlite in ${config.DATA_DIR}` : 'postgres' }, 'database ready');
  return database;
}

/** The producer connection in every process, the worker connection only where workers run. */
function connectRedis({ options, config, log, runWorkers }: Start): { health: RedisHealth; jobs: JobRegistry } {
  const health = new RedisHealth(log);
  const producer = redisConnection(config.REDIS_URL, 'producer');
  health.watch(producer, 'producer');
  const worker = runWorkers ? redisConnection(config.REDIS_URL, 'worker') : undefined;
  if (worker) health.watch(worker, 'worker');
  const jobs = new JobRegistry({ connections: { producer, worker }, prefix: options.queuePrefix, sweepIntervalMs: options.sweepIntervalMs, log });
  return { health, jobs };
}

type Queues = ReturnType<typeof openQueues>;

/** The producer side of every job, which requests and jobs use to wake the workers. */
function openQueues({ clock, log }: Start, jobs: JobRegistry, database: DatabaseHandle) {
  return {
    delivery: new DeliveryQueue(jobs.queue(deliveryJob), log),
    escalations: new EscalationQueue(jobs.queue(escalationJob), { clock, log }),
    schedules: new GovernanceSchedules(jobs.queue(governanceJob), { db: database.db, log }),
    deadlines: new ProposalDeadlineQueue(jobs.queue(proposalDeadlineJob), { clock, log }),
    kpiAlerts: new KpiAlertQueue(jobs.queue(kpiAlertJob), { log }),
  };
}

function buildServices({ config, clock, log }: Start, database: DatabaseHandle, queues: Queues): Services {
  return {
    db: database.db,
    clock,
    config,
    log,
    orgs: new OrgDirectory(database.db, { defaultOrgName: config.STEWARD_ORG_NAME, allowedInstallations: config.STEWARD_ALLOWED_INSTALLATIONS, log }),
    kickDelivery: (ids, options) => queues.delivery.kick(ids, options),
    syncSchedules: (orgId) => queues.schedules.syncSoon(orgId),
  };
}

interface Memory {
  answers: AnswerCache<LookupAnswer>;
  composeAnswers: AnswerCache<ComposeAnswer>;
  kpiLinks: AnswerCache<KpiTermLink[]>;
  kpiAnswers: AnswerCache<Card>;
  termIndexes: TermIndexes;
  termCards: TermCards;
  /** Rendered chart images: the snapshot draws one before answering, the chart route serves it. */
  charts: KpiCharts;
  lookupLog: LookupLog;
  changeNotices: ChangeNotices;
}

/**
 * Answers are remembered only while the database's change notices arrive (see AnswerCache);
 * `alsoRemembered` is what the services remember besides answers (who asks), told of changes the same way.
 */
async function rememberAnswers({ config, clock, log, runHttp }: Start, database: DatabaseHandle, alsoRemembered: Remembered[]): Promise<Memory> {
  // Each forgets only on notices of what it shows (src/db/remembered-tables.ts).
  // Both are keyed by the question: once full, they keep only questions asked again (the others are
  // one-offs). A few thousand hold every question asked again and again; more held only one-offs,
  // each with its serialised reply beside it (src/slack/app.ts commandResponse), for the garbage
  // collector to go through (bench/glossary --queries 200000: 14-19 MB more resident memory).
  const answerBudget = { maxEntries: 2_000, maxBytes: 8 * 1024 * 1024 };
  const answers = new AnswerCache<LookupAnswer>({ shows: 'glossaryAnswers', whenFullOnlyAskedAgain: true, ...answerBudget });
  // The compose extension's result lists show less than a lookup's card (names, status, definitions).
  const composeAnswers = new AnswerCache<ComposeAnswer>({ shows: 'glossaryAnswers', whenFullOnlyAskedAgain: true, ...answerBudget });
  const kpiLinks = new AnswerCache<KpiTermLink[]>({ maxEntries: 1_000, shows: 'kpiLinks' });
  // KPI snapshots also say how fresh the data is ("stale"), which changes with time alone: a minute at most.
  const kpiAnswers = new AnswerCache<Card>({ maxEntries: 2_000, maxAgeMs: 60_000, shows: 'kpiSnapshots' });
  // Names, aliases and words of each organisation's glossary in memory, under the same rule.
  const termIndexes = new TermIndexes(database.db, log);
  // What each term's card shows, for new questions: whole glossaries, and per term.
  const termCards = new TermCards(database.db, { log });
  const remembered = [answers, composeAnswers, kpiLinks, kpiAnswers, termIndexes, termCards.store, termCards.remembered, termCards.missContexts, ...alsoRemembered];
  // Only the chat side answers lookups; a worker-only process has nothing to remember. Without
  // listening (REMEMBER_ANSWERS=false) nothing is ever enabled: every lookup reads the database.
  const changeNotices = runHttp && config.REMEMBER_ANSWERS
    ? await database.listenForChanges(
        {
          changed: (table) => remembered.forEach((kept) => kept.changed(table)),
          listening: () => remembered.forEach((cache) => cache.enable()),
          lost: () => remembered.forEach((cache) => cache.disable()),
        },
        log,
      )
    : { close: async () => {} };
  const charts = new KpiCharts({ db: database.db, clock, config });
  return { answers, composeAnswers, kpiLinks, kpiAnswers, termIndexes, termCards, charts, lookupLog: new LookupLog(database.db, log), changeNotices };
}

function buildRouter({ options }: Start, services: Services, memory: Memory, queues: Queues): ChatRouter {
  const pings = pingsCapability({
    scheduleEscalation: (pingId, at) => queues.escalations.schedule(pingId, at),
    ...(options.pingOutcomeWaitMs !== undefined ? { waitForOutcomeMs: options.pingOutcomeWaitMs } : {}),
  });
  const capabilities: Capability[] = [
    orgsCapability,
    reachCapability,
    homeCapability,
    createGlossaryCapability({ lookupLog: memory.lookupLog, answers: memory.answers, composeAnswers: memory.composeAnswers, termIndexes: memory.termIndexes, termCards: memory.termCards, termSections: [kpisUsingTerm(memory.kpiLinks)] }),
    governanceCapability,
    journeysCapability({ cardSections: [kpiJourneySection(services.clock), ...(options.journeyCardSections ?? [])], verbs: pings.journeyVerbs }),
    pings.capability,
    proposalsCapability({ deadlines: queues.deadlines }),
    settingsCapability({ postOpenProposals }),
    kpisCapability(memory.charts, services.clock, { answers: memory.kpiAnswers }),
  ];
  const router: ChatRouter = new ChatRouter(services, [helpCapability(() => router.listCommands()), ...capabilities]);
  return router;
}


// Delivery timing (leases, Retry-After, channel slots) is wall-clock plumbing, not business time:
// it always runs on the system clock, also when tests move the business clock. When a message was
// delivered or failed is business time: a ping's history tells it beside the steps.
function buildDeliverer({ options, clock }: Start, database: DatabaseHandle, platforms: Platforms, people: Reach, services: Services): Deliverer {
  return new Deliverer({
    db: database.db,
    clock: systemClock,
    businessClock: clock,
    notifiers: platforms.notifiers,
    people,
    // Passing a ping on is business time (its history, its next escalation), like the escalation job.
    onUndeliverable: [pingUndeliverable({ db: database.db, clock })],
    kick: (ids) => services.kickDelivery(ids),
    renderers: { [PROPOSAL_CARD_RENDERER]: proposalCardRenderer(database.db), [PING_MESSAGE_RENDERER]: pingMessageRenderer(database.db) },
    ...(options.deliveryLeaseMs ? { leaseMs: options.deliveryLeaseMs } : {}),
  });
}

// People known only by e-mail are found by the deliverer and the reach sweep (src/reach/), never on a request.
function findPeople(database: DatabaseHandle, { notifiers, directories }: Platforms): Reach {
  return new Reach({ db: database.db, clock: systemClock, platforms: Object.keys(notifiers) as Platform[], slack: directories.slack, teams: directories.teams });
}

function startReachSweep({ options, log, runWorkers }: Start, database: DatabaseHandle, reach: Reach): ReachSweep | undefined {
  const intervalMs = options.reachSweepIntervalMs ?? 60_000;
  if (!runWorkers || intervalMs <= 0) return undefined;
  const sweep = new ReachSweep({ db: database.db, reach, clock: systemClock, log, intervalMs });
  sweep.start();
  return sweep;
}

type RedisParts = ReturnType<typeof connectRedis>;

function watchMetrics(database: DatabaseHandle, redis: RedisParts, queues: Queues, memory: Memory, services: Services): Metrics {
  return new Metrics({
    queueDepth: () => queues.delivery.depth(),
    outboxDepth: () => outboxCounts(database.db),
    answers: () => ({ glossary: memory.answers.counts, kpis: memory.kpiAnswers.counts }),
    queueErrors: () => redis.jobs.errorCounts(),
    refusedInstallations: () => services.orgs.refused,
  });
}

/** KPI charts, the ingest API and the MCP endpoint (the last two share bearer tokens, each with its scope). */
function dataRoutes({ config, clock, log }: Start, database: DatabaseHandle, redis: RedisParts, queues: Queues, memory: Memory, metrics: Metrics): Route[] {
  const limiter = new RedisRateLimiter(redis.jobs.producer, { log, ...(redis.jobs.prefix ? { prefix: redis.jobs.prefix } : {}) });
  const auth = new BearerAuth({ db: database.db, clock, limiter });
  return [
    chartRoute({ secret: config.secret, clock, png: (ref) => memory.charts.png(ref) }),
    ...ingestRoutes({ db: database.db, clock, log, auth, onStored: (kpiIds) => queues.kpiAlerts.kick(kpiIds) }),
    ...mcpRoutes({ db: database.db, clock, log, auth, metrics, lookupLog: memory.lookupLog, termIndexes: memory.termIndexes, termCards: memory.termCards }),
  ];
}

/** In a worker process: every job's worker and sweep. Returns the outbox sweep (tests drive it). */
function startJobs({ clock, log }: Start, jobs: JobRegistry, parts: { services: Services; deliverer: Deliverer; queues: Queues }): OutboxSweep | undefined {
  const { services, deliverer, queues } = parts;
  const { db, kickDelivery } = services;
  const schedule = (pingId: string, at: Date) => queues.escalations.schedule(pingId, at);
  const sweep = jobs.start(deliveryJob, { db, deliverer, clock: systemClock, log, queue: queues.delivery });
  jobs.start(kpiAlertJob, { alerts: { db, clock, log, kickDelivery, scheduleEscalation: schedule }, queue: queues.kpiAlerts });
  jobs.start(escalationJob, { db, clock, log, kickDelivery, schedule, scheduleAll: (items) => queues.escalations.scheduleAll(items), cancelAll: (items) => queues.escalations.cancelAll(items) });
  jobs.start(proposalDeadlineJob, services);
  jobs.start(governanceJob, { db, clock, log, kickDelivery, schedules: queues.schedules });
  return sweep;
}

async function listen({ config, log }: Start, routes: Route[], metrics: Metrics, slack: boolean): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = createHttpServer(routes, { log, metrics });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  log.info({ port, slack, teams: config.teamsAnonymous ? 'anonymous' : 'authenticated' }, `Steward listening on ${url}`);
  const close = async () => {
    server.closeIdleConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { server, url, close };
}
