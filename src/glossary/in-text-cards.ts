// The answer to "explain the CX terms in this message": each term with its definition (a deprecated
// one with the approved term to use), the acronyms the glossary does not know with a button to
// propose them; and the quiet nudge a watched channel's author gets for a deprecated term.
import { actions, bold, code, context, para, text, type Block, type Button, type Card } from '../chat/card.js';
import { truncate } from '../chat/limits.js';
import { counted } from '../chat/words.js';
import { ACTIONS, termButton } from './cards.js';
import type { TermInText, TermsInText } from './in-text.js';

const DEFINITION_SHOWN = 280;
/** Buttons on the card at most (Teams shows six actions; a row of five reads well on both). */
const BUTTONS = 5;

const proposeAcronym = (acronym: string): Button => ({ label: `Propose ${acronym}`, payload: { action: ACTIONS.propose, query: acronym } });

function termBlocks(term: TermInText): Block[] {
  if (term.replacement) {
    return [
      para(bold(term.name), text(' is deprecated: use '), bold(term.replacement.name), text('.')),
      para(text(truncate(term.replacement.definition, DEFINITION_SHOWN))),
    ];
  }
  const note = term.status === 'proposed' ? ' (proposed, not yet approved)' : term.status === 'deprecated' ? ' (deprecated)' : '';
  return [para(bold(term.name), text(note)), para(text(truncate(term.definition, DEFINITION_SHOWN)))];
}

export function termsInTextCard(found: TermsInText): Card {
  const { terms, unknownAcronyms, more } = found;
  const blocks: Block[] = [];
  if (terms.length === 0) blocks.push(para('No glossary term or alias appears in this message.'));
  for (const term of terms) blocks.push(...termBlocks(term));
  if (more > 0) blocks.push(context(`and ${counted(more, 'more term')}; look them up with `, code('glossary <term>'), text('.')));
  if (unknownAcronyms.length > 0) {
    blocks.push(para(text('Not in the glossary: '), bold(unknownAcronyms.join(', ')), text(unknownAcronyms.length === 1 ? '. If it is CX language, propose it so everyone means the same.' : '. If one of them is CX language, propose it so everyone means the same.')));
  }
  const opens = terms.map((t) => (t.replacement ? termButton(t.replacement.termId, `Open ${t.replacement.name}`) : termButton(t.termId, `Open ${t.name}`)));
  const buttons = [...opens.slice(0, Math.max(BUTTONS - Math.min(unknownAcronyms.length, 2), 3)), ...unknownAcronyms.map(proposeAcronym)].slice(0, BUTTONS);
  if (buttons.length > 0) blocks.push(actions(...buttons));
  const names = terms.map((t) => (t.replacement ? `${t.name} → ${t.replacement.name}` : t.name));
  const summary = terms.length > 0 ? `CX terms in this message: ${names.join(', ')}` : unknownAcronyms.length > 0 ? `No glossary terms; not in the glossary: ${unknownAcronyms.join(', ')}` : 'No glossary terms in this message.';
  return { title: 'CX terms in this message', blocks, summary: truncate(summary, 300) };
}

/** The private nudge for a deprecated term in a watched channel, with the button that stops it. */
export function nudgeCard(term: { termId: string; name: string; written: string; replacement: { termId: string; name: string; definition: string } }): Card {
  const line = [text('Your message uses '), bold(term.name), text(', which the glossary has retired: use '), bold(term.replacement.name), text(' instead.')];
  return {
    title: 'A glossary tip',
    blocks: [
      para(...line),
      para(text(truncate(term.replacement.definition, DEFINITION_SHOWN))),
      actions(termButton(term.replacement.termId, `Open ${term.replacement.name}`), { label: 'Not this meaning', payload: { action: 'glossary.nudge.exception', termId: term.termId } }),
      context('Only you see this. Steward does not keep your message; it counts the retired terms used in this channel.'),
    ],
    summary: `Your message uses ${term.name}, which the glossary has retired: use ${term.replacement.name} instead.`,
  };
}
