// Bot Framework plumbing: the CloudAdapter (JWT validation when app credentials are configured,
// anonymous for local use otherwise) and the bridge from node:http to its turns.
import { z } from 'zod';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type Activity, type InvokeResponse, type TurnContext } from 'botbuilder';
import { AuthenticationError } from 'botframework-connector';
import { sendJson } from '../http/server.js';
import type { Logger } from '../log.js';

export interface TeamsCredentials {
  appId?: string | undefined;
  appPassword?: string | undefined;
  appTenantId?: string | undefined;
  appType: string;
}

type ConnectorFactory = ReturnType<ConfigurationBotFrameworkAuthentication['createConnectorFactory']>;
type ConnectorClient = Awaited<ReturnType<ConnectorFactory['create']>>;
type ClaimsIdentity = Parameters<ConfigurationBotFrameworkAuthentication['createConnectorFactory']>[0];
type UserTokenClient = Awaited<ReturnType<ConfigurationBotFrameworkAuthentication['createUserTokenClient']>>;

/** Clients kept at most (service URLs × audiences × app ids: a handful in practice). */
const CLIENTS_KEPT = 200;

/**
 * The Bot Framework authentication, with the clients it makes for outbound calls reused. botbuilder's
 * CloudAdapter builds a new ConnectorClient and a new UserTokenClient (each an HTTP pipeline) for
 * every activity, even an invoke answered in the HTTP response — most of the adapter's cost per
 * activity. Each client depends only on the bot's app id (from the validated claims), the service
 * URL and the audience, and fetches its tokens itself when it sends, so one per combination serves
 * every activity (as botbuilder's older BotFrameworkAdapter kept one per service URL). Requests are
 * still authenticated one by one: only what is built after that is reused.
 */
export class ReusingAuthentication extends ConfigurationBotFrameworkAuthentication {
  private readonly connectors = new Map<string, Promise<ConnectorClient>>();
  private readonly userTokens = new Map<string, Promise<UserTokenClient>>();

  override async authenticateRequest(...args: Parameters<ConfigurationBotFrameworkAuthentication['authenticateRequest']>) {
    const result = await super.authenticateRequest(...args);
    return result.connectorFactory ? { ...result, connectorFactory: this.reusing(result.connectorFactory, result.claimsIdentity) } : result;
  }

  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return this.reusing(super.createConnectorFactory(claimsIdentity), claimsIdentity);
  }

  override createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    return kept(this.userTokens, appIdOf(claimsIdentity), () => super.createUserTokenClient(claimsIdentity));
  }

  private reusing(factory: ConnectorFactory, claimsIdentity: ClaimsIdentity): ConnectorFactory {
    const appId = appIdOf(claimsIdentity);
    return { create: (serviceUrl: string, audience?: string) => kept(this.connectors, `${appId}\n${serviceUrl}\n${audience ?? ''}`, () => factory.create(serviceUrl, audience)) };
  }
}

/** The app id the claims name (v1 tokens: appid, v2: azp), as botbuilder's factories read it. */
function appIdOf(claimsIdentity: ClaimsIdentity): string {
  const claim = (type: string) => claimsIdentity.claims.find((c) => c.type === type)?.value ?? '';
  return `${claim('appid')}|${claim('azp')}|${claim('aud')}`;
}

/** The client kept under `key`, or a new one (a failed build is not kept). */
function kept<T>(clients: Map<string, Promise<T>>, key: string, build: () => Promise<T>): Promise<T> {
  const known = clients.get(key);
  if (known) return known;
  if (clients.size >= CLIENTS_KEPT) clients.clear();
  const client = build();
  clients.set(key, client);
  client.catch(() => clients.delete(key));
  return client;
}

/**
 * The CloudAdapter, given the parsed activity directly. Its own `process(req, res, logic)` takes
 * express-like objects and checks their shapes with zod schemas it builds again for every request
 * (with the request shims, about a third of a compose query's CPU); Steward has already read and
 * checked the body (route.ts), so it goes straight to the turn: the same authentication, turn and
 * invoke response.
 */
export class StewardCloudAdapter extends CloudAdapter {
  /** Authenticates and runs one activity; the invoke response to answer with, if any. Throws AuthenticationError when the token is refused. */
  async run(authHeader: string, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(authHeader, withDates(activity), logic);
  }
}

/** As botbuilder does to every incoming activity: its times as dates, the text kept beside them. */
function withDates(activity: Activity): Activity {
  const raw = activity as Activity & Record<string, unknown>;
  for (const [field, rawField] of [['timestamp', 'rawTimestamp'], ['expiration', 'rawExpiration'], ['localTimestamp', 'rawLocalTimestamp']] as const) {
    const value = raw[field];
    if (typeof value === 'string') {
      raw[rawField] = value;
      raw[field] = new Date(value);
    }
  }
  return activity;
}

export function createCloudAdapter(credentials: TeamsCredentials, log: Logger): StewardCloudAdapter {
  const auth = new ReusingAuthentication({
    MicrosoftAppId: credentials.appId ?? '',
    MicrosoftAppPassword: credentials.appPassword ?? '',
    MicrosoftAppTenantId: credentials.appTenantId ?? '',
    MicrosoftAppType: credentials.appType,
  });
  const adapter = new StewardCloudAdapter(auth);
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

/**
 * Runs one Bot Framework request through the adapter and answers it: the invoke response (a compose
 * query's results, a card action's card), 200 with nothing, 401 for a token the authentication
 * refused, 500 when the turn failed outside the bot's own error handling. Returns the status.
 */
export async function processTeamsRequest(
  adapter: Pick<StewardCloudAdapter, 'run'>,
  req: IncomingMessage,
  res: ServerResponse,
  activity: Activity,
  logic: (context: TurnContext) => Promise<void>,
  log: Logger,
): Promise<number> {
  const header = req.headers.authorization;
  let status: number;
  let body: unknown;
  try {
    const answer = await adapter.run(typeof header === 'string' ? header : '', activity, logic);
    status = answer?.status ?? 200;
    body = answer?.body;
  } catch (error) {
    if (error instanceof AuthenticationError) {
      status = 401;
      body = { error: error.message };
    } else {
      log.error({ err: error, activityType: activity.type }, 'Teams request failed');
      status = 500;
      body = { error: 'internal error' };
    }
  }
  if (body === undefined || body === null) {
    if (!res.headersSent) res.writeHead(status).end();
  } else sendJson(res, status, body);
  return status;
}
