import { describe, expect, it } from 'vitest';
import { isLoopbackAddress, isLoopbackUrl } from '../../src/teams/route.js';

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
