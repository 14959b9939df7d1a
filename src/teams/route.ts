// POST /api/messages: the Bot Framework endpoint. A body that is not a JSON activity is refused with
// 400 here; the rest goes through the CloudAdapter (JWT check) to the bot. Without Bot Framework
// credentials nothing is verified, so only this machine may talk to it (the Agents Playground on a
// developer's machine) and replies go only to a loopback service URL; with credentials, only to the
// Bot Framework's hosts. An activity naming another server never makes Steward fetch from it or send
// to it.
import type { IncomingMessage } from 'node:http';
import type { Activity, TurnContext } from 'botbuilder';
import { sendJson, type Route } from '../http/server.js';
import type { Logger } from '../log.js';
import { activityProblem, processTeamsRequest, type StewardCloudAdapter } from './adapter.js';
import { isAllowedServiceUrl, isLoopbackAddress, isLoopbackUrl } from './service-urls.js';

export interface TeamsRouteOptions {
  /** No Bot Framework credentials: requests are not verified, so only loopback is accepted. */
  anonymous: boolean;
  /** With credentials: the hosts (and their subdomains) an activity's serviceUrl may name. */
  serviceUrlHosts: readonly string[];
  log: Logger;
}

function serviceUrlOf(activity: unknown): string {
  return typeof activity === 'object' && activity !== null && 'serviceUrl' in activity ? String(activity.serviceUrl) : '';
}

/**
 * A request relayed by a proxy on this machine comes from loopback but not from this machine: a
 * reverse proxy in front of an anonymous Steward must not open it to the world.
 */
function isProxied(req: IncomingMessage): boolean {
  return ['forwarded', 'x-forwarded-for', 'x-real-ip'].some((name) => req.headers[name] !== undefined);
}

interface Refusal {
  status: number;
  error: string;
  /** The log line, naming the variables that change the answer. */
  log: string;
}

/** Why a request is refused before anything is learnt from it or sent anywhere, or undefined. */
function refusalOf(req: IncomingMessage, activity: unknown, options: TeamsRouteOptions): Refusal | undefined {
  const serviceUrl = serviceUrlOf(activity);
  if (options.anonymous) {
    const log = 'refused an unauthenticated Teams request; set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD to accept Teams from elsewhere';
    if (!isLoopbackAddress(req.socket.remoteAddress) || isProxied(req)) {
      return { status: 401, error: 'Teams requests are accepted from this machine only until MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD are set', log };
    }
    if (!isLoopbackUrl(serviceUrl)) {
      return { status: 400, error: 'without MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD, Steward replies only to a service URL on this machine', log };
    }
    return undefined;
  }
  if (!isAllowedServiceUrl(serviceUrl, options.serviceUrlHosts)) {
    return {
      status: 400,
      error: `the serviceUrl host ${hostLabel(serviceUrl)} is not a Bot Framework host Steward sends to (TEAMS_SERVICE_URL_HOSTS)`,
      log: 'refused a Teams activity whose serviceUrl is not an allowed Bot Framework host; TEAMS_SERVICE_URL_HOSTS lists the allowed hosts',
    };
  }
  return undefined;
}

export function teamsRoute(adapter: Pick<StewardCloudAdapter, 'run'>, bot: { run(context: TurnContext): Promise<void> }, options: TeamsRouteOptions): Route {
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
      const refusal = refusalOf(req, activity, options);
      if (refusal) {
        options.log.warn({ remoteAddress: req.socket.remoteAddress, serviceHost: hostLabel(serviceUrlOf(activity)), reason: refusal.error }, refusal.log);
        sendJson(res, refusal.status, { error: refusal.error });
        return String(refusal.status);
      }
      // activityProblem checked what Steward relies on; the adapter checks the rest (and the token).
      const status = await processTeamsRequest(adapter, req, res, activity as Activity, (context) => bot.run(context), options.log);
      return String(status);
    },
  };
}

/** The host of a URL for a log line or an answer, without its path or query. */
function hostLabel(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'unknown';
  }
}
