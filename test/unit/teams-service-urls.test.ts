// Which Teams requests are taken and which service URLs Steward talks to: the address and URL rules,
// and the route's refusals with a caller that is not on this machine (a fake socket address, so the
// test does not depend on the machine having another interface).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CloudAdapter } from 'botbuilder';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TEAMS_SERVICE_URL_HOSTS, loadConfig } from '../../src/config.js';
import { PermanentDeliveryError } from '../../src/delivery/notifier.js';
import { TeamsNotifier } from '../../src/teams/notifier.js';
import { teamsRoute } from '../../src/teams/route.js';
import { isAllowedServiceUrl, isLoopbackAddress, isLoopbackUrl, serviceUrlPolicy } from '../../src/teams/service-urls.js';

describe('what counts as this machine for unauthenticated Teams requests', () => {
  it('accepts loopback callers only', () => {
    for (const address of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) expect(isLoopbackAddress(address), address).toBe(true);
    for (const address of ['10.0.0.5', '192.168.1.2', '::ffff:10.0.0.5', '2001:db8::1', '', undefined]) expect(isLoopbackAddress(address), String(address)).toBe(false);
  });

  it('replies only to loopback service URLs', () => {
    for (const url of ['http://127.0.0.1:56150/', 'http://localhost:3978/x', 'http://[::1]:8080/']) expect(isLoopbackUrl(url), url).toBe(true);
    for (const url of ['http://attacker.example/', 'https://smba.trafficmanager.net/emea/', 'http://127.0.0.1.attacker.example/', 'not a url']) expect(isLoopbackUrl(url), url).toBe(false);
  });
});

describe('the Bot Framework service URLs allowed with credentials', () => {
  const hosts = DEFAULT_TEAMS_SERVICE_URL_HOSTS;

  it('allows the Bot Framework and Teams hosts of every cloud, over https', () => {
    for (const url of [
      'https://smba.trafficmanager.net/emea/',
      'https://smba.trafficmanager.net/teams/',
      'https://smba.infra.gcc.teams.microsoft.com/teams',
      'https://smba.infra.gov.teams.microsoft.us/teams',
      'https://smba.infra.dod.teams.microsoft.us/teams',
      'https://webchat.botframework.com/',
      'https://SMBA.TrafficManager.net:443/amer/',
    ]) {
      expect(isAllowedServiceUrl(url, hosts), url).toBe(true);
    }
  });

  it('refuses other hosts, look-alikes, plain http and what is not a URL', () => {
    for (const url of [
      'https://attacker.example/',
      'https://evilbotframework.com/',
      'https://smba.trafficmanager.net.attacker.example/',
      'http://smba.trafficmanager.net/emea/',
      'http://127.0.0.1:56150/',
      'https://192.0.2.10/',
      'not a url',
      '',
    ]) {
      expect(isAllowedServiceUrl(url, hosts), url).toBe(false);
    }
  });

  it('takes the hosts from TEAMS_SERVICE_URL_HOSTS, and a loopback connector over http when listed', () => {
    const config = loadConfig({ TEAMS_SERVICE_URL_HOSTS: ' *.example.org, 127.0.0.1 ' });
    expect(config.TEAMS_SERVICE_URL_HOSTS).toEqual(['example.org', '127.0.0.1']);
    expect(isAllowedServiceUrl('https://bots.example.org/x', config.TEAMS_SERVICE_URL_HOSTS)).toBe(true);
    expect(isAllowedServiceUrl('http://127.0.0.1:4000/', config.TEAMS_SERVICE_URL_HOSTS)).toBe(true);
    expect(isAllowedServiceUrl('https://smba.trafficmanager.net/emea/', config.TEAMS_SERVICE_URL_HOSTS)).toBe(false);
    expect(loadConfig({}).TEAMS_SERVICE_URL_HOSTS).toEqual(DEFAULT_TEAMS_SERVICE_URL_HOSTS);
    expect(() => loadConfig({ TEAMS_SERVICE_URL_HOSTS: 'https://x.example/' })).toThrow(/TEAMS_SERVICE_URL_HOSTS: expected a comma-separated list of host names/);
  });

  it('without credentials, allows this machine only, whatever the hosts say', () => {
    const allowed = serviceUrlPolicy({ anonymous: true, hosts });
    expect(allowed('http://127.0.0.1:56150/')).toBe(true);
    expect(allowed('https://smba.trafficmanager.net/emea/')).toBe(false);
  });
});

