// `proposal new|list|show|open|withdraw|extend|start|done` and the buttons of proposal cards: the
// chat side of improvement proposals and board voting, the same on Slack and Teams.
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { defineAction, type Capability, type ChatContext } from '../chat/capability.js';
import { errorCard } from '../chat/cards.js';
import { ChatError, InvalidInput } from '../chat/errors.js';
import type { Reply } from '../chat/request.js';
import { loadGovernanceSettings } from '../governance/service.js';
import { commentForm, followUpCard, listCard, noticeCard, proposalForm, showCard, submittedCard, voteConfirmationCard, voteConfirmationText } from './cards.js';
import { localTime } from '../chat/time-text.js';
import { journeyChoices, proposalDetails, proposalList } from './reads.js';
import { commentPayload, parseProposalNumber, progressPayload, PROPOSAL_USAGE, proposalFormSchema, submitPayload, voteValues, votePayload } from './schema.js';
import {
  advanceProposal,
  ballotForComment,
  cardForVoter,
  castVote,
  extendDeadlineAsTyped,
  openDraft,
  proposalForActor,
  submitProposal,
  withdrawProposal,
  type ProposalDeps,
  type ProposalPorts,
} from './service.js';
import { loadProposalView } from './view.js';


/** Select options for the form; an organisation with very many journeys types the key instead. */
const MAX_JOURNEY_OPTIONS = 99;

/** All problems of a failed parse, in the words our schemas use. */
function problems(error: z.ZodError): string {
  return error.issues.map((issue) => issue.message).join('. ');
}

const numberArg = parseProposalNumber;

async function newForm(ctx: ChatContext): Promise<Reply> {
  return { form: proposalForm({ key: randomUUID(), journeys: await journeyChoices(ctx.services, ctx.actor, MAX_JOURNEY_OPTIONS) }) };
}

async function list(ctx: ChatContext): Promise<Reply> {
  const view = await proposalList(ctx.services, ctx.actor);
  return { private: listCard(view.open, view.following, { timeZone: view.timeZone, boardMember: view.boardMember }) };
}

async function show(ctx: ChatContext, number: number): Promise<Reply> {
  const { view, ballots, note } = await proposalDetails(ctx.services, ctx.actor, number);
  return { private: showCard(view, ballots, note ? { note } : {}) };
}

/**
 * A refused click on the shared card (not a board member, voting closed) is answered to the clicker
 * alone: privately, and on the card where the platform shows one person their own view of it.
 */
async function refusedOnCard(ctx: ChatContext, proposalId: string, work: () => Promise<Reply>): Promise<Reply> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof ChatError)) throw error;
    return { private: errorCard(error.message), clickerView: () => cardForVoter(ctx.services.db, proposalId, error.message) };
  }
}

/** `proposal <verb> …`: one verb at a time. */
async function proposalCommand(deps: ProposalDeps, ctx: ChatContext, args: string): Promise<Reply> {
  const [verb = 'list', ...rest] = args.trim().split(/\s+/).filter(Boolean);
  switch (verb.toLowerCase()) {
    case 'new':
      return newForm(ctx);
    case 'list':
      return list(ctx);
    case 'show':
      return show(ctx, numberArg(rest[0]));
    case 'open': {
      const number = numberArg(rest[0]);
      const opened = await openDraft(deps, ctx.actor, number);
      const { timeZone } = await loadGovernanceSettings(ctx.services.db, ctx.actor.orgId);
      return { private: noticeCard(`Proposal #${number}`, `Proposal #${number} is posted in the governance channel; the board votes until ${localTime(opened.deadline, timeZone)} (${timeZone}).`) };
    }
    case 'withdraw': {
      const number = numberArg(rest[0]);
      await withdrawProposal(deps, ctx.actor, number);
      return { private: noticeCard(`Proposal #${number}`, `You withdrew proposal #${number}. Its card no longer takes votes.`) };
    }
    case 'extend': {
      const extended = await extendDeadlineAsTyped(deps, ctx.actor, rest[0], rest.slice(1).join(' '));
      const { number, timeZone } = extended;
      const told = extended.told ? ` The ${extended.told} member${extended.told === 1 ? ' who' : 's who'} already voted ${extended.told === 1 ? 'is' : 'are'} told.` : '';
      return { private: noticeCard(`Proposal #${number}`, `Voting on proposal #${number} now closes ${localTime(extended.deadline, timeZone)} (${timeZone}).${told}`) };
    }
    case 'start':
    case 'done': {
      const number = numberArg(rest[0]);
      const proposal = await proposalForActor(ctx.services.db, ctx.actor, number);
      const moved = await advanceProposal(deps, ctx.actor, proposal.id, verb.toLowerCase() === 'start' ? 'in_progress' : 'done');
      const view = await loadProposalView(ctx.services.db, moved.id);
      return { private: view ? followUpCard(view, ctx.actor.name, { buttons: false }) : noticeCard('Proposal', 'Done.') };
    }
    default:
      throw new InvalidInput(`Steward does not know “proposal ${verb}”. ${PROPOSAL_USAGE}`);
  }
}

