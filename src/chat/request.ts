// What a platform adapter hands the chat core: who asked, where, and what they typed or clicked.
import type { Platform } from '../db/foundation-tables.js';
import type { ActionPayload, Card, Form } from './card.js';

export interface ChatUser {
  /** Slack user id, or Teams AAD object id. */
  id: string;
  name?: string | undefined;
  email?: string | undefined;
}

export interface ChatConversation {
  /** Slack channel id, or Teams conversation id. */
  id: string;
  kind: 'personal' | 'channel' | 'group';
  name?: string | undefined;
}

export type ChatInput =
  | { kind: 'text'; text: string }
  /** A button click or a submitted form: the payload the card carried, and any input values. */
  | { kind: 'action'; payload: unknown; values: Record<string, string> };

export interface ChatRequest {
  platform: Platform;
  /** Slack team id, or Teams tenant id. */
  installationId: string;
  installationName?: string | undefined;
  /** Slack Enterprise Grid organisation id (E…), when the workspace belongs to one. */
  installationGroup?: string | undefined;
  user: ChatUser;
  conversation: ChatConversation;
  input: ChatInput;
  /** People mentioned in the text, which the adapter wrote as `<@id>` tokens. */
  mentions: ChatUser[];
  /**
   * When a click stored in the click inbox (src/chat/inbox.ts) arrived: a handler that may run after a
   * later click of the same person (a vote) counts from this time, so the later click wins.
   */
  receivedAt?: Date | undefined;
}

/** What the chat core answers. Every part is optional; an adapter renders the parts it gets. */
export interface Reply {
  /** Seen only by the person who asked (Slack: ephemeral; Teams: personal chat or a short thread reply). */
  private?: Card;
  /** Posted for everyone in the conversation. */
  public?: Card;
  /** Replaces the message whose button was clicked. */
  replace?: Card;
  /** Opens a form (Slack modal; Teams card with inputs). */
  form?: Form;
  /**
   * Results to pick from, for a search box that is not a conversation (the Teams compose extension):
   * each a one-line preview, and the button payload whose answer (its `public` card) is inserted.
   */
  results?: { title: string; subtitle: string; select: ActionPayload }[];
  /**
   * The clicked shared card as the person who clicked should now see it (e.g. with their own vote),
   * drawn only when a platform can show one person their own view of a shared message: Teams
   * Universal Actions answer with it in place of the card, for the clicker only (and it then stands
   * for `private`, which in a channel could only be posted for everyone). Slack has no such view and
   * never calls it.
   */
  clickerView?: () => Promise<Card>;
  /**
   * Set when nothing was done because the request was refused (a coded ChatError): `private` then
   * holds the same message as a card. Teams answers a refused Universal Action with an error status.
   */
  refusal?: { code: string; message: string };
}
