// Delivers outbox messages to Teams as proactive messages, from stored conversation references.
import { CloudAdapter, type ConversationReference } from 'botbuilder';
import { z } from 'zod';
import type { Card } from '../chat/card.js';
import type { DeliveredRef } from '../db/foundation-tables.js';
import { PermanentDeliveryError, RateLimitedError, type Destination, type Notifier, type PostOptions } from '../delivery/notifier.js';
import { cardActivity } from './bot.js';
import { referenceSchema } from './reference.js';

export interface TeamsNotifierOptions {
  adapter: CloudAdapter;
  appId: string;
  /** A Bot Connector service URL for a tenant (from any conversation stored for it). */
  serviceUrlFor(tenantId: string): Promise<string | undefined>;
  /**
   * Whether Steward may send to this service URL now (see service-urls.ts): a reference stored
   * before the rules were this strict, or under other credentials, is not used.
   */
  serviceUrlAllowed(url: string): boolean;
  /** Keeps a 1:1 chat Steward created with a person, so the next message goes straight there. */
  rememberPersonalChat?(personId: string, tenantId: string, reference: Partial<ConversationReference>): Promise<void>;
}


const connectorError = z.object({
  statusCode: z.number(),
  response: z.object({ headers: z.object({ get: z.function() }).loose().optional() }).loose().optional(),
});

function translateError(error: unknown): Error {
  const parsed = connectorError.safeParse(error);
  if (parsed.success) {
    const { statusCode } = parsed.data;
    if (statusCode === 429) {
      const header = error && typeof error === 'object' && 'response' in error ? retryAfterOf(error.response) : undefined;
      return new RateLimitedError(Math.max(1, header ?? 1) * 1000);
    }
    if (statusCode === 403 || statusCode === 404) return new PermanentDeliveryError(`Teams refused the message (HTTP ${statusCode})`);
  }
  return error instanceof Error ? error : new Error(String(error));
}

const withHeaders = z.object({ headers: z.object({ get: z.function({ input: [z.string()], output: z.unknown() }) }) });

function retryAfterOf(response: unknown): number | undefined {
  const headers = withHeaders.safeParse(response);
  if (!headers.success) return undefined;
  const value = Number(headers.data.headers.get('retry-after'));
  return Number.isFinite(value) ? value : undefined;
}

export class TeamsNotifier implements Notifier {
  readonly platform = 'teams' as const;

  constructor(private readonly options: TeamsNotifierOptions) {}

  private async reference(destination: Destination): Promise<Partial<ConversationReference>> {
    if (destination.kind === 'conversation') {
      const reference = referenceSchema.safeParse(destination.reference);
      if (!reference.success) throw new PermanentDeliveryError('no Teams conversation reference is stored for this conversation');
      this.requireAllowed(reference.data.serviceUrl);
      return reference.data;
    }
    // No personal chat stored yet: open one, which works when Steward is installed for the person
    // (personally, or in a team they belong to).
    const serviceUrl = destination.serviceUrl ?? (await this.options.serviceUrlFor(destination.installationId));
    if (!serviceUrl) throw new PermanentDeliveryError('Steward has no Teams conversation in this tenant yet, so it cannot reach the person');
    this.requireAllowed(serviceUrl);
    let created: Partial<ConversationReference> | undefined;
    try {
      await this.options.adapter.createConversationAsync(
        this.options.appId,
        'msteams',
        serviceUrl,
        'https://api.botframework.com',
        { isGroup: false, bot: { id: this.options.appId, name: 'Steward' }, members: [{ id: destination.userId, name: '' }], tenantId: destination.installationId, channelData: { tenant: { id: destination.installationId } } },
        async (context) => {
          created = { conversation: context.activity.conversation, serviceUrl, channelId: 'msteams' };
        },
      );
    } catch (error) {
      const refused = connectorError.safeParse(error);
      if (refused.success && [400, 403, 404].includes(refused.data.statusCode)) {
        throw new PermanentDeliveryError(`Teams would not open a chat with them (HTTP ${refused.data.statusCode}): Steward is not installed for them, nor in a team they belong to`);
      }
      throw error;
    }
    if (!created) throw new Error('Teams did not return the new conversation');
    if (destination.personId) await this.options.rememberPersonalChat?.(destination.personId, destination.installationId, created);
    return created;
  }

  private requireAllowed(serviceUrl: string): void {
    if (!this.options.serviceUrlAllowed(serviceUrl)) {
      throw new PermanentDeliveryError('the stored Teams service URL is not one Steward sends to (a loopback one without credentials, else TEAMS_SERVICE_URL_HOSTS)');
    }
  }

  async post(destination: Destination, card: Card, options: PostOptions): Promise<DeliveredRef> {
    try {
      const reference = await this.reference(destination);
      if (options.thread && reference.conversation) {
        // A reply in a channel thread goes to the conversation id with the root message id.
        reference.conversation = { ...reference.conversation, id: `${options.thread.channel.split(';')[0]};messageid=${options.thread.messageId}` };
      }
      let messageId: string | undefined;
      await this.options.adapter.continueConversationAsync(this.options.appId, reference, async (context) => {
        const sent = await context.sendActivity(cardActivity(card));
        messageId = sent?.id;
      });
      if (!messageId) throw new Error('Teams accepted the message but returned no id');
      return { platform: 'teams', channel: reference.conversation?.id ?? '', messageId };
    } catch (error) {
      throw translateError(error);
    }
  }

  async update(ref: DeliveredRef, card: Card, destination: Destination): Promise<void> {
    try {
      const reference = await this.reference(destination);
      const conversation = reference.conversation ? { ...reference.conversation, id: ref.channel } : undefined;
      await this.options.adapter.continueConversationAsync(this.options.appId, { ...reference, ...(conversation ? { conversation } : {}) }, async (context) => {
        await context.updateActivity({ ...cardActivity(card), id: ref.messageId });
      });
    } catch (error) {
      throw translateError(error);
    }
  }

  /** Teams offers a bot no way to read back what it posted; an unknown outcome is posted again. */
  async findPosted(): Promise<DeliveredRef | undefined> {
    return undefined;
  }
}
