// The change notices that keep remembered answers right, against the one list of what each answer
// shows (src/db/remembered-tables.ts): the triggers installed by the migrations, read from the
// catalog, must send a notice for every table and column of the list and for nothing else. On
// Postgres and on PGlite.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnswerCache } from '../../src/db/answer-cache.js';
import { noticeOf, noticeTriggers, REMEMBERED_TABLES, type RememberedAnswer } from '../../src/db/remembered-tables.js';
import type { Db } from '../../src/db/database.js';
import { CardStore } from '../../src/glossary/card-store.js';
import { TermIndexes } from '../../src/glossary/matching/term-indexes.js';
import type { Logger } from '../../src/log.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/database.js';

interface Installed {
  name: string;
  table: string;
  /** Empty: an update of any column. */
  columns: string[];
  /** pg_trigger.tgtype: row/statement, timing and events. */
  type: number;
  /** The argument, what the notice names instead of the table. */
  notice: string | null;
}

/** Statement level, after, on insert (4), delete (8), update (16) and truncate (32). */
const AFTER_EVERY_STATEMENT = 4 | 8 | 16 | 32;

async function installedNotices(db: Db): Promise<Installed[]> {
  const result = await sql<Installed>`
    select t.tgname as name, c.relname as table, t.tgtype::int as type,
      array(select a.attname::text from unnest(t.tgattr) as k(attnum) join pg_attribute a on a.attrelid = t.tgrelid and a.attnum = k.attnum order by a.attname) as columns,
      case when t.tgnargs > 0 then split_part(encode(t.tgargs, 'escape'), '\\000', 1) end as notice
    from pg_trigger t
    join pg_class c on c.oid = t.tgrelid
    join pg_proc p on p.oid = t.tgfoid
    where c.relnamespace = current_schema()::regnamespace and p.proname = 'steward_notify_change' and not t.tgisinternal
    order by t.tgname`.execute(db);
  return result.rows;
}

/** Every way the installed triggers and REMEMBERED_TABLES disagree, each naming the table (and column). */
function disagreements(installed: Installed[]): string[] {
  const problems: string[] = [];
  const find = (table: string, notice: string) => installed.find((t) => t.table === table && (t.notice ?? t.table) === notice);
  for (const [answer, shown] of Object.entries(REMEMBERED_TABLES)) {
    for (const s of shown) {
      const trigger = find(s.table, noticeOf(s));
      if (!trigger) {
        problems.push(`${answer} shows ${s.table}, but no trigger sends the notice “${noticeOf(s)}” for it`);
        continue;
      }
      if (trigger.type !== AFTER_EVERY_STATEMENT) problems.push(`${trigger.name} on ${s.table} is not an after-statement trigger on insert, update, delete and truncate`);
      if (!('columns' in s) || !s.columns) {
        if (trigger.columns.length) problems.push(`${answer} shows every column of ${s.table}, but ${trigger.name} notifies updates of ${trigger.columns.join(', ')} only`);
        continue;
      }
      for (const column of s.columns) {
        if (trigger.columns.length && !trigger.columns.includes(column)) problems.push(`${answer} shows ${s.table}.${column}, but ${trigger.name} sends no notice when it is updated`);
      }
    }
  }
  const all = Object.values(REMEMBERED_TABLES).flat() as { table: string; columns?: readonly string[]; notice?: string }[];
  for (const trigger of installed) {
    const shown = all.filter((s) => s.table === trigger.table && noticeOf(s) === (trigger.notice ?? trigger.table));
    if (shown.length === 0) {
      problems.push(`${trigger.name} notifies “${trigger.notice ?? trigger.table}” for ${trigger.table}, which REMEMBERED_TABLES does not list`);
      continue;
    }
    const listed = new Set(shown.flatMap((s) => s.columns ?? []));
    const everyColumn = shown.some((s) => !s.columns);
    if (!everyColumn && trigger.columns.length === 0) problems.push(`${trigger.name} notifies an update of any column of ${trigger.table}, but REMEMBERED_TABLES lists only ${[...listed].join(', ')}`);
    for (const column of trigger.columns) {
      if (!everyColumn && !listed.has(column)) problems.push(`${trigger.name} notifies updates of ${trigger.table}.${column}, which no remembered answer shows`);
    }
  }
  return problems;
}

