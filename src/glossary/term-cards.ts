// What a term card shows, per term rather than per question: a typo or an alias needs no database
// round trip (the answer cache, src/db/answer-cache.ts, remembers whole answers per question; most new
// questions are about a term, not a question, seen before). A card comes from the organisation's
// whole glossary in memory (src/glossary/card-store.ts) once it is loaded, else from the cards
// remembered per term, else from the database. Under the same rule as every remembered answer: kept
// only while change notices arrive, forgotten on a notice of anything a card shows, and bounded in
// bytes. The cards read from the database are read together: every card asked for in the same turn
// of the event loop (concurrent lookups) comes from one statement per organisation, instead of a
// round trip each. What a miss card shows besides candidates (the time zone, a name
// proposed already) is remembered per organisation under the same rule.
import { AnswerCache } from '../db/answer-cache.js';
import type { Db } from '../db/database.js';
import type { Logger } from '../log.js';
import { CardStore } from './card-store.js';
import { orgMissContext, summaryOf, type MissContext, type OrgMissContext } from './matching/lookup-repo.js';
import { termCardsData, type TermCardRow } from './repo/term-card.js';

export interface TermCardsOptions {
  /** Bytes the cards remembered per term may take (about 1 KB a card with its aliases). */
  maxBytes?: number;
  /** Bytes the whole glossaries in memory may take (src/glossary/card-store.ts). */
  storeBytes?: number;
  log?: Logger;
  /** Cards read in one statement at most. */
  batchSize?: number;
}

interface Waiting {
  termId: string;
  resolve: (row: TermCardRow | undefined) => void;
  reject: (error: unknown) => void;
}

export class TermCards {
  /** Enabled, disabled and told of changes with the other remembered answers (src/app.ts). */
  readonly remembered: AnswerCache<TermCardRow>;
  /** Every card of an organisation in memory; told of changes as `remembered` is. */
  readonly store: CardStore;
  /** Each organisation's miss context (its time zone, the new names waiting for approval); told of changes as `remembered` is. */
  readonly missContexts = new AnswerCache<OrgMissContext>({ shows: 'termCards', maxEntries: 10_000, maxBytes: 4 * 1024 * 1024, sizeOf: missContextBytes });
  private readonly waiting = new Map<string, Waiting[]>();
  private scheduled = false;
  private readonly batchSize: number;
  readonly counts = { statements: 0, cards: 0 };

  constructor(
    private readonly db: Db,
    options: TermCardsOptions = {},
  ) {
    this.remembered = new AnswerCache<TermCardRow>({ shows: 'termCards', maxEntries: 100_000, maxBytes: options.maxBytes ?? 16 * 1024 * 1024, sizeOf: cardBytes });
    this.store = new CardStore(db, { ...(options.storeBytes !== undefined ? { maxBytes: options.storeBytes } : {}), ...(options.log ? { log: options.log } : {}) });
    this.batchSize = options.batchSize ?? 100;
  }

  /** The term's card, from memory or read with the others asked for now; undefined when the term is gone. */
  get(orgId: string, termId: string): Promise<TermCardRow | undefined> {
    const known = this.inMemory(orgId, termId);
    if (known) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const list = this.waiting.get(orgId);
      if (list) list.push({ termId, resolve, reject });
      else this.waiting.set(orgId, [{ termId, resolve, reject }]);
      if (!this.scheduled) {
        this.scheduled = true;
        // After the I/O of this turn: the lookups that arrived with this one ask for their cards too.
        setImmediate(() => this.readWaiting());
      }
    });
  }

  /**
   * What a miss of the normalised name `norm` shows besides candidates, remembered per organisation
   * (one statement after each change notice); undefined while nothing is remembered (the change
   * listener is not connected) or the organisation has too many names waiting to keep.
   */
  async missContext(orgId: string, norm: string): Promise<MissContext | undefined> {
    if (!this.missContexts.isEnabled) return undefined;
    const context = await this.missContexts.remember(orgId, async () => (await orgMissContext(this.db, orgId, PENDING_NAMES_KEPT)) ?? TOO_MANY);
    if (context === TOO_MANY) return undefined;
    const pending = context.pending.get(norm);
    return { timeZone: context.timeZone, ...(pending ? { pending } : {}) };
  }

  /** The start of each term's definition (as a list of candidates shows it), when every card is in memory; else undefined. */
  summaries(orgId: string, termIds: readonly string[]): Map<string, string> | undefined {
    const summaries = new Map<string, string>();
    for (const termId of termIds) {
      const card = this.inMemory(orgId, termId);
      if (!card) return undefined;
      summaries.set(termId, summaryOf(card.definition));
    }
    return summaries;
  }

  /** Forgets every remembered card (a change made through this process). */
  forget(): void {
    this.store.forget();
    this.remembered.forget();
    this.missContexts.forget();
  }

  /** The card from the organisation's cards in memory, else from those remembered per term. */
  private inMemory(orgId: string, termId: string): TermCardRow | undefined {
    return this.store.card(orgId, termId) ?? this.remembered.get(key(orgId, termId));
  }

  private readWaiting(): void {
    this.scheduled = false;
    const waiting = [...this.waiting];
    this.waiting.clear();
    for (const [orgId, list] of waiting) {
      for (let from = 0; from < list.length; from += this.batchSize) void this.read(orgId, list.slice(from, from + this.batchSize));
    }
  }

  private async read(orgId: string, list: Waiting[]): Promise<void> {
    // Taken before the read: a card read before a change is never remembered after its notice.
    const ticket = this.remembered.ticket();
    try {
      this.counts.statements++;
      const rows = await termCardsData(this.db, orgId, [...new Set(list.map((w) => w.termId))]);
      this.counts.cards += rows.length;
      const byId = new Map(rows.map((row) => [row.id, row]));
      for (const row of rows) this.remembered.set(key(orgId, row.id), row, ticket);
      for (const w of list) w.resolve(byId.get(w.termId));
    } catch (error) {
      // Each lookup answers "try again" on its own; nothing is remembered.
      for (const w of list) w.reject(error);
    }
  }
}

const key = (orgId: string, termId: string) => `${orgId}\n${termId}`;

/** New names waiting for approval an organisation's remembered miss context holds at most. */
const PENDING_NAMES_KEPT = 1_000;
/** Remembered for an organisation with more (so that it is not read again for every miss). */
const TOO_MANY: OrgMissContext = { timeZone: 'UTC', pending: new Map() };

function missContextBytes(context: OrgMissContext): number {
  let bytes = 200 + 2 * context.timeZone.length;
  for (const [norm, p] of context.pending) bytes += 150 + 2 * (norm.length + p.name.length + p.proposedBy.length);
  return bytes;
}

/** The text a card holds, twice (UTF-16), and about 600 bytes of object and dates. */
function cardBytes(row: TermCardRow): number {
  const texts = row.name.length + row.definition.length + (row.notes?.length ?? 0) + JSON.stringify(row.links ?? null).length + row.aliases.reduce((sum, a) => sum + a.length + 16, 0) + (row.steward_name?.length ?? 0) + (row.replaced_by_name?.length ?? 0);
  return 600 + 2 * texts + 64 * (row.steward_identities?.length ?? 0);
}
