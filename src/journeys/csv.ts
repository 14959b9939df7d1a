// The journey tree as CSV (key,name,level,parent,owner,description; owner an e-mail): import is
// all-or-nothing with a report per row, export writes the same format back, so a file round-trips.
import { cleanCsvText, fromSpreadsheet, spreadsheetSafe } from '../csv/spreadsheet-safety.js';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { personForEmail } from '../orgs/service.js';
import * as repo from './repo.js';
import { CSV_HEADER, csvRow, describeIssue, type CsvRow } from './schema.js';
import { JourneyTree, levelProblem, type TreeJourney } from './tree.js';

export interface RowProblem {
  /** Line in the file (the header is line 1). */
  line: number;
  key?: string | undefined;
  message: string;
}

export interface ImportReport {
  ok: boolean;
  dryRun: boolean;
  rows: number;
  created: string[];
  updated: string[];
  unchanged: string[];
  /** Owners named by e-mail who were not known yet: recorded, and linked when they first use Steward. */
  newPeople: string[];
  errors: RowProblem[];
}

export interface ImportOptions {
  dryRun?: boolean;
  now: Date;
  /** Who ran it, for the change log ("cli", "demo seed"). */
  byLabel: string;
}

const records = z.array(z.object({ record: z.array(z.string()), info: z.object({ lines: z.number() }).loose() }));

interface ParsedRow extends CsvRow {
  line: number;
}

/** Reads the file into validated rows, or the problems that stop the import. */
function readRows(csvText: string): { rows: ParsedRow[]; errors: RowProblem[]; count: number; brokenKeys?: Set<string> } {
  let raw: unknown;
  try {
    raw = parse(cleanCsvText(csvText), { bom: true, relax_column_count: true, skip_empty_lines: true, trim: true, info: true });
  } catch (error) {
    const line = z.object({ lines: z.number() }).safeParse(error);
    return { rows: [], count: 0, errors: [{ line: line.success ? line.data.lines : 1, message: `the file is not valid CSV: ${error instanceof Error ? error.message : String(error)}` }] };
  }
  const table = records.parse(raw).map((entry) => ({ ...entry, record: entry.record.map(fromSpreadsheet) }));
  const [first, ...body] = table;
  const header = first?.record;
  if (!header) return { rows: [], count: 0, errors: [{ line: 1, message: `the file is empty; expected the header ${CSV_HEADER.join(',')}` }] };
  const columns = header.map((h) => h.trim().toLowerCase());
  const missing = CSV_HEADER.filter((c) => !columns.includes(c));
  const unknown = columns.filter((c) => !(CSV_HEADER as readonly string[]).includes(c));
  if (missing.length || unknown.length) {
    const parts = [missing.length ? `missing ${missing.join(', ')}` : '', unknown.length ? `unknown ${unknown.join(', ')}` : ''].filter(Boolean);
    return { rows: [], count: body.length, errors: [{ line: 1, message: `the header must be ${CSV_HEADER.join(',')} (${parts.join('; ')})` }] };
  }
  const rows: ParsedRow[] = [];
  const errors: RowProblem[] = [];
  // Keys of rows that failed: their children are not reported again for a "missing" parent.
  const brokenKeys = new Set<string>();
  // A record's line is where it ends (a quoted field may span lines).
  body.forEach(({ record, info }) => {
    const line = info.lines;
    const key = record[columns.indexOf('key')];
    if (key) brokenKeys.add(key.toLowerCase());
    if (record.length !== columns.length) {
      errors.push({ line, key, message: `has ${record.length} fields, expected ${columns.length} (put a name or description that contains a comma in double quotes)` });
      return;
    }
    const cells = Object.fromEntries(columns.map((c, i) => [c, record[i] ?? '']));
    const parsed = csvRow.safeParse(cells);
    if (!parsed.success) {
      errors.push({ line, key, message: describeIssue(parsed.error) });
      return;
    }
    brokenKeys.delete(parsed.data.key);
    rows.push({ ...parsed.data, line });
  });
  for (const row of rows) brokenKeys.delete(row.key);
  return { rows, errors, count: body.length, brokenKeys };
}

