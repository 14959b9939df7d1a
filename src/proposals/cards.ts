// The neutral messages of the proposals capability: the proposal card (shared in the governance
// channels and re-drawn from the database), its form, vote confirmations, decisions, lists.
import { counted } from '../chat/words.js';
import { actions, bold, code, context, fields, mention, para, text, type Block, type Button, type Card, type Form, type Inline, type RichText } from '../chat/card.js';
import { truncate } from '../chat/limits.js';
import { localTime } from '../chat/time-text.js';
import { describeRule, OUTCOME_LABELS, type DecisionRule, type Outcome, type Tally } from './rules.js';
import { CHOICE_LABELS, LIMITS, NO_JOURNEY } from './schema.js';
import type { Choice, ProposalStatus } from './tables.js';
import type { ProposalView } from './view.js';

export const STATUS_LABELS: Record<ProposalStatus, string> = {
  draft: 'Draft',
  open: 'Open for votes',
  approved: 'Approved',
  rejected: 'Rejected',
  no_quorum: 'No quorum',
  withdrawn: 'Withdrawn',
  in_progress: 'Approved · in progress',
  done: 'Approved · done',
};

/** "Approve 3 · Reject 1 · Abstain 1 · 4 not voted" */
export function tallyLine(tally: Tally, notVoted: number): string {
  return `Approve ${tally.approve} · Reject ${tally.reject} · Abstain ${tally.abstain} · ${notVoted} not voted`;
}

function proposalTitle(number: number, title: string): string {
  return truncate(`Proposal #${number}: ${title}`, 140);
}

function subtitle(view: ProposalView): RichText {
  const { proposal, timeZone } = view;
  switch (proposal.status) {
    case 'open':
      return [bold('Open for votes'), text(proposal.deadline ? ` until ${localTime(proposal.deadline, timeZone)} (${timeZone})` : '')];
    case 'draft':
      return [text('Draft: not open for votes yet')];
    case 'withdrawn':
      return [text('Withdrawn by the proposer'), text(proposal.closed_at ? ` on ${localTime(proposal.closed_at, timeZone)}` : '')];
    default:
      return [bold(STATUS_LABELS[proposal.status]), text(view.decision ? ` · decided ${localTime(view.decision.decided_at, timeZone)}` : '')];
  }
}

function voteButtons(proposalId: string): Button[] {
  return [
    { label: 'Approve', style: 'primary', payload: { action: 'proposal.vote', p: proposalId, c: 'approve' } },
    { label: 'Reject', style: 'danger', payload: { action: 'proposal.vote', p: proposalId, c: 'reject' } },
    { label: 'Abstain', payload: { action: 'proposal.vote', p: proposalId, c: 'abstain' } },
    { label: 'Vote with a comment', payload: { action: 'proposal.comment', p: proposalId } },
  ];
}

function decisionRunsOf(outcome: Outcome, tally: Tally, rule: DecisionRule): Inline[] {
  const cast = tally.approve + tally.reject + tally.abstain;
  const quorum = cast >= rule.quorumRequired ? `quorum ${rule.quorumRequired} of ${rule.boardSize} reached` : `only ${cast} of the ${rule.quorumRequired} ballots needed were cast`;
  return [bold(`Decision: ${OUTCOME_LABELS[outcome]}`), text(` (${quorum})`)];
}

/**
 * The proposal as the governance channel sees it. `note` is a line for one person only (their own
 * vote), used where a platform shows the clicker their own view of the card.
 */
