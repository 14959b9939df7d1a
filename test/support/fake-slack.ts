// A local stand-in for the Slack Web API (SLACK_API_URL points here) and for response_url. It records
// every call and can answer 429 with Retry-After, be slow, or fail, so tests see what Slack would see.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  at: number;
}

export interface ResponseUrlCall {
  path: string;
  body: Record<string, unknown>;
  at: number;
}

interface StoredMessage {
  ts: string;
  text: string;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  thread_ts?: string;
}

type Behaviour = { kind: 'rate-limit'; retryAfter: number } | { kind: 'error'; status: number } | { kind: 'delay'; ms: number } | { kind: 'platform-error'; error: string };

function parseArgs(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (!raw) return {};
  if (contentType?.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    if (/^[[{]/.test(value)) {
      try {
        args[key] = JSON.parse(value);
        continue;
      } catch {
        // not JSON after all
      }
    }
    args[key] = value;
  }
  return args;
}

async function read(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

export class FakeSlack {
  readonly calls: SlackCall[] = [];
  readonly responses: ResponseUrlCall[] = [];
  /** Slack user id → e-mail: users.info answers with it, users.lookupByEmail finds the user by it. */
  readonly emails = new Map<string, string>();
  /** Users whose account is deactivated (users.lookupByEmail answers them with deleted: true). */
  readonly deactivated = new Set<string>();
  private readonly channels = new Map<string, StoredMessage[]>();
  private readonly queued = new Map<string, Behaviour[]>();
  private server: Server | undefined;
  private seq = 0;
  /** Answer every n-th call of a method with 429 and this Retry-After (seconds). */
  private readonly everyNth = new Map<string, { n: number; retryAfter: number; count: number }>();

  rateLimitEvery(method: string, n: number, retryAfter: number): void {
    this.everyNth.set(method, { n, retryAfter, count: 0 });
  }

  /** How many calls were answered 429 by rateLimitEvery. */
  rateLimited = 0;

  /** Every call is refused with a connection-level failure while true. */
  down = false;
  /** Every Web API call is answered this much later, as Slack's own take 100–300 ms (bench/pings --slack-latency). */
  latencyMs = 0;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  responseUrl(name = 'r'): string {
    return `${this.url}/response/${name}`;
  }

  /** Makes the next call(s) of a method behave this way, in order. */
  queue(method: string, ...behaviours: Behaviour[]): void {
    this.queued.set(method, [...(this.queued.get(method) ?? []), ...behaviours]);
  }

  callsOf(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** How many messages really landed in a channel (a user id counts as its DM channel). */
  postedIn(channel: string): number {
    const id = /^[UW]/.test(channel) ? `D${channel.slice(1)}` : channel;
    return this.channels.get(id)?.length ?? 0;
  }

  /** Messages that are really in Slack now (successful chat.postMessage calls). */
  posted(): StoredMessage[] {
    return [...this.channels.values()].flat();
  }

  async waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
    const started = Date.now();
    while (!predicate()) {
      if (Date.now() - started > timeoutMs) throw new Error('timed out waiting for the fake Slack API');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await read(req);
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (this.down) {
      req.socket.destroy();
      return;
    }
    if (path.startsWith('/response/')) {
      this.responses.push({ path, body: parseArgs(raw, 'application/json'), at: Date.now() });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    const method = path.replace(/^\/api\//, '');
    const args = { ...parseArgs(raw, req.headers['content-type']), ...Object.fromEntries(new URL(req.url ?? '', 'http://x').searchParams) };
    this.calls.push({ method, args, at: Date.now() });
    const periodic = this.everyNth.get(method);
    if (periodic && ++periodic.count % periodic.n === 0) {
      this.rateLimited++;
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(periodic.retryAfter) }).end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      return;
    }
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    const behaviour = this.queued.get(method)?.shift();
    if (behaviour?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, behaviour.ms));
    if (behaviour?.kind === 'rate-limit') {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(behaviour.retryAfter) }).end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      return;
    }
    if (behaviour?.kind === 'error') {
      res.writeHead(behaviour.status, { 'content-type': 'text/plain' }).end('upstream failure');
      return;
    }
    if (behaviour?.kind === 'platform-error') {
      this.json(res, { ok: false, error: behaviour.error });
      return;
    }
    this.json(res, this.answer(method, args));
  }

  private json(res: ServerResponse, body: unknown): void {
    if (!res.writableEnded) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  private answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    const channelOf = (value: unknown) => {
      const id = String(value ?? '');
      return /^[UW]/.test(id) ? `D${id.slice(1)}` : id;
    };
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://acme.slack.com/', team: 'acme', user: 'steward', team_id: 'T0001', user_id: 'UBOT0001', bot_id: 'BBOT0001' };
      case 'chat.postMessage': {
        const channel = channelOf(args.channel);
        const ts = `${Math.floor(Date.now() / 1000)}.${String(++this.seq).padStart(6, '0')}`;
        const message: StoredMessage = {
          ts,
          text: String(args.text ?? ''),
          ...(args.metadata ? { metadata: args.metadata as StoredMessage['metadata'] } : {}),
          ...(args.thread_ts ? { thread_ts: String(args.thread_ts) } : {}),
        };
        this.channels.set(channel, [...(this.channels.get(channel) ?? []), message]);
        return { ok: true, channel, ts, message };
      }
      case 'chat.update':
        return { ok: true, channel: args.channel, ts: args.ts };
      case 'chat.postEphemeral':
        return { ok: true, message_ts: `${Math.floor(Date.now() / 1000)}.${String(++this.seq).padStart(6, '0')}` };
      case 'conversations.open':
        return { ok: true, channel: { id: channelOf(args.users) } };
      case 'conversations.history': {
        const oldest = Number(args.oldest ?? 0);
        const messages = (this.channels.get(String(args.channel)) ?? []).filter((m) => Number(m.ts) >= Math.floor(oldest));
        return { ok: true, messages: [...messages].reverse(), has_more: false };
      }
      case 'users.info': {
        const id = String(args.user);
        const email = this.emails.get(id);
        return { ok: true, user: { id, name: id.toLowerCase(), profile: { ...(email ? { email } : {}), real_name: id } } };
      }
      case 'users.lookupByEmail': {
        const wanted = String(args.email ?? '').toLowerCase();
        const id = [...this.emails].find(([, email]) => email.toLowerCase() === wanted)?.[0];
        if (!id) return { ok: false, error: 'users_not_found' };
        return { ok: true, user: { id, team_id: 'T0001', name: id.toLowerCase(), real_name: `Slack ${id}`, deleted: this.deactivated.has(id), profile: { email: wanted } } };
      }
      case 'views.open':
        return { ok: true, view: { id: `V${++this.seq}` } };
      default:
        return { ok: true };
    }
  }
}
