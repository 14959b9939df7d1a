// The MCP endpoint as an AI assistant uses it: the SDK's own client over Streamable HTTP against a
// running Steward with the demo organisation — every tool on the demo data, lookups logged with the
// source mcp, tokens that grant only their organisation and their scope, the rate limit, and two
// Steward servers on one database answering one client's calls in turn (stateless).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Actor } from '../../src/chat/actor.js';
import { deprecate } from '../../src/glossary/service.js';
import { lookupStats } from '../../src/glossary/stats.js';
import { findPersonByEmail } from '../../src/orgs/repo.js';
import { seedDemo } from '../../src/seed/demo.js';
import { createToken } from '../../src/tokens/service.js';
import { startTestSteward, type TestSteward } from '../support/steward.js';

/** A connected SDK client; `fetch` lets a test route its requests. */
async function connect(url: string, token: string | undefined, fetchVia?: typeof fetch): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', url), {
    requestInit: token ? { headers: { authorization: `Bearer ${token}` } } : {},
    ...(fetchVia ? { fetch: fetchVia } : {}),
  });
  const client = new Client({ name: 'steward-test', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

type Structured = Record<string, unknown>;

async function callTool(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = await client.callTool({ name, arguments: args });
  const content = Array.isArray(result.content) ? result.content : [];
  const text = content.map((c: { type: string; text?: string }) => (c.type === 'text' ? (c.text ?? '') : '')).join('\n');
  return { isError: result.isError === true, structured: (result.structuredContent ?? {}) as Structured, text };
}

const rpc = (id: number, method: string, params: Record<string, unknown> = {}) => JSON.stringify({ jsonrpc: '2.0', id, method, params });
const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

describe('MCP endpoint', () => {
  let t: TestSteward;
  let orgId: string;
  let token: string;
  let client: Client;

  beforeAll(async () => {
    t = await startTestSteward({ workers: false });
    const db = t.database.db;
    orgId = (await seedDemo(db, { orgName: 'Demo' })).orgId;
    // The demo's old "Customer satisfaction" is deprecated without a successor; an admin names it.
    const admin = await findPersonByEmail(db, orgId, 'cx-director@example.com');
    if (!admin) throw new Error('the demo has no CX director');
    const actor: Actor = { personId: admin.id, orgId, name: admin.display_name, email: admin.email, roles: new Set(['admin']), platform: 'slack', platformUserId: 'U-ADMIN' };
    await deprecate({ db, clock: t.clock, kickDelivery: () => {} }, actor, 'Customer satisfaction', 'Customer Satisfaction Score');
    token = (await createToken(db, { orgId, name: 'assistants', scope: 'mcp' })).token;
    client = await connect(t.url, token);
  });
  afterAll(async () => {
    await client?.close();
    await t?.close();
  });

  it('initializes and lists the eight read-only tools, each with an input and an output schema', async () => {
    expect(client.getServerVersion()).toMatchObject({ name: 'steward' });
    expect(client.getInstructions()).toContain('glossary');
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(
      ['journey_owner', 'journeys_of_person', 'kpi_snapshot', 'lookup_term', 'open_proposals', 'recent_decisions', 'recent_glossary_changes', 'search_glossary'].sort(),
    );
    for (const tool of tools) {
      expect(tool.description?.length).toBeGreaterThan(60);
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.outputSchema?.type).toBe('object');
      expect(tool.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    }
  });

  it('looks a term up with a typo, as chat does, and says the approved definition is definitive', async () => {
    const { isError, structured, text } = await callTool(client, 'lookup_term', { term: 'net promter score' });
    expect(isError).toBe(false);
    expect(structured).toMatchObject({ outcome: 'found', closest_match: true, term: { name: 'Net Promoter Score', status: 'approved', definitive: true, aliases: expect.arrayContaining(['NPS']) } });
    expect(text).toContain('"Net Promoter Score"');
    expect(text).toContain('APPROVED');
    expect(text).toContain('stored content');
  });

  it('answers an acronym with its term', async () => {
    const { structured } = await callTool(client, 'lookup_term', { term: 'csat' });
    expect(structured).toMatchObject({ outcome: 'found', term: { name: 'Customer Satisfaction Score' } });
  });

  it('leads a deprecated term to its replacement and names both', async () => {
    const { structured, text } = await callTool(client, 'lookup_term', { term: 'Customer satisfaction' });
    expect(structured).toMatchObject({ outcome: 'found', replaced: { name: 'Customer satisfaction', by: 'Customer Satisfaction Score' }, term: { name: 'Customer Satisfaction Score', status: 'approved' } });
    expect(text).toContain('"Customer satisfaction" is deprecated; it is replaced by "Customer Satisfaction Score"');
  });

  it('logs a miss with the source mcp, and glossary stats count it as asked by AI assistants', async () => {
    const { structured, text } = await callTool(client, 'lookup_term', { term: 'zebra striping' });
    expect(structured).toMatchObject({ outcome: 'miss', term: null, candidates: [] });
    expect(text).toContain('no term "zebra striping"');
    await t.steward.lookupLog.flush();
    const rows = await t.database.db.selectFrom('glossary_lookups').select(['query', 'outcome', 'platform', 'person_id']).where('org_id', '=', orgId).where('query', '=', 'zebra striping').execute();
    expect(rows).toEqual([{ query: 'zebra striping', outcome: 'miss', platform: 'mcp', person_id: null }]);
    const stats = await lookupStats({ db: t.database.db, clock: t.clock }, { orgId });
    expect(stats.mostMissed).toContainEqual({ query: 'zebra striping', count: 1, sources: ['mcp'] });
    const found = await t.database.db.selectFrom('glossary_lookups').select('outcome').where('org_id', '=', orgId).where('platform', '=', 'mcp').where('outcome', '=', 'found').execute();
    expect(found.length).toBeGreaterThanOrEqual(3);
  });

  it('searches the glossary and lists recent changes', async () => {
    const search = await callTool(client, 'search_glossary', { words: 'recommend' });
    expect((search.structured.results as { name: string }[]).map((r) => r.name)).toContain('Net Promoter Score');
    expect((await callTool(client, 'recent_glossary_changes', { count: 3 })).structured.changes).toHaveLength(3);
    const recent = await callTool(client, 'recent_glossary_changes', { count: 50 });
    expect(recent.structured.changes).toContainEqual(expect.objectContaining({ name: 'Customer satisfaction', change: 'deprecated', by: 'Dana de Vries (CX director)' }));
  });

  it('explains an inherited journey owner', async () => {
    const { structured, text } = await callTool(client, 'journey_owner', { journey: 'Receive welcome gift' });
    expect(structured).toMatchObject({
      outcome: 'found',
      journey: { key: 'welcome-gift', path: [{ key: 'lifecycle' }, { key: 'onboarding' }] },
      owner: { email: 'head-of-onboarding@example.com' },
      inherited_from: { key: 'onboarding', name: 'Welcome journey' },
    });
    expect(text).toContain('inherited from the parent journey "Welcome journey"');
  });

  it("lists a person's journeys, inherited ones included", async () => {
    const { structured } = await callTool(client, 'journeys_of_person', { person: 'head-of-onboarding@example.com' });
    expect(structured).toMatchObject({ outcome: 'found', owns: [{ key: 'onboarding' }], inherits: [{ key: 'welcome-gift', from: { key: 'onboarding' } }] });
  });

  it("gives a journey's KPI snapshot: values as text, target, status, change and the definition", async () => {
    const { structured, text } = await callTool(client, 'kpi_snapshot', { journey_or_kpi: 'onboarding' });
    expect(structured).toMatchObject({ outcome: 'journey', journey: { key: 'onboarding' } });
    const nps = (structured.kpis as Structured[]).find((k) => k.key === 'nps-onboarding');
    expect(nps).toMatchObject({ name: 'Onboarding NPS', target: 40, target_text: '40 points', definition: { term: 'Net Promoter Score', text: expect.stringContaining('promoters') } });
    expect(nps?.value_text).toEqual(expect.stringMatching(/points$/));
    expect(typeof nps?.status_text).toBe('string');
    expect(text).toContain('"Onboarding NPS"');
    const one = await callTool(client, 'kpi_snapshot', { journey_or_kpi: 'nps-onboarding' });
    expect(one.structured).toMatchObject({ outcome: 'kpi', journey: { key: 'onboarding' }, kpis: [{ key: 'nps-onboarding' }] });
  });

  it('lists open proposals and recent decisions', async () => {
    const open = await callTool(client, 'open_proposals');
    expect((open.structured.proposals as Structured[]).length).toBeGreaterThanOrEqual(1);
    expect((open.structured.proposals as Structured[])[0]).toMatchObject({ number: 1, tally: { approve: expect.any(Number) } });
    const decisions = await callTool(client, 'recent_decisions', { count: 5 });
    expect(decisions.isError).toBe(false);
    expect(decisions.structured).toMatchObject({ decisions: expect.any(Array) });
  });

  it('refuses arguments that break the schema without calling the tool', async () => {
    const result = await client.callTool({ name: 'lookup_term', arguments: { term: '' } });
    expect(result.isError).toBe(true);
  });

  it('refuses a request without a token with 401, WWW-Authenticate and a JSON-RPC error', async () => {
    const response = await fetch(`${t.url}/mcp`, { method: 'POST', headers: MCP_HEADERS, body: rpc(1, 'tools/list') });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('Bearer');
    expect(await response.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { message: expect.stringContaining('--scope mcp') } });
    await expect(connect(t.url, undefined)).rejects.toThrow();
    await expect(connect(t.url, 'stw_' + 'x'.repeat(32))).rejects.toThrow();
  });

  it('refuses an ingest token with 403', async () => {
    const ingest = (await createToken(t.database.db, { orgId, name: 'warehouse' })).token;
    const response = await fetch(`${t.url}/mcp`, { method: 'POST', headers: { ...MCP_HEADERS, authorization: `Bearer ${ingest}` }, body: rpc(1, 'tools/list') });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ jsonrpc: '2.0', error: { message: expect.stringContaining('scope "mcp"') } });
  });

  it("shows another organisation's token nothing of this one", async () => {
    const db = t.database.db;
    const otherOrg = (await db.insertInto('organisations').values({ name: 'Other', settings: '{}' }).returning('id').executeTakeFirstOrThrow()).id;
    const other = await connect(t.url, (await createToken(db, { orgId: otherOrg, name: 'assistants', scope: 'mcp' })).token);
    try {
      expect((await callTool(other, 'lookup_term', { term: 'NPS' })).structured).toMatchObject({ outcome: 'miss', term: null, candidates: [] });
      expect((await callTool(other, 'search_glossary', { words: 'recommend' })).structured).toMatchObject({ results: [] });
      expect((await callTool(other, 'recent_glossary_changes')).structured).toMatchObject({ changes: [] });
      expect((await callTool(other, 'journey_owner', { journey: 'onboarding' })).structured).toMatchObject({ outcome: 'none', journey: null, candidates: [] });
      expect((await callTool(other, 'journeys_of_person', { person: 'head-of-onboarding@example.com' })).structured).toMatchObject({ outcome: 'none', person: null });
      expect((await callTool(other, 'kpi_snapshot', { journey_or_kpi: 'onboarding' })).structured).toMatchObject({ outcome: 'none', kpis: [], suggestions: [] });
      expect((await callTool(other, 'open_proposals')).structured).toMatchObject({ proposals: [] });
      expect((await callTool(other, 'recent_decisions')).structured).toMatchObject({ decisions: [] });
    } finally {
      await other.close();
    }
  });

  it('limits requests per token with 429 and Retry-After', async () => {
    const limited = (await createToken(t.database.db, { orgId, name: 'tiny', scope: 'mcp', requestsPerMinute: 2 })).token;
    const post = () => fetch(`${t.url}/mcp`, { method: 'POST', headers: { ...MCP_HEADERS, authorization: `Bearer ${limited}` }, body: rpc(1, 'tools/list') });
    const statuses = [(await post()).status, (await post()).status];
    const third = await post();
    // A minute window may turn between the first and the third request: then all three pass.
    if (third.status !== 200) {
      expect(third.status).toBe(429);
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await third.json()).toMatchObject({ jsonrpc: '2.0', error: { message: expect.stringContaining('rate limit of 2') } });
    }
    expect(statuses).toEqual([200, 200]);
  });

  it('answers GET and DELETE with 405 (stateless: no streams, no sessions)', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(`${t.url}/mcp`, { method, headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(405);
      expect(await response.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 } });
    }
  });

  it('counts tool calls by tool and outcome in /metrics', async () => {
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/steward_mcp_tool_calls_total\{tool="lookup_term",outcome="ok"\} [1-9]/);
    expect(metrics).toMatch(/steward_mcp_tool_calls_total\{tool="lookup_term",outcome="not_found"\} [1-9]/);
  });

  it('works through two Steward servers on one database, the calls of one client alternating between them', async () => {
    const second = await startTestSteward({ workers: false, extra: { database: t.database } });
    const servedBy: string[] = [];
    let turn = 0;
    const alternate: typeof fetch = (input, init) => {
      const base = turn++ % 2 === 0 ? t.url : second.url;
      servedBy.push(base);
      const url = new URL(input instanceof Request ? input.url : String(input));
      return fetch(`${base}${url.pathname}${url.search}`, init);
    };
    const roaming = await connect(t.url, token, alternate);
    try {
      for (const term of ['nps', 'csat', 'touchpiont', 'avoidible contact']) {
        const { isError, structured } = await callTool(roaming, 'lookup_term', { term });
        expect(isError).toBe(false);
        expect(structured.outcome).toBe('found');
      }
      expect((await callTool(roaming, 'journey_owner', { journey: 'moving' })).structured).toMatchObject({ inherited_from: { key: 'lifecycle' } });
      expect(new Set(servedBy)).toEqual(new Set([t.url, second.url]));
      expect(servedBy.filter((u) => u === second.url).length).toBeGreaterThanOrEqual(3);
    } finally {
      await roaming.close();
      await second.close();
    }
  });
});
