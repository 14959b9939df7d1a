// The demo organisation: people, roles and (as capabilities land) their data, loaded from the CSV
// files the project ships in data/demo/. Used by `steward seed demo` and on a brand-new embedded db.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import type { Role } from '../db/foundation-tables.js';
import * as orgsRepo from '../orgs/repo.js';
import { grantRole, personForEmail } from '../orgs/service.js';
import { formatImportReport, importJourneys } from '../journeys/csv.js';
import { describeReport as describeGlossaryImport, importGlossaryCsv } from '../glossary/csv.js';
import { formatKpiImportReport, importKpiDefinitions, importKpiValues } from '../kpis/import.js';
import { seedDemoProposal } from '../proposals/seed.js';

/** Resolves data/demo both from src/ (tsx) and from dist/src/ (compiled). */
export function demoFile(name: string): string {
  const fromSource = new URL(`../../data/demo/${name}`, import.meta.url);
  const fromDist = new URL(`../../../data/demo/${name}`, import.meta.url);
  return fileURLToPath(import.meta.url.includes('/dist/') ? fromDist : fromSource);
}

export function readDemoCsv(name: string): Record<string, string>[] {
  const rows: unknown = parse(readFileSync(demoFile(name), 'utf8'), { columns: true, skip_empty_lines: true, trim: true });
  return z.array(z.record(z.string(), z.string())).parse(rows);
}

/** Who plays which part in the demo: the CX director administers, four leads sit on the board. */
const DEMO_ROLES: { email: string; name: string; roles: Role[] }[] = [
  { email: 'cx-director@example.com', name: 'Dana de Vries (CX director)', roles: ['admin', 'board'] },
  { email: 'cx-office@example.com', name: 'CX office', roles: ['glossary_steward'] },
  { email: 'head-of-sales@example.com', name: 'Head of sales', roles: ['board'] },
  { email: 'head-of-service@example.com', name: 'Head of customer service', roles: ['board'] },
  { email: 'head-of-marketing@example.com', name: 'Head of marketing', roles: ['board'] },
  { email: 'cio@example.com', name: 'CIO', roles: ['board'] },
];

export interface SeedResult {
  orgId: string;
  people: number;
}

export async function seedDemo(db: Db, options: { orgId?: string; orgName: string }): Promise<SeedResult> {
  const orgId = options.orgId ?? (await orgsRepo.createOrganisation(db, options.orgName)).id;
  const emails = new Set<string>();
  for (const row of readDemoCsv('glossary.csv')) if (row.steward) emails.add(row.steward.toLowerCase());
  for (const row of readDemoCsv('journeys.csv')) if (row.owner) emails.add(row.owner.toLowerCase());
  for (const person of DEMO_ROLES) {
    emails.delete(person.email);
    const personId = await personForEmail(db, orgId, person.email, person.name);
    for (const role of person.roles) await grantRole(db, personId, { orgId, role, byLabel: 'demo seed' });
  }
  for (const email of emails) await personForEmail(db, orgId, email);
  // The glossary first: KPIs name the term that defines them.
  const glossary = await importGlossaryCsv(db, orgId, readFileSync(demoFile('glossary.csv'), 'utf8'), { by: 'demo seed', now: new Date() });
  if (glossary.problems.length) throw new Error(`the demo glossary does not import:\n${describeGlossaryImport(glossary).join('\n')}`);
  // Through the importer, like any customer's file (some journeys have no owner on purpose).
  const journeys = await importJourneys(db, orgId, readFileSync(demoFile('journeys.csv'), 'utf8'), { now: new Date(), byLabel: 'demo seed' });
  if (!journeys.ok) throw new Error(`the demo journeys do not import:\n${formatImportReport(journeys).join('\n')}`);
  // KPIs after journeys and glossary (they belong to a journey and name a term); the values are
  // history, so they raise no alert until new ones arrive.
  const kpis = await importKpiDefinitions(db, orgId, readFileSync(demoFile('kpis.csv'), 'utf8'));
  if (!kpis.ok) throw new Error(`the demo KPIs do not import:\n${formatKpiImportReport('kpis.csv', kpis).join('\n')}`);
  const values = await importKpiValues(db, orgId, readFileSync(demoFile('kpi-values.csv'), 'utf8'), { source: 'demo seed', now: new Date(), alerts: false });
  if (!values.ok) throw new Error(`the demo KPI values do not import:\n${formatKpiImportReport('kpi-values.csv', values).join('\n')}`);
  // One open vote, so the board has something to look at (posted once an admin picks a governance channel).
  await seedDemoProposal(db, orgId, new Date());
  return { orgId, people: DEMO_ROLES.length + emails.size };
}

/** Seeds only a database with no organisation at all; returns whether it did. */
export async function seedDemoIfEmpty(db: Db, options: { orgName: string }): Promise<boolean> {
  const existing = await orgsRepo.listOrganisations(db);
  if (existing.length > 0) return false;
  await seedDemo(db, options);
  return true;
}
