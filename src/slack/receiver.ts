// Moves Slack's HTTP requests into Bolt: verifies the signature and age, parses the body, and
// acknowledges through the HTTP response. It holds no business rule (Bolt's receiver contract).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import type { Logger } from '../log.js';
import { sendJson } from '../http/server.js';
import { signatureProblem } from './signature.js';

export interface SlackReceiverOptions {
  signingSecret: string;
  log: Logger;
  /** Bolt must ack within 3 s; past this the request is answered empty so Slack does not retry. */
  ackTimeoutMs?: number;
  now?: () => number;
  /** Claims each Events API event once across processes (src/db/inbound-events.ts): retries do nothing twice. */
  inboundEvents?: { claim(key: string): Promise<boolean>; release(key: string): Promise<void> };
}

export type SlackRequestOutcome = 'ok' | 'unauthorized' | 'bad_request' | 'error';

function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.includes('application/json')) {
    const parsed: unknown = JSON.parse(raw);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('body is not a JSON object');
    return parsed as Record<string, unknown>;
  }
  const form = Object.fromEntries(new URLSearchParams(raw));
  if (typeof form.payload === 'string') {
    const payload: unknown = JSON.parse(form.payload);
    if (!payload || typeof payload !== 'object') throw new Error('payload is not a JSON object');
    return payload as Record<string, unknown>;
  }
  return form;
}

export class SlackHttpReceiver implements Receiver {
  private app: App | undefined;

  constructor(private readonly options: SlackReceiverOptions) {}

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  async handle(req: IncomingMessage, res: ServerResponse, rawBody: Buffer): Promise<SlackRequestOutcome> {
    const { log } = this.options;
    const body = rawBody.toString('utf8');
    const signature = req.headers['x-slack-signature'];
    const timestamp = Number(req.headers['x-slack-request-timestamp']);
    if (typeof signature !== 'string' || !Number.isFinite(timestamp)) {
      send(res, 401, { error: 'missing Slack signature headers' });
      return 'unauthorized';
    }
    const problem = signatureProblem({ signingSecret: this.options.signingSecret, body, signature, timestamp, nowMs: this.options.now?.() ?? Date.now() });
    if (problem) {
      log.warn({ reason: problem }, 'refused a Slack request');
      send(res, 401, { error: 'invalid or stale Slack signature' });
      return 'unauthorized';
    }

    let parsed: Record<string, unknown>;
    try {
      parsed = parseBody(body, req.headers['content-type']);
    } catch {
      send(res, 400, { error: 'malformed Slack request body' });
      return 'bad_request';
    }
    if (parsed.ssl_check) {
      send(res, 200, '');
      return 'ok';
    }
    if (parsed.type === 'url_verification' && typeof parsed.challenge === 'string') {
      send(res, 200, { challenge: parsed.challenge });
      return 'ok';
    }
    if (!this.app) throw new Error('Slack receiver used before Bolt initialised it');
    const eventKey = parsed.type === 'event_callback' && typeof parsed.event_id === 'string' ? `slack:${parsed.event_id}` : undefined;
    const claim = eventKey ? await this.claim(eventKey, res) : 'first';
    if (claim !== 'first') return claim === 'again' ? 'ok' : 'error';

    let acked = false;
    const timer = setTimeout(() => {
      if (acked) return;
      acked = true;
      log.warn({ type: parsed.type ?? parsed.command }, 'Slack request not acknowledged in time; answered empty');
      send(res, 200, '');
    }, this.options.ackTimeoutMs ?? 2_900);
    const event: ReceiverEvent = {
      body: parsed,
      ...(req.headers['x-slack-retry-num'] ? { retryNum: Number(req.headers['x-slack-retry-num']) } : {}),
      ...(typeof req.headers['x-slack-retry-reason'] === 'string' ? { retryReason: req.headers['x-slack-retry-reason'] } : {}),
      ack: async (response?: unknown) => {
        if (acked) return;
        acked = true;
        clearTimeout(timer);
        send(res, 200, response ?? '');
      },
    };
    try {
      await this.app.processEvent(event);
      // Bolt returns without acknowledging a body it cannot place: answer now, not at the deadline.
      await event.ack();
      return 'ok';
    } catch (error) {
      log.error({ err: error }, 'Slack listener failed');
      if (eventKey) await this.options.inboundEvents?.release(eventKey).catch(() => {});
      if (!acked) {
        acked = true;
        clearTimeout(timer);
        send(res, 500, { error: 'internal error' });
      }
      return 'error';
    }
  }

  /**
   * Whether this delivery of an event is its first ('first'), a redelivery already handled elsewhere
   * ('again', acknowledged here so Slack stops retrying), or cannot be told now ('unknown', answered
   * 503 so that Slack retries once the database is back).
   */
  private async claim(eventKey: string, res: ServerResponse): Promise<'first' | 'again' | 'unknown'> {
    const events = this.options.inboundEvents;
    if (!events) return 'first';
    try {
      if (await events.claim(eventKey)) return 'first';
      this.options.log.info({ eventKey }, 'Slack redelivered an event that was already handled; acknowledged and ignored');
      send(res, 200, '');
      return 'again';
    } catch (error) {
      this.options.log.warn({ err: error, eventKey }, 'could not record a Slack event (database away?); Slack will retry');
      send(res, 503, { error: 'try again shortly' });
      return 'unknown';
    }
  }
}

/** An acknowledgement: text as plain text (an empty one acknowledges without a message), anything else as JSON. */
function send(res: ServerResponse, status: number, body: unknown): void {
  if (typeof body !== 'string') return sendJson(res, status, body);
  if (!res.headersSent) res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
}
