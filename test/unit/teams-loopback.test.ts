import { describe, expect, it } from 'vitest';
import { isLoopbackAddress, isLoopbackUrl, serviceUrlAllowed } from '../../src/teams/route.js';

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

describe('service URLs replied to with credentials', () => {
  const hosts = ['smba.trafficmanager.net', 'botframework.com'];
  it('accepts the Bot Framework hosts over HTTPS and refuses others', () => {
    expect(serviceUrlAllowed('https://smba.trafficmanager.net/emea/', hosts)).toBe(true);
    expect(serviceUrlAllowed('https://webchat.botframework.com/', hosts)).toBe(true);
    expect(serviceUrlAllowed('http://smba.trafficmanager.net/emea/', hosts)).toBe(false);
    expect(serviceUrlAllowed('https://attacker.example/', hosts)).toBe(false);
    expect(serviceUrlAllowed('https://botframework.com.attacker.example/', hosts)).toBe(false);
    expect(serviceUrlAllowed('not a url', hosts)).toBe(false);
  });
});
