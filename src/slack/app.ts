// The Slack adapter: listeners (behind one Bolt middleware, src/slack/listeners.ts) that turn
// commands, clicks, form submissions and mentions into ChatRequests for the router, and render its
// Reply as Block Kit. No business rule lives here.
import { App, LogLevel, SocketModeReceiver, type AuthorizeResult, type Receiver, type RespondArguments, type RespondFn } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import type { Card } from '../chat/card.js';
import type { ChatRouter } from '../chat/router.js';
import type { ClickInbox } from '../chat/inbox.js';
import type { ChatRequest, Reply } from '../chat/request.js';
import type { Logger } from '../log.js';
import { FORM_CALLBACK_ID, fallbackText, renderBlocks, renderBlocksWithJson, renderModal } from './blocks.js';
import { SerializedJson } from '../http/serialized-json.js';
import { SlackHttpReceiver, type SlackReceiverOptions } from './receiver.js';
import { conversationKind, commandText, slackTextRequest } from './request.js';
import { respondThrough, slackReplyTo } from './response-url.js';
import { registerShortcuts } from './shortcuts.js';
import { SlackListeners } from './listeners.js';
import { SlackHomeTab, type HomeViewStore } from './home-tab.js';
import { z } from 'zod';
import { withTimeout } from '../with-timeout.js';

export interface SlackAdapterOptions {
  signingSecret: string;
  botToken: string;
  apiUrl?: string | undefined;
  appToken?: string | undefined;
  router: ChatRouter;
  log: Logger;
  /** How long a command may take before it is acknowledged and answered later through response_url. */
  answerWithinMs?: number;
  /** Events already taken, so Slack's retries of an event do nothing twice (HTTP receiver). */
  inboundEvents?: SlackReceiverOptions['inboundEvents'];
  /** Where the Home tabs kept current are remembered, and how often they are looked at (src/slack/home-tab.ts). */
  homeTab?: { store: HomeViewStore; refreshEveryMs?: number } | undefined;
  /** Clicks safe to handle again (votes) are stored here and acknowledged before they are handled. */
  inbox?: ClickInbox | undefined;
}

/** Resolves the bot's own identity once, off the request path, and keeps trying until Slack answers. */
class BotIdentity {
  private identity: { botId?: string; botUserId?: string; teamId?: string } = {};
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: WebClient,
    private readonly log: Logger,
  ) {}

  start(): void {
    void this.resolve();
  }

  private async resolve(): Promise<void> {
    try {
      const result = await this.client.auth.test();
      this.identity = {
        ...(result.bot_id ? { botId: result.bot_id } : {}),
        ...(result.user_id ? { botUserId: result.user_id } : {}),
        ...(result.team_id ? { teamId: result.team_id } : {}),
      };
      this.log.info({ botUserId: result.user_id, team: result.team }, 'Slack bot identity resolved');
    } catch (error) {
      this.log.warn({ reason: error instanceof Error ? error.message : String(error) }, 'Slack auth.test failed; commands still work, retrying in 30 s');
      this.timer = setTimeout(() => void this.resolve(), 30_000);
      this.timer.unref();
    }
  }

  get current() {
    return this.identity;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}

const buttonValue = z.string().transform((value, ctx) => {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'button value is not JSON' });
    return z.NEVER;
  }
});

const modalMetadata = z.object({ payload: z.unknown(), channelId: z.string().optional() });

export class SlackAdapter {
  readonly receiver: SlackHttpReceiver;
  readonly app: App;
  /** Web API client for replies after the ack: no retries, so nothing queues behind a slow Slack. */
  readonly client: WebClient;
  private readonly identity: BotIdentity;
  private readonly homeTab: SlackHomeTab;
  /** Every listener, behind one Bolt middleware (src/slack/listeners.ts). */
  private readonly listeners = new SlackListeners();

