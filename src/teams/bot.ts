// The Teams adapter: botbuilder turns activities into ChatRequests for the router and renders its
// Reply as Adaptive Cards. It stores conversation references so proactive messages can reach people
// and channels later. No business rule lives here.
import {
  CardFactory,
  INVOKE_RESPONSE_KEY,
  TeamsActivityHandler,
  TeamsInfo,
  TurnContext,
  type Activity,
  type InvokeResponse,
  type Attachment,
  type MessagingExtensionAction,
  type MessagingExtensionActionResponse,
  type MessagingExtensionQuery,
  type MessagingExtensionResponse,
} from 'botbuilder';
import { z } from 'zod';
import type { EmailLookup } from '../chat/actor.js';
import type { Card } from '../chat/card.js';
import { ChatError } from '../chat/errors.js';
import { ERROR_CODES } from '../errors.js';
import type { ChatRouter } from '../chat/router.js';
import type { ChatRequest, ChatUser, Reply } from '../chat/request.js';
import type { Db } from '../db/database.js';
import type { Logger } from '../log.js';
import { upsertConversation } from '../orgs/conversations.js';
import type { OrgDirectory } from '../orgs/service.js';
import { withTimeout } from '../with-timeout.js';
import { readRoster, recordRoster } from './roster.js';
import { stringValues } from './card-values.js';
import { explainMessage, searchTerms, selectTerm, submitInDialog, type ExtensionContext } from './message-extension.js';
import { ADAPTIVE_CARD_CONTENT_TYPE, renderAdaptiveCard, renderFormCard, type AdaptiveCard } from './adaptive-card.js';

export function cardAttachment(card: AdaptiveCard): Attachment {
  return CardFactory.adaptiveCard(card);
}

export function cardActivity(card: Card): Partial<Activity> {
  return { type: 'message', summary: card.summary, attachments: [cardAttachment(renderAdaptiveCard(card))] };
}

const submitValue = z.object({ action: z.string() }).loose();

function conversationKind(activity: Activity): 'personal' | 'channel' | 'group' {
  const type = activity.conversation.conversationType;
  return type === 'personal' ? 'personal' : type === 'channel' ? 'channel' : 'group';
}

/**
 * The conversation a message belongs to. In a channel Teams appends `;messageid=…` (the thread) to the
 * channel's id; the channel itself is the id without it, which is what Steward stores and posts to.
 */
function conversationIdOf(activity: Activity): string {
  const id = activity.conversation.id;
  return conversationKind(activity) === 'channel' ? (id.split(';')[0] ?? id) : id;
}

// Schemas are built once, here: zod compiles each on its first use, which costs far more than a parse.
const channelDataTenant = z.object({ tenant: z.object({ id: z.string() }) });
/** An @mention in a message's entities: who is mentioned, and the text that stands for them (when Teams sends it). */
const mentionEntity = z
  .object({ type: z.literal('mention'), text: z.string().optional(), mentioned: z.object({ id: z.string(), name: z.string().optional(), aadObjectId: z.string().optional() }).loose() })
  .loose();

function tenantOf(activity: Activity): string {
  const fromChannelData = channelDataTenant.safeParse(activity.channelData);
  return activity.conversation.tenantId ?? (fromChannelData.success ? fromChannelData.data.tenant.id : 'unknown-tenant');
}

/** Whether the message @mentions Steward itself. */
function mentionsBot(activity: Activity): boolean {
  return (activity.entities ?? []).some((entity) => {
    const mention = mentionEntity.safeParse(entity);
    return mention.success && mention.data.mentioned.id === activity.recipient.id;
  });
}

/** Removes the bot's own @mention, and turns other mentions into `<@aadId>` tokens. */
function textAndMentions(activity: Activity): { text: string; mentions: ChatUser[] } {
  let text = TurnContext.removeRecipientMention(activity) ?? activity.text ?? '';
  const mentions: ChatUser[] = [];
  for (const entity of activity.entities ?? []) {
    const mention = mentionEntity.safeParse(entity);
    // A mention without its text has no place in the text to stand in: it is left out.
    if (!mention.success || !mention.data.text || mention.data.mentioned.id === activity.recipient.id) continue;
    const id = mention.data.mentioned.aadObjectId ?? mention.data.mentioned.id;
    mentions.push({ id, ...(mention.data.mentioned.name ? { name: mention.data.mentioned.name } : {}) });
    text = text.replace(mention.data.text, `<@${id}>`);
  }
  // Teams sends HTML entities and stray tags in message text.
  text = text.replace(/<\/?at>/g, '').replace(/&nbsp;/g, ' ').replace(/&amp;/g, '&').replace(/&lt;(?!@)/g, '<').replace(/&gt;/g, '>');
  return { text: text.trim(), mentions };
}

