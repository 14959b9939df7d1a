// Signed, expiring chart links: `/charts/<payload>.<signature>.png`. The payload says what to draw;
// the HMAC (keyed with the service secret) makes the link unguessable and unforgeable, and the
// expiry bounds how long a shared link keeps working.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const CHART_PATH_PREFIX = '/charts/';
/** How long a chart link works: long enough for people to scroll back to last week's snapshot. */
export const CHART_LINK_TTL_MS = 14 * 86_400_000;

const payloadSchema = z.object({
  /** What is drawn: a journey's KPIs or one KPI. */
  t: z.enum(['j', 'k']),
  id: z.uuid(),
  /** Segment. */
  s: z.string().min(1).max(64),
  /** Version of the data when the link was made, so a platform's image cache never shows old data. */
  v: z.string().max(32),
  /** Expiry, seconds since the epoch. */
  e: z.number().int().positive(),
});

export type ChartRef = Omit<z.infer<typeof payloadSchema>, 'e'>;

function signer(secret: string): (data: string) => Buffer {
  // A key of its own, derived from the service secret, so chart signatures can never stand in for another use of it.
  const key = createHmac('sha256', secret).update('steward chart links v1').digest();
  return (data) => createHmac('sha256', key).update(data).digest();
}

export function signChartPath(secret: string, ref: ChartRef, now: Date, ttlMs = CHART_LINK_TTL_MS): string {
  const payload = Buffer.from(JSON.stringify({ ...ref, e: Math.floor((now.getTime() + ttlMs) / 1000) })).toString('base64url');
  const signature = signer(secret)(payload).toString('base64url');
  return `${CHART_PATH_PREFIX}${payload}.${signature}.png`;
}

export type ChartLinkCheck = { ok: true; ref: ChartRef } | { ok: false; status: 404 | 410; reason: string };

export function verifyChartPath(secret: string, path: string, now: Date): ChartLinkCheck {
  const match = /^\/charts\/([A-Za-z0-9_-]{1,600})\.([A-Za-z0-9_-]{43})\.png$/.exec(path);
  if (!match) return { ok: false, status: 404, reason: 'not a chart link' };
  const [, payload = '', signature = ''] = match;
  const expected = signer(secret)(payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, status: 404, reason: 'not a chart link' };
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, status: 404, reason: 'not a chart link' };
  }
  const parsed = payloadSchema.safeParse(decoded);
  if (!parsed.success) return { ok: false, status: 404, reason: 'not a chart link' };
  if (parsed.data.e * 1000 < now.getTime()) return { ok: false, status: 410, reason: 'this chart link has expired; ask Steward for a new snapshot' };
  const { e: _expiry, ...ref } = parsed.data;
  return { ok: true, ref };
}
