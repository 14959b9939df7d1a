// "KPIs that use this definition" on a glossary term's card: the KPIs linked to the term, or naming
// it (or one of its aliases) as their glossary term. An organisation's KPI links are few (its KPI
// definitions), so they are read once and kept in memory until a change notice says a KPI, journey
// or term changed (the same AnswerCache as the glossary's answers): a term card costs no extra
// round trip for its KPIs.
import { code, fields, text, type Block } from '../chat/card.js';
import type { AnswerCache } from '../db/answer-cache.js';
import type { TermCardSection } from '../glossary/hooks.js';
import { kpiTermLinks, type KpiTermLink } from './terms-repo.js';

export type { KpiTermLink } from './terms-repo.js';

/** The section, reading an organisation's KPI links through `links` (remembered while change notices arrive). */
export function kpisUsingTerm(links?: AnswerCache<KpiTermLink[]>): TermCardSection {
  return async ({ db, orgId, termId, names }) => {
    const all = links ? await links.remember(orgId, () => kpiTermLinks(db, orgId)) : await kpiTermLinks(db, orgId);
    const named = new Set(names.map((n) => n.toLowerCase()));
    const using = all.filter((k) => k.termId === termId || (k.termName !== null && named.has(k.termName))).slice(0, 20);
    if (using.length === 0) return [];
    const list: Block = { kind: 'list', items: using.map((r) => [text(`${r.name} `), code(r.key), text(` (${r.journey})`)]) };
    return [fields(['KPIs that use this definition', String(using.length)]), list];
  };
}
