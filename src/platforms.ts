// The chat platforms a Steward talks to: Slack (Bolt, when configured) and Teams (botbuilder), each
// with its notifier for outbound messages, its directory of people (src/reach/ finds people known only
// by e-mail through it) and, when this process serves HTTP, its endpoint.
import { systemClock, type Clock } from './clock.js';
import { ClickInbox } from './chat/inbox.js';
import * as homeRepo from './home/repo.js';
import type { ChatRouter } from './chat/router.js';
import type { Config } from './config.js';
import { InboundEvents } from './db/inbound-events.js';
import type { Notifier } from './delivery/notifier.js';
import { sendJson, type Route } from './http/server.js';
import type { Logger } from './log.js';
import { rememberTeamsChat } from './orgs/conversations.js';
import { latestTeamsServiceUrl } from './orgs/repo.js';
import type { SlackDirectory, TeamsRosters } from './reach/resolver.js';
import type { Services } from './services.js';
import { SlackAdapter } from './slack/app.js';
import { SlackWebDirectory } from './slack/directory.js';
import { SlackNotifier } from './slack/notifier.js';
import { createCloudAdapter } from './teams/adapter.js';
import { StewardTeamsBot } from './teams/bot.js';
import { TeamsNotifier } from './teams/notifier.js';
import { TeamsRosterReader } from './teams/roster.js';
import { teamsRoute } from './teams/route.js';
import { serviceUrlPolicy } from './teams/service-urls.js';

/** What connecting the platforms needs of the start: the config, the log, the business clock, whether HTTP runs. */
export interface PlatformStart {
  config: Config;
  log: Logger;
  clock: Clock;
  runHttp: boolean;
  options: { clickLeaseMs?: number | undefined; homeRefreshMs?: number | undefined };
}

export interface Platforms {
  slack?: SlackAdapter | undefined;
  notifiers: Partial<Record<'slack' | 'teams', Notifier>>;
  /** How the delivery worker finds people known only by e-mail (src/reach/). */
  directories: { slack?: SlackDirectory | undefined; teams: TeamsRosters };
  /** The chat endpoints, when this process runs the HTTP side. */
  routes: Route[];
  /** Slack clicks acknowledged once stored (src/chat/inbox.ts), when this process serves Slack over HTTP. */
  inbox?: ClickInbox | undefined;
}

export function connectPlatforms(start: PlatformStart, router: ChatRouter, services: Services): Platforms {
  const slack = connectSlack(start, router, services);
  const teams = connectTeams(start, router, services);
  return {
    slack: slack?.adapter,
    inbox: slack?.inbox,
    notifiers: { ...(slack ? { slack: slack.notifier } : {}), teams: teams.notifier },
    directories: { slack: slack?.directory, teams: teams.rosters },
    routes: [...(slack?.routes ?? (start.runHttp ? [slackOffRoute()] : [])), ...teams.routes],
  };
}

/** What the start-up log and /slack/events both say while Slack is off. */
const TURN_SLACK_ON = 'set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN to turn on /slack/events';

/**
 * /slack/events while Slack is off: someone pointing a Slack app (or curl) at a fresh Steward learns
 * why nothing answers and what to set, instead of a bare "not found". The body is neither parsed nor verified.
 */
function slackOffRoute(): Route {
  return slackEventsRoute((_req, res) => {
    sendJson(res, 404, { error: `Slack is off on this Steward: ${TURN_SLACK_ON}` });
    return Promise.resolve('404');
  });
}

/** The one Slack endpoint, whether Slack is on (Bolt's receiver) or off (slackOffRoute). */
function slackEventsRoute(handler: Route['handler']): Route {
  return { method: 'POST', path: '/slack/events', name: 'slack', handler, maxBodyBytes: 1_000_000 };
}

