// "KPIs that use this definition" on a glossary term's card: the KPIs linked to the term, or naming
// it (or one of its aliases) as their glossary term.
import { sql } from 'kysely';
import { code, fields, text, type Block } from '../chat/card.js';
import type { TermCardSection } from '../glossary/hooks.js';

export const kpisUsingTerm: TermCardSection = async ({ db, orgId, termId }) => {
  const rows = await sql<{ key: string; name: string; journey: string }>`
    select k.key, k.name, j.name as journey from kpis k join journeys j on j.id = k.journey_id
    where k.org_id = ${orgId} and (
      k.glossary_term_id = ${termId}
      or lower(k.glossary_term) in (
        select lower(name) from glossary_terms where id = ${termId}
        union select lower(alias) from glossary_aliases where term_id = ${termId}
      )
    )
    order by k.key limit 20
  `.execute(db);
  if (rows.rows.length === 0) return [];
  const list: Block = { kind: 'list', items: rows.rows.map((r) => [text(`${r.name} `), code(r.key), text(` (${r.journey})`)]) };
  return [fields(['KPIs that use this definition', String(rows.rows.length)]), list];
};
