// A crowd clicking the same card: signed Slack interaction requests (block_actions) sent all at
// once, each timed until its acknowledgement. `openConnections` first opens one kept-alive connection
// per request (unsigned requests, refused at once with 401), so that the burst times the server's
// handling of the clicks rather than a storm of TCP connects into a 511-long accept queue.
import { Agent } from 'node:http';
import { postSlackEvent, slackSignature, type LoadRun } from './slack-load.js';

export interface ButtonClick {
  userId: string;
  /** The button's value: the JSON payload Steward put on it. */
  value: string;
  teamId?: string;
  channelId?: string;
  messageTs?: string;
  responseUrl: string;
}

export function blockActionForm(click: ButtonClick): string {
  const teamId = click.teamId ?? 'T0BENCH01';
  const channelId = click.channelId ?? 'C0BENCH01';
  const ts = click.messageTs ?? '1700000000.000100';
  const payload = {
    type: 'block_actions',
    user: { id: click.userId, username: click.userId.toLowerCase(), name: click.userId.toLowerCase(), team_id: teamId },
    api_app_id: 'A0BENCH01',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: ts, channel_id: channelId, is_ephemeral: false },
    trigger_id: '1234.5678.bench',
    team: { id: teamId, domain: 'bench' },
    channel: { id: channelId, name: 'governance' },
    message: { type: 'message', ts, text: 'proposal' },
    response_url: click.responseUrl,
    actions: [{ type: 'button', action_id: 'proposal.vote:0', block_id: 'votes', text: { type: 'plain_text', text: 'Vote' }, value: click.value, action_ts: `${Date.now() / 1000}` }],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** Room for one kept-alive connection per request of a burst. */
export function burstAgent(size: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: size, maxFreeSockets: size, keepAliveMsecs: 30_000 });
}

/** Opens `count` connections on the agent (and leaves them open) just before a measured burst. */
export async function openConnections(url: string, agent: Agent, count: number): Promise<void> {
  await burst({ url, signingSecret: 'not-the-signing-secret', bodies: Array.from({ length: count }, () => 'payload=%7B%7D'), agent });
}

/** Sends every body at the same moment (signed just before), and times each acknowledgement. */
export async function burst(options: { url: string; signingSecret: string; bodies: string[]; agent: Agent }): Promise<LoadRun> {
  const url = new URL(options.url);
  const timestamp = Math.floor(Date.now() / 1000);
  const signed = options.bodies.map((body) => ({
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': slackSignature(body, timestamp, options.signingSecret),
    },
  }));
  const latenciesMs: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    signed.map(async ({ body, headers }) => {
      const sent = performance.now();
      try {
        const status = await postSlackEvent(options.agent, url, body, headers);
        if (status === 200) latenciesMs.push(performance.now() - sent);
        else {
          errors++;
          if (errorSamples.length < 5) errorSamples.push(`HTTP ${status}`);
        }
      } catch (error) {
        errors++;
        if (errorSamples.length < 5) errorSamples.push(error instanceof Error ? error.message : String(error));
      }
    }),
  );
  return { latenciesMs, errors, durationMs: performance.now() - started, errorSamples };
}
