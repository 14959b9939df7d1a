// The decision rules: quorum, majority, ties, abstentions, the deadline instant.
import { describe, expect, it } from 'vitest';
import { quorumRequired } from '../../src/governance/rules.js';
import { decide, describeRule, ruleAtOpening, votingOpen } from '../../src/proposals/rules.js';

const simple = (quorum: number) => ({ majority: 'simple' as const, quorumRequired: quorum });

describe('decision rules', () => {
  it('approves with quorum reached and more approvals than rejections', () => {
    expect(decide({ approve: 3, reject: 1, abstain: 1 }, simple(5))).toBe('approved');
  });

  it('records no quorum when fewer ballots than the quorum were cast, whatever they say', () => {
    expect(decide({ approve: 4, reject: 0, abstain: 0 }, simple(5))).toBe('no_quorum');
    expect(decide({ approve: 0, reject: 0, abstain: 0 }, simple(1))).toBe('no_quorum');
  });

  it('rejects a tie: a tie is not a majority', () => {
    expect(decide({ approve: 3, reject: 3, abstain: 0 }, simple(5))).toBe('rejected');
  });

  it('counts abstentions for the quorum but not for the majority', () => {
    // 2 + 1 + 3 = 6 ballots reach a quorum of 5; among the votes for or against, 2 beat 1.
    expect(decide({ approve: 2, reject: 1, abstain: 3 }, simple(5))).toBe('approved');
    // Without the abstentions there would be no quorum at all.
    expect(decide({ approve: 2, reject: 1, abstain: 0 }, simple(5))).toBe('no_quorum');
    // Only abstentions: quorum, but nobody for it.
    expect(decide({ approve: 0, reject: 0, abstain: 5 }, simple(5))).toBe('rejected');
  });

  it('needs two thirds of the votes for or against under the two-thirds rule', () => {
    const rule = { majority: 'two-thirds' as const, quorumRequired: 3 };
    expect(decide({ approve: 2, reject: 1, abstain: 0 }, rule)).toBe('approved');
    expect(decide({ approve: 5, reject: 3, abstain: 4 }, rule)).toBe('rejected');
    expect(decide({ approve: 6, reject: 3, abstain: 9 }, rule)).toBe('approved');
  });

  it('computes the quorum from a share of the board, rounding up, and caps a count at the board size', () => {
    expect(quorumRequired({ kind: 'share', value: 0.5 }, 9)).toBe(5);
    expect(quorumRequired({ kind: 'share', value: 0.6 }, 5)).toBe(3);
    expect(quorumRequired({ kind: 'share', value: 0.5 }, 0)).toBe(1);
    expect(quorumRequired({ kind: 'count', value: 5 }, 9)).toBe(5);
    expect(quorumRequired({ kind: 'count', value: 12 }, 9)).toBe(9);
  });

  it('snapshots the rule at opening and describes it as the card shows it', () => {
    const rule = ruleAtOpening({ quorum: { kind: 'share', value: 0.5 }, majority: 'simple', anonymousBallots: false }, 9);
    expect(rule).toEqual({ quorum: { kind: 'share', value: 0.5 }, majority: 'simple', anonymous: false, boardSize: 9, quorumRequired: 5 });
    expect(describeRule(rule)).toBe('quorum 5 of 9, simple majority of votes cast');
  });

  it('takes votes until the deadline, and refuses one at the deadline itself', () => {
    const deadline = new Date('2027-04-02T10:00:00.000Z');
    expect(votingOpen(deadline, new Date('2027-04-02T09:59:59.999Z'))).toBe(true);
    expect(votingOpen(deadline, deadline)).toBe(false);
    expect(votingOpen(deadline, new Date('2027-04-02T10:00:00.001Z'))).toBe(false);
  });
});