describe.each(DATABASE_KINDS)('change notices on %s', (kind) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database.drop();
  });

  it('are sent for every table and column a remembered answer shows, and for nothing else', async () => {
    const installed = await installedNotices(database.db);
    expect(installed.length).toBeGreaterThan(0);
    expect(disagreements(installed)).toEqual([]);
  });

  it('would name a column a card shows without a notice, and a trigger nothing lists', async () => {
    const installed = await installedNotices(database.db);
    const withoutBreachPeriods = installed.map((t) => (t.name === 'kpis_notify_change' ? { ...t, columns: t.columns.filter((c) => c !== 'breach_periods') } : t));
    expect(disagreements(withoutBreachPeriods)).toEqual(['kpiSnapshots shows kpis.breach_periods, but kpis_notify_change sends no notice when it is updated']);
    const extra = [...installed, { name: 'outbox_notify_change', table: 'outbox', columns: [], type: AFTER_EVERY_STATEMENT, notice: null }];
    expect(disagreements(extra)).toEqual(['outbox_notify_change notifies “outbox” for outbox, which REMEMBERED_TABLES does not list']);
  });
});

describe('what the remembered answers listen to', () => {
  it('is what REMEMBERED_TABLES says, for the answer caches, the actors, the term indexes and the cards', () => {
    const notices = [...new Set(noticeTriggers().map((t) => t.notice ?? t.table))];
    const termIndexes = new TermIndexes({} as Db, {} as Logger);
    const listening = (kept: { dependsOn(notice: string): boolean }) => notices.filter((n) => kept.dependsOn(n)).sort();
    const listed = (answer: RememberedAnswer) => [...new Set(REMEMBERED_TABLES[answer].map(noticeOf))].sort();
    expect(listening(termIndexes)).toEqual(listed('termIndexes'));
    expect(listening(new CardStore({} as Db))).toEqual(listed('termCards'));
    for (const answer of ['glossaryAnswers', 'termCards', 'kpiLinks', 'kpiSnapshots', 'actors'] as const) expect(listening(new AnswerCache({ shows: answer }))).toEqual(listed(answer));
  });

  it('is installed by a migration: a change to REMEMBERED_TABLES needs a new one', () => {
    // What the migrations install: 0009_remembered_tables.ts, 0021 for the term index's search
    // words, 0022 for the actors. A database migrated earlier keeps the triggers it got: after changing REMEMBERED_TABLES,
    // add a migration that installs the notices again (see 0009's installChangeNotices) and then
    // update this list.
    const writtenFor = [
      'glossary_aliases_notify_change: glossary_aliases, any column',
      'glossary_proposals_notify_change: glossary_proposals, any column',
      'glossary_terms_notify_change: glossary_terms, any column',
      'glossary_terms_notify_glossary_names: glossary_terms as glossary_names, id, name, name_key, name_norm, org_id, search_text, status, words',
      'glossary_words_notify_change: glossary_words, org_id, word',
      'identities_notify_change: identities, external_user_id, id, installation_external_id, person_id, platform',
      'journeys_notify_change: journeys, deputy_person_id, id, key, name, org_id, owner_person_id, parent_id',
      'kpi_values_notify_change: kpi_values, kpi_id, period_start, segment, value',
      'kpis_notify_change: kpis, breach, breach_periods, cadence, direction, glossary_term, glossary_term_id, id, journey_id, key, name, org_id, remind_every_periods, target, unit, warning',
      'organisations_notify_change: organisations, id, time_zone',
      'people_notify_change: people, display_name, email, id, org_id',
      'roles_notify_change: roles, any column',
    ];
    const now = noticeTriggers().map((t) => `${t.name}: ${t.table}${t.notice ? ` as ${t.notice}` : ''}, ${t.columns?.join(', ') ?? 'any column'}`);
    expect(now, 'REMEMBERED_TABLES changed: add a migration that installs the change notices again').toEqual(writtenFor);
  });
});
