// Environment → one zod schema → a typed, frozen config. Start-up fails on the first look with
// every bad variable named and what was expected; secret values never appear in messages.
import { z } from 'zod';
import { ERROR_CODES } from './errors.js';

const emptyToUndefined = (value: unknown) => (value === '' ? undefined : value);

const optionalString = z.preprocess(emptyToUndefined, z.string().optional());

const url = (protocols: string[]) =>
  z
    .string()
    .refine((value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    }, `a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);

/** true/false, 1/0 or yes/no; `fallback` when unset. */
const flag = (fallback: boolean) =>
  z.preprocess(
    emptyToUndefined,
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'true or false' })
      .optional()
      .transform((value) => (value === undefined ? fallback : value === 'true' || value === '1' || value === 'yes')),
  );

const booleanFlag = flag(false);

/**
 * The Bot Framework's service URL hosts (and their subdomains), from Microsoft's Teams documentation:
 * the public cloud's smba.trafficmanager.net, GCC's smba.infra.gcc.teams.microsoft.com, GCC High's
 * and DoD's smba.infra.{gov,dod}.teams.microsoft.us, and the Bot Framework's own channels.
 */
export const DEFAULT_TEAMS_SERVICE_URL_HOSTS = ['smba.trafficmanager.net', 'botframework.com', 'botframework.azure.us', 'teams.microsoft.com', 'teams.microsoft.us'];

export const configSchema = z
  .object({
    NODE_ENV: z.preprocess(
      emptyToUndefined,
      z.enum(['development', 'production', 'test'], { error: 'development, production or test' }).default('development'),
    ),
    LOG_LEVEL: z.preprocess(
      emptyToUndefined,
      z
        .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
          error: 'one of fatal, error, warn, info, debug, trace, silent',
        })
        .default('info'),
    ),
    PORT: z.preprocess(
      emptyToUndefined,
      z.coerce
        .number({ error: 'a port number' })
        .int('a whole port number')
        .min(0, 'a port number from 0 to 65535')
        .max(65535, 'a port number from 0 to 65535')
        .default(3978),
    ),
    PUBLIC_URL: z.preprocess(emptyToUndefined, url(['http:', 'https:']).optional()),
    DATABASE_URL: z.preprocess(emptyToUndefined, url(['postgres:', 'postgresql:']).optional()),
    DATABASE_POOL_SIZE: z.preprocess(
      emptyToUndefined,
      z.coerce.number({ error: 'a number of connections' }).int('a whole number of connections').min(2, 'at least 2 connections').max(200, 'at most 200 connections').default(20),
    ),
    DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('./.data')),
    REDIS_URL: z.preprocess(emptyToUndefined, url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379')),
    SLACK_SIGNING_SECRET: optionalString,
    SLACK_BOT_TOKEN: z.preprocess(
      emptyToUndefined,
      z.string().startsWith('xoxb-', 'a bot token starting with xoxb-').optional(),
    ),
    SLACK_APP_TOKEN: z.preprocess(
      emptyToUndefined,
      z.string().startsWith('xapp-', 'an app-level token starting with xapp-').optional(),
    ),
    SLACK_API_URL: z.preprocess(emptyToUndefined, url(['http:', 'https:']).optional()),
    MICROSOFT_APP_ID: optionalString,
    MICROSOFT_APP_PASSWORD: optionalString,
    MICROSOFT_APP_TENANT_ID: optionalString,
    MICROSOFT_APP_TYPE: z.preprocess(
      emptyToUndefined,
      z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI'], { error: 'MultiTenant, SingleTenant or UserAssignedMSI' }).default('MultiTenant'),
    ),
    TEAMS_ALLOW_ANONYMOUS: booleanFlag,
    // With credentials, the hosts an activity's serviceUrl may name; Steward sends nothing elsewhere.
    TEAMS_SERVICE_URL_HOSTS: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .optional()
        .transform((list) => (list === undefined ? DEFAULT_TEAMS_SERVICE_URL_HOSTS : list.split(',').map((item) => item.trim().toLowerCase().replace(/^\*?\./, '')).filter(Boolean)))
        .pipe(
          z
            .array(z.string())
            .refine((hosts) => hosts.length > 0 && hosts.every((host) => /^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(host)), 'a comma-separated list of host names, e.g. smba.trafficmanager.net,botframework.com'),
        ),
    ),
    // On unless turned off: an operator who suspects a stale answer can have every lookup read the database.
    REMEMBER_ANSWERS: flag(true),
    STEWARD_ORG_NAME: z.preprocess(emptyToUndefined, z.string().max(120, 'at most 120 characters').default('My organisation')),
    // Workspaces and tenants allowed to join the organisation on first contact, besides the first one.
    STEWARD_ALLOWED_INSTALLATIONS: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .optional()
        .transform((list) => (list ?? '').split(',').map((item) => item.trim()).filter(Boolean))
        .pipe(z.array(z.string().regex(/^(slack|slack-grid|teams):[A-Za-z0-9._-]+$/, 'a comma-separated list of slack:T…, slack-grid:E… or teams:<tenant id>'))),
    ),
    STEWARD_SECRET: z.preprocess(
      emptyToUndefined,
      z.string().min(16, 'at least 16 characters (used to sign chart links)').optional(),
    ),
  })
  .superRefine((env, ctx) => {
    const slackSet = [env.SLACK_SIGNING_SECRET, env.SLACK_BOT_TOKEN].filter(Boolean).length;
    if (slackSet === 1) {
      const missing = env.SLACK_SIGNING_SECRET ? 'SLACK_BOT_TOKEN' : 'SLACK_SIGNING_SECRET';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'required when the other Slack variable is set (Slack needs both the signing secret and the bot token)' });
    }
    if (env.SLACK_APP_TOKEN && !env.SLACK_BOT_TOKEN) {
      ctx.addIssue({ code: 'custom', path: ['SLACK_BOT_TOKEN'], message: 'required for Socket Mode (SLACK_APP_TOKEN is set)' });
    }
    if (env.MICROSOFT_APP_ID && !env.MICROSOFT_APP_PASSWORD && env.MICROSOFT_APP_TYPE !== 'UserAssignedMSI') {
      ctx.addIssue({ code: 'custom', path: ['MICROSOFT_APP_PASSWORD'], message: 'required when MICROSOFT_APP_ID is set' });
    }
    if (env.MICROSOFT_APP_TYPE === 'SingleTenant' && env.MICROSOFT_APP_ID && !env.MICROSOFT_APP_TENANT_ID) {
      ctx.addIssue({ code: 'custom', path: ['MICROSOFT_APP_TENANT_ID'], message: 'required when MICROSOFT_APP_TYPE is SingleTenant' });
    }
    if (!env.MICROSOFT_APP_ID && env.NODE_ENV === 'production' && !env.TEAMS_ALLOW_ANONYMOUS) {
      ctx.addIssue({
        code: 'custom',
        path: ['MICROSOFT_APP_ID'],
        message: 'required in production; set TEAMS_ALLOW_ANONYMOUS=true to run the Teams endpoint without authentication on purpose',
      });
    }
    // Also when another variable is malformed (zod skips refinements then), so one start names every
    // problem. The checks above only test presence and equality, which raw values answer as well.
  }, { when: () => true });

type RawConfig = z.infer<typeof configSchema>;

export type Config = Readonly<
  RawConfig & {
    slackEnabled: boolean;
    teamsAnonymous: boolean;
    publicUrl: string;
    /** Signs chart links and similar capability URLs; derived when not configured. */
    secret: string;
  }
>;

export class ConfigError extends Error {
  readonly code = ERROR_CODES.configInvalid;
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    // Only the variable name and the expectation: never the offending value, which may be a secret.
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: expected ${issue.message}`);
    throw new ConfigError(problems);
  }
  const raw = parsed.data;
  const publicUrl = (raw.PUBLIC_URL ?? `http://localhost:${raw.PORT}`).replace(/\/+$/, '');
  const secret =
    raw.STEWARD_SECRET ?? raw.SLACK_SIGNING_SECRET ?? raw.MICROSOFT_APP_PASSWORD ?? `steward-local-${raw.DATA_DIR}-${raw.DATABASE_URL ?? ''}`;
  return Object.freeze({
    ...raw,
    slackEnabled: Boolean(raw.SLACK_SIGNING_SECRET && raw.SLACK_BOT_TOKEN),
    teamsAnonymous: !raw.MICROSOFT_APP_ID,
    publicUrl,
    secret,
  });
}
