// Slack's Home tab is My Steward (src/home/): published when the person opens it and again after
// they click one of its buttons. A click there has no channel and no response_url: its effect shows
// in the republished home; a refusal or another answer comes as a direct message, a form as a modal.
import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { ChatRequest, Reply } from '../chat/request.js';
import type { Logger } from '../log.js';
import { fallbackText, renderBlocks, renderModal } from './blocks.js';
import { slackTextRequest } from './request.js';

interface HomeTabDeps {
  log: Logger;
  answer(request: ChatRequest): Promise<Reply>;
  /** Handled before Slack is told the click arrived (the adapter's durable-before-acknowledged rule). */
  answerBeforeAck(request: ChatRequest, ack: () => Promise<void>): Promise<Reply>;
}

export class SlackHomeTab {
  constructor(private readonly deps: HomeTabDeps) {}

  register(app: App): void {
    app.event('app_home_opened', async ({ event, client, context }) => {
      if (event.tab !== 'home') return;
      await this.publish(client, context.teamId ?? 'unknown', event.user);
    });
  }

  async publish(client: WebClient, teamId: string, userId: string): Promise<void> {
    const reply = await this.deps.answer(slackTextRequest({ teamId, userId, channelId: userId, text: 'home' }));
    const card = reply.private ?? reply.public;
    if (!card) return;
    await client.views.publish({ user_id: userId, view: { type: 'home', blocks: renderBlocks(card) } }).catch((error: unknown) => this.deps.log.warn({ err: error }, 'could not publish the Slack Home tab'));
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
    await this.publish(client, request.installationId, request.user.id);
  }
}
