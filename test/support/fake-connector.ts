// A local stand-in for the Bot Framework connector at an activity's serviceUrl: it records the
// activities Steward sends (replies, proactive messages, updates) and answers roster look-ups.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ConnectorCall {
  method: string;
  path: string;
  conversationId: string;
  activityId?: string;
  body: Record<string, unknown>;
}

async function read(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

export class FakeConnector {
  readonly calls: ConnectorCall[] = [];
  /** Member id (29:…) → member: the roster every conversation has, and what getMember answers. */
  readonly members = new Map<string, { email?: string; name?: string; aadObjectId?: string }>();
  /** Members a 1:1 conversation cannot be created with (Steward not installed for them): answered 403. */
  readonly notInstalledFor = new Set<string>();
  /** 1:1 conversations Steward created proactively, with the member each was created with. */
  readonly created: { conversationId: string; memberId: string }[] = [];
  /** Page size of the paged roster, small so that paging is exercised. */
  rosterPageSize = 2;
  private server: Server | undefined;
  private seq = 0;
  url = '';

  /** Listens on `host` (an IPv4 address): loopback unless a test needs a connector elsewhere. */
  async start(host = '127.0.0.1'): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, host, resolve));
    this.url = `http://${host}:${(this.server.address() as AddressInfo).port}/`;
    return this;
  }

  /** Activities sent into conversations (replies and proactive messages), oldest first. */
  sent(): ConnectorCall[] {
    return this.calls.filter((c) => c.method === 'POST' && c.path.includes('/activities'));
  }

  /** What Steward posted into the 1:1 conversations it created with this member. */
  sentToMember(memberId: string): ConnectorCall[] {
    const ids = new Set(this.created.filter((c) => c.memberId === memberId).map((c) => c.conversationId));
    return this.sent().filter((c) => ids.has(c.conversationId));
  }

  updates(): ConnectorCall[] {
    return this.calls.filter((c) => c.method === 'PUT');
  }

  async waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
    const started = Date.now();
    while (!predicate()) {
      if (Date.now() - started > timeoutMs) throw new Error('timed out waiting for the fake connector');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await read(req);
    const path = decodeURIComponent((req.url ?? '').split('?')[0] ?? '');
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    const match = /^\/v3\/conversations\/([^/]+)(?:\/(activities|members)(?:\/([^/]+))?)?/.exec(path);
    const call: ConnectorCall = { method: req.method ?? 'GET', path, conversationId: match?.[1] ?? '', ...(match?.[3] ? { activityId: match[3] } : {}), body };
    this.calls.push(call);
    const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    if (req.method === 'POST' && path === '/v3/conversations') {
      const member = (body.members as { id?: string }[] | undefined)?.[0]?.id ?? '';
      if (this.notInstalledFor.has(member)) {
        json(403, { error: { code: 'Forbidden', message: 'The bot is not part of the conversation roster.' } });
        return;
      }
      const id = `a:new-conversation-${++this.seq}`;
      this.created.push({ conversationId: id, memberId: member });
      json(200, { id, activityId: `act-${this.seq}` });
      return;
    }
    if (req.method === 'GET' && /^\/v3\/conversations\/[^/]+\/pagedmembers$/.test(path)) {
      const all = [...this.members].map(([id, m]) => ({ id, name: m.name ?? 'Member', email: m.email, userPrincipalName: m.email, aadObjectId: m.aadObjectId, tenantId: 'tenant-0001' }));
      const query = new URL(req.url ?? '', 'http://x').searchParams;
      const from = Number(query.get('continuationToken') ?? 0);
      const size = Number(query.get('pageSize') ?? this.rosterPageSize);
      const end = from + Math.min(size, this.rosterPageSize);
      json(200, { members: all.slice(from, end), ...(end < all.length ? { continuationToken: String(end) } : {}) });
      return;
    }
    if (match?.[2] === 'members' && match[3]) {
      const member = this.members.get(match[3]);
      if (!member) json(404, { error: { code: 'MemberNotFoundInConversation', message: 'not found' } });
      else json(200, { id: match[3], name: member.name ?? 'Member', email: member.email, userPrincipalName: member.email, aadObjectId: member.aadObjectId });
      return;
    }
    if (match?.[2] === 'activities') {
      json(200, { id: req.method === 'PUT' && match[3] ? match[3] : `act-${++this.seq}` });
      return;
    }
    json(404, { error: { code: 'NotFound', message: path } });
  }
}

const BOT_MENTION = { type: 'mention', text: '<at>Steward</at>', mentioned: { id: '28:steward-bot', name: 'Steward' } };

/** A Bot Framework message activity as Teams sends it to /api/messages. */
export function teamsMessage(options: {
  text?: string;
  value?: Record<string, unknown>;
  serviceUrl: string;
  userAad?: string;
  userName?: string;
  conversationId?: string;
  conversationType?: 'personal' | 'channel' | 'groupChat';
  tenantId?: string;
  replyToId?: string;
  entities?: Record<string, unknown>[];
  /** In a channel or group chat, a message that does not @mention Steward (by default it does, as Teams requires). */
  overheard?: boolean;
}): Record<string, unknown> {
  const aad = options.userAad ?? '00000000-0000-0000-0000-0000000000a1';
  // Teams sends a bot a channel message only when it is @mentioned (or the app may read the channel).
  const mentioning = options.conversationType !== undefined && options.conversationType !== 'personal' && !options.overheard && options.entities === undefined && options.text !== undefined;
  const text = mentioning ? `<at>Steward</at> ${options.text}` : options.text;
  const entities = mentioning ? [BOT_MENTION] : (options.entities ?? []);
  return {
    type: 'message',
    id: `msg-${Math.random().toString(36).slice(2)}`,
    timestamp: new Date().toISOString(),
    serviceUrl: options.serviceUrl,
    channelId: 'msteams',
    from: { id: `29:${aad}`, name: options.userName ?? 'Ann Peeters', aadObjectId: aad },
    conversation: {
      id: options.conversationId ?? `a:personal-${aad}`,
      conversationType: options.conversationType ?? 'personal',
      tenantId: options.tenantId ?? 'tenant-0001',
      ...(options.conversationType === 'channel' ? { isGroup: true } : {}),
    },
    recipient: { id: '28:steward-bot', name: 'Steward' },
    ...(text !== undefined ? { text, textFormat: 'plain' } : {}),
    ...(options.value ? { value: options.value } : {}),
    ...(options.replyToId ? { replyToId: options.replyToId } : {}),
    entities,
    channelData: { tenant: { id: options.tenantId ?? 'tenant-0001' } },
    locale: 'en-US',
  };
}

export async function postActivity(baseUrl: string, activity: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${baseUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(activity) });
}
