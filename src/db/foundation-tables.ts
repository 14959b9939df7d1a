// Table types of the foundation: organisations, their installations, people, roles, conversations
// and the outbox. Capabilities declare their own tables beside their code.
import type { ColumnType, Generated, JSONColumnType } from 'kysely';

export type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
export type Platform = 'slack' | 'teams';
export type Role = 'admin' | 'glossary_steward' | 'board';

export interface OrganisationsTable {
  id: Generated<string>;
  name: string;
  time_zone: Generated<string>;
  settings: JSONColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: Generated<Date>;
}

export interface InstallationsTable {
  id: Generated<string>;
  org_id: string;
  platform: Platform;
  /** Slack team id or Teams tenant id. */
  external_id: string;
  name: string | null;
  created_at: Generated<Date>;
}

export interface PeopleTable {
  id: Generated<string>;
  org_id: string;
  display_name: string;
  email: string | null;
  created_at: Generated<Date>;
  /** Direct messages go here when the person is reachable on both platforms (`me prefer …`). */
  preferred_platform: Platform | null;
  /** When Steward first wrote to them (or they first used it); null until then. See src/reach/welcome.ts. */
  welcomed_at: Date | null;
}

export interface IdentitiesTable {
  id: Generated<string>;
  person_id: string;
  platform: Platform;
  /** The installation's external id (Slack team id, Teams tenant id). */
  installation_external_id: string;
  /** Slack user id or Teams AAD object id. */
  external_user_id: string;
  created_at: Generated<Date>;
  /** Direct messages go to the platform a person used last. */
  last_seen_at: Generated<Date>;
}

export interface RolesTable {
  person_id: string;
  role: Role;
  granted_by: string | null;
  granted_at: Generated<Date>;
}

export interface RoleEventsTable {
  id: Generated<string>;
  person_id: string;
  role: Role;
  action: 'grant' | 'revoke';
  by_person_id: string | null;
  by_label: string | null;
  at: Generated<Date>;
}

export interface ConversationsTable {
  id: Generated<string>;
  org_id: string;
  platform: Platform;
  installation_external_id: string;
  /** Slack channel id or Teams conversation id. */
  external_id: string;
  kind: 'personal' | 'channel' | 'group';
  person_id: string | null;
  name: string | null;
  /** Teams conversation reference for proactive messages; null on Slack. */
  reference: JSONColumnType<Record<string, unknown>, string | null, string | null> | null;
  updated_at: Generated<Date>;
}

export type OutboxStatus = 'pending' | 'sending' | 'delivered' | 'failed';

export interface OutboxTable {
  id: Generated<string>;
  org_id: string;
  /** Unique per organisation: the same cause never queues the same message twice. */
  dedupe_key: string;
  /** Who receives it: a person (direct message) or a conversation. */
  target: JSONColumnType<OutboxTarget, string, string>;
  /** The neutral message, or an update of a message this outbox posted before. */
  message: JSONColumnType<OutboxMessage, string, string>;
  status: Generated<OutboxStatus>;
  attempts: Generated<number>;
  last_error: string | null;
  /** When the current attempt's lease ends; after it, the outcome of that attempt is unknown. */
  lease_until: Date | null;
  /** When the current attempt started, to reconcile an attempt whose outcome is unknown. */
  attempt_started_at: Date | null;
  not_before: Generated<Date>;
  /** Where it landed, so that later updates and thread replies can find it. */
  delivered_ref: JSONColumnType<DeliveredRef, string | null, string | null> | null;
  created_at: Generated<Date>;
  delivered_at: Date | null;
  /** When it failed for good (status failed), by the business clock, as delivered_at. */
  failed_at: Date | null;
}

export type OutboxTarget =
  /** `platform`: where the person is to get it when they can be reached there (a nudge follows the message it is about). */
  | { kind: 'person'; personId: string; platform?: Platform }
  | { kind: 'conversation'; conversationId: string };

export interface OutboxMessage {
  /** Neutral card (see src/chat/card.ts), stored as JSON. */
  card: unknown;
  /** Plain-text fallback for notifications and screen readers. */
  text: string;
  /** Post as a reply in the thread of another outbox row's message. */
  threadOfOutboxId?: string;
  /** Replace the message another outbox row posted, instead of posting a new one. */
  updateOfOutboxId?: string;
  /** Render the card when it is delivered (src/delivery/deliver.ts renderers), not from `card`. */
  render?: MessageRender;
}

/** A card drawn from the database at delivery time: coalesced updates then always show the latest state. */
export interface MessageRender {
  /** A renderer registered with the Deliverer, e.g. `proposal.card`. */
  renderer: string;
  /** What to render, e.g. the proposal id. */
  id: string;
}

export interface DeliveredRef {
  platform: Platform;
  /** Slack channel id, or Teams conversation id. */
  channel: string;
  /** Slack message ts, or Teams activity id. */
  messageId: string;
}

/** Platform events already taken, so a redelivery does nothing twice (src/db/inbound-events.ts). */
export interface InboundEventsTable {
  event_key: string;
  received_at: Generated<Date>;
}

/** Clicks acknowledged before they were handled, until they are (src/chat/inbox.ts). */
export interface ClickInboxTable {
  id: string;
  platform: Platform;
  request: unknown;
  reply_to: unknown;
  received_at: Date;
  claimed_until: Date;
  attempts: Generated<number>;
}

/** Slack Home tabs kept current (src/slack/home-tab.ts). */
export interface HomeViewsTable {
  person_id: string;
  installation_external_id: string;
  user_external_id: string;
  opened_at: Generated<Date>;
  published_hash: string | null;
  checked_until: Generated<Date>;
}

export interface FoundationTables {
  organisations: OrganisationsTable;
  installations: InstallationsTable;
  people: PeopleTable;
  identities: IdentitiesTable;
  roles: RolesTable;
  role_events: RoleEventsTable;
  conversations: ConversationsTable;
  outbox: OutboxTable;
  inbound_events: InboundEventsTable;
  click_inbox: ClickInboxTable;
  home_views: HomeViewsTable;
}