function connectSlack({ config, log, runHttp, clock, options }: PlatformStart, router: ChatRouter, services: Services): { adapter: SlackAdapter; notifier: Notifier; directory: SlackDirectory; routes: Route[]; inbox?: ClickInbox | undefined } | undefined {
  if (!config.slackEnabled || !config.SLACK_SIGNING_SECRET || !config.SLACK_BOT_TOKEN) {
    if (runHttp) log.info(`Slack is off: ${TURN_SLACK_ON} (and SLACK_APP_TOKEN for Socket Mode)`);
    return undefined;
  }
  const inbox = runHttp ? new ClickInbox({ db: services.db, clock, log, ...(options.clickLeaseMs ? { leaseMs: options.clickLeaseMs } : {}) }) : undefined;
  const adapter = new SlackAdapter({
    inbox,
    homeTab: {
      store: {
        opened: (slack, hash, now) => homeRepo.homeOpened(services.db, slack, hash, now),
        toCheck: (now, until, limit) => homeRepo.homesToCheck(services.db, now, until, limit),
        published: (personId, hash) => homeRepo.homePublished(services.db, personId, hash),
      },
      ...(options.homeRefreshMs ? { refreshEveryMs: options.homeRefreshMs } : {}),
    },
    signingSecret: config.SLACK_SIGNING_SECRET,
    botToken: config.SLACK_BOT_TOKEN,
    apiUrl: config.SLACK_API_URL,
    appToken: config.SLACK_APP_TOKEN,
    router,
    log,
    inboundEvents: new InboundEvents(services.db),
  });
  const notifier = new SlackNotifier({ botToken: config.SLACK_BOT_TOKEN, apiUrl: config.SLACK_API_URL });
  const directory = new SlackWebDirectory({ botToken: config.SLACK_BOT_TOKEN, apiUrl: config.SLACK_API_URL });
  const receiver = adapter.receiver;
  const routes: Route[] =
    runHttp && !adapter.socketMode ? [slackEventsRoute((req, res, body) => receiver.handle(req, res, body))] : [];
  return { adapter, notifier, directory, routes, inbox };
}

function connectTeams({ config, log, runHttp, clock }: PlatformStart, router: ChatRouter, services: Services): { notifier: Notifier; rosters: TeamsRosters; routes: Route[] } {
  const credentials = { appId: config.MICROSOFT_APP_ID, appPassword: config.MICROSOFT_APP_PASSWORD, appTenantId: config.MICROSOFT_APP_TENANT_ID, appType: config.MICROSOFT_APP_TYPE };
  const adapter = createCloudAdapter(credentials, log);
  const serviceUrlAllowed = serviceUrlPolicy({ anonymous: config.teamsAnonymous, hosts: config.TEAMS_SERVICE_URL_HOSTS });
  const appId = config.MICROSOFT_APP_ID ?? '';
  const notifier = new TeamsNotifier({
    adapter,
    appId,
    serviceUrlFor: (tenantId) => latestTeamsServiceUrl(services.db, tenantId),
    serviceUrlAllowed,
    rememberPersonalChat: rememberTeamsChat(services.db),
  });
  const rosters = new TeamsRosterReader({ adapter, appId, db: services.db, clock: systemClock, log, serviceUrlAllowed });
  if (!runHttp) return { notifier, rosters, routes: [] };
  if (config.teamsAnonymous) {
    log.warn('Teams runs WITHOUT authentication (no MICROSOFT_APP_ID): fine for local use and the Agents Playground, never for production');
  }
  const bot = new StewardTeamsBot({
    router,
    orgs: services.orgs,
    db: services.db,
    log,
    verified: !config.teamsAnonymous,
    inboundEvents: new InboundEvents(services.db),
    rosters: { serviceUrlAllowed, now: () => clock.now() },
  });
  return { notifier, rosters, routes: [teamsRoute(adapter, bot, { anonymous: config.teamsAnonymous, serviceUrlHosts: config.TEAMS_SERVICE_URL_HOSTS, log })] };
}