/** Posts one activity to the route as if from `remoteAddress`; the adapter must never be reached. */
async function post(options: { anonymous: boolean; remoteAddress: string; serviceUrl: string; headers?: Record<string, string> }) {
  const lines: string[] = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
  let adapterCalls = 0;
  const adapter = {
    run: async () => {
      adapterCalls++;
      return undefined;
    },
  };
  const route = teamsRoute(adapter, { run: async () => {} }, { anonymous: options.anonymous, serviceUrlHosts: DEFAULT_TEAMS_SERVICE_URL_HOSTS, log });
  const answer = { status: 0, body: '' };
  const res = {
    headersSent: false,
    writeHead(status: number) {
      answer.status = status;
      return res;
    },
    end(body?: string) {
      answer.body = body ?? '';
      res.headersSent = true;
      return res;
    },
  };
  const req = { socket: { remoteAddress: options.remoteAddress }, headers: options.headers ?? {}, method: 'POST' } as unknown as IncomingMessage;
  const activity = {
    type: 'message',
    serviceUrl: options.serviceUrl,
    channelId: 'msteams',
    from: { id: '29:x', aadObjectId: 'x' },
    conversation: { id: 'a:x', tenantId: 't' },
    text: 'help',
  };
  const label = await route.handler(req, res as unknown as ServerResponse, Buffer.from(JSON.stringify(activity)));
  return { ...answer, label, adapterCalls, lines };
}

describe('the Teams route refuses before anything is learnt or sent', () => {
  it('without credentials, a caller not on this machine gets 401 and a log line naming the variables', async () => {
    for (const remoteAddress of ['192.0.2.7', '::ffff:10.1.2.3', '2001:db8::5']) {
      const answer = await post({ anonymous: true, remoteAddress, serviceUrl: 'http://127.0.0.1:56150/' });
      expect(answer.status, remoteAddress).toBe(401);
      expect(answer.label).toBe('401');
      expect(answer.adapterCalls).toBe(0);
      expect(answer.body).toContain('MICROSOFT_APP_ID');
      expect(answer.lines.join('')).toMatch(/MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD/);
    }
  });

  it('without credentials, a request relayed by a proxy on this machine is not from this machine', async () => {
    for (const headers of [{ 'x-forwarded-for': '203.0.113.9' }, { forwarded: 'for=203.0.113.9' }, { 'x-real-ip': '203.0.113.9' }] as Record<string, string>[]) {
      const answer = await post({ anonymous: true, remoteAddress: '127.0.0.1', serviceUrl: 'http://127.0.0.1:56150/', headers });
      expect(answer.status, JSON.stringify(headers)).toBe(401);
      expect(answer.adapterCalls).toBe(0);
    }
    expect((await post({ anonymous: true, remoteAddress: '127.0.0.1', serviceUrl: 'http://127.0.0.1:56150/' })).adapterCalls).toBe(1);
  });

  it('without credentials, a local caller naming another service URL gets 400', async () => {
    const answer = await post({ anonymous: true, remoteAddress: '127.0.0.1', serviceUrl: 'http://192.0.2.7:8080/' });
    expect(answer.status).toBe(400);
    expect(answer.adapterCalls).toBe(0);
    expect(answer.lines.join('')).toMatch(/MICROSOFT_APP_PASSWORD/);
  });

  it('with credentials, an activity whose serviceUrl host is not allowed gets 400 naming TEAMS_SERVICE_URL_HOSTS', async () => {
    const answer = await post({ anonymous: false, remoteAddress: '192.0.2.7', serviceUrl: 'https://attacker.example/teams/' });
    expect(answer.status).toBe(400);
    expect(answer.adapterCalls).toBe(0);
    expect(answer.body).toContain('attacker.example');
    expect(answer.lines.join('')).toMatch(/TEAMS_SERVICE_URL_HOSTS/);
    // An allowed host goes on to the adapter (which checks the token).
    expect((await post({ anonymous: false, remoteAddress: '192.0.2.7', serviceUrl: 'https://smba.trafficmanager.net/emea/' })).adapterCalls).toBe(1);
  });
});

describe('proactive messages go only to allowed service URLs', () => {
  it('does not use a stored reference or a tenant service URL that is not allowed now', async () => {
    let adapterCalls = 0;
    const adapter = {
      continueConversationAsync: async () => void adapterCalls++,
      createConversationAsync: async () => void adapterCalls++,
    } as unknown as CloudAdapter;
    const notifier = new TeamsNotifier({ adapter, appId: '', serviceUrlFor: async () => 'http://attacker.example/', serviceUrlAllowed: serviceUrlPolicy({ anonymous: true, hosts: [] }) });
    const card = { title: 'Ping', blocks: [], summary: 'Ping' };
    const stored = { kind: 'conversation' as const, platform: 'teams' as const, installationId: 't', conversationId: 'a:x', reference: { serviceUrl: 'http://attacker.example/', conversation: { id: 'a:x' } } };
    await expect(notifier.post(stored, card, { outboxId: 'o1' })).rejects.toBeInstanceOf(PermanentDeliveryError);
    const person = { kind: 'user' as const, platform: 'teams' as const, installationId: 't', userId: '29:x' };
    await expect(notifier.post(person, card, { outboxId: 'o2' })).rejects.toBeInstanceOf(PermanentDeliveryError);
    expect(adapterCalls).toBe(0);
  });
});
