// Teams rosters: who is in the teams and group chats Steward was added to, read through the Bot
// Framework (paged members: AAD object id, e-mail or user principal name, name, member id). Read when
// Steward is added or the membership changes, and again by the delivery worker when it looks for
// someone it cannot find (src/reach/resolver.ts). A person imported by e-mail who is in a roster can
// then be sent a 1:1 message, and people are shown by the roster's name rather than an id.
import { TeamsInfo, type CloudAdapter, type TeamsChannelAccount, type TurnContext } from 'botbuilder';
import type { Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import type { Logger } from '../log.js';
import * as reachRepo from '../reach/repo.js';
import type { TeamsRosters } from '../reach/resolver.js';
import { referenceSchema } from './reference.js';

const PAGE_SIZE = 500;
/** A roster longer than this (100,000 members) is read no further. */
const MAX_PAGES = 200;

function rosterMember(account: TeamsChannelAccount): reachRepo.RosterMember | undefined {
  if (!account.aadObjectId) return undefined; // a bot, or an account with no directory entry
  return { aadObjectId: account.aadObjectId, memberId: account.id, name: account.name || null, email: account.email ?? null, userPrincipalName: account.userPrincipalName ?? null };
}

/** Every member of the turn's conversation (its team, in a channel), page by page. */
export async function readRoster(context: TurnContext): Promise<reachRepo.RosterMember[]> {
  const members: reachRepo.RosterMember[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await TeamsInfo.getPagedMembers(context, PAGE_SIZE, token);
    for (const account of result.members) {
      const member = rosterMember(account);
      if (member) members.push(member);
    }
    token = result.continuationToken || undefined;
    if (!token) break;
  }
  return members;
}

/** Records a roster and names, from it, the people Steward knew only by an id or an e-mail. */
export async function recordRoster(db: Db, tenantId: string, serviceUrl: string, members: reachRepo.RosterMember[], now: Date): Promise<void> {
  await reachRepo.recordRoster(db, tenantId, serviceUrl, members, now);
  await reachRepo.nameFromRoster(db, tenantId);
}

/** Reads the rosters of the tenant's stored team and group conversations again, from the worker. */
export class TeamsRosterReader implements TeamsRosters {
  constructor(
    private readonly options: {
      adapter: CloudAdapter;
      appId: string;
      db: Db;
      clock: Clock;
      log: Logger;
      serviceUrlAllowed(url: string): boolean;
    },
  ) {}

  async refresh(tenantId: string): Promise<number> {
    const { db, adapter, appId, clock, log } = this.options;
    let read = 0;
    for (const conversation of await reachRepo.sharedTeamsConversations(db, tenantId)) {
      const reference = referenceSchema.safeParse(conversation.reference);
      if (!reference.success || !this.options.serviceUrlAllowed(reference.data.serviceUrl)) continue;
      try {
        let members: reachRepo.RosterMember[] = [];
        await adapter.continueConversationAsync(appId, reference.data, async (context) => {
          members = await readRoster(context);
        });
        await recordRoster(db, tenantId, reference.data.serviceUrl, members, clock.now());
        read += members.length;
      } catch (error) {
        log.warn({ err: error, tenantId, conversation: conversation.external_id }, 'could not read a Teams roster');
      }
    }
    return read;
  }
}