export function proposalCard(view: ProposalView, options: { note?: string } = {}): Card {
  const { proposal, timeZone, tally, notVoted } = view;
  const blocks: Block[] = [];
  if (options.note) blocks.push(context(bold(options.note)));
  blocks.push(para(proposal.problem));
  const journey: RichText = view.journey
    ? [text(view.journey.name), ...(view.journey.owner ? [text(' · owner '), mention(view.journey.owner)] : [text(' · no owner')])]
    : [text('none')];
  blocks.push(
    fields(
      ['Proposed by', [mention(view.proposer)]],
      ['Journey', journey],
      ['Expected KPI impact', proposal.kpi_impact ?? '—'],
      ['Effort · customer value · business value', `${proposal.effort}/5 · ${proposal.customer_value}/5 · ${proposal.business_value}/5`],
      ['Deadline', proposal.deadline ? `${localTime(proposal.deadline, timeZone)} (${timeZone})` : 'set when voting opens'],
      ['Decision rule', proposal.rule ? describeRule(proposal.rule) : 'the organisation’s rule when voting opens'],
    ),
  );
  if (proposal.status !== 'draft') blocks.push(para(bold(tallyLine(tally, notVoted.count))));
  if (view.decision && proposal.rule) blocks.push(para(...decisionRunsOf(view.decision.outcome, tally, proposal.rule)));
  if (proposal.status === 'open') {
    if (notVoted.names.length) {
      const more = notVoted.count - notVoted.names.length;
      blocks.push(context(`Not voted yet: ${notVoted.names.join(', ')}${more > 0 ? ` and ${more} more` : ''}`));
    }
    blocks.push(actions(...voteButtons(proposal.id)));
  }
  if (proposal.rule?.anonymous) blocks.push(context('Anonymous ballots: only totals are shown, to everyone.'));
  return {
    title: proposalTitle(proposal.number, proposal.title),
    subtitle: subtitle(view),
    blocks,
    summary: truncate(
      `Proposal #${proposal.number} “${proposal.title}”: ${proposal.status === 'open' || !view.decision ? STATUS_LABELS[proposal.status] : `Decision: ${OUTCOME_LABELS[view.decision.outcome]}`} — ${tallyLine(tally, notVoted.count)}`,
      300,
    ),
  };
}

/** A stand-in kept in the outbox row of a card that is drawn at delivery. */
export function placeholderCard(number: number, title: string): Card {
  return { title: proposalTitle(number, title), blocks: [], summary: `Proposal #${number} “${truncate(title, 100)}”` };
}

export function proposalForm(options: { key: string; journeys: { label: string; value: string }[] | 'text' }): Form {
  const journeyInput =
    options.journeys === 'text'
      ? { kind: 'text' as const, id: 'journey', label: 'Journey (key or name, optional)', optional: true, maxLength: 120 }
      : { kind: 'select' as const, id: 'journey', label: 'Journey', options: [{ label: 'No particular journey', value: NO_JOURNEY }, ...options.journeys], initial: NO_JOURNEY, optional: true };
  const scale = (id: string, label: string, low: string, high: string) => ({
    kind: 'select' as const,
    id,
    label,
    options: [1, 2, 3, 4, 5].map((n) => ({ label: n === 1 ? `1 — ${low}` : n === 5 ? `5 — ${high}` : String(n), value: String(n) })),
    initial: '3',
  });
  return {
    title: 'New proposal',
    intro: [text('The board votes on it in the governance channel. Describe the customer’s problem, not only the solution.')],
    inputs: [
      { kind: 'text', id: 'title', label: 'Title', maxLength: LIMITS.title, placeholder: 'Send a welcome call in the first week' },
      { kind: 'text', id: 'problem', label: 'Customer problem', multiline: true, maxLength: LIMITS.problem },
      journeyInput,
      { kind: 'text', id: 'kpiImpact', label: 'Expected KPI impact (optional)', optional: true, maxLength: LIMITS.kpiImpact, placeholder: 'Onboarding NPS +5 within two quarters' },
      scale('effort', 'Effort', 'small', 'very large'),
      scale('customerValue', 'Customer value', 'low', 'very high'),
      scale('businessValue', 'Business value', 'low', 'very high'),
    ],
    submitLabel: 'Submit',
    payload: { action: 'proposal.submit', key: options.key },
  };
}

export function commentForm(proposalId: string, number: number, current?: { choice: Choice; comment: string | null }): Form {
  return {
    title: `Vote on #${number}`,
    inputs: [
      {
        kind: 'select',
        id: 'choice',
        label: 'Your vote',
        options: [
          { label: 'Approve', value: 'approve' },
          { label: 'Reject', value: 'reject' },
          { label: 'Abstain', value: 'abstain' },
        ],
        ...(current ? { initial: current.choice } : {}),
      },
      { kind: 'text', id: 'comment', label: 'Comment', multiline: true, maxLength: LIMITS.comment, optional: true, ...(current?.comment ? { initial: current.comment } : {}) },
    ],
    submitLabel: 'Vote',
    payload: { action: 'proposal.vote', p: proposalId },
  };
}