  constructor(private readonly options: SlackAdapterOptions) {
    const clientOptions = {
      ...(options.apiUrl ? { slackApiUrl: ensureTrailingSlash(options.apiUrl) } : {}),
      retryConfig: { retries: 0 },
      timeout: 5_000,
      logLevel: LogLevel.ERROR,
    };
    this.client = new WebClient(options.botToken, clientOptions);
    this.identity = new BotIdentity(this.client, options.log);
    this.homeTab = new SlackHomeTab({ log: options.log, answer: (request) => this.answer(request), answerBeforeAck: (request, ack) => this.answerBeforeAck(request, ack), ...options.homeTab });
    this.receiver = new SlackHttpReceiver({ signingSecret: options.signingSecret, log: options.log, ...(options.inboundEvents ? { inboundEvents: options.inboundEvents } : {}) });
    // Socket Mode (SLACK_APP_TOKEN) replaces the HTTP endpoint; everything after the receiver is the same.
    const receiver: Receiver = options.appToken ? new SocketModeReceiver({ appToken: options.appToken, logLevel: LogLevel.ERROR }) : this.receiver;
    this.socketMode = Boolean(options.appToken);
    this.app = new App({
      receiver,
      // Bolt's single-token mode calls auth.test before the first listener, with long retries; the
      // identity is resolved once at start instead, so acknowledgements never wait on the Web API.
      authorize: async (): Promise<AuthorizeResult> => ({ botToken: options.botToken, ...this.identity.current }),
      clientOptions,
      // Bolt's in-memory conversation store is unused here (and wrong with several processes); it
      // also builds an Error with a stack trace on every request that finds nothing.
      convoStore: false,
      logLevel: LogLevel.ERROR,
    });
    this.registerListeners();
    options.inbox?.register('slack', {
      answer: (request) => this.answer(request),
      deliver: async (replyTo, reply) => {
        const to = slackReplyTo.parse(replyTo);
        await this.deliverReply(reply, { respond: respondThrough(to.responseUrl), channelId: to.channelId });
      },
    });
  }

  readonly socketMode: boolean;

  async start(): Promise<void> {
    this.identity.start();
    this.homeTab.start(this.client);
    if (this.socketMode) await this.app.start();
  }

  async stop(): Promise<void> {
    this.identity.stop();
    this.homeTab.stop();
    if (this.socketMode) await this.app.stop();
  }

  private async answer(request: ChatRequest): Promise<Reply> {
    return this.options.router.handle(request, (req) => this.lookupEmail(req.user.id));
  }

  /**
   * Durable before acknowledged: what a click or a form changes is committed before Slack is told
   * the request arrived, so a crash never loses a click Slack showed as sent. A click still working
   * when the deadline nears is acknowledged anyway (Slack would show an error and retry nothing);
   * its answer follows through response_url.
   */
  private async answerBeforeAck(request: ChatRequest, ack: () => Promise<void>): Promise<Reply> {
    const pending = this.answer(request);
    await withTimeout(pending, this.options.answerWithinMs ?? 2_000);
    await ack();
    return pending;
  }

  /**
   * A click safe to handle again goes through the click inbox: stored (one insert shared with the
   * clicks beside it), acknowledged, then handled and answered through its response_url. False when
   * it must be handled before its acknowledgement instead (or the inbox could not store it).
   */
  private async storeInInbox(request: ChatRequest, responseUrl: string | undefined, channelId: string, ack: () => Promise<void>): Promise<boolean> {
    const inbox = this.options.inbox;
    if (!inbox || !responseUrl || request.input.kind !== 'action' || !this.options.router.isReplaySafe(request.input.payload)) return false;
    const stored = await inbox.store('slack', request, { responseUrl, channelId }).catch((error: unknown) => {
      this.options.log.warn({ err: error }, 'click inbox: could not store a click; handling it before its acknowledgement instead');
      return undefined;
    });
    if (!stored) return false;
    await ack();
    inbox.handle(stored);
    return true;
  }

  async lookupEmail(userId: string): Promise<string | undefined> {
    const result = await withTimeout(this.client.users.info({ user: userId }), 1_500);
    return result?.user?.profile?.email ?? undefined;
  }

  private registerListeners(): void {
    this.registerCommands();
    this.registerButtons();
    this.registerForms();
    this.registerEvents();
    this.homeTab.register(this.listeners);
    registerShortcuts(this.listeners, { router: this.options.router, log: this.options.log, answer: (request) => this.answer(request), lookupEmail: (userId) => this.lookupEmail(userId) });
    this.app.use(this.listeners.middleware);
    this.app.error(async (error) => {
      this.options.log.error({ err: error }, 'Slack listener error');
    });
  }

