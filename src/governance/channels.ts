// Where governance messages go: the conversations an admin made governance channels.
import type { Db } from '../db/database.js';
import { z } from 'zod';

const stored = z.object({ governanceChannels: z.array(z.string()).default([]) }).loose();

/** Conversation ids (rows of `conversations`) of the organisation's governance channels. */
export async function governanceConversationIds(db: Db, orgId: string): Promise<string[]> {
  const org = await db.selectFrom('organisations').select('settings').where('id', '=', orgId).executeTakeFirst();
  const parsed = stored.safeParse(org?.settings ?? {});
  return parsed.success ? parsed.data.governanceChannels : [];
}