export function submittedCard(view: ProposalView, opened: boolean, reason?: string): Card {
  const { proposal } = view;
  const blocks: Block[] = opened
    ? [para(`Proposal #${proposal.number} is posted in the governance channel. The board votes until ${proposal.deadline ? localTime(proposal.deadline, view.timeZone) : 'the deadline'}; you will hear the decision.`)]
    : [
        para(`Proposal #${proposal.number} is saved as a draft. ${reason ?? ''}`.trim()),
        context('Open it for votes with ', code(`proposal open ${proposal.number}`), ' once that is done.'),
      ];
  return { title: proposalTitle(proposal.number, proposal.title), blocks, summary: opened ? `Proposal #${proposal.number} is posted for the board's vote.` : `Proposal #${proposal.number} is saved as a draft.` };
}

export function voteConfirmationText(vote: { number: number; choice: Choice; previous: Choice | null; deadline: Date; timeZone: string; superseded?: boolean }): string {
  const until = `you can change it until ${localTime(vote.deadline, vote.timeZone)}`;
  if (vote.superseded) return `A later click of yours on #${vote.number} was counted first, so your vote stays ${CHOICE_LABELS[vote.choice]}; ${until}.`;
  if (vote.previous && vote.previous !== vote.choice) return `You changed your vote on #${vote.number} from ${CHOICE_LABELS[vote.previous]} to ${CHOICE_LABELS[vote.choice]}; ${until}.`;
  return `You voted ${CHOICE_LABELS[vote.choice]} on #${vote.number}; ${until}.`;
}

export function voteConfirmationCard(message: string, options: { comment?: string | null; anonymous: boolean }): Card {
  const blocks: Block[] = [para(message)];
  if (options.comment) blocks.push(context('Your comment: ', text(options.comment)));
  if (options.anonymous) blocks.push(context('Ballots are anonymous: nobody else sees what you voted.'));
  return { title: 'Vote recorded', blocks, summary: message };
}

/** The decision: announced in the card's thread and sent to the proposer and the journey owner. */
export function decisionCard(view: ProposalView, options: { followUp?: boolean } = {}): Card {
  const { proposal, tally, decision } = view;
  const outcome = decision?.outcome ?? 'rejected';
  const blocks: Block[] = [para(bold(proposalTitle(proposal.number, proposal.title)))];
  if (proposal.rule) blocks.push(para(...decisionRunsOf(outcome, tally, proposal.rule)));
  blocks.push(
    fields(
      ['Votes', tallyLine(tally, decision?.not_voted ?? view.notVoted.count)],
      ['Rule', proposal.rule ? describeRule(proposal.rule) : '—'],
      ['Proposed by', [mention(view.proposer)]],
      ['Journey', view.journey ? [text(view.journey.name), ...(view.journey.owner ? [text(' · owner '), mention(view.journey.owner)] : [])] : [text('none')]],
    ),
  );
  if (outcome === 'approved') {
    blocks.push(context('The journey owner (or an admin) follows it up: ', code(`proposal start ${proposal.number}`), ', then ', code(`proposal done ${proposal.number}`), '.'));
    if (options.followUp) blocks.push(actions({ label: 'Mark in progress', style: 'primary', payload: { action: 'proposal.progress', p: proposal.id, to: 'in_progress' } }));
  }
  return {
    title: `Decision on proposal #${proposal.number}: ${OUTCOME_LABELS[outcome]}`,
    blocks,
    summary: `Proposal #${proposal.number} “${truncate(proposal.title, 100)}”: ${OUTCOME_LABELS[outcome]} (${tallyLine(tally, decision?.not_voted ?? 0)})`,
  };
}

export function followUpCard(view: ProposalView, by: string, options: { buttons: boolean }): Card {
  const { proposal } = view;
  const blocks: Block[] = [para(`Proposal #${proposal.number} is now ${proposal.status === 'done' ? 'done' : 'in progress'} (${by}).`)];
  if (options.buttons && proposal.status === 'in_progress') {
    blocks.push(actions({ label: 'Mark done', style: 'primary', payload: { action: 'proposal.progress', p: proposal.id, to: 'done' } }));
  }
  return { title: proposalTitle(proposal.number, proposal.title), subtitle: [bold(STATUS_LABELS[proposal.status])], blocks, summary: `Proposal #${proposal.number} is ${STATUS_LABELS[proposal.status].toLowerCase()}.` };
}

