// A lean stand-in for the Slack Web API for benchmarks (SLACK_API_URL points here): answers every
// method at once and only counts calls, so it costs the load generator's process next to nothing.
// Tests use test/support/fake-slack.ts, which records every call instead.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSlackApi {
  /** Base URL for SLACK_API_URL (ends in /api/). */
  apiUrl: string;
  /** Calls per Web API method so far. */
  calls: Map<string, number>;
  close(): Promise<void>;
}

function answer(method: string, args: URLSearchParams): Record<string, unknown> {
  switch (method) {
    case 'auth.test':
      return { ok: true, url: 'https://bench.slack.com/', team: 'bench', user: 'steward', team_id: 'T0BENCH01', user_id: 'UBOT0001', bot_id: 'BBOT0001' };
    case 'users.info': {
      const user = args.get('user') ?? 'U0';
      return { ok: true, user: { id: user, name: user.toLowerCase(), profile: { email: `${user.toLowerCase()}@bench.example.com`, real_name: user } } };
    }
    case 'chat.postMessage':
      return { ok: true, channel: args.get('channel') ?? 'C0', ts: `${(Date.now() / 1000).toFixed(6)}` };
    default:
      return { ok: true };
  }
}

/** Sees each call as it arrives (bench/votes reads the card updates); keep it cheap. */
export type CallObserver = (method: string, args: URLSearchParams, at: number) => void;

export async function startFakeSlackApi(observe?: CallObserver): Promise<FakeSlackApi> {
  const calls = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const method = path.replace(/^\/api\//, '');
      calls.set(method, (calls.get(method) ?? 0) + 1);
      const raw = Buffer.concat(chunks).toString('utf8');
      const args = new URLSearchParams(req.headers['content-type']?.includes('json') ? '' : raw);
      observe?.(method, args, Date.now());
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer(method, args)));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