  /** Slash commands: answered in the acknowledgement when quick, through response_url otherwise. */
  private registerCommands(): void {
    const { listeners, options } = this;
    const log = options.log;
    listeners.command(async ({ command, ack, respond, client }) => {
      const request = slackTextRequest({
        teamId: command.team_id,
        enterpriseId: command.enterprise_id,
        teamName: command.team_domain,
        userId: command.user_id,
        userName: command.user_name,
        channelId: command.channel_id,
        channelName: command.channel_name,
        text: commandText(command.command, command.text),
      });
      const pending = this.answer(request);
      const quick = await withTimeout(pending, options.answerWithinMs ?? 2_000);
      if (quick && !quick.form) {
        // Bolt passes the body to the receiver untouched; ours sends the serialised JSON as is.
        await ack(commandResponse(quick) as unknown as RespondArguments);
        await this.deliverExtras(quick, { respond, channelId: command.channel_id });
        return;
      }
      await ack();
      const reply = quick ?? (await pending);
      if (reply.form) {
        await client.views.open({ trigger_id: command.trigger_id, view: renderModal(reply.form, { channelId: command.channel_id }) }).catch((error: unknown) => {
          log.warn({ err: error }, 'could not open the Slack form');
        });
      }
      await this.deliverReply(reply, { respond, channelId: command.channel_id });
    });
  }

  /** Button clicks: committed before they are acknowledged (answerBeforeAck). */
  private registerButtons(): void {
    const { listeners, options } = this;
    const log = options.log;
    listeners.action(async ({ body, action, ack, respond, client }) => {
      if (body.type !== 'block_actions' || action.type !== 'button' || ('url' in action && action.url)) {
        await ack();
        return;
      }
      const parsed = buttonValue.safeParse(action.value);
      const channelId = body.channel?.id ?? body.user.id;
      const request: ChatRequest = {
        platform: 'slack',
        installationId: body.team?.id ?? body.user.team_id ?? 'unknown',
        installationName: body.team?.domain,
        installationGroup: body.enterprise?.id,
        user: { id: body.user.id, name: body.user.name ?? body.user.username },
        conversation: { id: channelId, kind: conversationKind(channelId, body.channel?.name) },
        input: { kind: 'action', payload: parsed.success ? parsed.data : undefined, values: {} },
        mentions: [],
      };
      if (body.view?.type === 'home') return this.homeTab.click(request, body.trigger_id, ack, client);
      if (await this.storeInInbox(request, body.response_url, channelId, ack)) return;
      const reply = await this.answerBeforeAck(request, ack);
      if (reply.form) {
        await client.views.open({ trigger_id: body.trigger_id, view: renderModal(reply.form, { channelId }) }).catch((error: unknown) => {
          log.warn({ err: error }, 'could not open the Slack form');
        });
      }
      await this.deliverReply(reply, { respond, channelId });
    });
  }

  /** Modal submissions: committed before they are acknowledged, answered privately. */
  private registerForms(): void {
    const { listeners, options } = this;
    const log = options.log;
    listeners.viewSubmission(FORM_CALLBACK_ID, async ({ body, view, ack, client }) => {
      const metadata = modalMetadata.safeParse(safeJson(view.private_metadata));
      const values: Record<string, string> = {};
      for (const [blockId, elements] of Object.entries(view.state.values)) {
        const element = Object.values(elements)[0];
        const value = element?.selected_option?.value ?? element?.value;
        if (typeof value === 'string') values[blockId] = value;
      }
      const channelId = metadata.success ? (metadata.data.channelId ?? body.user.id) : body.user.id;
      const reply = await this.answerBeforeAck({
        platform: 'slack',
        installationId: body.team?.id ?? body.user.team_id ?? 'unknown',
        installationName: body.team?.domain,
        installationGroup: body.enterprise?.id,
        user: { id: body.user.id, name: body.user.name },
        conversation: { id: channelId, kind: conversationKind(channelId) },
        input: { kind: 'action', payload: metadata.success ? metadata.data.payload : undefined, values },
        mentions: [],
      }, () => ack());
      const privateCard = reply.private ?? reply.replace;
      if (privateCard) {
        await client.chat
          .postEphemeral({ channel: channelId, user: body.user.id, blocks: renderBlocks(privateCard), text: fallbackText(privateCard) })
          .catch(() => client.chat.postMessage({ channel: body.user.id, blocks: renderBlocks(privateCard), text: fallbackText(privateCard) }))
          .catch((error: unknown) => log.warn({ err: error }, 'could not answer a Slack form submission'));
      }
      if (reply.public) {
        await client.chat
          .postMessage({ channel: channelId, blocks: renderBlocks(reply.public), text: fallbackText(reply.public) })
          .catch((error: unknown) => log.warn({ err: error }, 'could not post a Slack form result'));
      }
    });
  }

