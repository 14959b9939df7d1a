// Bot Framework plumbing: the CloudAdapter (JWT validation when app credentials are configured,
// anonymous for local use otherwise) and the bridge from node:http to botbuilder's request shape.
import { z } from 'zod';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type TurnContext } from 'botbuilder';
import type { Logger } from '../log.js';

export interface TeamsCredentials {
  appId?: string | undefined;
  appPassword?: string | undefined;
  appTenantId?: string | undefined;
  appType: string;
}

export function createCloudAdapter(credentials: TeamsCredentials, log: Logger): CloudAdapter {
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: credentials.appId ?? '',
    MicrosoftAppPassword: credentials.appPassword ?? '',
    MicrosoftAppTenantId: credentials.appTenantId ?? '',
    MicrosoftAppType: credentials.appType,
  });
  const adapter = new CloudAdapter(auth);
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    log.error({ err: error, activityType: context.activity.type }, 'Teams turn failed');
    await context.sendActivity('Something went wrong on Steward\'s side and nothing was changed.').catch(() => {});
  };
  return adapter;
}

/**
 * What every Bot Framework activity carries (Microsoft's Activity schema) and Steward relies on: an
 * activity without them is refused with 400 before it reaches the adapter, which would otherwise
 * fail on it halfway and answer 200.
 */
const activityShape = z
  .object({
    type: z.string().min(1),
    serviceUrl: z.url({ protocol: /^https?$/ }),
    channelId: z.string().min(1),
    from: z.object({ id: z.string().min(1) }).loose(),
    conversation: z.object({ id: z.string().min(1) }).loose(),
  })
  .loose();

/** Why the body is not an activity Steward can handle, or undefined when it is. */
export function activityProblem(body: unknown): string | undefined {
  const parsed = activityShape.safeParse(body);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0];
  return `not a Bot Framework activity: ${issue?.path.join('.') || 'body'} ${issue?.message ?? 'is invalid'}`;
}

/** Runs one Bot Framework request through the adapter; returns the HTTP status it answered. */
export async function processTeamsRequest(
  adapter: CloudAdapter,
  req: IncomingMessage,
  res: ServerResponse,
  body: unknown,
  logic: (context: TurnContext) => Promise<void>,
): Promise<number> {
  let status = 200;
  const headers: Record<string, string> = {};
  const response = {
    socket: req.socket,
    status(code: number) {
      status = code;
      return response;
    },
    header(name: string, value: unknown) {
      headers[name] = String(value);
      return response;
    },
    send(payload?: unknown) {
      if (res.headersSent) return response;
      if (payload === undefined || payload === null) {
        res.writeHead(status, headers).end();
      } else if (typeof payload === 'string' || Buffer.isBuffer(payload)) {
        res.writeHead(status, headers).end(payload);
      } else {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(payload));
      }
      return response;
    },
    end() {
      if (!res.headersSent) res.writeHead(status, headers).end();
      return response;
    },
  };
  const request = {
    body: body && typeof body === 'object' ? Object.fromEntries(Object.entries(body)) : {},
    headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, v])),
    method: req.method ?? 'POST',
  };
  await adapter.process(request, response, logic);
  if (!res.headersSent) res.writeHead(status, headers).end();
  return status;
}