export interface TeamsBotOptions {
  router: ChatRouter;
  orgs: OrgDirectory;
  db: Db;
  log: Logger;
  /**
   * Requests are verified (Bot Framework credentials set). Without it nothing learnt from a request
   * or its service URL (a member's e-mail) may link the sender to an existing person.
   */
  verified: boolean;
  /** Activities already taken, so a Bot Framework redelivery (same activity id) does nothing twice. */
  inboundEvents?: { claim(key: string): Promise<boolean>; release(key: string): Promise<void> };
  /**
   * Read the roster when Steward is added to a team or group chat or its members change, from service
   * URLs Steward sends to (src/teams/service-urls.ts), so people imported by e-mail can be reached.
   */
  rosters?: { serviceUrlAllowed(url: string): boolean; now(): Date };
}

/** What a compose query must carry (Teams always sends it): the command and what was typed. */
const composeQuery = z
  .object({ commandId: z.string(), parameters: z.array(z.object({ name: z.string() }).loose()).optional() })
  .loose();

export class StewardTeamsBot extends TeamsActivityHandler {
  constructor(private readonly options: TeamsBotOptions) {
    super();
    this.onMessage(async (context, next) => {
      await this.handleMessage(context);
      await next();
    });
    this.onConversationUpdate(async (context, next) => {
      await this.remember(context);
      await this.readRoster(context);
      await next();
    });
    this.onInstallationUpdate(async (context, next) => {
      await this.remember(context);
      await this.readRoster(context);
      await this.welcomePersonally(context);
      await next();
    });
  }

  private baseRequest(activity: Activity): Omit<ChatRequest, 'input' | 'mentions'> {
    return {
      platform: 'teams',
      installationId: tenantOf(activity),
      user: { id: activity.from.aadObjectId ?? activity.from.id, ...(activity.from.name ? { name: activity.from.name } : {}) },
      conversation: { id: conversationIdOf(activity), kind: conversationKind(activity), name: activity.conversation.name },
    };
  }

  private emailLookup(context: TurnContext): EmailLookup | undefined {
    if (!this.options.verified) return undefined;
    return async () => {
      const member = await withTimeout(TeamsInfo.getMember(context, context.activity.from.id), 1_500);
      return member?.email ?? member?.userPrincipalName ?? undefined;
    };
  }

  /** Stores where this conversation is, so Steward can write to it (or to this person) later. */
  private async remember(context: TurnContext): Promise<void> {
    const activity = context.activity;
    try {
      const base = this.baseRequest(activity);
      const orgId = await this.options.orgs.orgForInstallation('teams', base.installationId, undefined, undefined, { quiet: true });
      const kind = conversationKind(activity);
      const personId =
        kind === 'personal' && activity.from.aadObjectId
          ? (await this.options.orgs.resolveActor({ ...base, input: { kind: 'text', text: '' }, mentions: [] }, this.emailLookup(context))).personId
          : null;
      await upsertConversation(this.options.db, {
        orgId,
        platform: 'teams',
        installationExternalId: base.installationId,
        externalId: conversationIdOf(activity),
        kind,
        personId,
        name: activity.conversation.name ?? null,
        reference: channelReference(activity),
      });
    } catch (error) {
      // A tenant nobody linked is refused where its message is answered; nothing of it is stored.
      if (error instanceof ChatError && error.code === ERROR_CODES.installationNotLinked) return;
      this.options.log.warn({ err: error }, 'could not store the Teams conversation reference');
    }
  }

  /** Installed for a person (their personal chat with Steward): the welcome is their My Steward. */
  private async welcomePersonally(context: TurnContext): Promise<void> {
    const activity = context.activity;
    if (conversationKind(activity) !== 'personal' || activity.action === 'remove') return;
    try {
      const reply = await this.options.router.handle({ ...this.baseRequest(activity), input: { kind: 'text', text: 'home' }, mentions: [] }, this.emailLookup(context));
      if (reply.private && !reply.refusal) await context.sendActivity(cardActivity(reply.private));
    } catch (error) {
      this.options.log.warn({ err: error }, 'could not send the Teams welcome');
    }
  }

