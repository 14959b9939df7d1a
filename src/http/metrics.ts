// Prometheus metrics: requests by route and outcome, handler latency, queue and outbox depth,
// glossary answers served from memory.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface DepthSources {
  queueDepth?: () => Promise<Record<string, number>>;
  outboxDepth?: () => Promise<Record<string, number>>;
  /** Glossary lookups answered from the answer cache (hits) or from the database (misses), since start. */
  glossaryAnswers?: () => { hits: number; misses: number };
}

export class Metrics {
  readonly registry = new Registry();
  readonly requests: Counter<'route' | 'outcome'>;
  readonly latency: Histogram<'route'>;

  // The labelled children of the request metrics, looked up once per route and outcome rather than
  // hashed from a labels object on every request.
  private readonly requestCounts = new Map<string, { inc(): void }>();
  private readonly routeLatency = new Map<string, { observe(value: number): void }>();

  /** One request answered: counted by route and outcome, its latency observed by route. */
  observeRequest(route: string, outcome: string, seconds: number): void {
    const key = `${route} ${outcome}`;
    let count = this.requestCounts.get(key);
    if (!count) this.requestCounts.set(key, (count = this.requests.labels(route, outcome)));
    count.inc();
    let latency = this.routeLatency.get(route);
    if (!latency) this.routeLatency.set(route, (latency = this.latency.labels(route)));
    latency.observe(seconds);
  }

  constructor(sources: DepthSources = {}) {
    collectDefaultMetrics({ register: this.registry, prefix: 'steward_' });
    this.requests = new Counter({
      name: 'steward_http_requests_total',
      help: 'HTTP requests by route and outcome',
      labelNames: ['route', 'outcome'],
      registers: [this.registry],
    });
    this.latency = new Histogram({
      name: 'steward_handler_duration_seconds',
      help: 'Time from request to response, by route',
      labelNames: ['route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    new Gauge({
      name: 'steward_queue_jobs',
      help: 'Delivery queue jobs by state',
      labelNames: ['state'],
      registers: [this.registry],
      async collect() {
        const counts = await sources.queueDepth?.().catch(() => undefined);
        for (const [state, count] of Object.entries(counts ?? {})) this.set({ state }, count);
      },
    });
    new Gauge({
      name: 'steward_outbox_messages',
      help: 'Outbox rows by status',
      labelNames: ['status'],
      registers: [this.registry],
      async collect() {
        const counts = await sources.outboxDepth?.().catch(() => undefined);
        for (const [status, count] of Object.entries(counts ?? {})) this.set({ status }, count);
      },
    });
    const reported = { hits: 0, misses: 0 };
    new Counter({
      name: 'steward_glossary_answers_total',
      help: 'Glossary lookups by where the answer came from: cache (remembered) or database',
      labelNames: ['source'],
      registers: [this.registry],
      collect() {
        const counts = sources.glossaryAnswers?.();
        if (!counts) return;
        this.inc({ source: 'cache' }, counts.hits - reported.hits);
        this.inc({ source: 'database' }, counts.misses - reported.misses);
        Object.assign(reported, counts);
      },
    });
  }
}
