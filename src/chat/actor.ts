// Who is acting: a person of one organisation with their roles, on one platform, and the checks every
// service makes on them. The chat layer defines it; src/orgs/ resolves it from a request.
import type { Platform, Role } from '../db/foundation-tables.js';
import type { ChatRequest } from './request.js';
import { PermissionDenied } from './errors.js';

export const ROLES: readonly Role[] = ['admin', 'glossary_steward', 'board'];

export const ROLE_LABELS: Record<Role, string> = {
  admin: 'admin',
  glossary_steward: 'glossary steward',
  board: 'board member',
};

/** What a grant or revoke did, in words, for chat and the CLI alike. */
export function roleChangeMessage(who: string, role: Role, action: 'grant' | 'revoke', changed: boolean): string {
  const label = ROLE_LABELS[role];
  const a = /^[aeiou]/i.test(label) ? 'an' : 'a';
  if (action === 'grant') return changed ? `${who} is now ${a} ${label}.` : `${who} already was ${a} ${label}.`;
  return changed ? `${who} is no longer ${a} ${label}.` : `${who} was not ${a} ${label}.`;
}

export interface Actor {
  personId: string;
  orgId: string;
  name: string;
  email: string | null;
  roles: ReadonlySet<Role>;
  platform: Platform;
  platformUserId: string;
}

export function hasRole(actor: Actor, role: Role): boolean {
  return actor.roles.has(role);
}

export function requireRole(actor: Actor, role: Role, doing: string): void {
  if (!actor.roles.has(role)) {
    throw new PermissionDenied(`Only ${ROLE_LABELS[role]}s can ${doing}. Nothing was changed.`);
  }
}

/** Looks up a platform user's e-mail (Slack users.info, Teams roster); undefined when unknown. */
export type EmailLookup = (request: ChatRequest) => Promise<string | undefined>;

