// Finds people on Slack by e-mail for src/reach/resolver.ts: users.lookupByEmail (needs the
// users:read.email scope, Tier 3) and conversations.open for the direct-message channel (im:write).
// "No such user" and a deactivated account are answers, not errors.
import { ErrorCode, type WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { SlackDirectory, SlackLookup } from '../reach/resolver.js';
import { outboundClient, translateError } from './notifier.js';

const platformError = z.object({ code: z.literal(ErrorCode.PlatformError), data: z.object({ error: z.string() }).loose() });

export class SlackWebDirectory implements SlackDirectory {
  private readonly client: WebClient;

  constructor(options: { botToken: string; apiUrl?: string | undefined }) {
    this.client = outboundClient(options);
  }

  async lookupByEmail(email: string): Promise<SlackLookup> {
    try {
      const result = await this.client.users.lookupByEmail({ email });
      const user = result.user;
      if (!user?.id) return { kind: 'not-found' };
      if (user.deleted) return { kind: 'deactivated' };
      return { kind: 'found', userId: user.id, teamId: user.team_id, name: user.real_name ?? user.profile?.real_name ?? user.name };
    } catch (error) {
      const refused = platformError.safeParse(error);
      if (refused.success && refused.data.data.error === 'users_not_found') return { kind: 'not-found' };
      if (refused.success && refused.data.data.error === 'account_inactive') return { kind: 'deactivated' };
      throw translateError(error);
    }
  }

  async openDm(userId: string): Promise<string> {
    try {
      const result = await this.client.conversations.open({ users: userId });
      if (!result.channel?.id) throw new Error('Slack opened no direct-message channel');
      return result.channel.id;
    } catch (error) {
      throw translateError(error);
    }
  }
}
