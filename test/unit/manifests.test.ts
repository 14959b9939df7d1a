import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import yauzl from 'yauzl';
import {
  ZERO_GUID,
  buildTeamsPackage,
  renderTeamsManifest,
  validateTeamsManifest,
} from '../../manifest/teams/build.js';
import { readPngHeader } from '../../manifest/teams/png.js';
import { SLACK_MANIFEST_PATH, checkPublicUrl, renderSlackManifest } from '../../manifest/slack/render.js';

interface SlackCommand {
  command: string;
  url: string;
  description: string;
  usage_hint?: string;
}

interface SlackManifest {
  _metadata: { major_version: number; minor_version: number };
  features: {
    app_home: { home_tab_enabled: boolean; messages_tab_enabled: boolean };
    bot_user: { display_name: string };
    slash_commands: SlackCommand[];
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { request_url: string; bot_events: string[] };
    interactivity: { is_enabled: boolean; request_url: string };
    socket_mode_enabled: boolean;
  };
}

const slackText = readFileSync(SLACK_MANIFEST_PATH, 'utf8');

describe('Slack manifest', () => {
  const manifest = parse(slackText) as SlackManifest;

  it('uses the v1.1 manifest schema with home and messages tabs', () => {
    expect(manifest._metadata).toEqual({ major_version: 1, minor_version: 1 });
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.features.app_home.messages_tab_enabled).toBe(true);
    expect(manifest.features.bot_user.display_name).toBe('Steward');
  });

  it('declares the five slash commands, all pointing at /slack/events', () => {
    const commands = manifest.features.slash_commands;
    expect(commands.map((c) => c.command).sort()).toEqual(['/cx', '/glossary', '/journey', '/kpi', '/proposal']);
    for (const c of commands) {
      expect(c.url, c.command).toBe('${PUBLIC_URL}/slack/events');
      expect(c.description.length, c.command).toBeGreaterThan(0);
      expect(c.usage_hint?.length ?? 0, c.command).toBeGreaterThan(0);
    }
  });

  it('routes events and interactivity to /slack/events over HTTP (no socket mode)', () => {
    expect(manifest.settings.event_subscriptions.request_url).toBe('${PUBLIC_URL}/slack/events');
    expect(manifest.settings.interactivity).toEqual({ is_enabled: true, request_url: '${PUBLIC_URL}/slack/events' });
    expect(manifest.settings.event_subscriptions.bot_events.sort()).toEqual(['app_home_opened', 'app_mention', 'message.channels', 'message.groups', 'message.im']);
    expect(manifest.settings.socket_mode_enabled).toBe(false);
    expect(manifest.oauth_config.scopes.bot).toEqual(
      expect.arrayContaining(['commands', 'chat:write', 'app_mentions:read', 'im:history', 'users:read.email', 'channels:history', 'groups:history']),
    );
  });

  it('declares the message shortcut and the global shortcut the Slack adapter answers', () => {
    const shortcuts = (manifest.features as unknown as { shortcuts: { type: string; callback_id: string }[] }).shortcuts;
    expect(shortcuts.map((s) => [s.type, s.callback_id])).toEqual([
      ['message', 'steward_explain'],
      ['global', 'steward_lookup'],
    ]);
  });

  it('renders ${PUBLIC_URL} and rejects unusable values', () => {
    const { yaml, warnings } = renderSlackManifest(slackText, 'https://steward.example.com/');
    expect(warnings).toEqual([]);
    expect(yaml).not.toContain('${');
    const rendered = parse(yaml) as SlackManifest;
    for (const c of rendered.features.slash_commands) expect(c.url).toBe('https://steward.example.com/slack/events');

    expect(() => checkPublicUrl(undefined)).toThrow(/PUBLIC_URL/);
    expect(() => checkPublicUrl('http://steward.example.com')).toThrow(/PUBLIC_URL/);
    expect(() => checkPublicUrl('not a url')).toThrow(/PUBLIC_URL/);
    const local = checkPublicUrl('http://localhost:3000');
    expect(local.base).toBe('http://localhost:3000');
    expect(local.warnings).toHaveLength(1);
  });
});

function zipEntries(path: string): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const entries = new Map<string, Buffer>();
      zip.on('error', reject);
      zip.on('end', () => resolve(entries));
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (streamErr, stream) => {
          if (streamErr) return reject(streamErr);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', reject);
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

describe('Teams package', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'steward-teams-'));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('validates against the v1.19 schema and zips manifest.json + icons at the root', async () => {
    const appId = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
    const result = await buildTeamsPackage({ appId, publicUrl: 'https://steward.example.com:8443/base', outDir });
    if (!result.ok) throw new Error(`unexpected issues: ${JSON.stringify(result.issues)}`);
    expect(result.warnings).toEqual([]);
    expect(result.zipPath).toBe(join(outDir, 'steward-teams.zip'));

    const entries = await zipEntries(result.zipPath);
    expect([...entries.keys()].sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);

    const manifest = JSON.parse(entries.get('manifest.json')?.toString('utf8') ?? '{}') as {
      id: string;
      manifestVersion: string;
      validDomains: string[];
      bots: Array<{ botId: string; scopes: string[]; commandLists: Array<{ commands: Array<{ title: string }> }> }>;
    };
    expect(manifest.manifestVersion).toBe('1.19');
    expect(manifest.id).toBe(appId);
    expect(manifest.bots[0]?.botId).toBe(appId);
    expect(manifest.bots[0]?.scopes.sort()).toEqual(['groupChat', 'personal', 'team']);
    expect(manifest.validDomains).toEqual(['steward.example.com']);
    const titles = manifest.bots[0]?.commandLists.flatMap((l) => l.commands.map((c) => c.title)) ?? [];
    expect(titles.sort()).toEqual(['glossary', 'governance', 'help', 'home', 'journey', 'kpi', 'proposal']);

    const color = readPngHeader(entries.get('color.png') ?? Buffer.alloc(0));
    const outline = readPngHeader(entries.get('outline.png') ?? Buffer.alloc(0));
    expect([color.width, color.height]).toEqual([192, 192]);
    expect([outline.width, outline.height, outline.hasAlpha]).toEqual([32, 32, true]);
  });

  it('falls back to the all-zero GUID and localhost with warnings', async () => {
    const result = await buildTeamsPackage({ outDir });
    expect(result.ok).toBe(true);
    expect(result.warnings.join('\n')).toMatch(/MICROSOFT_APP_ID/);
    expect((result.manifest as { id: string }).id).toBe(ZERO_GUID);
    expect((result.manifest as { validDomains: string[] }).validDomains).toEqual(['localhost']);
  });

  it('reports schema errors with their paths instead of writing a package', async () => {
    const result = await buildTeamsPackage({ appId: 'not-a-guid', outDir: join(outDir, 'bad') });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.path).sort()).toEqual(['/bots/0/botId', '/composeExtensions/0/botId', '/id', '/webApplicationInfo/id']);

    const { manifest } = renderTeamsManifest({ appId: ZERO_GUID });
    const broken = { ...(manifest as Record<string, unknown>), accentColor: 'blue', unknownField: 1 };
    const paths = validateTeamsManifest(broken).map((i) => `${i.path} ${i.message}`);
    expect(paths.some((p) => p.startsWith('/accentColor '))).toBe(true);
    expect(paths.some((p) => p.includes('unknownField'))).toBe(true);
  });
});