export function noticeCard(title: string, message: string, extra: Block[] = []): Card {
  return { title, blocks: [para(message), ...extra], summary: message };
}

export interface ListEntry {
  id: string;
  number: number;
  title: string;
  status: ProposalStatus;
  deadline: Date | null;
  tally?: Tally;
  myChoice?: Choice;
}

export function listCard(open: ListEntry[], following: ListEntry[], options: { timeZone: string; boardMember: boolean }): Card {
  const waiting = open.filter((e) => !e.myChoice).length;
  const blocks: Block[] = [];
  if (open.length === 0) blocks.push(para('No proposal is open for votes. Propose one with ', code('proposal new'), '.'));
  else {
    if (options.boardMember) blocks.push(para(bold(waiting ? `${waiting} wait${waiting === 1 ? 's' : ''} for your vote.` : 'You have voted on every open proposal.')));
    blocks.push({
      kind: 'list',
      items: open.map((e) => {
        const runs: RichText = [bold(`#${e.number}`), text(` ${truncate(e.title, 100)} — until ${e.deadline ? localTime(e.deadline, options.timeZone) : '?'}`)];
        if (e.tally) runs.push(text(` — Approve ${e.tally.approve} · Reject ${e.tally.reject} · Abstain ${e.tally.abstain}`));
        if (options.boardMember) runs.push(e.myChoice ? text(` — you voted ${CHOICE_LABELS[e.myChoice]}`) : bold(' — waiting for your vote'));
        return runs;
      }),
    });
  }
  if (following.length) {
    blocks.push(para(bold('Approved, being followed up')));
    blocks.push({ kind: 'list', items: following.map((e) => [bold(`#${e.number}`), text(` ${truncate(e.title, 100)} — ${STATUS_LABELS[e.status]}`)]) });
  }
  // The example names a proposal of this list, or says plainly that a number goes there.
  const example = open[0] ?? following[0];
  blocks.push(context('Details and votes: ', code(`proposal show ${example ? example.number : '<number>'}`), '. New: ', code('proposal new'), '.'));
  return {
    title: 'Open proposals',
    blocks,
    summary: open.length ? `${counted(open.length, 'open proposal')}${options.boardMember ? `, ${waiting} waiting for your vote` : ''}` : 'No proposal is open for votes.',
  };
}

const MAX_COMMENTS = 10;

/** `proposal show`: the card plus who voted what (open ballots) or only totals (anonymous). */
export function showCard(view: ProposalView, ballots: { name: string; choice: Choice; comment: string | null }[] | 'anonymous', options: { note?: string } = {}): Card {
  const card = proposalCard(view, options);
  const extra: Block[] = [];
  if (ballots === 'anonymous') {
    extra.push(context('Anonymous ballots: Steward shows only the totals, to everyone.'));
  } else if (ballots.length) {
    const byChoice = (choice: Choice) => ballots.filter((b) => b.choice === choice).map((b) => b.name);
    extra.push(para(bold('Votes')));
    extra.push({
      kind: 'list',
      items: (['approve', 'reject', 'abstain'] as const).map((choice) => {
        const names = byChoice(choice);
        return [bold(`${CHOICE_LABELS[choice]} (${names.length}): `), text(names.length ? names.join(', ') : '—')];
      }),
    });
    const comments = ballots.filter((b) => b.comment);
    if (comments.length) {
      extra.push(para(bold('Comments')));
      extra.push({ kind: 'list', items: comments.slice(0, MAX_COMMENTS).map((b) => [bold(`${b.name} (${CHOICE_LABELS[b.choice]}): `), text(truncate(b.comment ?? '', 300))]) });
      if (comments.length > MAX_COMMENTS) extra.push(context(`and ${comments.length - MAX_COMMENTS} more comments`));
    }
  }
  // Shown to one person: the vote buttons stay (a board member may vote from here), after the votes.
  const buttons = card.blocks.filter((b) => b.kind === 'actions');
  return { ...card, blocks: [...card.blocks.filter((b) => b.kind !== 'actions'), ...extra, ...buttons] };
}
