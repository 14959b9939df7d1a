// The glossary's rules through the chat core (router → capability → database), on Postgres and on
// PGlite: lookups and their log, proposals and approval, direct edits, history and roll back,
// aliases, deprecation, permissions, limits, concurrency, and CSV import and export.
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { plainText, type Card } from '../../src/chat/card.js';
import type { ChatRequest, Reply } from '../../src/chat/request.js';
import { ChatRouter } from '../../src/chat/router.js';
import { ManualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import type { Role } from '../../src/db/foundation-tables.js';
import { createGlossaryCapability } from '../../src/glossary/capability.js';
import { LookupLog } from '../../src/glossary/lookup-log.js';
import { exportGlossaryCsv, importGlossaryCsv } from '../../src/glossary/csv.js';
import { createLogger } from '../../src/log.js';
import * as orgsRepo from '../../src/orgs/repo.js';
import { grantRole, OrgDirectory } from '../../src/orgs/service.js';
import type { Services } from '../../src/services.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/database.js';

const DEMO_CSV = readFileSync(new URL('../../data/demo/glossary.csv', import.meta.url), 'utf8');

/** All the text a card shows, to assert on what a person reads. */
function shown(card: Card | undefined): string {
  if (!card) return '';
  const parts: string[] = [card.title, plainText(card.subtitle ?? [])];
  for (const block of card.blocks) {
    if (block.kind === 'text' || block.kind === 'context') parts.push(plainText(block.text));
    if (block.kind === 'fields') parts.push(...block.fields.map((f) => `${f.label}: ${plainText(f.value)}`));
    if (block.kind === 'list') parts.push(...block.items.map(plainText));
    if (block.kind === 'actions') parts.push(...block.buttons.map((b) => `[${b.label}]`));
  }
  return parts.join('\n');
}

function buttons(card: Card | undefined) {
  return (card?.blocks ?? []).flatMap((b) => (b.kind === 'actions' ? b.buttons : []));
}

describe.each(DATABASE_KINDS)('glossary service on %s', (kind) => {
  let database: TestDatabase;
  let router: ChatRouter;
  let lookupLog: LookupLog;
  let clock: ManualClock;
  let orgId: string;
  let kicked: string[];

  const user = (id: string, name: string, email?: string): ChatRequest['user'] => ({ id, name, ...(email ? { email } : {}) });
  const ANN = user('UANN', 'Ann Peeters', 'ann@example.com');
  const BOB = user('UBOB', 'Bob Jansen', 'bob@example.com');
  const OFFICE = user('UOFFICE', 'CX office', 'cx-office@example.com');
  const GUS = user('UGUS', 'Gus Steward', 'gus@example.com');
  const DANA = user('UDANA', 'Dana Admin', 'dana@example.com');

  function request(who: ChatRequest['user'], input: ChatRequest['input']): ChatRequest {
    return { platform: 'slack', installationId, user: who, conversation: { id: 'C0001', kind: 'channel' }, input, mentions: [] };
  }
  const say = (who: ChatRequest['user'], text: string): Promise<Reply> => router.handle(request(who, { kind: 'text', text }));
  const click = (who: ChatRequest['user'], payload: Record<string, unknown>, values: Record<string, string> = {}): Promise<Reply> =>
    router.handle(request(who, { kind: 'action', payload, values }));

  async function personId(email: string): Promise<string> {
    return (await database.db.selectFrom('people').select('id').where('org_id', '=', orgId).where('email', '=', email).executeTakeFirstOrThrow()).id;
  }
  async function grant(who: ChatRequest['user'], role: Role) {
    await say(who, 'glossary stats');
    await grantRole(database.db, await personId(who.email ?? ''), { orgId, role, byLabel: 'test' });
  }
  async function term(name: string) {
    return database.db.selectFrom('glossary_terms').selectAll().where('org_id', '=', orgId).where('name', '=', name).executeTakeFirstOrThrow();
  }
  async function versions(name: string) {
    const t = await term(name);
    return database.db.selectFrom('glossary_versions').selectAll().where('term_id', '=', t.id).orderBy('version').execute();
  }
  async function outbox() {
    return database.db.selectFrom('outbox').select(['id', 'dedupe_key', 'target', 'message']).where('org_id', '=', orgId).orderBy('id').execute();
  }
  async function pendingProposal() {
    return database.db.selectFrom('glossary_proposals').selectAll().where('org_id', '=', orgId).where('status', '=', 'pending').orderBy('created_at', 'desc').executeTakeFirstOrThrow();
  }

  // One database per kind; each test gets its own organisation and workspace in it, which keeps
  // tests apart the way organisations are kept apart in production, without re-migrating each time.
  let installationId = '';
  let testNumber = 0;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    clock = new ManualClock();
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
    const orgs = new OrgDirectory(database.db, { defaultOrgName: 'Test org' });
    const services: Services = {
      db: database.db,
      clock,
      config,
      log: createLogger('silent'),
      orgs,
      kickDelivery: (ids) => kicked.push(...ids),
      syncSchedules: () => {},
    };
    lookupLog = new LookupLog(database.db, services.log);
    router = new ChatRouter(services, [createGlossaryCapability({ lookupLog })]);
  });
  afterAll(async () => {
    await database.drop();
  });
  beforeEach(async () => {
    clock.set('2026-03-12T10:00:00Z');
    kicked = [];
    installationId = `T${++testNumber}`;
    orgId = (await orgsRepo.createOrganisation(database.db, `Org ${testNumber}`)).id;
    await orgsRepo.upsertInstallation(database.db, orgId, 'slack', installationId, null);
    const report = await importGlossaryCsv(database.db, orgId, DEMO_CSV, { by: 'test', now: clock.now() });
    expect(report.problems).toEqual([]);
  });

  it('answers a lookup privately with the full card and logs found, candidates and misses', async () => {
    const hit = await say(ANN, 'glossary nps');
    expect(hit.public).toBeUndefined();
    const card = shown(hit.private);
    expect(card).toContain('Net Promoter Score');
    expect(card).toContain('Approved · version 1 · updated 12 Mar 2026');
    expect(card).toContain('Aliases: NPS, promoter score');
    expect(card).toContain('Steward: @cx-office');
    expect(card).toContain('[Share in channel]');
    expect(card).toContain('[Suggest an edit]');
    expect(card).toContain('[History]');

    const typo = shown((await say(ANN, 'glossary net promotor scroe')).private);
    expect(typo).toContain('Closest match for “net promotor scroe”');
    const candidates = await say(ANN, 'glossary nsp');
    expect(shown(candidates.private)).toContain('No exact match for “nsp”');
    expect(buttons(candidates.private).map((b) => b.label)).toContain('Net Promoter Score');
    const miss = await say(ANN, 'glossary kubernetes');
    expect(shown(miss.private)).toContain('glossary propose kubernetes = <definition>');
    expect(buttons(miss.private).map((b) => b.label)).toEqual(['Propose this term']);

    await lookupLog.flush();
    const log = await database.db.selectFrom('glossary_lookups').select(['query', 'outcome', 'platform', 'term_id']).where('org_id', '=', orgId).orderBy('id').execute();
    expect(log.map((l) => [l.query, l.outcome, l.platform])).toEqual([
      ['nps', 'found', 'slack'],
      ['net promotor scroe', 'found', 'slack'],
      ['nsp', 'candidates', 'slack'],
      ['kubernetes', 'miss', 'slack'],
    ]);

    const stats = shown((await say(ANN, 'glossary stats')).private);
    expect(stats).toContain('Net Promoter Score — 2');
    expect(stats).toContain('“kubernetes” — 1');
    expect(stats).toContain('4 lookups in the last 30 days; 50% found a term straight away.');
  });

  it('lets the miss card propose the term, with the name filled in from what was asked', async () => {
    const miss = await say(ANN, 'glossary Customer Health Score');
    const propose = buttons(miss.private).find((b) => b.label === 'Propose this term');
    expect(propose?.payload).toMatchObject({ action: 'glossary.propose', query: 'Customer Health Score' });
    const form = await click(ANN, propose?.payload ?? {});
    expect(form.form?.inputs.find((i) => i.id === 'term_name')).toMatchObject({ initial: 'Customer Health Score' });

    // Buttons of messages sent before the query travelled in the button carry the logged lookup's id.
    await lookupLog.flush();
    const logged = await database.db.selectFrom('glossary_lookups').select('id').where('org_id', '=', orgId).where('query', '=', 'Customer Health Score').executeTakeFirstOrThrow();
    const old = await click(ANN, { action: 'glossary.propose', lookupId: Number(logged.id) });
    expect(old.form?.inputs.find((i) => i.id === 'term_name')).toMatchObject({ initial: 'Customer Health Score' });
  });

  it('sends a non-steward\'s edit to the term\'s steward, and publishes it as a new version only on approval', async () => {
    await say(OFFICE, 'glossary stats');
    const sent = await say(ANN, 'glossary propose NPS = Promoters minus detractors, in points from -100 to +100.');
    expect(shown(sent.private)).toContain('went to cx-office for approval');
    expect((await term('Net Promoter Score')).version).toBe(1);
    const proposal = await pendingProposal();
    const asks = (await outbox()).filter((o) => o.dedupe_key.startsWith(`glossary:proposal:${proposal.id}:ask:`));
    expect(asks.map((o) => o.target)).toEqual([{ kind: 'person', personId: await personId('cx-office@example.com') }]);
    expect(kicked).toEqual(asks.map((o) => String(o.id)));

    // Bob is no steward: his click is refused and nothing changes.
    const forged = await click(BOB, { action: 'glossary.approve', proposalId: proposal.id });
    expect(shown(forged.private)).toContain('Only the term\'s steward, glossary stewards and admins can approve or reject glossary proposals');
    expect((await pendingProposal()).id).toBe(proposal.id);
    expect(await versions('Net Promoter Score')).toHaveLength(1);

    clock.advance(24 * 3600 * 1000);
    const approved = await click(OFFICE, { action: 'glossary.approve', proposalId: proposal.id });
    expect(shown(approved.replace)).toContain('Approved by cx-office on 13 Mar 2026; published as version 2.');
    expect(buttons(approved.replace)).toEqual([]);
    const after = await term('Net Promoter Score');
    expect(after).toMatchObject({ version: 2, definition: 'Promoters minus detractors, in points from -100 to +100.' });
    const history = await versions('Net Promoter Score');
    expect(history.map((v) => [v.version, v.change])).toEqual([
      [1, 'imported'],
      [2, 'approved'],
    ]);
    expect(history[1]?.proposed_by_person_id).toBe(await personId('ann@example.com'));
    const outcome = (await outbox()).find((o) => o.dedupe_key === `glossary:proposal:${proposal.id}:outcome`);
    expect(outcome?.target).toEqual({ kind: 'person', personId: await personId('ann@example.com') });
    expect(JSON.stringify(outcome?.message)).toContain('approved your proposal');
    const closes = (await outbox()).filter((o) => o.dedupe_key.startsWith(`glossary:proposal:${proposal.id}:close:`));
    expect(closes.map((c) => c.message.updateOfOutboxId)).toEqual(asks.map((a) => String(a.id)));

    const lookup = shown((await say(ANN, 'glossary nps')).private);
    expect(lookup).toContain('version 2 · updated 13 Mar 2026');
    expect(lookup).toContain('Promoters minus detractors');
    const again = await click(OFFICE, { action: 'glossary.approve', proposalId: proposal.id });
    expect(shown(again.private)).toContain('already approved by cx-office');
  });

  it('asks for a reason to reject, tells the proposer, and changes no term', async () => {
    await say(OFFICE, 'glossary stats');
    await say(ANN, 'glossary propose CSAT = Anything people like.');
    const proposal = await pendingProposal();
    const form = await click(OFFICE, { action: 'glossary.reject', proposalId: proposal.id });
    expect(form.form?.inputs.map((i) => i.id)).toEqual(['reject_reason']);
    const empty = await click(OFFICE, { action: 'glossary.reject.confirm', proposalId: proposal.id }, { reject_reason: '  ' });
    expect(shown(empty.private)).toContain('The reason is empty.');
    expect((await pendingProposal()).id).toBe(proposal.id);
    const refusedForm = await click(BOB, { action: 'glossary.reject', proposalId: proposal.id });
    expect(refusedForm.form).toBeUndefined();
    expect(shown(refusedForm.private)).toContain('Only the term\'s steward');

    const rejected = await click(OFFICE, { action: 'glossary.reject.confirm', proposalId: proposal.id }, { reject_reason: 'CSAT has a precise survey definition.' });
    expect(shown(rejected.private)).toContain('The proposal is rejected');
    const row = await database.db.selectFrom('glossary_proposals').selectAll().where('id', '=', proposal.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'rejected', reason: 'CSAT has a precise survey definition.' });
    expect((await term('Customer Satisfaction Score')).version).toBe(1);
    const outcome = (await outbox()).find((o) => o.dedupe_key === `glossary:proposal:${proposal.id}:outcome`);
    expect(JSON.stringify(outcome?.message)).toContain('CSAT has a precise survey definition.');
  });

  it('sends a new term to the glossary stewards; approval creates it with the approver as steward', async () => {
    await grant(GUS, 'glossary_steward');
    const sent = await say(ANN, 'glossary propose Customer Health Score = A weighted score of usage, support and payment signals.');
    expect(shown(sent.private)).toContain('went to Gus Steward for approval');
    const duplicate = await say(BOB, 'glossary propose customer health score = Something else.');
    expect(shown(duplicate.private)).toContain('was already proposed by Ann Peeters');
    const pending = shown((await say(BOB, 'glossary customer health score')).private);
    expect(pending).toContain('was proposed by Ann Peeters on 12 Mar 2026 and is waiting for a glossary steward');

    const proposal = await pendingProposal();
    await click(GUS, { action: 'glossary.approve', proposalId: proposal.id });
    const created = await term('Customer Health Score');
    expect(created).toMatchObject({ status: 'approved', version: 1, steward_person_id: await personId('gus@example.com') });
    expect(shown((await say(BOB, 'glossary customer health score')).private)).toContain('A weighted score of usage');
  });

  it('lets a steward edit directly, keeps every version, and rolls back as a new version', async () => {
    await say(OFFICE, 'glossary stats');
    const form = await click(OFFICE, { action: 'glossary.suggest', termId: (await term('Net Promoter Score')).id });
    expect(form.form).toMatchObject({ title: 'Edit term', submitLabel: 'Publish' });
    const values = Object.fromEntries((form.form?.inputs ?? []).map((i) => [i.id, 'initial' in i && i.initial !== undefined ? String(i.initial) : '']));
    const edited = await click(OFFICE, form.form?.payload ?? {}, { ...values, term_definition: 'Version two.', term_aliases: 'NPS; promoter score; recommend score' });
    expect(shown(edited.private)).toContain('is now version 2');
    await say(OFFICE, 'glossary propose nps = Version three.');
    expect((await term('Net Promoter Score')).definition).toBe('Version three.');
    expect(shown((await say(BOB, 'glossary recommend score')).private)).toContain('Net Promoter Score');

    const history = await say(OFFICE, 'glossary history net promoter score');
    const text = shown(history.private);
    expect(text).toContain('Version 3');
    expect(text).toContain('Version 1');
    const rollBack = buttons(history.private).find((b) => b.label === 'Roll back to version 1');
    expect(rollBack).toBeDefined();
    const bobsHistory = await say(BOB, 'glossary history nps');
    expect(buttons(bobsHistory.private).some((b) => b.label.startsWith('Roll back'))).toBe(false);
    const forged = await click(BOB, rollBack?.payload ?? {});
    expect(shown(forged.private)).toContain('Only the term\'s steward');

    const rolled = await click(OFFICE, rollBack?.payload ?? {});
    expect(shown(rolled.private)).toContain('is now version 4');
    const now = await term('Net Promoter Score');
    expect(now.version).toBe(4);
    expect(now.definition).toContain('Percentage of promoters');
    expect((await versions('Net Promoter Score')).map((v) => [v.version, v.change, v.rolled_back_to])).toEqual([
      [1, 'imported', null],
      [2, 'edited', null],
      [3, 'edited', null],
      [4, 'rolled_back', 1],
    ]);
    // The alias added in version 2 went away with the roll back, and history still has it.
    expect((await say(BOB, 'glossary recommend score')).private?.title).not.toBe('Net Promoter Score');
  });

  it('keeps the history append-only in the database itself', async () => {
    const t = await term('Touchpoint');
    await expect(sql`update glossary_versions set definition = 'rewritten' where term_id = ${t.id}`.execute(database.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from glossary_versions where term_id = ${t.id}`.execute(database.db)).rejects.toThrow(/append-only/);
  });

  it('adds aliases (transitively to the term), proposes them for non-stewards, and refuses one that leads elsewhere', async () => {
    await say(OFFICE, 'glossary stats');
    const added = await say(OFFICE, 'glossary alias promotor index = promoter score');
    expect(shown(added.private)).toContain('Alias “promotor index” added');
    expect(shown((await say(ANN, 'glossary promotor index')).private)).toContain('Net Promoter Score');
    const taken = await say(OFFICE, 'glossary alias CSAT = NPS');
    expect(shown(taken.private)).toContain('“CSAT” is already an alias of “Customer Satisfaction Score”');
    const proposed = await say(ANN, 'glossary alias klantinspanning = CES');
    expect(shown(proposed.private)).toContain('went to');
    expect((await pendingProposal()).aliases_add).toEqual(['klantinspanning']);
  });

  it('deprecates a term so that lookups of it and its aliases lead to the replacement', async () => {
    await say(OFFICE, 'glossary stats');
    const refused = await say(ANN, 'glossary deprecate Customer satisfaction = CSAT');
    expect(shown(refused.private)).toContain('Only the term\'s steward');
    const done = await say(OFFICE, 'glossary deprecate Customer satisfaction = CSAT');
    expect(shown(done.private)).toContain('lookups of it and its aliases now lead to “Customer Satisfaction Score”');
    const lookup = await say(ANN, 'glossary satisfaction');
    expect(lookup.private?.title).toBe('Customer Satisfaction Score');
    expect(shown(lookup.private)).toContain('“Customer satisfaction” is deprecated; “Customer Satisfaction Score” replaces it.');
    const loop = await say(OFFICE, 'glossary deprecate CSAT = Customer satisfaction');
    expect(shown(loop.private)).toContain('is itself deprecated');
  });

  it('refuses too-long input with the limit named, and stores nothing', async () => {
    await grant(GUS, 'glossary_steward');
    const long = await say(GUS, `glossary propose Long one = ${'d'.repeat(2001)}`);
    expect(shown(long.private)).toContain('The definition is 2,001 characters long; the limit is 2,000.');
    const name = await say(GUS, `glossary propose ${'n'.repeat(121)} = fine`);
    expect(shown(name.private)).toContain('The term is 121 characters long; the limit is 120.');
    const notes = await click(GUS, { action: 'glossary.submit' }, { term_name: 'Fine', term_definition: 'Fine.', term_notes: 'n'.repeat(2001) });
    expect(shown(notes.private)).toContain('The notes is 2,001 characters long; the limit is 2,000.');
    expect(await database.db.selectFrom('glossary_terms').select('id').where('org_id', '=', orgId).where('name', 'in', ['Long one', 'Fine']).execute()).toEqual([]);
  });

  it('keeps both of two edits of one term approved at the same moment by two stewards, as two ordered versions', async () => {
    await grant(DANA, 'admin');
    await grant(GUS, 'glossary_steward');
    const ces = await term('Customer Effort Score');
    const base = { term_name: ces.name, term_definition: ces.definition, term_notes: '', term_aliases: 'CES; effort score', term_links: '' };
    await click(ANN, { action: 'glossary.submit', termId: ces.id }, { ...base, term_definition: 'Ann: average effort on a 1-7 scale.' });
    await click(BOB, { action: 'glossary.submit', termId: ces.id }, { ...base, term_notes: 'Bob: ask right after the contact.' });
    const proposals = await database.db.selectFrom('glossary_proposals').select('id').where('term_id', '=', ces.id).where('status', '=', 'pending').execute();
    expect(proposals).toHaveLength(2);
    const [first, second] = proposals;
    const replies = await Promise.all([
      click(DANA, { action: 'glossary.approve', proposalId: first?.id ?? '' }),
      click(GUS, { action: 'glossary.approve', proposalId: second?.id ?? '' }),
    ]);
    for (const reply of replies) expect(shown(reply.replace ?? reply.private)).toContain('Approved by');
    const after = await term('Customer Effort Score');
    expect(after.version).toBe(3);
    expect(after.definition).toBe('Ann: average effort on a 1-7 scale.');
    expect(after.notes).toBe('Bob: ask right after the contact.');
    expect((await versions('Customer Effort Score')).map((v) => v.version)).toEqual([1, 2, 3]);
  });

  it('imports all-or-nothing with a report per row, dry-runs without writing, and exports what it imported', async () => {
    const before = await database.db.selectFrom('glossary_terms').select('id').where('org_id', '=', orgId).execute();
    const bad = [
      'term,aliases,definition,notes,steward,status',
      'Brand new,,Fine,,owner@example.com,approved',
      'Another,NPS,Alias taken by a term not in this file,,,approved',
      `Too long,,${'x'.repeat(2001)},,,approved`,
    ].join('\n');
    const report = await importGlossaryCsv(database.db, orgId, bad, { by: 'test', now: clock.now() });
    expect(report.problems).toEqual([
      { row: 3, column: 'aliases', problem: '“NPS” already leads to “Net Promoter Score” in the glossary, which this file does not list' },
      { row: 4, column: 'definition', problem: 'The definition is 2,001 characters long; the limit is 2,000.' },
    ]);
    const conflict = await importGlossaryCsv(database.db, orgId, bad.split('\n').slice(0, 3).join('\n'), { by: 'test', now: clock.now() });
    expect(conflict.problems).toEqual([{ row: 3, column: 'aliases', problem: '“NPS” already leads to “Net Promoter Score” in the glossary, which this file does not list' }]);
    expect(await database.db.selectFrom('glossary_terms').select('id').where('org_id', '=', orgId).execute()).toHaveLength(before.length);
    expect(await database.db.selectFrom('people').select('id').where('org_id', '=', orgId).where('email', '=', 'owner@example.com').execute()).toEqual([]);

    const good = ['term,aliases,definition,notes,steward,status', 'Brand new,BN;b-new,=1+1 is not a formula here,,owner@example.com,proposed', DEMO_CSV.split('\n')[1]].join('\n');
    const dry = await importGlossaryCsv(database.db, orgId, good, { by: 'test', now: clock.now(), dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, created: 1, updated: 0, unchanged: 1, problems: [] });
    expect(await database.db.selectFrom('glossary_terms').select('id').where('org_id', '=', orgId).execute()).toHaveLength(before.length);

    const real = await importGlossaryCsv(database.db, orgId, good, { by: 'test', now: clock.now() });
    expect(real).toMatchObject({ created: 1, updated: 0, unchanged: 1 });
    expect(await term('Brand new')).toMatchObject({ status: 'proposed', version: 1 });
    const reordered = good.replace('BN;b-new', 'b-new;BN');
    expect(await importGlossaryCsv(database.db, orgId, reordered, { by: 'test', now: clock.now() })).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
    const again = await importGlossaryCsv(database.db, orgId, good.replace('=1+1 is not a formula here', 'Changed.'), { by: 'test', now: clock.now() });
    expect(again).toMatchObject({ created: 0, updated: 1, unchanged: 1 });
    expect((await versions('Brand new')).map((v) => v.definition)).toEqual(['=1+1 is not a formula here', 'Changed.']);

    const exported = await exportGlossaryCsv(database.db, orgId);
    const lines = exported.trim().split('\n');
    expect(lines[0]).toBe('term,aliases,definition,notes,steward,status');
    expect(lines).toContain('Brand new,BN;b-new,Changed.,,owner@example.com,proposed');
    expect(lines.find((l) => l.startsWith('Net Promoter Score,'))).toContain('NPS;promoter score');
    // The export re-imports into a fresh organisation as the same glossary.
    const other = (await database.db.insertInto('organisations').values({ name: 'Copy', settings: '{}' }).returning('id').executeTakeFirstOrThrow()).id;
    const copy = await importGlossaryCsv(database.db, other, exported, { by: 'test', now: clock.now() });
    expect(copy).toMatchObject({ problems: [], created: lines.length - 1 });
    expect(await exportGlossaryCsv(database.db, other)).toBe(exported);
  });

  it('neutralises formula-like values on export', async () => {
    await grant(DANA, 'admin');
    const created = await click(DANA, { action: 'glossary.submit' }, { term_name: '=HYPERLINK("https://evil.example")', term_definition: '@SUM(1+1) looks like a formula' });
    expect(shown(created.private)).toContain('is now version 1');
    const exported = await exportGlossaryCsv(database.db, orgId);
    expect(exported).toContain(`"'=HYPERLINK(""https://evil.example"")",,'@SUM(1+1) looks like a formula`);
  });
});
