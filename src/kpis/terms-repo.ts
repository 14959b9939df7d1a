// What the KPIs read of the glossary (its tables, never its modules): the terms KPIs name and their
// definitions, and the KPIs linked to a term for the term card's section.
import { sql } from 'kysely';
import type { Executor } from './repo.js';

/** One KPI and how it names its glossary term (by link, or by name in lower case). */
export interface KpiTermLink {
  key: string;
  name: string;
  journey: string;
  termId: string | null;
  termName: string | null;
}

/** The KPIs of an organisation that name a glossary term. */
export async function kpiTermLinks(db: Executor, orgId: string): Promise<KpiTermLink[]> {
  const result = await sql<KpiTermLink>`
    select k.key, k.name, j.name as journey, k.glossary_term_id as "termId", lower(k.glossary_term) as "termName"
    from kpis k join journeys j on j.id = k.journey_id
    where k.org_id = ${orgId} and (k.glossary_term_id is not null or k.glossary_term is not null)
    order by k.key
  `.execute(db);
  return result.rows;
}

/** Definitions of the terms with these ids, or whose name or an alias has one of these normalised texts. */
export async function termDefinitions(db: Executor, orgId: string, norms: string[], ids: string[]) {
  const result = await sql<{ id: string; norm: string; definition: string }>`
    select t.id, t.name_norm as norm, t.definition from glossary_terms t
    where t.org_id = ${orgId} and (t.name_norm = any(${norms}::text[]) or t.id = any(${ids}::uuid[]))
    union all
    select t.id, a.alias_norm, t.definition from glossary_aliases a join glossary_terms t on t.id = a.term_id
    where a.org_id = ${orgId} and a.alias_norm = any(${norms}::text[])
  `.execute(db);
  return result.rows;
}

/** Term ids whose name or an alias has one of these normalised texts (names first). */
export async function termIdsByNorm(db: Executor, orgId: string, norms: string[]) {
  const result = await sql<{ norm: string; id: string }>`
    select name_norm as norm, id from glossary_terms where org_id = ${orgId} and name_norm = any(${norms}::text[])
    union all
    select a.alias_norm, a.term_id from glossary_aliases a where a.org_id = ${orgId} and a.alias_norm = any(${norms}::text[])
  `.execute(db);
  return result.rows;
}