export function proposalsCapability(ports: ProposalPorts): Capability {
  const depsOf = (ctx: ChatContext): ProposalDeps => ({ ...ctx.services, ...ports });
  return {
    name: 'proposals',
    commands: [
      {
        word: 'proposal',
        summary: 'improvement proposals and the board’s votes on them',
        usage: [
          { example: 'new', description: 'propose an improvement (a form)' },
          { example: 'list', description: 'open proposals, and the ones waiting for your vote' },
          { example: 'show 17', description: 'one proposal with its votes' },
          { example: 'withdraw 17', description: 'take back your proposal before the deadline' },
          { example: 'extend 17 2d', description: 'move the deadline later (admins)' },
          { example: 'start 17', description: 'follow up an approved proposal: start, then done (journey owner)' },
        ],
        handle: (ctx, args) => proposalCommand(depsOf(ctx), ctx, args),
      },
    ],
    actions: [
      defineAction({
        action: 'proposal.submit',
        schema: submitPayload,
        async handle(ctx, payload, values) {
          const form = proposalFormSchema.safeParse(values);
          if (!form.success) throw new InvalidInput(`${problems(form.error)}. Nothing was saved; please submit the form again.`);
          const submitted = await submitProposal(depsOf(ctx), ctx.actor, form.data, payload.key);
          const view = await loadProposalView(ctx.services.db, submitted.proposalId);
          if (!view) throw new Error('the proposal just submitted is gone');
          return { replace: submittedCard(view, submitted.opened, submitted.reason) };
        },
      }),
      defineAction({
        action: 'proposal.vote',
        schema: votePayload,
        // The same click twice changes nothing; of two clicks the later wins (castVote's clickedAt).
        replaySafe: true,
        handle: (ctx, payload, values) => refusedOnCard(ctx, payload.p, async () => {
          const typed = voteValues.safeParse(values);
          if (!typed.success) throw new InvalidInput(`${problems(typed.error)}. Your vote was not counted.`);
          const choice = payload.c ?? typed.data.choice;
          if (!choice) throw new InvalidInput('Choose Approve, Reject or Abstain. Your vote was not counted.');
          const vote = await castVote(depsOf(ctx), ctx.actor, payload.p, choice, typed.data.comment, ctx.request.receivedAt);
          const message = voteConfirmationText(vote);
          return {
            private: voteConfirmationCard(message, { comment: vote.comment, anonymous: vote.anonymous }),
            clickerView: () => cardForVoter(ctx.services.db, payload.p, vote.comment ? `${message} Your comment: “${vote.comment}”` : message),
          };
        }),
      }),
      defineAction({
        action: 'proposal.comment',
        schema: commentPayload,
        handle: (ctx, payload) => refusedOnCard(ctx, payload.p, async () => {
          const { proposal, current } = await ballotForComment(ctx.services, ctx.actor, payload.p);
          return { form: commentForm(proposal.id, proposal.number, current) };
        }),
      }),
      defineAction({
        action: 'proposal.progress',
        schema: progressPayload,
        async handle(ctx, payload) {
          const moved = await advanceProposal(depsOf(ctx), ctx.actor, payload.p, payload.to);
          const view = await loadProposalView(ctx.services.db, moved.id);
          if (!view) throw new Error('the proposal just moved is gone');
          return { replace: followUpCard(view, ctx.actor.name, { buttons: true }) };
        },
      }),
    ],
  };
}
