// What other capabilities may add to the term card (through src/chat/card-sections.ts): the KPIs
// capability passes a section listing "KPIs that use this definition" to createGlossaryCapability.
import type { Block } from '../chat/card.js';
import { renderSections, type CardSection } from '../chat/card-sections.js';
import type { Db } from '../db/database.js';
import type { Logger } from '../log.js';

export interface TermSectionContext {
  db: Db;
  orgId: string;
  termId: string;
  /** The term's name and aliases, as written. */
  names: string[];
}

/** Blocks to show on a term's full card (not on the short or shared ones); [] to show nothing. */
export type TermCardSection = CardSection<TermSectionContext>;

/** Every section's blocks, in order; a failing section is logged and left out, never breaks a lookup. */
export async function termSections(sections: readonly TermCardSection[], context: TermSectionContext, log: Logger): Promise<Block[]> {
  return renderSections(sections, context, (error) => log.warn({ err: error, termId: context.termId }, 'a term card section failed; the card is shown without it'));
}