/** Checks the tree the file would leave behind: parents known, levels in order, no cycles, no duplicates. */
function checkTree(rows: ParsedRow[], existing: repo.JourneyRow[], brokenKeys: Set<string>): RowProblem[] {
  const errors: RowProblem[] = [];
  const seenKeys = new Map<string, number>();
  const seenNames = new Map<string, number>();
  for (const row of rows) {
    const earlier = seenKeys.get(row.key);
    if (earlier) errors.push({ line: row.line, key: row.key, message: `the key ${row.key} is already on line ${earlier}` });
    else seenKeys.set(row.key, row.line);
    const name = row.name.toLowerCase();
    const earlierName = seenNames.get(name);
    if (earlierName) errors.push({ line: row.line, key: row.key, message: `the name “${row.name}” is already on line ${earlierName}` });
    else seenNames.set(name, row.line);
  }
  // The tree after the import: the file's rows over what is in Steward already.
  const final = new Map<string, { key: string; name: string; level: TreeJourney['level']; parent: string | null; line?: number }>();
  for (const journey of existing) {
    const parentKey = journey.parentId ? existing.find((e) => e.id === journey.parentId)?.key ?? null : null;
    final.set(journey.key, { key: journey.key, name: journey.name, level: journey.level, parent: parentKey });
  }
  for (const row of rows) final.set(row.key, { key: row.key, name: row.name, level: row.level, parent: row.parent, line: row.line });
  for (const journey of existing) {
    const other = rows.find((r) => r.name.toLowerCase() === journey.name.toLowerCase() && r.key !== journey.key);
    if (other && !rows.some((r) => r.key === journey.key)) {
      errors.push({ line: other.line, key: other.key, message: `the name “${other.name}” is already used by the journey ${journey.key} in Steward` });
    }
  }
  for (const row of rows) {
    if (!row.parent) continue;
    const parent = final.get(row.parent);
    if (!parent && brokenKeys.has(row.parent)) continue;
    if (!parent) {
      errors.push({ line: row.line, key: row.key, message: `parent “${row.parent}” is neither in the file nor in Steward` });
      continue;
    }
    const problem = levelProblem(row.level, parent.level);
    if (problem) errors.push({ line: row.line, key: row.key, message: `${problem} (${row.key} is a ${row.level}, ${parent.key} a ${parent.level})` });
    const path = [row.key];
    let current = final.get(row.parent);
    while (current && path.length <= 33) {
      path.push(current.key);
      if (current.key === row.key) {
        errors.push({ line: row.line, key: row.key, message: `makes a cycle: ${path.join(' → ')}` });
        break;
      }
      current = current.parent ? final.get(current.parent) : undefined;
    }
    if (path.length > 33) errors.push({ line: row.line, key: row.key, message: 'the tree would be deeper than 32 levels' });
  }
  return errors;
}

function sameRow(row: ParsedRow, journey: repo.JourneyRow, parentKey: string | null, ownerEmail: string | null): boolean {
  return journey.name === row.name && journey.level === row.level && parentKey === row.parent && ownerEmail === row.owner && (journey.description ?? null) === row.description;
}

