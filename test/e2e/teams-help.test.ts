// Teams end to end: Bot Framework activities posted to /api/messages exactly as Teams sends them; the
// replies and proactive messages arrive at a fake Bot Connector at the activity's serviceUrl.
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { para } from '../../src/chat/card.js';
import { enqueueMessage } from '../../src/delivery/outbox-repo.js';
import { FakeConnector, postActivity, teamsMessage, type ConnectorCall } from '../support/fake-connector.js';
import { postSlack, slashCommandBody } from '../support/slack.js';
import { linkTeamsMembers, startTestSteward, type TestSteward } from '../support/steward.js';
import { waitUntil } from '../support/wait.js';

interface Attachment {
  contentType: string;
  content: { type: string; version: string; body: unknown[] };
}

function attachmentsOf(call: ConnectorCall | undefined): Attachment[] {
  const attachments = call?.body.attachments;
  return Array.isArray(attachments) ? (attachments as Attachment[]) : [];
}

/** A conversationUpdate as Teams sends it when the app is added to a team or to a personal chat. */
function botAdded(options: { serviceUrl: string; conversationId: string; kind: 'channel' | 'personal'; teamId?: string; userAad?: string }) {
  const aad = options.userAad ?? '00000000-0000-0000-0000-0000000000b2';
  return {
    type: 'conversationUpdate',
    id: `f:${randomUUID()}`,
    timestamp: new Date().toISOString(),
    serviceUrl: options.serviceUrl,
    channelId: 'msteams',
    from: { id: `29:${aad}`, aadObjectId: aad, name: 'Bart Claes' },
    recipient: { id: '28:steward-bot', name: 'Steward' },
    conversation: {
      id: options.conversationId,
      conversationType: options.kind,
      tenantId: 'tenant-0001',
      ...(options.kind === 'channel' ? { isGroup: true, name: 'CX board' } : {}),
    },
    membersAdded: [{ id: '28:steward-bot' }],
    channelData: {
      tenant: { id: 'tenant-0001' },
      ...(options.teamId ? { team: { id: options.teamId, name: 'CX governance' }, eventType: 'teamMemberAdded' } : {}),
    },
  };
}

/** An IPv4 address of this machine that is not loopback, when it has one. */
const OTHER_ADDRESS = Object.values(networkInterfaces())
  .flat()
  .find((item) => item?.family === 'IPv4' && !item.internal)?.address;

/** Posts an activity to Steward from `localAddress`, so Steward sees a caller that is not loopback. */
async function postFrom(localAddress: string, port: string, activity: Record<string, unknown>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: localAddress, port, localAddress, path: '/api/messages', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(activity));
  });
}

