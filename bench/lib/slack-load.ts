// A load generator that sends signed Slack slash commands exactly as Slack does (form-encoded,
// v0 signature over the timestamp and body), from N concurrent senders over keep-alive connections.
import { createHmac } from 'node:crypto';
import { Agent, request } from 'node:http';
import { formatFigures, summarise } from './stats.js';

export const BENCH_SIGNING_SECRET = 'bench-signing-secret-0123456789abcdef';

export interface SlashCommand {
  command: string;
  text: string;
  userId: string;
  teamId?: string;
  channelId?: string;
}

export function slashCommandForm(c: SlashCommand): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: c.teamId ?? 'T0BENCH01',
    team_domain: 'bench',
    channel_id: c.channelId ?? 'C0BENCH01',
    channel_name: 'cx-bench',
    user_id: c.userId,
    user_name: c.userId.toLowerCase(),
    command: c.command,
    text: c.text,
    api_app_id: 'A0BENCH01',
    is_enterprise_install: 'false',
    response_url: 'http://127.0.0.1:9/commands/bench',
    trigger_id: '1234.5678.bench',
  }).toString();
}

export function slackSignature(body: string, timestamp: number, secret: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface LoadOptions {
  /** Base URL of the server; requests go to `${url}/slack/events`. */
  url: string;
  signingSecret: string;
  concurrency: number;
  durationMs: number;
  /** The command sender number `sender` sends next (each sender is one user, say). */
  command(sender: number): SlashCommand;
  /** Told the time of each request answered as it should be, with its sender (to tell kinds of request apart). */
  answered?(sender: number, ms: number): void;
}

export interface LoadRun {
  latenciesMs: number[];
  errors: number;
  durationMs: number;
  /** A few of the failures, for the report. */
  errorSamples: string[];
}

/** One signed POST to /slack/events on a keep-alive agent; resolves with the status once the body is read. */
export function postSlackEvent(agent: Agent, url: URL, body: string, headers: Record<string, string>): Promise<number> {
  return postOn(agent, url, '/slack/events', body, headers).then((answer) => answer.status);
}

/** One POST on a keep-alive agent; resolves with the status and the body. */
export function postOn(agent: Agent, url: URL, path: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { agent, host: url.hostname, port: url.port, path, method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Sends commands from `concurrency` senders back to back for `durationMs`; times every request. */
export function runSlackLoad(options: LoadOptions): Promise<LoadRun> {
  return runLoad({
    ...options,
    async send(agent, url, sender) {
      const body = slashCommandForm(options.command(sender));
      const timestamp = Math.floor(Date.now() / 1000);
      const status = await postSlackEvent(agent, url, body, {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': slackSignature(body, timestamp, options.signingSecret),
      });
      return status === 200 ? undefined : `HTTP ${status}`;
    },
  });
}

export interface SenderLoop {
  url: string;
  concurrency: number;
  durationMs: number;
  /** One request from sender number `sender`: undefined when it was answered as it should be, else what went wrong. */
  send(agent: Agent, url: URL, sender: number): Promise<string | undefined>;
  answered?(sender: number, ms: number): void;
}

/**
 * `concurrency` senders, each sending its next request as soon as the last is answered, for
 * `durationMs`, over one keep-alive agent; the time of every request answered as it should be.
 */
export async function runLoad(options: SenderLoop): Promise<LoadRun> {
  const url = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const latenciesMs: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  const failed = (what: string) => {
    errors++;
    if (errorSamples.length < 5) errorSamples.push(what);
  };
  const started = performance.now();
  const deadline = started + options.durationMs;
  const sender = async (index: number) => {
    while (performance.now() < deadline) {
      const sent = performance.now();
      try {
        const failure = await options.send(agent, url, index);
        if (failure === undefined) {
          const ms = performance.now() - sent;
          latenciesMs.push(ms);
          options.answered?.(index, ms);
        } else failed(failure);
      } catch (error) {
        failed(error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, i) => sender(i)));
  const durationMs = performance.now() - started;
  agent.destroy();
  return { latenciesMs, errors, durationMs, errorSamples };
}

export interface RoundTarget<Key extends string> {
  key: Key;
  label: string;
  /** The server's CPU so far (ms), to print what each run cost it per request. */
  cpuMs(): number;
  load(durationMs: number): Promise<LoadRun>;
}

/**
 * `rounds` rounds, each loading every target in turn for `roundMs` (so the machine's noise falls on
 * all alike); prints each run with the server CPU it cost per request, and returns the runs by target.
 */
export async function alternatingRounds<Key extends string>(rounds: number, roundMs: number, targets: RoundTarget<Key>[]): Promise<Record<Key, LoadRun[]>> {
  const runs = Object.fromEntries(targets.map((t) => [t.key, [] as LoadRun[]])) as Record<Key, LoadRun[]>;
  for (let round = 1; round <= rounds; round++) {
    for (const target of targets) {
      const cpuBefore = target.cpuMs();
      const run = await target.load(roundMs);
      runs[target.key].push(run);
      const cpu = (target.cpuMs() - cpuBefore) / Math.max(1, run.latenciesMs.length);
      console.log(`${formatFigures(`r${round} ${target.label}`, summarise(run.latenciesMs, run.errors, run.durationMs))}   server CPU ${cpu.toFixed(2)} ms/req`);
      if (run.errorSamples.length) console.log(`    errors, e.g.: ${run.errorSamples.join('; ')}`);
    }
  }
  return runs;
}
