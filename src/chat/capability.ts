// How a capability plugs into chat: the commands it answers and the buttons it handles.
import type { z } from 'zod';
import type { Actor } from './actor.js';
import type { Services } from '../services.js';
import type { ChatRequest, Reply } from './request.js';
import { InvalidInput } from './errors.js';

export interface ChatContext {
  request: ChatRequest;
  actor: Actor;
  services: Services;
}

export interface CommandUsage {
  /** What the user types after the command word, e.g. `nps` or `search onboarding`. */
  example: string;
  /** Plain words; what the person would type after the command word goes between backticks (`unwatch here`), shown as a command. */
  description: string;
}

export interface Command {
  /** The first word: `glossary` (Slack `/glossary nps`, `/cx glossary nps`; Teams `glossary nps`). */
  word: string;
  summary: string;
  usage: CommandUsage[];
  handle(ctx: ChatContext, args: string): Promise<Reply>;
}

export interface ActionSpec<S extends z.ZodType> {
  /** The `action` field of a button payload, e.g. `glossary.share`. */
  action: string;
  /** Validates the rest of the payload before the handler sees it. */
  schema: S;
  /**
   * True when running the handler again with the same click changes nothing more and a later click
   * of the same person wins (a vote). Such clicks go through the click inbox (src/chat/inbox.ts): on
   * Slack they are acknowledged once stored and handled just after, also after a crash. A handler that
   * returns a form, or whose second run would do something twice, must leave this unset.
   */
  replaySafe?: boolean;
  handle(ctx: ChatContext, payload: z.infer<S>, values: Record<string, string>): Promise<Reply>;
}

export interface ActionHandler {
  action: string;
  replaySafe?: boolean;
  run(ctx: ChatContext, payload: unknown, values: Record<string, string>): Promise<Reply>;
}

/** A button handler whose payload is validated by its schema: a forged or stale payload changes nothing. */
export function defineAction<S extends z.ZodType>(spec: ActionSpec<S>): ActionHandler {
  return {
    action: spec.action,
    ...(spec.replaySafe ? { replaySafe: true } : {}),
    async run(ctx, payload, values) {
      const parsed = spec.schema.safeParse(payload);
      if (!parsed.success) {
        throw new InvalidInput('That button carries data Steward does not recognise (it may be from an old message). Nothing was changed.');
      }
      return spec.handle(ctx, parsed.data, values);
    },
  };
}

/**
 * Hears messages that were not meant for Steward (a watched channel's messages). Called for every
 * such message, so it must cost next to nothing when it has nothing to say; `actor` resolves who
 * wrote it only when it is needed. What it answers is seen by the author alone.
 */
export interface Listener {
  name: string;
  hear(request: ChatRequest, services: Services, actor: () => Promise<Actor>): Promise<Reply | undefined>;
}

export interface Capability {
  name: string;
  commands: Command[];
  actions: ActionHandler[];
  listeners?: Listener[];
}