export async function importJourneys(db: Db, orgId: string, csvText: string, options: ImportOptions): Promise<ImportReport> {
  const read = readRows(csvText);
  const report: ImportReport = { ok: false, dryRun: options.dryRun ?? false, rows: read.count, created: [], updated: [], unchanged: [], newPeople: [], errors: [...read.errors] };
  const existing = await repo.loadJourneys(db, orgId);
  report.errors.push(...checkTree(read.rows, existing, read.brokenKeys ?? new Set()));
  report.errors.sort((a, b) => a.line - b.line);
  if (report.errors.length) return report;

  const byKey = new Map(existing.map((j) => [j.key, j]));
  const emails = new Map<string, string | null>();
  const ownerIds = [...new Set(existing.map((j) => j.ownerPersonId).filter((id): id is string => Boolean(id)))];
  if (ownerIds.length) {
    for (const p of await repo.peopleByIds(db, ownerIds)) emails.set(p.id, p.email);
  }
  for (const row of read.rows) {
    const journey = byKey.get(row.key);
    if (!journey) report.created.push(row.key);
    else {
      const parentKey = journey.parentId ? (existing.find((e) => e.id === journey.parentId)?.key ?? null) : null;
      const ownerEmail = journey.ownerPersonId ? (emails.get(journey.ownerPersonId) ?? null) : null;
      (sameRow(row, journey, parentKey, ownerEmail) ? report.unchanged : report.updated).push(row.key);
    }
  }
  const owners = [...new Set(read.rows.map((r) => r.owner).filter((e): e is string => Boolean(e)))];
  const known = owners.length ? await repo.peopleWithEmails(db, orgId, owners) : [];
  report.newPeople = owners.filter((e) => !known.some((k) => k.email === e));
  if (options.dryRun) {
    report.ok = true;
    return report;
  }

  const changed = read.rows.filter((r) => !report.unchanged.includes(r.key));
  await db.transaction().execute(async (trx) => {
    const ownerIdByEmail = new Map<string, string>();
    for (const email of owners) ownerIdByEmail.set(email, await personForEmail(trx, orgId, email));
    const ids = new Map(existing.map((j) => [j.key, j.id]));
    const idOf = (key: string): string => {
      const id = ids.get(key);
      if (!id) throw new Error(`journey import: no id for ${key} (checked above, so this is a bug)`);
      return id;
    };
    // Detach every changed journey first, then attach parents before children: each step is part
    // of the final (acyclic) tree, so the database's cycle check never sees a transient loop.
    for (const row of changed) {
      const current = byKey.get(row.key);
      const ownerId = row.owner ? (ownerIdByEmail.get(row.owner) ?? null) : null;
      const values = { name: row.name, level: row.level, owner_person_id: ownerId, description: row.description, parent_id: null };
      if (current) {
        await repo.updateJourney(trx, orgId, current.id, { ...values, ...(current.deputyPersonId === ownerId ? { deputy_person_id: null } : {}) }, options.now);
      } else {
        ids.set(row.key, await repo.insertJourney(trx, { orgId, key: row.key, name: row.name, level: row.level, parentId: null, ownerPersonId: ownerId, description: row.description }, options.now));
      }
    }
    const pending = changed.filter((r) => r.parent);
    const attached = new Set(existing.filter((j) => !changed.some((r) => r.key === j.key)).map((j) => j.key));
    for (const row of changed.filter((r) => !r.parent)) attached.add(row.key);
    while (pending.length) {
      const index = pending.findIndex((r) => r.parent && attached.has(r.parent));
      if (index < 0) throw new Error('journey import: parents could not be ordered (checked above, so this is a bug)');
      const [row] = pending.splice(index, 1);
      if (!row?.parent) continue;
      await repo.updateJourney(trx, orgId, idOf(row.key), { parent_id: idOf(row.parent) }, options.now);
      attached.add(row.key);
    }
    for (const row of changed) {
      await repo.logJourneyEvent(trx, {
        journeyId: idOf(row.key),
        kind: 'imported',
        detail: { line: row.line, created: report.created.includes(row.key), parent: row.parent, owner: row.owner },
        byPersonId: null,
        byLabel: options.byLabel,
        at: options.now,
      });
    }
  });
  report.ok = true;
  return report;
}

export async function exportJourneys(db: Db, orgId: string): Promise<{ csv: string; ownersWithoutEmail: string[] }> {
  const rows = await repo.loadJourneys(db, orgId);
  const tree = new JourneyTree(rows);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const ownerIds = [...new Set(rows.map((r) => r.ownerPersonId).filter((id): id is string => Boolean(id)))];
  const people = ownerIds.length ? await repo.peopleByIds(db, ownerIds) : [];
  const ownersWithoutEmail: string[] = [];
  const records = tree.walk().flatMap(({ journey }) => {
    const row = byId.get(journey.id);
    if (!row) return [];
    const owner = row.ownerPersonId ? people.find((p) => p.id === row.ownerPersonId) : undefined;
    if (owner && !owner.email) ownersWithoutEmail.push(`${row.key}: ${owner.display_name}`);
    return [[row.key, row.name, row.level, row.parentId ? (byId.get(row.parentId)?.key ?? '') : '', owner?.email ?? '', row.description ?? ''].map(spreadsheetSafe)];
  });
  return { csv: stringify([[...CSV_HEADER], ...records]), ownersWithoutEmail };
}

/** The report as lines for a terminal. */
export function formatImportReport(report: ImportReport): string[] {
  if (!report.ok) {
    return [
      `Nothing was imported: ${report.errors.length} problem${report.errors.length === 1 ? '' : 's'} in ${report.rows} rows.`,
      ...report.errors.map((e) => `  line ${e.line}${e.key ? ` (${e.key})` : ''}: ${e.message}`),
    ];
  }
  const verb = report.dryRun ? 'Would import' : 'Imported';
  const lines = [`${verb} ${report.rows} rows: ${report.created.length} new, ${report.updated.length} changed, ${report.unchanged.length} unchanged.`];
  if (report.created.length) lines.push(`  new: ${report.created.join(', ')}`);
  if (report.updated.length) lines.push(`  changed: ${report.updated.join(', ')}`);
  if (report.newPeople.length) lines.push(`  owners not known yet (${report.dryRun ? 'would be ' : ''}recorded; linked when they first use Steward): ${report.newPeople.join(', ')}`);
  if (report.dryRun) lines.push('Dry run: nothing was changed.');
  return lines;
}
