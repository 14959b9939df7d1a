// Prometheus metrics: requests by route and outcome, handler latency, MCP tool calls, queue and
// outbox depth, answers served from memory, queue errors.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface DepthSources {
  queueDepth?: () => Promise<Record<string, number>>;
  outboxDepth?: () => Promise<Record<string, number>>;
  /** Per capability, answers given from memory (hits) or read from the database (misses), since start. */
  answers?: () => Record<string, { hits: number; misses: number }>;
  /** Queue and worker errors since start (Redis away, a script failing), by queue and role. */
  queueErrors?: () => { queue: string; role: string; count: number }[];
  /** Slack workspaces and Teams tenants refused because no admin linked them, since start. */
  refusedInstallations?: () => Record<string, number>;
}

export class Metrics {
  readonly registry = new Registry();
  readonly requests: Counter<'route' | 'outcome'>;
  readonly latency: Histogram<'route'>;
  /** MCP tool calls by tool and outcome (ok, not_found, refused, error). */
  readonly mcpToolCalls: Counter<'tool' | 'outcome'>;

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
    this.mcpToolCalls = new Counter({
      name: 'steward_mcp_tool_calls_total',
      help: 'MCP tool calls by tool and outcome: ok, not_found (nothing matched), refused (bad input), error',
      labelNames: ['tool', 'outcome'],
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
    const reported = new Map<string, { hits: number; misses: number }>();
    new Counter({
      name: 'steward_answers_total',
      help: 'Answers by capability and where they came from: cache (remembered) or database',
      labelNames: ['capability', 'source'],
      registers: [this.registry],
      collect() {
        for (const [capability, counts] of Object.entries(sources.answers?.() ?? {})) {
          const before = reported.get(capability) ?? { hits: 0, misses: 0 };
          this.inc({ capability, source: 'cache' }, counts.hits - before.hits);
          this.inc({ capability, source: 'database' }, counts.misses - before.misses);
          reported.set(capability, { ...counts });
        }
      },
    });
    const reportedErrors = new Map<string, number>();
    new Counter({
      name: 'steward_queue_errors_total',
      help: 'BullMQ queue and worker errors, by queue and role (queue: producer side, worker: consumer side)',
      labelNames: ['queue', 'role'],
      registers: [this.registry],
      collect() {
        for (const { queue, role, count } of sources.queueErrors?.() ?? []) {
          const key = `${queue} ${role}`;
          this.inc({ queue, role }, count - (reportedErrors.get(key) ?? 0));
          reportedErrors.set(key, count);
        }
      },
    });
    const reportedRefusals = new Map<string, number>();
    new Counter({
      name: 'steward_installations_refused_total',
      help: 'Requests from Slack workspaces or Teams tenants not linked to the organisation, by platform',
      labelNames: ['platform'],
      registers: [this.registry],
      collect() {
        for (const [platform, count] of Object.entries(sources.refusedInstallations?.() ?? {})) {
          this.inc({ platform }, count - (reportedRefusals.get(platform) ?? 0));
          reportedRefusals.set(platform, count);
        }
      },
    });
  }
}
