// One grammar for both platforms: text becomes a command word and its arguments, a button payload
// becomes a validated action. Errors meant for the user come back as a private card.
import { z } from 'zod';
import type { Services } from '../services.js';
import type { Actor, EmailLookup } from './actor.js';
import type { ActionHandler, Capability, ChatContext, Command, Listener } from './capability.js';
import { withoutUnsafeCharacters } from './text-hygiene.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import { ChatError, DatabaseUnavailable } from './errors.js';
import { ERROR_CODES } from '../errors.js';
import { errorCard, unknownCommandCard } from './cards.js';
import type { ChatRequest, Reply } from './request.js';
import { splitFirstWord } from './words.js';

const actionEnvelope = z.object({ action: z.string().min(1).max(64) }).loose();

/** The longest command text we read; Slack caps slash command text near this too. */
export const MAX_COMMAND_LENGTH = 4000;

export class ChatRouter {
  private readonly commands = new Map<string, Command>();
  private readonly actions = new Map<string, ActionHandler>();
  private readonly listeners: Listener[] = [];

  constructor(
    private readonly services: Services,
    capabilities: Capability[],
  ) {
    for (const capability of capabilities) {
      for (const command of capability.commands) {
        if (this.commands.has(command.word)) throw new Error(`Two capabilities claim the command ${command.word}`);
        this.commands.set(command.word, command);
      }
      for (const action of capability.actions) {
        if (this.actions.has(action.action)) throw new Error(`Two capabilities claim the action ${action.action}`);
        this.actions.set(action.action, action);
      }
      this.listeners.push(...(capability.listeners ?? []));
    }
  }

  /**
   * A message in a channel that was not addressed to Steward: each listener may answer its author
   * privately. Never answers with an error (nobody asked); a failure is logged.
   */
  async overhear(raw: ChatRequest, lookupEmail?: EmailLookup): Promise<Reply | undefined> {
    if (raw.input.kind !== 'text' || this.listeners.length === 0) return undefined;
    const request = cleanRequest(raw);
    let actor: Promise<Actor> | undefined;
    const resolve = () => (actor ??= this.services.orgs.resolveActor(request, lookupEmail));
    for (const listener of this.listeners) {
      try {
        const reply = await listener.hear(request, this.services, resolve);
        if (reply) return reply;
      } catch (error) {
        this.services.log.warn({ err: error, listener: listener.name }, 'a listener failed on an overheard message');
      }
    }
    return undefined;
  }

  /** Whether a click with this payload may be acknowledged once stored and handled after (ActionSpec.replaySafe). */
  isReplaySafe(payload: unknown): boolean {
    const envelope = actionEnvelope.safeParse(payload);
    return envelope.success && this.actions.get(envelope.data.action)?.replaySafe === true;
  }

  listCommands(): Command[] {
    return [...this.commands.values()];
  }

  async handle(raw: ChatRequest, lookupEmail?: EmailLookup): Promise<Reply> {
    const log = this.services.log;
    const request = cleanRequest(raw);
    try {
      const actor = await this.services.orgs.resolveActor(request, lookupEmail);
      const ctx: ChatContext = { request, actor, services: this.services };
      if (request.input.kind === 'text') return await this.handleText(ctx, request.input.text);
      return await this.handleAction(ctx, request.input.payload, request.input.values);
    } catch (error) {
      if (error instanceof ChatError) return { private: errorCard(error.message), refusal: { code: error.code, message: error.message } };
      if (isDatabaseUnavailable(error)) {
        // Not a fault of this request: the connection was lost or refused; the pool reconnects.
        log.warn({ reason: error instanceof Error ? error.message : String(error), platform: request.platform }, 'chat request answered "try again": the database is unreachable');
        const unavailable = new DatabaseUnavailable();
        return { private: errorCard(unavailable.message), refusal: { code: unavailable.code, message: unavailable.message } };
      }
      const ref = Math.random().toString(36).slice(2, 10);
      log.error({ err: error, ref, platform: request.platform }, 'chat handler failed');
      return { private: errorCard(`Something went wrong on Steward's side and nothing was changed. (reference ${ref})`) };
    }
  }

  private async handleText(ctx: ChatContext, raw: string): Promise<Reply> {
    if (raw.length > MAX_COMMAND_LENGTH) {
      return { private: errorCard(`That command is ${raw.length} characters long; Steward reads at most ${MAX_COMMAND_LENGTH}.`) };
    }
    const { first, verb, rest } = splitFirstWord(raw);
    const word = verb || 'help';
    const command = this.commands.get(word);
    if (!command) return { private: unknownCommandCard(first, closestWord(word, [...this.commands.keys()])) };
    return command.handle(ctx, rest);
  }

  private async handleAction(ctx: ChatContext, payload: unknown, values: Record<string, string>): Promise<Reply> {
    const envelope = actionEnvelope.safeParse(payload);
    const handler = envelope.success ? this.actions.get(envelope.data.action) : undefined;
    if (!handler) {
      const message = 'Steward does not know that button (it may be from an old message). Nothing was changed.';
      return { private: errorCard(message), refusal: { code: ERROR_CODES.unknownAction, message } };
    }
    return handler.run(ctx, payload, values);
  }
}

/** The known word nearest to what was typed, when it is near enough to be a typo. */
export function closestWord(typed: string, known: string[]): string | undefined {
  let best: { word: string; distance: number } | undefined;
  for (const word of known) {
    const distance = editDistance(typed, word);
    if (!best || distance < best.distance) best = { word, distance };
  }
  if (!best) return undefined;
  const allowed = Math.max(2, Math.floor(best.word.length / 2));
  return best.distance <= allowed || best.word.startsWith(typed.slice(0, 3)) ? best.word : undefined;
}

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

/** The request with its typed text and form values cleaned (src/chat/text-hygiene.ts), on both platforms. */
function cleanRequest(request: ChatRequest): ChatRequest {
  const { input } = request;
  if (input.kind === 'text') return { ...request, input: { ...input, text: withoutUnsafeCharacters(input.text) } };
  const values = Object.fromEntries(Object.entries(input.values).map(([key, value]) => [key, withoutUnsafeCharacters(value)]));
  return { ...request, input: { ...input, values } };
}
