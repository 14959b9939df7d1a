// The Bot Framework clients Steward's adapter builds after authenticating are built once per app id,
// service URL and audience, and reused by every later activity (botbuilder builds new ones per activity).
import { describe, expect, it } from 'vitest';
import { ReusingAuthentication } from '../../src/teams/adapter.js';

type Claims = Parameters<ReusingAuthentication['createConnectorFactory']>[0];
const claims = (appId: string): Claims => ({ claims: appId ? [{ type: 'appid', value: appId }, { type: 'aud', value: appId }] : [], isAuthenticated: Boolean(appId), getClaimValue: () => null }) as unknown as Claims;

describe('Teams adapter: clients for outbound calls', () => {
  const auth = new ReusingAuthentication({ MicrosoftAppId: '', MicrosoftAppPassword: '', MicrosoftAppTenantId: '', MicrosoftAppType: 'MultiTenant' });

  it('reuses the connector client of a service URL and audience, across activities and factories', async () => {
    const first = await auth.createConnectorFactory(claims('')).create('https://smba.trafficmanager.net/emea/', 'https://api.botframework.com');
    const again = await auth.createConnectorFactory(claims('')).create('https://smba.trafficmanager.net/emea/', 'https://api.botframework.com');
    const elsewhere = await auth.createConnectorFactory(claims('')).create('https://smba.trafficmanager.net/amer/', 'https://api.botframework.com');
    expect(again).toBe(first);
    expect(elsewhere).not.toBe(first);
  });

  it('keeps the clients of different app ids apart', async () => {
    const anonymous = await auth.createConnectorFactory(claims('')).create('https://smba.trafficmanager.net/emea/');
    const other = await auth.createConnectorFactory(claims('11111111-2222-3333-4444-555555555555')).create('https://smba.trafficmanager.net/emea/').catch(() => undefined);
    expect(other).not.toBe(anonymous);
  });

  it('reuses the user token client of an app id', async () => {
    expect(await auth.createUserTokenClient(claims(''))).toBe(await auth.createUserTokenClient(claims('')));
  });
});
