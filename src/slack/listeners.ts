// Steward's Slack listeners behind one Bolt middleware. Bolt runs the filter chain of every listener
// registered with app.command, app.action, app.event … for every request, and each step spreads the
// request's arguments into a new object: with Steward's nine listeners that was about a tenth of a
// glossary lookup's CPU and a fifth of what it allocated (bench/glossary, CPU and allocation
// profiles). Here one middleware looks at what arrived and calls the one listener it is for, with the
// same filters Bolt's own listeners apply (src/slack/app.ts, shortcuts.ts and home-tab.ts register them).
import type {
  AllMiddlewareArgs,
  AnyMiddlewareArgs,
  Middleware,
  SlackActionMiddlewareArgs,
  SlackCommandMiddlewareArgs,
  SlackEventMiddlewareArgs,
  SlackShortcutMiddlewareArgs,
  SlackViewMiddlewareArgs,
} from '@slack/bolt';

type Listener<Args> = (args: Args & AllMiddlewareArgs) => Promise<void>;
type EventType = 'app_mention' | 'app_home_opened' | 'message';

export class SlackListeners {
  private commandListener: Listener<SlackCommandMiddlewareArgs> | undefined;
  private actionListener: Listener<SlackActionMiddlewareArgs> | undefined;
  private readonly viewSubmissions = new Map<string, Listener<SlackViewMiddlewareArgs>>();
  private readonly shortcuts = new Map<string, Listener<SlackShortcutMiddlewareArgs>>();
  private readonly events = new Map<string, Listener<SlackEventMiddlewareArgs>[]>();

  /** Every slash command (as app.command(/.*\/)). */
  command(listener: Listener<SlackCommandMiddlewareArgs>): void {
    this.commandListener = listener;
  }

  /** Every Block Kit action, those with an action_id (as app.action(/.*\/)). */
  action(listener: Listener<SlackActionMiddlewareArgs>): void {
    this.actionListener = listener;
  }

  /** Submissions of the modal with this callback id (as app.view(callbackId)). */
  viewSubmission(callbackId: string, listener: Listener<SlackViewMiddlewareArgs>): void {
    this.viewSubmissions.set(callbackId, listener);
  }

  /** The global or message shortcut with this callback id (as app.shortcut(callbackId)). */
  shortcut(callbackId: string, listener: Listener<SlackShortcutMiddlewareArgs>): void {
    this.shortcuts.set(callbackId, listener);
  }

  /** Events of this type (as app.event(type), or app.message for 'message'); several may listen, each runs. */
  event<T extends EventType>(type: T, listener: Listener<SlackEventMiddlewareArgs<T>>): void {
    this.events.set(type, [...(this.events.get(type) ?? []), listener as Listener<SlackEventMiddlewareArgs>]);
  }

  /**
   * The middleware to give app.use, after Bolt's own (which leaves out the bot's own messages). It
   * does not call next(): no listener is registered with Bolt itself. A failure reaches Bolt's error
   * handler as a listener's would.
   */
  readonly middleware: Middleware<AnyMiddlewareArgs> = async (args) => {
    if ('command' in args && args.command) return this.commandListener?.(args);
    if ('action' in args && args.action) {
      // Bolt's action_id constraint passes only payloads that have one (not legacy attachments).
      if ('action_id' in args.payload && args.payload.action_id !== undefined) await this.actionListener?.(args);
      return;
    }
    if ('view' in args && args.view) {
      if (args.body.type === 'view_submission') await this.viewSubmissions.get(args.body.view.callback_id)?.(args);
      return;
    }
    if ('shortcut' in args && args.shortcut) return this.shortcuts.get(args.shortcut.callback_id)?.(args);
    if ('event' in args && args.event) {
      const listeners = this.events.get(args.event.type) ?? [];
      // As Bolt does: every listener runs even when one fails, and a failure is reported afterwards.
      const failures = (await Promise.allSettled(listeners.map((listener) => listener(args)))).filter((r) => r.status === 'rejected');
      if (failures.length === 1) throw failures[0]!.reason;
      if (failures.length > 1) throw new AggregateError(failures.map((f) => f.reason as unknown), 'several Slack event listeners failed');
    }
  };
}