  /** The members of a team or group chat Steward was just added to (or whose members changed). */
  private async readRoster(context: TurnContext): Promise<void> {
    const { rosters, db, log } = this.options;
    const activity = context.activity;
    if (!rosters || conversationKind(activity) === 'personal' || !rosters.serviceUrlAllowed(activity.serviceUrl)) return;
    try {
      const members = await withTimeout(readRoster(context), 10_000);
      if (members) await recordRoster(db, tenantOf(activity), activity.serviceUrl, members, rosters.now());
    } catch (error) {
      log.warn({ err: error }, 'could not read the Teams roster; it is read again when someone cannot be found');
    }
  }

  private async handleMessage(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const key = activity.id ? `teams:${activity.conversation.id}:${activity.id}` : undefined;
    if (key && this.options.inboundEvents && !(await this.options.inboundEvents.claim(key))) {
      this.options.log.info({ activityId: activity.id }, 'Teams redelivered an activity that was already handled; ignored');
      return;
    }
    try {
      await this.answerMessage(context);
    } catch (error) {
      if (key) await this.options.inboundEvents?.release(key).catch(() => {});
      throw error;
    }
  }

  private async answerMessage(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const submitted = submitValue.safeParse(activity.value);
    // In a channel or group chat only a message that @mentions Steward is meant for it; any other is
    // one Teams shows Steward for a watched channel, and only the glossary's watch hears it.
    if (!submitted.success && conversationKind(activity) !== 'personal' && !mentionsBot(activity)) {
      await this.options.router.overhear({ ...this.baseRequest(activity), input: { kind: 'text', text: textAndMentions(activity).text }, mentions: [] }, this.emailLookup(context));
      return;
    }
    await this.remember(context);
    let request: ChatRequest;
    if (submitted.success) {
      request = { ...this.baseRequest(activity), input: { kind: 'action', payload: submitted.data, values: stringValues(activity.value) }, mentions: [] };
    } else {
      const { text, mentions } = textAndMentions(activity);
      request = { ...this.baseRequest(activity), input: { kind: 'text', text }, mentions };
    }
    const reply = await this.options.router.handle(request, this.emailLookup(context));
    if (reply.replace && activity.replyToId) {
      await context.updateActivity({ ...cardActivity(reply.replace), id: activity.replyToId });
    }
    // A per-person answer to a click on a shared card (a vote) is not posted for the whole channel.
    const { private: privateCard, ...rest } = reply;
    const keepPrivate = privateCard && !(reply.clickerView && conversationKind(activity) !== 'personal');
    await this.sendParts(context, { ...rest, ...(keepPrivate ? { private: privateCard } : {}), ...(activity.replyToId ? {} : reply.replace ? { public: reply.replace } : {}) });
  }

  private async sendParts(context: TurnContext, reply: Reply): Promise<void> {
    // Teams has no message only one person in a channel sees: a private answer is a reply in the
    // thread (conversation ids of threads carry the message id), and cards stay short.
    for (const card of [reply.private, reply.public]) {
      if (card) await context.sendActivity(cardActivity(card));
    }
    if (reply.form) await context.sendActivity({ type: 'message', attachments: [cardAttachment(renderFormCard(reply.form))] });
  }

  /** What the message extensions (src/teams/message-extension.ts) need of a request: who, where, and the router. */
  private extension(context: TurnContext): ExtensionContext {
    return { base: this.baseRequest(context.activity), handle: (request) => this.options.router.handle(request, this.emailLookup(context)) };
  }

  /**
   * A compose query (sent as someone types, several a second) goes straight to its handler.
   * botbuilder's dispatch (run, onTurnActivity, onInvokeActivity and their helpers) is a dozen async
   * frames per query, which in a busy process outlive it and fill the old heap; with no turn or
   * dialog handlers registered, what it does for this invoke is exactly this. Every other activity
   * takes botbuilder's way. The answer goes where the adapter reads an invoke's response, as the
   * adapter's sendActivities puts it; sending it through the send pipeline (no handlers registered,
   * nothing goes out for an invoke response) was a sixth of such a query's CPU (bench/compose).
   */
  override async run(context: TurnContext): Promise<void> {
    const activity = context.activity;
    if (activity?.type !== 'invoke' || activity.name !== 'composeExtension/query') return super.run(context);
    const query = composeQuery.safeParse(activity.value);
    const answer: InvokeResponse = query.success
      ? { status: 200, body: await searchTerms(this.extension(context), query.data as MessagingExtensionQuery) }
      : { status: 400, body: { error: 'a compose query needs a value with its commandId and parameters' } };
    context.turnState.set(INVOKE_RESPONSE_KEY, { type: 'invokeResponse', value: answer });
  }

