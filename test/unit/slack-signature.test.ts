// Slack's request signature, checked here instead of by Bolt's verifySlackRequest (src/slack/signature.ts):
// it must accept exactly what Bolt accepts for fresh requests, and refuse stale, future and forged ones.
import { createHmac } from 'node:crypto';
import { verifySlackRequest } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { signatureProblem } from '../../src/slack/signature.js';

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const NOW_MS = Date.UTC(2026, 2, 12, 10, 0, 0);
const NOW_S = NOW_MS / 1000;
const sign = (body: string, timestamp: number, secret = SECRET) => `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
const body = 'token=x&team_id=T0001&command=%2Fglossary&text=nps';

const bolt = (options: { body: string; signature: string; timestamp: number }) => {
  try {
    verifySlackRequest({ signingSecret: SECRET, body: options.body, headers: { 'x-slack-signature': options.signature, 'x-slack-request-timestamp': options.timestamp }, nowMilliseconds: NOW_MS });
    return true;
  } catch {
    return false;
  }
};
const ours = (options: { body: string; signature: string; timestamp: number }) => signatureProblem({ signingSecret: SECRET, nowMs: NOW_MS, ...options });

describe('Slack request signature', () => {
  it('accepts a fresh, correctly signed request, as Bolt does', () => {
    const request = { body, signature: sign(body, NOW_S - 30), timestamp: NOW_S - 30 };
    expect(ours(request)).toBeUndefined();
    expect(bolt(request)).toBe(true);
  });

  it('refuses what Bolt refuses: another secret, another body, a changed timestamp, a truncated or other-version signature, a stale request', () => {
    const cases = [
      { body, signature: sign(body, NOW_S, 'another-secret'), timestamp: NOW_S },
      { body: `${body}&x=1`, signature: sign(body, NOW_S), timestamp: NOW_S },
      { body, signature: sign(body, NOW_S), timestamp: NOW_S - 1 },
      { body, signature: sign(body, NOW_S).slice(0, 40), timestamp: NOW_S },
      { body, signature: sign(body, NOW_S).replace('v0=', 'v1='), timestamp: NOW_S },
      { body, signature: sign(body, NOW_S - 301), timestamp: NOW_S - 301 },
    ];
    for (const request of cases) {
      expect(ours(request), JSON.stringify(request)).toBeDefined();
      expect(bolt(request)).toBe(false);
    }
  });

  it('also refuses a timestamp more than 5 minutes ahead (Bolt checks only the past), and says why', () => {
    expect(ours({ body, signature: sign(body, NOW_S + 301), timestamp: NOW_S + 301 })).toMatch(/more than 5 minutes/);
    expect(ours({ body, signature: sign(body, NOW_S + 299), timestamp: NOW_S + 299 })).toBeUndefined();
    expect(ours({ body, signature: sign(body, NOW_S), timestamp: NOW_S + 0.5 })).toMatch(/whole number/);
    expect(signatureProblem({ signingSecret: '', body, signature: sign(body, NOW_S, ''), timestamp: NOW_S, nowMs: NOW_MS })).toMatch(/no signing secret/);
  });
});
