// Every term card of an organisation in memory, as compact text. Most new questions (a typo, an alias,
// another word order) are about a term nobody asked about in this process yet: remembering cards per
// term (src/glossary/term-cards.ts) helps only once a term was asked about, and each other lookup cost a
// database round trip, which held every lookup behind it on the event loop (bench/glossary-mix: card
// reads made typo and alias lookups 2–3 × slower than popular ones at p50 and most of the p99 tail).
// One card's own part is about 270 characters of JSON text, one string for the garbage collector
// instead of an object graph per card: 100,000 cards take about 40 MB. What many cards share (the time
// zone, the stewards and their identities) and what changes without the term (its pending proposals)
// is kept once per organisation, and a card's row is made when it is asked for. Under the rule of every remembered thing (src/db/remembered.ts): kept only while
// change notices arrive, forgotten on a notice of anything a card shows, built in the background from
// pages read after the last change (a card asked for before its page arrives is read from the
// database), and bounded in bytes, the least recently used organisation going first. A notice about
// people, identities, the time zone (a person's first message makes one) or proposals forgets only
// the shared part, read again in small statements, not the cards.
import type { Db } from '../db/database.js';
import { noticesFor } from '../db/remembered-tables.js';
import { BackgroundLoads, Remembered } from '../db/remembered.js';
import type { Logger } from '../log.js';
import { cardStoreShared, cardTextsPage, type CardSteward, type CardText, type TermCardRow } from './repo/term-card.js';

export interface CardStoreOptions {
  /** Bytes the cards of all organisations may take (estimated); 100,000 cards take about 40 MB. */
  maxBytes?: number;
  /** Cards read in one statement while loading. */
  pageSize?: number;
  /** Loads of one organisation are at least this many times their own duration apart (a busy writer cannot keep the database busy reloading). */
  pauseFactor?: number;
  log?: Logger;
}

/** What an organisation's cards share, and their pending proposals (which change without the term). */
interface Shared {
  timeZone: string;
  stewards: Map<string, CardSteward>;
  pending: Map<string, number>;
}

/** An organisation's cards: each term's own part by id, and what the cards share (undefined while it is read again). */
interface OrgCards {
  cards: Map<string, string>;
  shared: Shared | undefined;
  readingShared: boolean;
  bytes: number;
}

const NOTICES = noticesFor('termCards');
/** Shown by the shared part only (cardStoreShared); every other notice of a card's tables changes the cards' own text. */
const SHARED_NOTICES = new Set(['organisations', 'people', 'identities', 'glossary_proposals']);
const NO_ID = '00000000-0000-0000-0000-000000000000';

export class CardStore extends Remembered {
  /** Only what a card shows: a KPI or a journey changing forgets nothing here. */
  override dependsOn(table: string): boolean {
    return NOTICES.has(table);
  }

  /** Statements read, for tests: whole loads and reads of the shared part alone. */
  readonly counts = { loads: 0, sharedReads: 0 };
  /** Moves on each notice about the shared part: a shared part read before it is not kept. */
  private sharedGeneration = 0;

  /** In order of use, least recent first: eviction takes the first. */
  private readonly orgs = new Map<string, OrgCards>();
  private readonly loads: BackgroundLoads;
  private bytes = 0;
  private readonly maxBytes: number;
  private readonly pageSize: number;
  private readonly log: Logger | undefined;

  constructor(
    private readonly db: Db,
    options: CardStoreOptions = {},
  ) {
    super();
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.pageSize = options.pageSize ?? 5_000;
    this.loads = new BackgroundLoads(options.pauseFactor ?? 1);
    this.log = options.log;
  }

  /** A notice of a table only the shared part shows forgets that part alone; any other forgets every card. */
  override changed(table: string): void {
    if (!this.dependsOn(table)) return;
    if (!SHARED_NOTICES.has(table)) {
      this.forget();
      return;
    }
    this.sharedGeneration++;
    for (const org of this.orgs.values()) org.shared = undefined;
  }

  /**
   * The term's card if the organisation's cards are in memory and hold it; otherwise undefined (read
   * it from the database), and the organisation's cards are loaded for later lookups.
   */
  card(orgId: string, termId: string): TermCardRow | undefined {
    if (!this.enabled) return undefined;
    const org = this.orgs.get(orgId);
    if (!org) {
      this.startLoad(orgId);
      return undefined;
    }
    if (this.orgs.size > 1) {
      this.orgs.delete(orgId);
      this.orgs.set(orgId, org);
    }
    if (!org.shared) {
      this.readShared(orgId, org);
      return undefined;
    }
    const text = org.cards.get(termId);
    return text === undefined ? undefined : cardRow(orgId, termId, org, org.shared, text);
  }

  /** Cards held and their estimated bytes, for tests. */
  size(orgId?: string): { cards: number; bytes: number } {
    if (orgId !== undefined) {
      const org = this.orgs.get(orgId);
      return { cards: org?.cards.size ?? 0, bytes: org?.bytes ?? 0 };
    }
    let cards = 0;
    for (const org of this.orgs.values()) cards += org.cards.size;
    return { cards, bytes: this.bytes };
  }

