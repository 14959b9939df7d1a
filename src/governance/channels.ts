// Where governance messages go: the conversations an admin made governance channels
// (`governance here`, stored with the other governance settings in src/settings/).
import type { Db } from '../db/database.js';
import { readGovernanceSettings } from '../settings/schema.js';

/** Conversation ids (rows of `conversations`) of the organisation's governance channels. */
export async function governanceConversationIds(db: Db, orgId: string): Promise<string[]> {
  const org = await db.selectFrom('organisations').select('settings').where('id', '=', orgId).executeTakeFirst();
  return org ? readGovernanceSettings(org.settings).governanceChannels : [];
}