describe('Teams: help and conversation references, anonymous (local) mode', () => {
  let t: TestSteward;
  beforeAll(async () => {
    t = await startTestSteward();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers a personal "help" message with the help card as an Adaptive Card 1.5 at the serviceUrl', async () => {
    const before = t.connector.sent().length;
    const response = await postActivity(t.url, teamsMessage({ text: 'help', serviceUrl: t.connector.url }));
    expect(response.status).toBe(200);
    await t.connector.waitFor(() => t.connector.sent().length > before);
    const reply = t.connector.sent()[before];
    expect(reply?.conversationId).toBe('a:personal-00000000-0000-0000-0000-0000000000a1');
    const [attachment] = attachmentsOf(reply);
    expect(attachment?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(attachment?.content).toMatchObject({ type: 'AdaptiveCard', version: '1.5' });
    const rendered = JSON.stringify(attachment?.content);
    expect(rendered).toContain('Steward help');
    expect(rendered).toContain('role');
  });

  it('answers "help glossary" with the examples as a Teams user writes them', async () => {
    const before = t.connector.sent().length;
    await postActivity(t.url, teamsMessage({ text: 'help glossary', serviceUrl: t.connector.url }));
    await t.connector.waitFor(() => t.connector.sent().length > before);
    const rendered = JSON.stringify(t.connector.sent()[before]?.body);
    expect(rendered).toContain('Help: glossary');
    expect(rendered).toContain('glossary explain');
    expect(rendered).not.toContain('/glossary');
    // A command inside a description is shown as one, as typed: never a stray backtick.
    expect(rendered).toContain('glossary unwatch here');
    expect(rendered).not.toContain('`');
  });

  it('answers "<at>Steward</at> help" in a channel, with the mention stripped, the same way', async () => {
    const before = t.connector.sent().length;
    const channel = '19:cx-board@thread.tacv2;messageid=1700000000001';
    const response = await postActivity(
      t.url,
      teamsMessage({
        text: '<at>Steward</at> help',
        serviceUrl: t.connector.url,
        conversationType: 'channel',
        conversationId: channel,
        entities: [{ type: 'mention', text: '<at>Steward</at>', mentioned: { id: '28:steward-bot', name: 'Steward' } }],
      }),
    );
    expect(response.status).toBe(200);
    await t.connector.waitFor(() => t.connector.sent().length > before);
    const reply = t.connector.sent()[before];
    expect(reply?.conversationId).toBe(channel);
    const [attachment] = attachmentsOf(reply);
    expect(attachment?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(attachment?.content.version).toBe('1.5');
    expect(JSON.stringify(attachment?.content)).toContain('Steward help');
    expect(JSON.stringify(attachment?.content)).not.toContain('Unknown command');
  });

  it('answers a redelivered activity (same id) once', async () => {
    const conversationId = `a:personal-redelivery-${randomUUID()}`;
    const activity = teamsMessage({ text: 'help', serviceUrl: t.connector.url, conversationId });
    const replies = () => t.connector.sent().filter((c) => c.conversationId === conversationId);
    expect((await postActivity(t.url, activity)).status).toBe(200);
    // The turn's replies are sent before the HTTP answer, so the count is final once it arrives.
    expect(replies()).toHaveLength(1);
    expect((await postActivity(t.url, activity)).status).toBe(200);
    expect(replies()).toHaveLength(1);
    expect((await postActivity(t.url, { ...activity, id: `msg-${randomUUID()}` })).status).toBe(200);
    expect(replies()).toHaveLength(2);
  });

  it('without credentials, refuses an activity whose serviceUrl is not on this machine: nothing fetched or sent there, nothing stored', async () => {
    const people = async () => (await t.database.db.selectFrom('people').select('id').execute()).length;
    const before = { people: await people(), calls: t.connector.calls.length };
    const forged = teamsMessage({ text: 'help', serviceUrl: 'http://attacker.example/', userAad: '00000000-0000-0000-0000-0000000000f1', conversationId: 'a:personal-forged' });
    const response = await postActivity(t.url, forged);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('MICROSOFT_APP_ID');
    expect(await people()).toBe(before.people);
    expect(t.connector.calls.length).toBe(before.calls);
  });

  it.skipIf(!OTHER_ADDRESS)('without credentials, a forged serviceUrl naming an admin’s e-mail: refused, nothing fetched from or sent to it, nobody linked', async () => {
    // A second connector, on this machine's non-loopback address, whose roster says the sender is the admin.
    const attacker = await new FakeConnector().start(OTHER_ADDRESS);
    try {
      const db = t.database.db;
      const orgId = await t.steward.services.orgs.defaultOrganisation();
      const { grantRole, personForEmail } = await import('../../src/orgs/service.js');
      const admin = await personForEmail(db, orgId, 'chief@example.com', 'The Chief');
      await grantRole(db, admin, { orgId, role: 'admin', byLabel: 'test' });
      const aad = '00000000-0000-0000-0000-0000000000f3';
      attacker.members.set(`29:${aad}`, { email: 'chief@example.com', name: 'The Chief', aadObjectId: aad });
      const before = { people: (await db.selectFrom('people').select('id').execute()).length, calls: t.connector.calls.length };

      const response = await postActivity(t.url, teamsMessage({ text: 'role grant admin <@x>', serviceUrl: attacker.url, userAad: aad, conversationId: `a:personal-${aad}` }));
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('MICROSOFT_APP_PASSWORD');
      expect(attacker.calls).toEqual([]);
      expect(t.connector.calls.length).toBe(before.calls);
      expect(await db.selectFrom('identities').select('person_id').where('external_user_id', '=', aad).execute()).toEqual([]);
      expect(await db.selectFrom('identities').select('id').where('person_id', '=', admin).execute()).toEqual([]);
      expect((await db.selectFrom('people').select('id').execute()).length).toBe(before.people);
    } finally {
      await attacker.close();
    }
  });

  it.skipIf(!OTHER_ADDRESS)('without credentials, refuses a caller that is not on this machine with 401 naming the variables to set', async () => {
    const before = { conversations: (await t.database.db.selectFrom('conversations').select('id').execute()).length, calls: t.connector.calls.length };
    const port = new URL(t.url).port;
    const aad = '00000000-0000-0000-0000-0000000000f4';
    const answer = await postFrom(OTHER_ADDRESS!, port, teamsMessage({ text: 'help', serviceUrl: t.connector.url, userAad: aad, conversationId: `a:personal-${aad}` }));
    expect(answer.status).toBe(401);
    expect(answer.body).toContain('MICROSOFT_APP_ID');
    expect(t.connector.calls.length).toBe(before.calls);
    expect((await t.database.db.selectFrom('conversations').select('id').execute()).length).toBe(before.conversations);
    expect(await t.database.db.selectFrom('identities').select('id').where('external_user_id', '=', aad).execute()).toEqual([]);
  });

  it('without credentials, learns nothing from the request: a sender whose roster e-mail is an admin’s is a person of their own', async () => {
    const orgId = await t.steward.services.orgs.defaultOrganisation();
    const { grantRole, personForEmail } = await import('../../src/orgs/service.js');
    const admin = await personForEmail(t.database.db, orgId, 'boss@example.com', 'The Boss');
    await grantRole(t.database.db, admin, { orgId, role: 'admin', byLabel: 'test' });
    const aad = '00000000-0000-0000-0000-0000000000f2';
    t.connector.members.set(`29:${aad}`, { email: 'boss@example.com', name: 'Not The Boss', aadObjectId: aad });
    expect((await postActivity(t.url, teamsMessage({ text: 'help', serviceUrl: t.connector.url, userAad: aad, conversationId: `a:personal-${aad}` }))).status).toBe(200);
    const linked = await t.database.db.selectFrom('identities').select('person_id').where('external_user_id', '=', aad).executeTakeFirstOrThrow();
    expect(linked.person_id).not.toBe(admin);
    expect(t.connector.calls.some((c) => c.path.includes('/members/'))).toBe(false);
  });

  it('refuses what is not a Bot Framework activity with 400 naming what is missing, and answers and stores nothing', async () => {
    const people = async () => Number((await t.database.db.selectFrom('people').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const before = { people: await people(), calls: t.connector.calls.length };
    const valid = teamsMessage({ text: 'help', serviceUrl: t.connector.url, userAad: '00000000-0000-0000-0000-0000000bad01' });
    const cases: [Record<string, unknown>, string][] = [
      [{ type: 'message', text: 'help' }, 'serviceUrl'],
      [{ ...valid, conversation: undefined }, 'conversation'],
      [{ ...valid, from: {} }, 'from.id'],
      [{ ...valid, serviceUrl: 'ftp://example.com/' }, 'serviceUrl'],
    ];
    for (const [activity, field] of cases) {
      const response = await postActivity(t.url, activity);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toContain(field);
    }
    const broken = await fetch(`${t.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
    expect(broken.status).toBe(400);
    expect(t.connector.calls.length).toBe(before.calls);
    expect(await people()).toBe(before.people);
  });

  it('stores the conversation reference when Steward is added to a team', async () => {
    const conversationId = '19:general-team-1@thread.tacv2';
    const response = await postActivity(t.url, botAdded({ serviceUrl: t.connector.url, conversationId, kind: 'channel', teamId: conversationId }));
    expect(response.status).toBe(200);
    const row = await t.database.db.selectFrom('conversations').selectAll().where('external_id', '=', conversationId).executeTakeFirst();
    expect(row).toMatchObject({ platform: 'teams', kind: 'channel', installation_external_id: 'tenant-0001' });
    expect(row?.reference).toMatchObject({ serviceUrl: t.connector.url, conversation: { id: conversationId }, channelId: 'msteams' });
  });

  it('stores the conversation reference, linked to the person, when Steward is added to a personal chat', async () => {
    const conversationId = 'a:personal-new-install';
    const response = await postActivity(t.url, botAdded({ serviceUrl: t.connector.url, conversationId, kind: 'personal' }));
    expect(response.status).toBe(200);
    const row = await t.database.db
      .selectFrom('conversations as c')
      .innerJoin('identities as i', 'i.person_id', 'c.person_id')
      .select(['c.kind', 'c.reference', 'i.external_user_id'])
      .where('c.external_id', '=', conversationId)
      .executeTakeFirst();
    expect(row).toMatchObject({ kind: 'personal', external_user_id: '00000000-0000-0000-0000-0000000000b2' });
    expect(row?.reference).toMatchObject({ serviceUrl: t.connector.url, conversation: { id: conversationId } });
  });

  it('delivers an outbox message to a person whose last-seen identity is Teams through the connector, not Slack', async () => {
    // Ann used Slack first, then Teams; the same e-mail links both identities to one person.
    t.slack.emails.set('UANN0001', 'ann@example.com');
    await postSlack(t.url, slashCommandBody({ command: '/cx', text: 'help', user_id: 'UANN0001' }));
    const aad = '00000000-0000-0000-0000-0000000000c3';
    t.connector.members.set(`29:${aad}`, { email: 'ann@example.com', name: 'Ann Peeters', aadObjectId: aad });
    await linkTeamsMembers(t);
    await postActivity(t.url, teamsMessage({ text: 'help', serviceUrl: t.connector.url, userAad: aad }));
    const identities = await t.database.db
      .selectFrom('identities as i')
      .innerJoin('people as p', 'p.id', 'i.person_id')
      .select(['p.id', 'i.platform'])
      .where('p.email', '=', 'ann@example.com')
      .execute();
    expect(identities.map((i) => i.platform).sort()).toEqual(['slack', 'teams']);
    const personId = identities[0]!.id;
    const org = await t.database.db.selectFrom('people').select('org_id').where('id', '=', personId).executeTakeFirstOrThrow();

    const before = t.connector.sent().length;
    const slackPostsBefore = t.slack.callsOf('chat.postMessage').length;
    const outboxId = await t.database.db.transaction().execute((trx) =>
      enqueueMessage(trx, {
        orgId: org.org_id,
        dedupeKey: `test:${randomUUID()}`,
        target: { kind: 'person', personId },
        card: { title: 'Journey ping', blocks: [para('Onboarding needs its owner')], summary: 'Onboarding needs its owner' },
      }),
    );
    t.steward.services.kickDelivery([outboxId!]);
    await waitUntil('the row is delivered', async () => {
      const row = await t.database.db.selectFrom('outbox').select('status').where('id', '=', outboxId!).executeTakeFirstOrThrow();
      return row.status === 'delivered';
    });
    const proactive = t.connector.sent().slice(before);
    expect(proactive).toHaveLength(1);
    expect(proactive[0]?.conversationId).toBe(`a:personal-${aad}`);
    const [attachment] = attachmentsOf(proactive[0]);
    expect(attachment?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(JSON.stringify(attachment?.content)).toContain('Onboarding needs its owner');
    expect(t.slack.callsOf('chat.postMessage')).toHaveLength(slackPostsBefore);
  });
});

const CREDENTIALS = { MICROSOFT_APP_ID: '11111111-2222-3333-4444-555555555555', MICROSOFT_APP_PASSWORD: 'app-password-not-a-real-one' };

describe('Teams: with app credentials configured', () => {
  let t: TestSteward | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('refuses a request without a valid bearer token with 401 and stores nothing', async () => {
    // The fake connector stands for the Bot Framework here, so its host is an allowed service URL host.
    t = await startTestSteward({ env: { ...CREDENTIALS, TEAMS_SERVICE_URL_HOSTS: '127.0.0.1' } });
    const db = t.database.db;
    const count = async (table: 'conversations' | 'people' | 'organisations') =>
      Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

    const unsigned = await postActivity(t.url, teamsMessage({ text: 'help', serviceUrl: t.connector.url }));
    expect(unsigned.status).toBe(401);
    const added = await postActivity(t.url, botAdded({ serviceUrl: t.connector.url, conversationId: '19:x@thread.tacv2', kind: 'channel', teamId: '19:x@thread.tacv2' }));
    expect(added.status).toBe(401);
    const forged = await postActivity(t.url, teamsMessage({ text: 'help', serviceUrl: t.connector.url }), { authorization: 'Bearer not-a-jwt' });
    expect(forged.status).toBe(401);

    expect(await count('conversations')).toBe(0);
    expect(await count('people')).toBe(0);
    expect(await count('organisations')).toBe(0);
    expect(t.connector.calls).toHaveLength(0);
  });

  it('refuses an activity whose serviceUrl is not a Bot Framework host with 400, before any token check: nothing stored, nothing sent there', async () => {
    t = await startTestSteward({ env: CREDENTIALS });
    const db = t.database.db;
    // The default hosts: the fake connector on 127.0.0.1 is not one of them, signed or not.
    for (const headers of [{}, { authorization: 'Bearer not-a-jwt' }] as Record<string, string>[]) {
      const response = await postActivity(t.url, teamsMessage({ text: 'help', serviceUrl: t.connector.url }), headers);
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('TEAMS_SERVICE_URL_HOSTS');
    }
    const lookalike = await postActivity(t.url, teamsMessage({ text: 'help', serviceUrl: 'https://smba.trafficmanager.net.attacker.example/emea/' }));
    expect(lookalike.status).toBe(400);
    // An allowed host goes on to the token check.
    expect((await postActivity(t.url, teamsMessage({ text: 'help', serviceUrl: 'https://smba.trafficmanager.net/emea/' }))).status).toBe(401);
    expect(Number((await db.selectFrom('people').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).toBe(0);
    expect(t.connector.calls).toHaveLength(0);
  });
});