  /** Waits (up to ten seconds) until the organisation's cards are loaded; for tests. */
  async loaded(orgId: string): Promise<boolean> {
    for (let i = 0; i < 1000 && this.enabled; i++) {
      const org = this.orgs.get(orgId);
      if (org?.shared && !this.loads.isRunning(orgId)) return true;
      if (!org) this.startLoad(orgId);
      else if (!org.shared) this.readShared(orgId, org);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return false;
  }

  protected clear(): void {
    this.orgs.clear();
    this.bytes = 0;
  }

  private startLoad(orgId: string): void {
    const generation = this.generation;
    this.loads.start(
      orgId,
      () => this.load(orgId, generation),
      (error) => this.log?.warn({ err: error, orgId }, 'glossary: term cards could not be loaded into memory; lookups read them from the database meanwhile'),
    );
  }

  /** Reads the organisation's cards page by page; stops when something changed or the budget is spent (what fits is kept). */
  private async load(orgId: string, generation: number): Promise<void> {
    const started = Date.now();
    this.counts.loads++;
    const sharedGeneration = this.sharedGeneration;
    const shared = await cardStoreShared(this.db, orgId);
    if (!shared || generation !== this.generation || !this.enabled) return;
    const org: OrgCards = { cards: new Map(), shared: sharedGeneration === this.sharedGeneration ? sharedPart(shared) : undefined, readingShared: false, bytes: 0 };
    // Served from the first page on: a card not loaded yet is read from the database.
    this.orgs.set(orgId, org);
    for (let after = NO_ID; ; ) {
      const page: CardText[] = await cardTextsPage(this.db, orgId, after, this.pageSize);
      // Forgotten meanwhile (a change, or evicted for another organisation): this load is stale.
      if (generation !== this.generation || this.orgs.get(orgId) !== org) return;
      for (const { id, card } of page) {
        const bytes = cardBytes(id, card);
        if (!this.makeRoom(orgId, bytes)) {
          this.log?.info({ orgId, cards: org.cards.size, maxBytes: this.maxBytes }, 'glossary: the term cards memory budget is spent; the other cards are read from the database');
          return;
        }
        org.cards.set(id, card);
        org.bytes += bytes;
        this.bytes += bytes;
      }
      if (page.length < this.pageSize) {
        this.log?.info({ orgId, cards: org.cards.size, bytes: org.bytes, ms: Date.now() - started }, 'glossary: term cards loaded into memory');
        return;
      }
      after = page[page.length - 1]!.id;
    }
  }

  /** Reads the organisation's shared part again (after a notice about people, identities, time zones or proposals), in the background. */
  private readShared(orgId: string, org: OrgCards): void {
    if (org.readingShared) return;
    org.readingShared = true;
    this.counts.sharedReads++;
    const { generation, sharedGeneration } = this;
    void cardStoreShared(this.db, orgId)
      .then((shared) => {
        if (shared && generation === this.generation && sharedGeneration === this.sharedGeneration && this.orgs.get(orgId) === org) org.shared = sharedPart(shared);
      })
      .catch((error: unknown) => this.log?.warn({ err: error, orgId }, 'glossary: the stewards of the term cards in memory could not be read; lookups read cards from the database meanwhile'))
      .finally(() => {
        org.readingShared = false;
      });
  }

  /** Evicts other organisations, least recently used first, until `bytes` more fit; false when they cannot. */
  private makeRoom(orgId: string, bytes: number): boolean {
    while (this.bytes + bytes > this.maxBytes) {
      const victim = [...this.orgs.keys()].find((id) => id !== orgId);
      if (victim === undefined) return false;
      this.bytes -= this.orgs.get(victim)!.bytes;
      this.orgs.delete(victim);
    }
    return true;
  }
}

const sharedPart = (shared: NonNullable<Awaited<ReturnType<typeof cardStoreShared>>>): Shared => ({
  timeZone: shared.timeZone,
  stewards: new Map(shared.stewards.map((s) => [s.id, s])),
  pending: new Map(shared.pending.map((p) => [p.term_id, p.n])),
});

/** The text once (twice when it is not Latin-1: V8 keeps such strings as UTF-16), the id and the map's entry. */
function cardBytes(id: string, card: string): number {
  // eslint-disable-next-line no-control-regex
  const wide = /[^\u0000-\u00ff]/.test(card);
  return (wide ? 2 : 1) * card.length + id.length + 100;
}

/** The order of cardTextsPage's array. */
type CardTuple = [string, string, string | null, string[], TermCardRow['status'], string | null, string | null, number, number, string[]];

/** The card as termCardsData reads it; undefined when a part it shows is not held (the database then answers). */
function cardRow(orgId: string, id: string, org: OrgCards, shared: Shared, text: string): TermCardRow | undefined {
  const [name, definition, notes, links, status, replacedById, stewardId, version, updatedMs, aliases] = JSON.parse(text) as CardTuple;
  const steward = stewardId === null ? undefined : shared.stewards.get(stewardId);
  if (stewardId !== null && !steward) return undefined;
  let replacedByName: string | null = null;
  if (replacedById !== null) {
    const replacement = org.cards.get(replacedById);
    if (replacement === undefined) return undefined;
    replacedByName = (JSON.parse(replacement) as CardTuple)[0];
  }
  return {
    id,
    org_id: orgId,
    name,
    definition,
    notes,
    links,
    status,
    replaced_by_id: replacedById,
    steward_person_id: stewardId,
    version,
    updated_at: new Date(updatedMs),
    time_zone: shared.timeZone,
    aliases,
    steward_name: steward?.name ?? null,
    steward_identities: steward?.identities ?? null,
    replaced_by_name: replacedByName,
    pending_proposals: shared.pending.get(id) ?? 0,
  };
}