  /** Mentions, direct messages and App Home. */
  private registerEvents(): void {
    const { listeners } = this;
    // "@Steward glossary nps" in a channel, or a direct message to the app, use the same grammar.
    listeners.event('app_mention', async ({ event, client, context }) => {
      const text = event.text.replace(new RegExp(`<@${context.botUserId ?? 'UNKNOWN'}>`, 'g'), '').trim();
      const request = slackTextRequest({ teamId: event.team ?? context.teamId ?? 'unknown', enterpriseId: context.enterpriseId, userId: event.user ?? 'unknown', channelId: event.channel, text });
      const reply = await this.answer(request);
      const card = reply.public ?? reply.private ?? reply.replace;
      if (card) {
        await client.chat.postMessage({ channel: event.channel, thread_ts: event.thread_ts ?? event.ts, blocks: renderBlocks(card), text: fallbackText(card) });
      }
    });

    listeners.event('message', async ({ message, client, context }) => {
      if (message.channel_type !== 'im' || message.subtype !== undefined || !('text' in message) || !message.text || !message.user) return;
      const request = slackTextRequest({ teamId: context.teamId ?? 'unknown', userId: message.user, channelId: message.channel, text: message.text });
      const reply = await this.answer(request);
      const card = reply.private ?? reply.public ?? reply.replace;
      if (card) await client.chat.postMessage({ channel: message.channel, blocks: renderBlocks(card), text: fallbackText(card) });
    });
  }

  /** After an immediate ack with the private or public card, the other parts of the reply. */
  private async deliverExtras(reply: Reply, target: { respond: RespondFn; channelId: string }): Promise<void> {
    const rest: Reply = { ...(reply.private && reply.public ? { public: reply.public } : {}), ...(reply.replace ? { replace: reply.replace } : {}) };
    // Most replies are one card, already sent in the acknowledgement.
    if (rest.public || rest.replace) await this.deliverReply(rest, target);
  }

  private async deliverReply(reply: Reply, target: { respond: RespondFn; channelId: string }): Promise<void> {
    const { respond } = target;
    const log = this.options.log;
    const tasks: Promise<unknown>[] = [];
    if (reply.replace) {
      tasks.push(respond({ replace_original: true, blocks: renderBlocks(reply.replace), text: fallbackText(reply.replace) }));
    }
    if (reply.private) {
      tasks.push(respond({ response_type: 'ephemeral', replace_original: false, blocks: renderBlocks(reply.private), text: fallbackText(reply.private) }));
    }
    if (reply.public) {
      tasks.push(respond({ response_type: 'in_channel', replace_original: false, blocks: renderBlocks(reply.public), text: fallbackText(reply.public) }));
    }
    for (const result of await Promise.allSettled(tasks)) {
      if (result.status === 'rejected') log.warn({ err: result.reason }, 'could not answer through Slack response_url');
    }
  }
}

/**
 * The acknowledgement of a command, serialised once per card: help and remembered glossary answers
 * come back as the same card object again and again. Kept from a card's second answer on: a WeakMap
 * keeps an entry's value alive through collections of the young generation, so keeping the JSON of
 * every one-off answer (most new questions) made it outlive its request (bench/glossary, --trace-gc-nvp);
 * a WeakSet of the cards answered once holds nothing but the fact.
 */
const serialisedAnswers = new WeakMap<Card, { ephemeral?: SerializedJson; in_channel?: SerializedJson }>();
const answeredOnce = new WeakSet<Card>();

function commandResponse(reply: Reply): SerializedJson | undefined {
  const card = reply.private ?? reply.public;
  if (!card) return undefined;
  const responseType = reply.private ? ('ephemeral' as const) : ('in_channel' as const);
  const known = serialisedAnswers.get(card);
  let answer = known?.[responseType];
  if (!answer) {
    // As JSON.stringify({ response_type, blocks, text }) writes it, with the blocks as rendering measured them.
    answer = new SerializedJson(`{"response_type":"${responseType}","blocks":${renderBlocksWithJson(card).json},"text":${JSON.stringify(fallbackText(card))}}`);
    if (known || answeredOnce.has(card)) serialisedAnswers.set(card, { ...known, [responseType]: answer });
    else answeredOnce.add(card);
  }
  return answer;
}

function ensureTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

function safeJson(value: string | undefined): unknown {
  try {
    return value ? (JSON.parse(value) as unknown) : undefined;
  } catch {
    return undefined;
  }
}
