// What comes in from people: the proposal form's values, button payloads (ids only), command words.
import { z } from 'zod';
import { InvalidInput } from '../chat/errors.js';

export const CHOICES = ['approve', 'reject', 'abstain'] as const;
export const choiceSchema = z.enum(CHOICES);

export const CHOICE_LABELS: Record<(typeof CHOICES)[number], string> = { approve: 'Approve', reject: 'Reject', abstain: 'Abstain' };

export const LIMITS = { title: 150, problem: 2000, kpiImpact: 500, comment: 500 } as const;

const score = (label: string) =>
  z
    .string({ error: `${label} is required: a number from 1 to 5` })
    .trim()
    .regex(/^[1-5]$/, `${label} must be a whole number from 1 to 5`)
    .transform(Number);

const optionalText = (label: string, max: number) =>
  z
    .string()
    .optional()
    .transform((value) => (value?.trim() ? value.trim() : undefined))
    .refine((value) => value === undefined || value.length <= max, `${label} is longer than ${max} characters`);

/** The proposal form, as both platforms return it: every value a string, keyed by input id. */
export const proposalFormSchema = z.object({
  title: z
    .string({ error: 'The title is required' })
    .trim()
    .min(3, 'The title needs at least 3 characters')
    .max(LIMITS.title, `The title is longer than ${LIMITS.title} characters`),
  problem: z
    .string({ error: 'The customer problem is required' })
    .trim()
    .min(10, 'Describe the customer problem in at least 10 characters')
    .max(LIMITS.problem, `The customer problem is longer than ${LIMITS.problem} characters`),
  journey: optionalText('The journey', 120),
  kpiImpact: optionalText('The expected KPI impact', LIMITS.kpiImpact),
  effort: score('Effort'),
  customerValue: score('Customer value'),
  businessValue: score('Business value'),
});
export type ProposalForm = z.infer<typeof proposalFormSchema>;

export const NO_JOURNEY = '-';

export const submitPayload = z.object({ action: z.literal('proposal.submit'), key: z.uuid() });

/** A vote button carries the proposal and the choice; the comment form sends the choice as a value. */
export const votePayload = z.object({ action: z.literal('proposal.vote'), p: z.uuid(), c: choiceSchema.optional() });

export const commentPayload = z.object({ action: z.literal('proposal.comment'), p: z.uuid() });

export const progressPayload = z.object({ action: z.literal('proposal.progress'), p: z.uuid(), to: z.enum(['in_progress', 'done']) });

export const voteValues = z.object({
  choice: choiceSchema.optional(),
  comment: optionalText('The comment', LIMITS.comment),
});

/** `17` or `#17`. */
export const proposalNumber = z
  .string({ error: 'Say which proposal, by its number: 17' })
  .trim()
  .regex(/^#?\d{1,9}$/, 'Say which proposal by its number, e.g. 17 or #17')
  .transform((value) => Number(value.replace('#', '')));

export const PROPOSAL_USAGE =
  'Usage: `proposal new`, `proposal list`, `proposal show 17`, `proposal open 17` (a draft), `proposal withdraw 17` (proposer), `proposal extend 17 2d` (admins; or a date: 2027-04-02 12:00), `proposal start 17` / `proposal done 17` (journey owner or admin).';

/** A typed proposal number, or the reason it is not one with the usage. */
export function parseProposalNumber(value: string | undefined): number {
  const parsed = proposalNumber.safeParse(value ?? '');
  if (!parsed.success) throw new InvalidInput(`${parsed.error.issues.map((issue) => issue.message).join('. ')}. ${PROPOSAL_USAGE}`);
  return parsed.data;
}
