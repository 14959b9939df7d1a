// Start-up configuration: each bad variable stops Steward with its own message that names it and
// says what was expected, and never repeats a secret value.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

/** The problems loadConfig reports for this environment (empty when it is valid). */
function problemsFor(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

function messageFor(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

const SECRET = 'Sup3r-s3cret-value-9f8e7d';

describe('configuration', () => {
  it('accepts an empty environment with the documented defaults', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3978);
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.DATA_DIR).toBe('./.data');
    expect(config.slackEnabled).toBe(false);
    expect(config.teamsAnonymous).toBe(true);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('remembers answers unless REMEMBER_ANSWERS turns it off', () => {
    expect(loadConfig({}).REMEMBER_ANSWERS).toBe(true);
    expect(loadConfig({ REMEMBER_ANSWERS: 'false' }).REMEMBER_ANSWERS).toBe(false);
    expect(loadConfig({ REMEMBER_ANSWERS: '0' }).REMEMBER_ANSWERS).toBe(false);
    expect(loadConfig({ REMEMBER_ANSWERS: 'yes' }).REMEMBER_ANSWERS).toBe(true);
  });

  const cases: { name: string; env: Record<string, string>; variable: string; expected: RegExp; secret?: string }[] = [
    { name: 'PORT=abc', env: { PORT: 'abc' }, variable: 'PORT', expected: /port number/ },
    { name: 'PORT out of range', env: { PORT: '70000' }, variable: 'PORT', expected: /0 to 65535/ },
    {
      name: 'DATABASE_URL=mysql://…',
      env: { DATABASE_URL: `mysql://steward:${SECRET}@db.example.com/steward` },
      variable: 'DATABASE_URL',
      expected: /postgres:\/\/ or postgresql:\/\//,
      secret: SECRET,
    },
    { name: 'REDIS_URL=http://…', env: { REDIS_URL: `http://:${SECRET}@cache.example.com:6379` }, variable: 'REDIS_URL', expected: /redis:\/\/ or rediss:\/\//, secret: SECRET },
    {
      name: 'SLACK_BOT_TOKEN=bad',
      env: { SLACK_BOT_TOKEN: `bad-${SECRET}`, SLACK_SIGNING_SECRET: 'signing-secret-0123456789' },
      variable: 'SLACK_BOT_TOKEN',
      expected: /xoxb-/,
      secret: SECRET,
    },
    {
      name: 'SLACK_SIGNING_SECRET without a bot token',
      env: { SLACK_SIGNING_SECRET: SECRET },
      variable: 'SLACK_BOT_TOKEN',
      expected: /required when the other Slack variable is set/,
      secret: SECRET,
    },
    {
      name: 'SLACK_BOT_TOKEN without a signing secret',
      env: { SLACK_BOT_TOKEN: `xoxb-${SECRET}` },
      variable: 'SLACK_SIGNING_SECRET',
      expected: /required when the other Slack variable is set/,
      secret: SECRET,
    },
    {
      name: 'MICROSOFT_APP_ID without a password',
      env: { MICROSOFT_APP_ID: '11111111-2222-3333-4444-555555555555' },
      variable: 'MICROSOFT_APP_PASSWORD',
      expected: /required when MICROSOFT_APP_ID is set/,
    },
    {
      name: 'production without MICROSOFT_APP_ID and without TEAMS_ALLOW_ANONYMOUS',
      env: { NODE_ENV: 'production' },
      variable: 'MICROSOFT_APP_ID',
      expected: /TEAMS_ALLOW_ANONYMOUS=true/,
    },
    { name: 'LOG_LEVEL=loud', env: { LOG_LEVEL: 'loud' }, variable: 'LOG_LEVEL', expected: /fatal, error, warn, info, debug, trace, silent/ },
    { name: 'TEAMS_ALLOW_ANONYMOUS=maybe', env: { TEAMS_ALLOW_ANONYMOUS: 'maybe' }, variable: 'TEAMS_ALLOW_ANONYMOUS', expected: /true or false/ },
    { name: 'REMEMBER_ANSWERS=sometimes', env: { REMEMBER_ANSWERS: 'sometimes' }, variable: 'REMEMBER_ANSWERS', expected: /true or false/ },
    { name: 'NODE_ENV=staging', env: { NODE_ENV: 'staging' }, variable: 'NODE_ENV', expected: /development, production or test/ },
    { name: 'SLACK_APP_TOKEN=bad', env: { SLACK_APP_TOKEN: `bad-${SECRET}`, SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'signing' }, variable: 'SLACK_APP_TOKEN', expected: /xapp-/, secret: SECRET },
  ];

  it.each(cases)('refuses $name with one message naming $variable', ({ env, variable, expected, secret }) => {
    const problems = problemsFor(env);
    expect(problems).toHaveLength(1);
    const [problem] = problems;
    expect(problem?.startsWith(`${variable}: expected `)).toBe(true);
    expect(problem).toMatch(expected);
    const message = messageFor(env);
    expect(message).toContain(variable);
    if (secret) expect(message).not.toContain(secret);
  });

  it('accepts production when anonymous Teams is asked for explicitly, or when app credentials are set', () => {
    expect(problemsFor({ NODE_ENV: 'production', TEAMS_ALLOW_ANONYMOUS: 'true' })).toEqual([]);
    expect(problemsFor({ NODE_ENV: 'production', MICROSOFT_APP_ID: 'app', MICROSOFT_APP_PASSWORD: SECRET })).toEqual([]);
  });

  it('names every bad variable at once, each with its own line, and no secret', () => {
    const message = messageFor({ PORT: 'abc', LOG_LEVEL: 'loud', REDIS_URL: `http://${SECRET}@x`, SLACK_SIGNING_SECRET: SECRET });
    const lines = message.split('\n').filter((line) => line.startsWith('  - '));
    expect(lines.map((line) => line.slice(4).split(':')[0]).sort()).toEqual(['LOG_LEVEL', 'PORT', 'REDIS_URL', 'SLACK_BOT_TOKEN']);
    expect(message).not.toContain(SECRET);
  });
});

describe('configuration: the real process', () => {
  async function start(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
    const child = spawn('npx', ['tsx', 'src/main.ts'], {
      cwd: process.cwd(),
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 55_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
    clearTimeout(timer);
    return { code, output };
  }

  it('exits non-zero at once, naming the bad variable and hiding the secret', async () => {
    const { code, output } = await start({ PORT: 'abc', SLACK_SIGNING_SECRET: SECRET });
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(output).toContain('Steward cannot start');
    expect(output).toContain('PORT: expected');
    expect(output).toContain('SLACK_BOT_TOKEN: expected');
    expect(output).not.toContain(SECRET);
  }, 60_000);
});
