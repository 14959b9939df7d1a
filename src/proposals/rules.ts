// The decision rules, as pure functions: how many votes make a quorum, what a tally decides, and
// how the rule reads on a card. Abstentions count towards the quorum but not towards the majority.
import type { Majority, Quorum } from '../governance/schema.js';
import { MAJORITY_LABELS, quorumRequired } from '../governance/rules.js';

/** The rule a proposal is decided by, fixed when voting opens. */
export interface DecisionRule {
  quorum: Quorum;
  majority: Majority;
  anonymous: boolean;
  /** Board members when voting opened. */
  boardSize: number;
  /** Ballots needed (approve, reject and abstain all count), computed when voting opened. */
  quorumRequired: number;
}

export interface Tally {
  approve: number;
  reject: number;
  abstain: number;
}

export type Outcome = 'approved' | 'rejected' | 'no_quorum';

export function ruleAtOpening(settings: { quorum: Quorum; majority: Majority; anonymousBallots: boolean }, boardSize: number): DecisionRule {
  return {
    quorum: settings.quorum,
    majority: settings.majority,
    anonymous: settings.anonymousBallots,
    boardSize,
    quorumRequired: quorumRequired(settings.quorum, boardSize),
  };
}

export function ballotsCast(tally: Tally): number {
  return tally.approve + tally.reject + tally.abstain;
}

/** A tie, or no votes for or against at all, is not a majority: the proposal is rejected. */
export function decide(tally: Tally, rule: Pick<DecisionRule, 'majority' | 'quorumRequired'>): Outcome {
  if (ballotsCast(tally) < rule.quorumRequired) return 'no_quorum';
  const { approve, reject } = tally;
  if (rule.majority === 'two-thirds') return approve > 0 && approve * 3 >= (approve + reject) * 2 ? 'approved' : 'rejected';
  return approve > reject ? 'approved' : 'rejected';
}

/** Voting is open until the deadline; a vote at the deadline itself is too late. */
export function votingOpen(deadline: Date, now: Date): boolean {
  return now.getTime() < deadline.getTime();
}

/** "quorum 5 of 9, simple majority of votes cast" */
export function describeRule(rule: DecisionRule): string {
  return `quorum ${rule.quorumRequired} of ${rule.boardSize}, ${MAJORITY_LABELS[rule.majority]}${rule.anonymous ? ', anonymous ballots' : ''}`;
}

export const OUTCOME_LABELS: Record<Outcome, string> = {
  approved: 'Approved',
  rejected: 'Rejected',
  no_quorum: 'No quorum',
};