  protected override handleTeamsMessagingExtensionSelectItem(context: TurnContext, query: unknown): Promise<MessagingExtensionResponse> {
    return selectTerm(this.extension(context), query);
  }

  protected override handleTeamsMessagingExtensionFetchTask(context: TurnContext, action: MessagingExtensionAction): Promise<MessagingExtensionActionResponse> {
    return explainMessage(this.extension(context), action);
  }

  protected override handleTeamsMessagingExtensionSubmitAction(context: TurnContext, action: MessagingExtensionAction): Promise<MessagingExtensionActionResponse> {
    return submitInDialog(this.extension(context), action);
  }

  /**
   * Universal Actions (Action.Execute) are answered here rather than in onAdaptiveCardInvoke, whose
   * botbuilder type allows only an object as `value`: the contract's message response is a string,
   * and a client given `{ text }` there stops rendering the conversation.
   */
  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    if (context.activity.name !== 'adaptiveCard/action') return super.onInvokeActivity(context);
    const response = await this.answerUniversalAction(context);
    return { status: response.statusCode, body: response };
  }

  /** The clicked card is refreshed from the response (a card), or a short message is shown (a string). */
  private async answerUniversalAction(context: TurnContext): Promise<UniversalActionResponse> {
    const activity = context.activity;
    const invoke = universalActionValue.safeParse(activity.value);
    if (!invoke.success) {
      return errorResponse(400, 'steward_invalid_input', 'Steward expected an Action.Execute with data; nothing was changed.');
    }
    const data = submitValue.safeParse(invoke.data.action.data);
    const request: ChatRequest = {
      ...this.baseRequest(activity),
      input: { kind: 'action', payload: data.success ? data.data : undefined, values: stringValues(invoke.data.action.data) },
      mentions: [],
    };
    const reply = await this.options.router.handle(request, this.emailLookup(context));
    if (reply.refusal) {
      // The client shows the error under the card; the card in the chat says the same where it stays.
      if (reply.private) await this.sendParts(context, { private: reply.private });
      return errorResponse(400, reply.refusal.code, reply.refusal.message);
    }
    // The clicker's own view of the card stands for the private answer: it is shown to them alone.
    const view = !reply.replace && reply.clickerView ? await reply.clickerView().catch(() => undefined) : undefined;
    await this.sendParts(context, { ...(reply.private && !view ? { private: reply.private } : {}), ...(reply.public ? { public: reply.public } : {}), ...(reply.form ? { form: reply.form } : {}) });
    const card = view ?? reply.replace;
    if (card) return { statusCode: 200, type: ADAPTIVE_CARD_CONTENT_TYPE, value: renderAdaptiveCard(card) };
    return { statusCode: 200, type: MESSAGE_RESPONSE_TYPE, value: reply.private?.summary ?? (reply.form ? `${reply.form.title}: the form is below.` : 'Done.') };
  }
}

const MESSAGE_RESPONSE_TYPE = 'application/vnd.microsoft.activity.message';
const ERROR_RESPONSE_TYPE = 'application/vnd.microsoft.error';

/** The three answers the Universal Actions contract allows for an `adaptiveCard/action` invoke. */
export type UniversalActionResponse =
  | { statusCode: 200; type: typeof MESSAGE_RESPONSE_TYPE; value: string }
  | { statusCode: 200; type: typeof ADAPTIVE_CARD_CONTENT_TYPE; value: AdaptiveCard }
  | { statusCode: 400 | 500; type: typeof ERROR_RESPONSE_TYPE; value: { code: string; message: string } };

function errorResponse(statusCode: 400 | 500, code: string, message: string): UniversalActionResponse {
  return { statusCode, type: ERROR_RESPONSE_TYPE, value: { code, message } };
}

const universalActionValue = z.object({ action: z.object({ type: z.literal('Action.Execute'), data: z.unknown() }).loose() }).loose();

/** The stored reference of a conversation: for a channel, the channel itself rather than the thread. */
function channelReference(activity: Activity): Record<string, unknown> {
  const reference = TurnContext.getConversationReference(activity);
  const conversation = reference.conversation ? { ...reference.conversation, id: conversationIdOf(activity) } : undefined;
  return { ...reference, ...(conversation ? { conversation } : {}) };
}
