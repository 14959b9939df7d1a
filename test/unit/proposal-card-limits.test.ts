// The proposal card stays within Slack's and Teams' limits with the longest content Steward accepts
// (a 2,000-character problem statement) and a board of 200 members.
import { describe, expect, it } from 'vitest';
import type { Card } from '../../src/chat/card.js';
import { decisionCard, proposalCard, showCard } from '../../src/proposals/cards.js';
import { LIMITS as FORM_LIMITS } from '../../src/proposals/schema.js';
import type { ProposalView } from '../../src/proposals/view.js';
import { renderBlocks } from '../../src/slack/blocks.js';
import { renderAdaptiveCard } from '../../src/teams/adaptive-card.js';

const BOARD = 200;
const names = Array.from({ length: BOARD }, (_, i) => `Board member with a rather long name ${String(i + 1).padStart(3, '0')}`);

function view(status: 'open' | 'approved'): ProposalView {
  const rule = { quorum: { kind: 'share' as const, value: 0.5 }, majority: 'simple' as const, anonymous: false, boardSize: BOARD, quorumRequired: 100 };
  return {
    proposal: {
      id: '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b',
      org_id: '00000000-0000-4000-8000-000000000001',
      number: 1234,
      submission_key: null,
      title: 'T'.repeat(FORM_LIMITS.title),
      problem: 'Customers wait too long. '.repeat(100).slice(0, FORM_LIMITS.problem),
      journey_id: '00000000-0000-4000-8000-000000000002',
      kpi_impact: 'K'.repeat(FORM_LIMITS.kpiImpact),
      effort: 5,
      customer_value: 5,
      business_value: 5,
      proposer_person_id: '00000000-0000-4000-8000-000000000003',
      status,
      rule,
      opened_at: new Date('2027-03-29T08:00:00Z'),
      deadline: new Date('2027-04-05T08:00:00Z'),
      closed_at: status === 'open' ? null : new Date('2027-04-05T08:00:00Z'),
      created_at: new Date('2027-03-29T08:00:00Z'),
      updated_at: new Date('2027-03-29T08:00:00Z'),
    },
    timeZone: 'Europe/Amsterdam',
    proposer: { name: 'P'.repeat(120), slackUserId: 'U0PROPOSER', teamsAadId: '00000000-0000-0000-0000-0000000000aa' },
    journey: { key: 'onboarding', name: 'J'.repeat(120), owner: { name: 'O'.repeat(120), slackUserId: 'U0OWNER' }, ownerPersonId: '00000000-0000-4000-8000-000000000004' },
    tally: { approve: 120, reject: 40, abstain: 20 },
    notVoted: status === 'open' ? { count: 20, names: names.slice(0, 15) } : { count: 20, names: [] },
    ...(status === 'approved'
      ? {
          decision: {
            proposal_id: '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b',
            outcome: 'approved' as const,
            approve: 120,
            reject: 40,
            abstain: 20,
            not_voted: 20,
            board_size: BOARD,
            quorum_required: 100,
            rule,
            decided_at: new Date('2027-04-05T08:00:00Z'),
          },
        }
      : {}),
  };
}

interface SlackLike {
  type: string;
  text?: { text: string };
  fields?: { text: string }[];
  elements?: { type: string; text?: string | { text: string }; value?: string }[];
}

function expectWithinSlack(card: Card): void {
  const blocks = renderBlocks(card) as SlackLike[];
  expect(blocks.length).toBeLessThanOrEqual(50);
  expect(JSON.stringify(blocks)).not.toContain('more not shown');
  for (const block of blocks) {
    if (block.type === 'header') expect(block.text!.text.length).toBeLessThanOrEqual(150);
    for (const field of block.fields ?? []) expect(field.text.length).toBeLessThanOrEqual(2000);
    expect(block.fields?.length ?? 0).toBeLessThanOrEqual(10);
    if (block.type === 'context') for (const element of block.elements ?? []) expect(String(typeof element.text === 'string' ? element.text : element.text?.text).length).toBeLessThanOrEqual(3000);
    if (block.type === 'actions') for (const element of block.elements ?? []) expect(element.value!.length).toBeLessThanOrEqual(2000);
  }
  // Slack refuses messages whose blocks carry more than about 40,000 characters in all.
  expect(JSON.stringify(blocks).length).toBeLessThan(40_000);
}

function expectWithinTeams(card: Card): void {
  const rendered = renderAdaptiveCard(card);
  expect(Buffer.byteLength(JSON.stringify(rendered))).toBeLessThanOrEqual(28_000);
  expect(JSON.stringify(rendered)).not.toContain('more not shown');
}

describe('proposal card size', () => {
  it('keeps the open card, with its buttons and 2,000-character problem, within both platforms’ limits', () => {
    const card = proposalCard(view('open'));
    expectWithinSlack(card);
    expectWithinTeams(card);
    const rendered = JSON.stringify(renderBlocks(card));
    expect(rendered).toContain('Customers wait too long.');
    expect(rendered).toContain('Not voted yet:');
    expect(rendered).toContain('and 5 more');
    expect(rendered).toContain('"action_id":"proposal.vote:0"');
    expect(JSON.stringify(renderAdaptiveCard(card))).toContain('"verb":"proposal.vote"');
  });

  it('keeps the decided card, the decision announcement and the vote list of 200 members within the limits', () => {
    expectWithinSlack(proposalCard(view('approved')));
    expectWithinTeams(proposalCard(view('approved')));
    expectWithinSlack(decisionCard(view('approved'), { followUp: true }));
    expectWithinTeams(decisionCard(view('approved'), { followUp: true }));
    const ballots = names.map((name, i) => ({ name, choice: (['approve', 'reject', 'abstain'] as const)[i % 3]!, comment: i < 30 ? 'C'.repeat(500) : null }));
    const shown = showCard(view('open'), ballots);
    expectWithinSlack(shown);
    expectWithinTeams(shown);
  });

  it('carries only ids in button payloads', () => {
    const card = proposalCard(view('open'));
    for (const block of card.blocks) {
      if (block.kind !== 'actions') continue;
      for (const button of block.buttons) expect(Object.keys(button.payload).sort()).toEqual(button.payload.action === 'proposal.vote' ? ['action', 'c', 'p'] : ['action', 'p']);
    }
  });
});
