// Slack's Home tab is My Steward (src/home/): published when the person opens it, again after they
// click one of its buttons, and kept current while it matters: every serving process looks at the
// tabs opened in the last week, a few at a time (each taken by one process), and publishes again
// only those whose content changed. A click there has no channel and no response_url: its effect
// shows in the republished tab; a refusal comes as a direct message, a form as a modal.
import { createHash } from 'node:crypto';
import type { SlackListeners } from './listeners.js';
import type { WebClient } from '@slack/web-api';
import type { ChatRequest, Reply } from '../chat/request.js';
import { PeriodicSweep } from '../jobs/periodic.js';
import type { Logger } from '../log.js';
import { fallbackText, renderBlocks, renderBlocksWithJson, renderModal } from './blocks.js';
import { slackTextRequest } from './request.js';

/** Where the Home tabs Steward keeps current are remembered (src/home/repo.ts, wired by src/platforms.ts). */
export interface HomeViewStore {
  opened(slack: { teamId: string; userId: string }, hash: string, now: Date): Promise<void>;
  toCheck(now: Date, until: Date, limit: number): Promise<{ person_id: string; installation_external_id: string; user_external_id: string; published_hash: string | null }[]>;
  published(personId: string, hash: string): Promise<void>;
}

interface HomeTabDeps {
  log: Logger;
  answer(request: ChatRequest): Promise<Reply>;
  /** Handled before Slack is told the click arrived (the adapter's durable-before-acknowledged rule). */
  answerBeforeAck(request: ChatRequest, ack: () => Promise<void>): Promise<Reply>;
  store?: HomeViewStore | undefined;
  /** How often the tabs are looked at (default 20 s), and how many per look (default 30: Slack allows views.publish about 100 times a minute). */
  refreshEveryMs?: number;
  refreshAtMost?: number;
}

export class SlackHomeTab {
  private sweep: HomeRefresh | undefined;

  constructor(private readonly deps: HomeTabDeps) {}

  register(listeners: SlackListeners): void {
    listeners.event('app_home_opened', async ({ event, client, context }) => {
      if (event.tab !== 'home') return;
      const teamId = context.teamId ?? 'unknown';
      const hash = await this.publish(client, teamId, event.user);
      if (hash) await this.deps.store?.opened({ teamId, userId: event.user }, hash, new Date()).catch((error: unknown) => this.deps.log.warn({ err: error }, 'could not remember a Home tab to keep current'));
    });
  }

  /** Starts keeping opened tabs current, with this client. */
  start(client: WebClient): void {
    if (!this.deps.store || this.sweep) return;
    this.sweep = new HomeRefresh(this, this.deps.store, client, this.deps);
    this.sweep.start();
  }

  stop(): void {
    this.sweep?.stop();
  }

  /** Publishes the person's home unless it is what `shown` says was shown; returns what is shown now. */
  async publish(client: WebClient, teamId: string, userId: string, shown?: string | null): Promise<string | undefined> {
    const reply = await this.deps.answer(slackTextRequest({ teamId, userId, channelId: userId, text: 'home' }));
    const card = reply.private ?? reply.public;
    if (!card || reply.refusal) return undefined;
    const { blocks, json } = renderBlocksWithJson(card);
    const hash = createHash('sha256').update(json).digest('base64url');
    if (hash === shown) return hash;
    await client.views.publish({ user_id: userId, view: { type: 'home', blocks } });
    return hash;
  }

  async click(request: ChatRequest, triggerId: string, ack: () => Promise<void>, client: WebClient): Promise<void> {
    const reply = await this.deps.answerBeforeAck(request, ack);
    if (reply.form) {
      await client.views.open({ trigger_id: triggerId, view: renderModal(reply.form, { channelId: request.user.id }) }).catch((error: unknown) => this.deps.log.warn({ err: error }, 'could not open the Slack form'));
    }
    const card = reply.refusal ? reply.private : undefined;
    if (card) {
      await client.chat.postMessage({ channel: request.user.id, blocks: renderBlocks(card), text: fallbackText(card) }).catch((error: unknown) => this.deps.log.warn({ err: error }, 'could not answer a Home tab click'));
    }
    const hash = await this.publish(client, request.installationId, request.user.id).catch((error: unknown) => {
      this.deps.log.warn({ err: error }, 'could not publish the Slack Home tab');
      return undefined;
    });
    if (hash) await this.deps.store?.opened({ teamId: request.installationId, userId: request.user.id }, hash, new Date()).catch(() => {});
  }
}

class HomeRefresh extends PeriodicSweep<number> {
  private readonly everyMs: number;

  constructor(
    private readonly tab: SlackHomeTab,
    private readonly store: HomeViewStore,
    private readonly client: WebClient,
    private readonly deps: HomeTabDeps,
  ) {
    const everyMs = deps.refreshEveryMs ?? 20_000;
    super({ intervalMs: everyMs, busy: 0, onError: (error) => deps.log.warn({ err: error }, 'could not keep the Slack Home tabs current; trying again shortly') });
    this.everyMs = everyMs;
  }

  protected async pass(): Promise<number> {
    const now = new Date();
    const homes = await this.store.toCheck(now, new Date(now.getTime() + this.everyMs), this.deps.refreshAtMost ?? 30);
    let published = 0;
    for (const home of homes) {
      const hash = await this.tab.publish(this.client, home.installation_external_id, home.user_external_id, home.published_hash).catch((error: unknown) => {
        this.deps.log.warn({ err: error }, 'could not publish a Slack Home tab');
        return undefined;
      });
      if (hash && hash !== home.published_hash) {
        await this.store.published(home.person_id, hash);
        published++;
      }
    }
    return published;
  }
}
