// Conversations Steward can post to later: Slack channels by id, Teams conversations by their
// stored conversation reference (Teams needs it for any proactive message).
import type { Db } from '../db/database.js';
import type { Platform } from '../db/foundation-tables.js';
import * as repo from './repo.js';

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

/** Records a conversation, or refreshes what is known of it (a missing reference, name or person keeps the stored one). */
export async function upsertConversation(db: Db, record: ConversationRecord): Promise<string> {
  return repo.upsertConversation(db, {
    org_id: record.orgId,
    platform: record.platform,
    installation_external_id: record.installationExternalId,
    external_id: record.externalId,
    kind: record.kind,
    person_id: record.personId ?? null,
    name: record.name ?? null,
    reference: record.reference ? JSON.stringify(record.reference) : null,
  });
}

/** A 1:1 Teams chat Steward created with a person (src/teams/notifier.ts): the next message goes straight there. */
export function rememberTeamsChat(db: Db): (personId: string, tenantId: string, reference: { conversation?: { id: string } | undefined }) => Promise<void> {
  return async (personId, tenantId, reference) => {
    const orgId = await repo.orgOfPerson(db, personId);
    if (!orgId || !reference.conversation?.id) return;
    await upsertConversation(db, { orgId, platform: 'teams', installationExternalId: tenantId, externalId: reference.conversation.id, kind: 'personal', personId, reference: reference as Record<string, unknown> });
  };
}
