// The board's voting rules as the organisation sets them: how many ballots make a quorum, and how a
// majority reads. Proposals snapshot these when voting opens (src/proposals/rules.ts).
import type { Majority, Quorum } from './schema.js';

/** A count is capped at the board's size (a quorum nobody could reach is a misconfiguration); a share rounds up. */
export function quorumRequired(quorum: Quorum, boardSize: number): number {
  if (quorum.kind === 'count') return Math.max(1, Math.min(quorum.value, Math.max(boardSize, 1)));
  // The epsilon keeps 0.6 × 5 = 3.0000000000000004 from rounding up to 4.
  return Math.max(1, Math.ceil(quorum.value * boardSize - 1e-9));
}

export const MAJORITY_LABELS: Record<Majority, string> = {
  simple: 'simple majority of votes cast',
  'two-thirds': 'two-thirds majority of votes cast',
};
