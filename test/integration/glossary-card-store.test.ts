// Whole glossaries' term cards in memory (src/glossary/card-store.ts): every card as the database
// reads it (termCardsData), kept only while change notices arrive, forgotten on a change anywhere,
// and bounded in bytes. On Postgres and on PGlite.
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeNotices } from '../../src/db/change-notices.js';
import { CardStore } from '../../src/glossary/card-store.js';
import { importGlossaryCsv } from '../../src/glossary/csv.js';
import { termCardsData, type TermCardRow } from '../../src/glossary/repo/term-card.js';
import { TermCards } from '../../src/glossary/term-cards.js';
import { createLogger } from '../../src/log.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/database.js';
import { waitUntil } from '../support/wait.js';

const DEMO_CSV = readFileSync(new URL('../../data/demo/glossary.csv', import.meta.url), 'utf8');

describe.each(DATABASE_KINDS)('term cards in memory on %s', (kind) => {
  let database: TestDatabase;
  let orgId: string;
  let otherOrgId: string;
  let notices: ChangeNotices;
  const listeners: CardStore[] = [];
  const heard: string[] = [];
  let listening = false;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    const db = database.db;
    orgId = (await db.insertInto('organisations').values({ name: 'Carded', settings: '{}', time_zone: 'Europe/Paris' }).returning('id').executeTakeFirstOrThrow()).id;
    otherOrgId = (await db.insertInto('organisations').values({ name: 'Other', settings: '{}' }).returning('id').executeTakeFirstOrThrow()).id;
    await importGlossaryCsv(db, orgId, DEMO_CSV, { by: 'test', now: new Date('2026-03-12T10:00:00Z') });
    await importGlossaryCsv(db, otherOrgId, DEMO_CSV, { by: 'test', now: new Date('2026-03-12T10:00:00Z') });
    // Everything a card can show: a steward known on both platforms, links, a replacement, a pending edit, a name not in Latin-1.
    const steward = await db.insertInto('people').values({ org_id: orgId, display_name: 'Ada Steward', email: 'ada@example.com', preferred_platform: null, welcomed_at: null }).returning('id').executeTakeFirstOrThrow();
    await db.insertInto('identities').values([
      { person_id: steward.id, platform: 'teams', installation_external_id: 'tenant-1', external_user_id: 'aad-ada' },
      { person_id: steward.id, platform: 'slack', installation_external_id: 'T01', external_user_id: 'U0ADA' },
    ]).execute();
    await sql`update glossary_terms set steward_person_id = ${steward.id}, links = ${JSON.stringify(['https://example.com/nps', 'https://example.com/nps-guide'])} where org_id = ${orgId} and name = 'Net Promoter Score'`.execute(db);
    await sql`update glossary_terms set replaced_by_id = (select id from glossary_terms where org_id = ${orgId} and name = 'Customer Satisfaction Score') where org_id = ${orgId} and name = 'Customer satisfaction'`.execute(db);
    await sql`update glossary_terms set name = 'Kundenzufriedenheit – Ø Wert 😊' where org_id = ${orgId} and name = 'Pain point'`.execute(db);
    const nps = await db.selectFrom('glossary_terms').select('id').where('org_id', '=', orgId).where('name', '=', 'Net Promoter Score').executeTakeFirstOrThrow();
    await sql`insert into glossary_proposals (org_id, term_id, kind, base_version, definition, aliases_add, aliases_remove, proposed_by_person_id) values (${orgId}, ${nps.id}, 'edit', 1, 'A better definition.', '[]', '[]', ${steward.id})`.execute(db);
    notices = await database.listenForChanges(
      {
        changed: (table) => {
          heard.push(table);
          listeners.forEach((store) => store.changed(table));
        },
        listening: () => {
          listening = true;
          listeners.forEach((store) => store.enable());
        },
        lost: () => listeners.forEach((store) => store.disable()),
      },
      createLogger('silent'),
    );
    await waitUntil('the change listener listens', () => listening);
  });
  afterAll(async () => {
    await notices.close();
    await database.drop();
  });

  /** A store told of changes, enabled once the listener listens. */
  async function listeningStore(options: ConstructorParameters<typeof CardStore>[1] = {}): Promise<CardStore> {
    const store = new CardStore(database.db, { pauseFactor: 0, ...options });
    listeners.push(store);
    store.enable();
    return store;
  }

  async function cardsFromDatabase(org: string): Promise<TermCardRow[]> {
    const ids = await database.db.selectFrom('glossary_terms').select('id').where('org_id', '=', org).execute();
    return termCardsData(database.db, org, ids.map((t) => t.id));
  }

  /** Made comparable: the store keeps updated_at in whole milliseconds, as a Date made from the database's text is. */
  const comparable = (row: TermCardRow | undefined) => row && { ...row, updated_at: Math.floor(row.updated_at.getTime()) };

  it('holds nothing while change notices do not arrive', async () => {
    const store = new CardStore(database.db);
    const [card] = await cardsFromDatabase(orgId);
    expect(store.card(orgId, card!.id)).toBeUndefined();
    expect(await store.loaded(orgId)).toBe(false);
  });

  it('gives every card as the database reads it, once loaded', async () => {
    const store = await listeningStore();
    const cards = await cardsFromDatabase(orgId);
    expect(store.card(orgId, cards[0]!.id)).toBeUndefined(); // the first asks for a load and does not wait for it
    expect(await store.loaded(orgId)).toBe(true);
    expect(store.size(orgId).cards).toBe(cards.length);
    for (const card of cards) expect(comparable(store.card(orgId, card.id))).toEqual(comparable(card));
    const nps = store.card(orgId, cards.find((c) => c.name === 'Net Promoter Score')!.id)!;
    expect(nps.steward_identities).toEqual([{ platform: 'slack', user: 'U0ADA' }, { platform: 'teams', user: 'aad-ada' }]);
    expect(nps.pending_proposals).toBe(1);
    expect(store.card(orgId, cards.find((c) => c.name === 'Customer satisfaction')!.id)?.replaced_by_name).toBe('Customer Satisfaction Score');
    // Another organisation's term is not this one's.
    const [other] = await cardsFromDatabase(otherOrgId);
    expect(store.card(orgId, other!.id)).toBeUndefined();
  });

  it('forgets every card on a change made anywhere, and loads them again as they are now', async () => {
    const store = await listeningStore();
    expect(await store.loaded(orgId)).toBe(true);
    const csat = (await cardsFromDatabase(orgId)).find((c) => c.name === 'Customer Satisfaction Score')!;
    heard.length = 0;
    await sql`update glossary_terms set definition = 'Changed in memory too.', version = version + 1 where id = ${csat.id}`.execute(database.db);
    await waitUntil('the change is heard', () => heard.includes('glossary_terms'));
    expect(store.card(orgId, csat.id)).toBeUndefined();
    expect(await store.loaded(orgId)).toBe(true);
    expect(store.card(orgId, csat.id)?.definition).toBe('Changed in memory too.');
    // A deprecated term's card shows its replacement's new name.
    heard.length = 0;
    await sql`update glossary_terms set name = 'CSAT score' where id = ${csat.id}`.execute(database.db);
    await waitUntil('the rename is heard', () => heard.includes('glossary_terms'));
    expect(await store.loaded(orgId)).toBe(true);
    const old = (await cardsFromDatabase(orgId)).find((c) => c.name === 'Customer satisfaction')!;
    expect(store.card(orgId, old.id)?.replaced_by_name).toBe('CSAT score');
    await sql`update glossary_terms set name = 'Customer Satisfaction Score' where id = ${csat.id}`.execute(database.db);
  });

  it('keeps the cards when someone new appears, a steward changes or an edit is proposed, and reads only what they share again', async () => {
    const store = await listeningStore();
    expect(await store.loaded(orgId)).toBe(true);
    const nps = (await cardsFromDatabase(orgId)).find((c) => c.name === 'Net Promoter Score')!;
    const loads = store.counts.loads;
    // A person's first message creates them and their identity: nothing a card shows.
    heard.length = 0;
    const newcomer = await database.db.insertInto('people').values({ org_id: orgId, display_name: 'New Person', email: null, preferred_platform: null, welcomed_at: null }).returning('id').executeTakeFirstOrThrow();
    await database.db.insertInto('identities').values({ person_id: newcomer.id, platform: 'slack', installation_external_id: 'T01', external_user_id: 'U0NEW' }).execute();
    await waitUntil('the newcomer is heard', () => heard.includes('people') && heard.includes('identities'));
    expect(await store.loaded(orgId)).toBe(true);
    expect(comparable(store.card(orgId, nps.id))).toEqual(comparable(nps));
    // The steward renamed and seen on Teams under another id, and the time zone changed, elsewhere.
    heard.length = 0;
    await sql`update people set display_name = 'Ada Lovelace' where id = ${nps.steward_person_id}`.execute(database.db);
    await sql`update identities set external_user_id = 'aad-ada-2' where person_id = ${nps.steward_person_id} and platform = 'teams'`.execute(database.db);
    await sql`update organisations set time_zone = 'Asia/Tokyo' where id = ${orgId}`.execute(database.db);
    // And a second edit proposed for the term.
    await sql`insert into glossary_proposals (org_id, term_id, kind, base_version, definition, aliases_add, aliases_remove, proposed_by_person_id) values (${orgId}, ${nps.id}, 'edit', 1, 'Another definition.', '[]', '[]', ${newcomer.id})`.execute(database.db);
    await waitUntil('the changes are heard', () => ['people', 'identities', 'organisations', 'glossary_proposals'].every((t) => heard.includes(t)));
    expect(await store.loaded(orgId)).toBe(true);
    const [now] = await termCardsData(database.db, orgId, [nps.id]);
    expect(now).toMatchObject({ steward_name: 'Ada Lovelace', time_zone: 'Asia/Tokyo', pending_proposals: 2 });
    expect(comparable(store.card(orgId, nps.id))).toEqual(comparable(now));
    expect(store.counts.loads).toBe(loads);
    expect(store.counts.sharedReads).toBeGreaterThanOrEqual(2);
    await sql`update organisations set time_zone = 'Europe/Paris' where id = ${orgId}`.execute(database.db);
  });

  it('keeps within its budget: the least recently used organisation goes, and what does not fit is read from the database', async () => {
    const probe = await listeningStore();
    expect(await probe.loaded(orgId)).toBe(true);
    const oneOrg = probe.size(orgId).bytes;
    // Room for one organisation's cards and a little more.
    const store = await listeningStore({ maxBytes: oneOrg + 2_000 });
    expect(await store.loaded(orgId)).toBe(true);
    expect(store.size(orgId).cards).toBe(probe.size(orgId).cards);
    expect(await store.loaded(otherOrgId)).toBe(true);
    expect(store.size(orgId).cards).toBe(0);
    expect(store.size(otherOrgId).cards).toBeGreaterThan(0);
    expect(store.size().bytes).toBeLessThanOrEqual(oneOrg + 2_000);
    // Half the room: half the cards are held, and every card still comes (the rest from the database).
    const half = await listeningStore({ maxBytes: Math.floor(oneOrg / 2) });
    expect(await half.loaded(orgId)).toBe(true);
    const held = half.size(orgId).cards;
    const cards = await cardsFromDatabase(orgId);
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThan(cards.length);
    const termCards = new TermCards(database.db, { storeBytes: Math.floor(oneOrg / 2) });
    listeners.push(termCards.store);
    termCards.store.enable();
    termCards.remembered.enable();
    expect(await termCards.store.loaded(orgId)).toBe(true);
    const got = await Promise.all(cards.map((c) => termCards.get(orgId, c.id)));
    expect(got.map(comparable)).toEqual(cards.map(comparable));
    // Read from the database: the cards not held, and a deprecated term's whose replacement is not held.
    expect(termCards.counts.cards).toBeGreaterThanOrEqual(cards.length - held);
    expect(termCards.counts.cards).toBeLessThanOrEqual(cards.length - held + 1);
  });

  it('forgets everything when the notices may be missed', async () => {
    const store = await listeningStore();
    expect(await store.loaded(orgId)).toBe(true);
    store.disable();
    const [card] = await cardsFromDatabase(orgId);
    expect(store.card(orgId, card!.id)).toBeUndefined();
    expect(store.size().cards).toBe(0);
  });
});
