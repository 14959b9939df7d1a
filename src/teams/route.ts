// POST /api/messages: the Bot Framework endpoint. A body that is not a JSON activity is refused with
// 400 here; the rest goes through the CloudAdapter (JWT check) to the bot. Without Bot Framework
// credentials nothing is verified, so only this machine may talk to it (the Agents Playground on a
// developer's machine) and replies go only to a loopback service URL: an activity naming another
// server must never make Steward fetch from it or send to it.
import type { IncomingMessage } from 'node:http';
import type { CloudAdapter, TurnContext } from 'botbuilder';
import { sendJson, type Route } from '../http/server.js';
import type { Logger } from '../log.js';
import { activityProblem, processTeamsRequest } from './adapter.js';

/** 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
  return plain === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(plain);
}

/** A service URL on this machine: localhost, 127.x or [::1]. */
export function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || isLoopbackAddress(host);
  } catch {
    return false;
  }
}

/** A service URL on one of these hosts (or a subdomain of one), over HTTPS. */
export function serviceUrlAllowed(url: string, hosts: readonly string[]): boolean {
  try {
    const parsed = new URL(url);
    const host = parsed.hostname.toLowerCase();
    return parsed.protocol === 'https:' && hosts.some((allowed) => host === allowed || host.endsWith(`.${allowed}`));
  } catch {
    return false;
  }
}

export interface TeamsRouteOptions {
  /** No Bot Framework credentials: requests are not verified, so only loopback is accepted. */
  anonymous: boolean;
  /** With credentials: the Bot Framework hosts replies may go to (TEAMS_SERVICE_URL_HOSTS). */
  serviceUrlHosts: readonly string[];
  log: Logger;
}

/** Why an unverified request is refused, or undefined when it may go on. */
function anonymousRefusal(req: IncomingMessage, activity: unknown): { status: number; error: string } | undefined {
  if (!isLoopbackAddress(req.socket.remoteAddress)) {
    return { status: 401, error: 'Teams requests are accepted from this machine only until MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD are set' };
  }
  const serviceUrl = typeof activity === 'object' && activity !== null && 'serviceUrl' in activity ? String(activity.serviceUrl) : '';
  if (!isLoopbackUrl(serviceUrl)) {
    return { status: 400, error: 'without MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD, Steward replies only to a service URL on this machine' };
  }
  return undefined;
}

export function teamsRoute(adapter: CloudAdapter, bot: { run(context: TurnContext): Promise<void> }, options: TeamsRouteOptions): Route {
  return {
    method: 'POST',
    path: '/api/messages',
    name: 'teams',
    maxBodyBytes: 2_000_000,
    handler: async (req, res, body) => {
      let activity: unknown;
      try {
        activity = JSON.parse(body.toString('utf8'));
      } catch {
        sendJson(res, 400, { error: 'the body is not a JSON activity' });
        return '400';
      }
      const problem = activityProblem(activity);
      if (problem) {
        sendJson(res, 400, { error: problem });
        return '400';
      }
      const refusal = options.anonymous ? anonymousRefusal(req, activity) : undefined;
      if (refusal) {
        options.log.warn({ remoteAddress: req.socket.remoteAddress, reason: refusal.error }, 'refused an unauthenticated Teams request; set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD to accept Teams from elsewhere');
        sendJson(res, refusal.status, { error: refusal.error });
        return String(refusal.status);
      }
      // Verified requests still reply only to a known Bot Framework host: defence in depth should a
      // token ever be valid for a service URL it was not issued with.
      const status = await processTeamsRequest(adapter, req, res, activity, async (context) => {
        if (!options.anonymous && !serviceUrlAllowed(context.activity.serviceUrl, options.serviceUrlHosts)) {
          options.log.warn({ serviceUrl: context.activity.serviceUrl }, 'ignored a Teams activity whose service URL is not a Bot Framework host (TEAMS_SERVICE_URL_HOSTS)');
          return;
        }
        await bot.run(context);
      });
      return String(status);
    },
  };
}
