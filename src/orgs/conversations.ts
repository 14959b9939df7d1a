// Conversations Steward can post to later: Slack channels by id, Teams conversations by their
// stored conversation reference (Teams needs it for any proactive message).
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Platform } from '../db/foundation-tables.js';

export interface ConversationRecord {
  orgId: string;
  platform: Platform;
  installationExternalId: string;
  externalId: string;
  kind: 'personal' | 'channel' | 'group';
  personId?: string | null;
  name?: string | null;
  reference?: Record<string, unknown> | null;
}

export async function upsertConversation(db: Db, record: ConversationRecord): Promise<string> {
  const row = await db
    .insertInto('conversations')
    .values({
      org_id: record.orgId,
      platform: record.platform,
      installation_external_id: record.installationExternalId,
      external_id: record.externalId,
      kind: record.kind,
      person_id: record.personId ?? null,
      name: record.name ?? null,
      reference: record.reference ? JSON.stringify(record.reference) : null,
    })
    .onConflict((oc) =>
      oc.constraint('conversations_platform_external_id_key').doUpdateSet((eb) => ({
        reference: sql`coalesce(${eb.ref('excluded.reference')}, conversations.reference)`,
        name: sql`coalesce(${eb.ref('excluded.name')}, conversations.name)`,
        person_id: sql`coalesce(${eb.ref('excluded.person_id')}, conversations.person_id)`,
        updated_at: sql`now()`,
      })),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function findConversation(db: Db, platform: Platform, externalId: string) {
  return db
    .selectFrom('conversations')
    .select(['id', 'org_id', 'kind', 'name', 'reference'])
    .where('platform', '=', platform)
    .where('external_id', '=', externalId)
    .executeTakeFirst();
}
