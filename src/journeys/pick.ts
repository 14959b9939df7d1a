// The journey a command or a button names, tolerant of typos: the journey itself, or the card that
// answers instead (no such journey, or a choice of the closest). Journeys and pings both use it.
import type { Card } from '../chat/card.js';
import { NotFound } from '../chat/errors.js';
import { candidatesCard, notFoundCard } from './cards.js';
import type { JourneyRow } from './repo.js';
import { lookup } from './service.js';

/**
 * The journey a command or a button names, or the card that answers instead: no such journey, or a
 * choice whose buttons open `chooseAction` (the journey card, its history) for the one picked.
 */
export function pick(rows: JourneyRow[], typed: string, journeyId: string | undefined, chooseAction: string): { journey: JourneyRow; closestFor: string | undefined } | { card: Card } {
  if (journeyId) {
    const journey = rows.find((r) => r.id === journeyId);
    if (!journey) throw new NotFound('That journey no longer exists.');
    return { journey, closestFor: undefined };
  }
  const found = lookup(rows, typed);
  if (found.kind === 'none') return { card: notFoundCard(typed) };
  if (found.kind === 'choose') return { card: candidatesCard(typed, found.candidates, chooseAction) };
  return { journey: found.journey, closestFor: found.closest ? typed : undefined };
}
