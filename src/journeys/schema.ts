// The shapes journeys accept from outside: keys, names, levels, messages, button payloads, form
// values, CSV rows. Every message says which field and what was expected.
import { z } from 'zod';

export const journeyKey = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a key of lower-case letters, digits and dashes (up to 64), e.g. welcome-gift');

export const journeyName = z.string().trim().min(1, 'a name').max(120, 'a name of at most 120 characters');

export const journeyLevel = z.enum(['lifecycle', 'journey', 'task'], { error: 'lifecycle, journey or task' });

export const journeyDescription = z.string().trim().max(2000, 'a description of at most 2000 characters');

export const pingMessage = z
  .string()
  .trim()
  .min(1, 'a message saying why you ping the owner')
  .max(2000, 'a message of at most 2000 characters');

export const email = z.string().trim().toLowerCase().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'an e-mail address');

/** Hours before an unacknowledged ping escalates: from 5 minutes to 30 days. */
export const escalationDelayHours = z.coerce
  .number({ error: 'a number of hours' })
  .min(1 / 12, 'at least 0.08 hours (5 minutes)')
  .max(720, 'at most 720 hours (30 days)');

// Button payloads carry ids only; the rest is read from the database when the click comes back.
export const pingPayload = z.object({ action: z.string(), pingId: z.uuid() });
export const journeyPayload = z.object({ action: z.string(), journeyId: z.uuid() });
export const addFormPayload = z.object({ action: z.string() });

export const pingFormValues = z.object({ message: pingMessage });

export const addFormValues = z.object({
  key: journeyKey,
  name: journeyName,
  level: journeyLevel,
  parent: z.string().trim().optional(),
  description: journeyDescription.optional(),
});

export const CSV_HEADER = ['key', 'name', 'level', 'parent', 'owner', 'description'] as const;

/** One CSV row; empty cells are absent values. */
export const csvRow = z.object({
  key: journeyKey,
  name: journeyName,
  level: journeyLevel,
  parent: z.union([z.literal(''), journeyKey]).transform((v) => v || null),
  owner: z.union([z.literal(''), email]).transform((v) => v || null),
  description: z.union([z.literal(''), journeyDescription]).transform((v) => v || null),
});

export type CsvRow = z.infer<typeof csvRow>;

/** The first issue of a failed parse, as "field: expected …". */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const field = issue.path.join('.');
  return field ? `${field}: expected ${issue.message}` : issue.message;
}
