// How a Teams request is answered once it reaches the adapter: the invoke response as JSON, 200 with
// nothing, 401 when the token is refused, 500 (logged, no internals) when the turn fails; the
// activity's times become dates as botbuilder makes them for every turn.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Activity } from 'botbuilder';
import { AuthenticationError } from 'botframework-connector';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { processTeamsRequest, StewardCloudAdapter } from '../../src/teams/adapter.js';

function fakeResponse() {
  const answer = { status: 0, headers: {} as Record<string, string>, body: '' };
  const res = {
    headersSent: false,
    writeHead(status: number, headers?: Record<string, string>) {
      answer.status = status;
      answer.headers = headers ?? {};
      return res;
    },
    end(body?: string) {
      answer.body = body ?? '';
      res.headersSent = true;
      return res;
    },
  };
  return { res: res as unknown as ServerResponse, answer };
}

async function answer(run: () => Promise<{ status: number; body?: unknown } | undefined>) {
  const lines: string[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
  const { res, answer: written } = fakeResponse();
  const req = { headers: { authorization: 'Bearer x' } } as unknown as IncomingMessage;
  const returned = await processTeamsRequest({ run }, req, res, { type: 'invoke' } as Activity, async () => {}, log);
  // What the route reports (metrics) is what was written.
  expect(returned).toBe(written.status);
  return { ...written, lines };
}

describe('answering a Teams request', () => {
  it('answers with the invoke response, or 200 with nothing', async () => {
    const invoked = await answer(async () => ({ status: 200, body: { composeExtension: { type: 'result' } } }));
    expect(invoked.status).toBe(200);
    expect(invoked.headers['content-type']).toMatch(/application\/json/);
    expect(JSON.parse(invoked.body)).toEqual({ composeExtension: { type: 'result' } });
    const plain = await answer(async () => undefined);
    expect([plain.status, plain.body]).toEqual([200, '']);
  });

  it('refuses a token the authentication refused with 401, and hides a failed turn behind a logged 500', async () => {
    const refused = await answer(async () => {
      throw new AuthenticationError('Unauthorized Access. Request is not authorized', 401);
    });
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.body)).toEqual({ error: 'Unauthorized Access. Request is not authorized' });
    const failed = await answer(async () => {
      throw new Error('connection string with a secret');
    });
    expect(failed.status).toBe(500);
    expect(failed.body).not.toContain('secret');
    expect(failed.lines.join('')).toContain('connection string with a secret');
  });

  it('gives the turn the activity with its times as dates, as botbuilder does', async () => {
    let seen: Activity | undefined;
    const adapter = new StewardCloudAdapter();
    // The turn itself is botbuilder's: only what reaches it is checked here.
    (adapter as unknown as { processActivity: (auth: string, activity: Activity) => Promise<undefined> }).processActivity = async (_auth, activity) => {
      seen = activity;
      return undefined;
    };
    await adapter.run('', { type: 'message', timestamp: '2026-12-04T10:00:00.000Z', localTimestamp: '2026-12-04T11:00:00.000+01:00' } as unknown as Activity, async () => {});
    expect(seen?.timestamp).toEqual(new Date('2026-12-04T10:00:00.000Z'));
    expect((seen as unknown as { rawTimestamp: string }).rawTimestamp).toBe('2026-12-04T10:00:00.000Z');
    expect(seen?.localTimestamp).toEqual(new Date('2026-12-04T10:00:00.000Z'));
  });
});
