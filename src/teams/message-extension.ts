// Teams' message extensions: "Look up a CX term" in the compose box (a search command: results as
// the person types, the chosen term's card inserted into their message) and "Explain CX terms" on any
// message (an action command: a dialog with the glossary terms in it). Both go through the router
// like every other request; a dialog keeps going through it (a button in it, a form it opens) until
// it closes. Teams gives a search five seconds.
import { CardFactory, type MessagingExtensionAction, type MessagingExtensionActionResponse, type MessagingExtensionQuery, type MessagingExtensionResponse } from 'botbuilder';
import { z } from 'zod';
import type { Card } from '../chat/card.js';
import { SerializedJson } from '../http/serialized-json.js';
import type { ChatRequest, Reply } from '../chat/request.js';
import { renderAdaptiveCard, renderFormCard, type AdaptiveCard } from './adaptive-card.js';
import { stringValues } from './card-values.js';

export const COMPOSE_COMMANDS = { lookup: 'lookupTerm', explain: 'explainMessage' } as const;

/** What the bot gives the extension: the request's who and where, and the router. */
export interface ExtensionContext {
  base: Omit<ChatRequest, 'input' | 'mentions'>;
  handle(request: ChatRequest): Promise<Reply>;
}

const actionData = z.object({ action: z.string() }).loose();

function ask(ctx: ExtensionContext, input: ChatRequest['input']): Promise<Reply> {
  return ctx.handle({ ...ctx.base, input, mentions: [] });
}

function message(text: string): MessagingExtensionResponse {
  return { composeExtension: { type: 'message', text } };
}

/**
 * A result list as Teams takes it, serialised once per list: a remembered answer (src/glossary/
 * capability.ts composeResults) gives the same list to everyone who types the same query, and
 * building and serialising its cards again was about a tenth of a query's CPU (bench/compose).
 */
const resultLists = new WeakMap<NonNullable<Reply['results']>, SerializedJson>();

function resultList(results: NonNullable<Reply['results']>): SerializedJson {
  let json = resultLists.get(results);
  if (!json) {
    const response: MessagingExtensionResponse = {
      composeExtension: {
        type: 'result',
        attachmentLayout: 'list',
        attachments: results.map((r) => ({
          ...CardFactory.heroCard(r.title, r.subtitle),
          preview: { ...CardFactory.thumbnailCard(r.title, r.subtitle), content: { title: r.title, text: r.subtitle, tap: { type: 'invoke', value: r.select } } },
        })),
      },
    };
    json = new SerializedJson(JSON.stringify(response));
    resultLists.set(results, json);
  }
  return json;
}

/**
 * The search as someone types: previews only; the card is drawn when one is chosen (selectItem).
 * Results come serialised (sent as they are; anything else serialising them gets the same object).
 */
export async function searchTerms(ctx: ExtensionContext, query: MessagingExtensionQuery): Promise<MessagingExtensionResponse | SerializedJson> {
  if (query.commandId !== COMPOSE_COMMANDS.lookup) return message('Steward does not know that search.');
  const typed = String(query.parameters?.find((p) => p.name === 'query')?.value ?? '');
  const reply = await ask(ctx, { kind: 'action', payload: { action: 'glossary.compose' }, values: { query: typed } });
  if (reply.refusal) return message(reply.refusal.message);
  const results = reply.results ?? [];
  if (results.length === 0) return message(typed.trim() ? `Nothing in the glossary matches “${typed.trim().slice(0, 60)}”.` : 'Type a term, an alias or an acronym.');
  return resultList(results);
}

/** A result was chosen: its card, as the message will carry it. */
export async function selectTerm(ctx: ExtensionContext, value: unknown): Promise<MessagingExtensionResponse> {
  const payload = actionData.safeParse(value);
  if (!payload.success) return message('That result is no longer valid; search again.');
  const reply = await ask(ctx, { kind: 'action', payload: payload.data, values: {} });
  const card = reply.public ?? reply.private;
  if (!card || reply.refusal) return message(reply.refusal?.message ?? 'That term could not be read; search again.');
  return { composeExtension: { type: 'result', attachmentLayout: 'list', attachments: [CardFactory.adaptiveCard(renderAdaptiveCard(card))] } };
}

/** Teams sends a message's body as HTML: the text a person reads. */
export function messageText(action: MessagingExtensionAction): string {
  const body = action.messagePayload?.body;
  const content = body?.content ?? '';
  if (body?.contentType !== 'html') return content;
  return content
    .replace(/<(br|\/p|\/div|\/li)[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** "Explain CX terms" on a message: the explanation in a dialog only the person sees. */
export async function explainMessage(ctx: ExtensionContext, action: MessagingExtensionAction): Promise<MessagingExtensionActionResponse> {
  if (action.commandId !== COMPOSE_COMMANDS.explain) return { task: { type: 'message', value: 'Steward does not know that action.' } };
  const text = messageText(action).trim();
  if (!text) return { task: { type: 'message', value: 'That message has no text to explain.' } };
  return dialog(await ask(ctx, { kind: 'text', text: `glossary explain ${text}` }));
}

/** A button or a form in the dialog: answered in the same dialog. */
export async function submitInDialog(ctx: ExtensionContext, action: MessagingExtensionAction): Promise<MessagingExtensionActionResponse> {
  const data = actionData.safeParse(action.data);
  if (!data.success) return { task: { type: 'message', value: 'Steward does not know that button. Nothing was changed.' } };
  return dialog(await ask(ctx, { kind: 'action', payload: data.data, values: stringValues(action.data) }));
}

function dialog(reply: Reply): MessagingExtensionActionResponse {
  if (reply.form) return { task: { type: 'continue', value: { title: reply.form.title, card: CardFactory.adaptiveCard(submitOnly(renderFormCard(reply.form))) } } };
  const card: Card | undefined = reply.private ?? reply.replace ?? reply.public;
  if (!card) return { task: { type: 'message', value: 'Done.' } };
  return { task: { type: 'continue', value: { title: card.title.slice(0, 60), card: CardFactory.adaptiveCard(submitOnly(renderAdaptiveCard(card))) } } };
}

/**
 * A dialog's card takes Action.Submit, not the Universal Actions of cards in a conversation: each
 * Action.Execute becomes its Action.Submit fallback, whose data comes back as submitAction.
 */
export function submitOnly(card: AdaptiveCard): AdaptiveCard {
  const swap = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(swap);
    if (!value || typeof value !== 'object') return value;
    const record = value as Record<string, unknown>;
    if (record.type === 'Action.Execute' && record.fallback && typeof record.fallback === 'object') return swap(record.fallback);
    return Object.fromEntries(Object.entries(record).map(([key, item]) => [key, swap(item)]));
  };
  return swap(card) as AdaptiveCard;
}
