// The glossary's messages about changes: proposals for stewards and their outcome, what a change
// did, and the term and rejection forms. Everything a user typed goes into text runs.
import { actions, bold, context, mention, para, text, type Block, type Card, type Form, type PersonRef } from '../chat/card.js';
import { truncate } from '../chat/limits.js';
import { ACTIONS, formatDate, termButton } from './cards.js';
import type { TermContent } from './changes.js';
import { FORM_INPUTS, GLOSSARY_LIMITS } from './schema.js';

export interface ChangeLine {
  label: string;
  before?: string | undefined;
  after: string;
}

export interface ProposalView {
  id: string;
  kind: 'new' | 'edit';
  termName: string;
  proposer: PersonRef;
  createdAt: Date;
  timeZone: string;
  changes: ChangeLine[];
  status: 'pending' | 'approved' | 'rejected';
  decidedBy?: string | undefined;
  decidedAt?: Date | undefined;
  reason?: string | null | undefined;
  publishedVersion?: number | null | undefined;
}

export function proposalCard(view: ProposalView): Card {
  const what = view.kind === 'new' ? `a new term, “${view.termName}”` : `an edit of “${view.termName}”`;
  const blocks: Block[] = [para(mention(view.proposer), text(` proposes ${what} (${formatDate(view.createdAt, view.timeZone)}).`))];
  for (const change of view.changes) {
    blocks.push(para(bold(`${change.label}: `), text(truncate(change.after, 1500))));
    if (change.before !== undefined) blocks.push(context(`Now: ${truncate(change.before || '(empty)', 500)}`));
  }
  if (view.status === 'pending') {
    blocks.push(
      actions(
        { label: 'Approve', payload: { action: ACTIONS.approve, proposalId: view.id }, style: 'primary' },
        { label: 'Reject', payload: { action: ACTIONS.reject, proposalId: view.id }, style: 'danger' },
      ),
    );
  } else {
    const when = view.decidedAt ? ` on ${formatDate(view.decidedAt, view.timeZone)}` : '';
    blocks.push(
      context(
        view.status === 'approved'
          ? `Approved by ${view.decidedBy ?? 'a steward'}${when}; published as version ${view.publishedVersion ?? '?'}.`
          : `Rejected by ${view.decidedBy ?? 'a steward'}${when}: ${view.reason ?? ''}`,
      ),
    );
  }
  return {
    title: view.kind === 'new' ? `New term proposed: ${view.termName}` : `Edit proposed: ${view.termName}`,
    ...(view.status !== 'pending' ? { subtitle: [text(view.status === 'approved' ? 'Approved' : 'Rejected')] } : {}),
    blocks,
    summary: `${view.proposer.name} proposes ${what}.`,
  };
}

export function outcomeCard(outcome: { approved: boolean; termName: string; termId?: string | undefined; version?: number | undefined; decidedBy: string; reason?: string | undefined }): Card {
  if (outcome.approved) {
    return {
      title: 'Your glossary proposal was approved',
      blocks: [
        para(`${outcome.decidedBy} approved your proposal for “${outcome.termName}”. It is published as version ${outcome.version ?? 1}.`),
        ...(outcome.termId ? [actions(termButton(outcome.termId, `Open ${outcome.termName}`))] : []),
      ],
      summary: `${outcome.decidedBy} approved your proposal for “${outcome.termName}”.`,
    };
  }
  return {
    title: 'Your glossary proposal was rejected',
    blocks: [para(`${outcome.decidedBy} rejected your proposal for “${outcome.termName}”.`), para(bold('Reason: '), text(outcome.reason ?? ''))],
    summary: `${outcome.decidedBy} rejected your proposal for “${outcome.termName}”.`,
  };
}

export function publishedCard(termId: string, name: string, version: number, what: string): Card {
  const message = `${what} “${name}” is now version ${version}.`;
  return { title: 'Published', blocks: [para(message), actions(termButton(termId, `Open ${name}`))], summary: message };
}

export function proposalSentCard(name: string, approvers: string[]): Card {
  const message = approvers.length
    ? `Your proposal for “${name}” went to ${approvers.join(', ')} for approval. Steward will tell you the outcome.`
    : `Your proposal for “${name}” is recorded, but nobody can approve it yet: ask an admin to make someone a glossary steward (role grant @person steward).`;
  return { title: 'Proposal sent', blocks: [para(message)], summary: message };
}

export function decidedCard(title: string, message: string): Card {
  return { title, blocks: [para(message)], summary: message };
}

export function termForm(options: { termId?: string; initial?: Partial<TermContent>; editor: boolean }): Form {
  const initial = options.initial ?? {};
  const editing = Boolean(options.termId);
  return {
    title: editing ? (options.editor ? 'Edit term' : 'Suggest an edit') : 'Propose a term',
    intro: [
      text(
        options.editor
          ? 'You are a steward of this glossary: your change is published at once, as a new version.'
          : 'A glossary steward approves or rejects your proposal; Steward tells you which.',
      ),
    ],
    inputs: [
      { kind: 'text', id: FORM_INPUTS.name, label: 'Term', maxLength: GLOSSARY_LIMITS.name, ...(initial.name ? { initial: initial.name } : {}) },
      { kind: 'text', id: FORM_INPUTS.definition, label: 'Definition', multiline: true, maxLength: GLOSSARY_LIMITS.definition, ...(initial.definition ? { initial: initial.definition } : {}) },
      { kind: 'text', id: FORM_INPUTS.notes, label: 'Notes', multiline: true, optional: true, maxLength: GLOSSARY_LIMITS.notes, ...(initial.notes ? { initial: initial.notes } : {}) },
      {
        kind: 'text',
        id: FORM_INPUTS.aliases,
        label: 'Aliases and acronyms (separated by ;)',
        optional: true,
        placeholder: 'NPS; promoter score',
        ...(initial.aliases?.length ? { initial: initial.aliases.join('; ') } : {}),
      },
      { kind: 'text', id: FORM_INPUTS.links, label: 'Links', optional: true, placeholder: 'https://…', ...(initial.links?.length ? { initial: initial.links.join(' ') } : {}) },
    ],
    submitLabel: options.editor ? 'Publish' : 'Send for approval',
    payload: options.termId ? { action: ACTIONS.submit, termId: options.termId } : { action: ACTIONS.submit },
  };
}

export function rejectForm(proposalId: string, termName: string): Form {
  return {
    title: 'Reject proposal',
    intro: [text(`Why is the proposal for “${termName}” rejected? The proposer sees your reason.`)],
    inputs: [{ kind: 'text', id: FORM_INPUTS.reason, label: 'Reason', multiline: true, maxLength: GLOSSARY_LIMITS.reason }],
    submitLabel: 'Reject',
    payload: { action: ACTIONS.rejectConfirm, proposalId },
  };
}
