// `role grant|revoke|list` in chat. Admins grant and revoke; anyone may list who holds which role.
import { z } from 'zod';
import type { Capability } from '../chat/capability.js';
import { mentionedPerson } from './people.js';
import { bold, para, text, type Card } from '../chat/card.js';
import { InvalidInput } from '../chat/errors.js';
import type { Role } from '../db/foundation-tables.js';
import { changeRole, roleHolders } from './service.js';
import { roleChangeMessage, ROLE_LABELS } from '../chat/actor.js';

const roleWord = z.enum(['admin', 'steward', 'glossary_steward', 'board'], {
  error: 'a role: admin, steward (glossary steward) or board',
});

function toRole(word: z.infer<typeof roleWord>): Role {
  return word === 'steward' ? 'glossary_steward' : word;
}

const USAGE = 'Usage: `role grant @person board` (roles: admin, steward, board), `role revoke @person board`, `role list`.';

function rolesCard(rows: { role: Role; names: string[] }[]): Card {
  return {
    title: 'Roles',
    blocks: rows.map((row) => para(bold(`${ROLE_LABELS[row.role]}s: `), text(row.names.length ? row.names.join(', ') : 'nobody yet'))),
    summary: rows.map((row) => `${ROLE_LABELS[row.role]}s: ${row.names.length}`).join('; '),
  };
}

export const orgsCapability: Capability = {
  name: 'orgs',
  commands: [
    {
      word: 'role',
      summary: 'who holds which role (admins grant and revoke)',
      usage: [
        { example: 'list', description: 'admins, glossary stewards and board members' },
        { example: 'grant @person board', description: 'grant a role (admins)' },
        { example: 'revoke @person board', description: 'revoke a role (admins)' },
      ],
      async handle(ctx, args) {
        const [verb = 'list', who, role] = args.split(/\s+/).filter(Boolean);
        if (verb === 'list') return { private: rolesCard(await roleHolders(ctx.services, ctx.actor)) };
        if ((verb !== 'grant' && verb !== 'revoke') || !who || !role) throw new InvalidInput(USAGE);
        const { target, changed, role: granted } = await changeRole(ctx.services, ctx.actor, verb, async () => {
          const parsedRole = roleWord.safeParse(role.toLowerCase());
          if (!parsedRole.success) throw new InvalidInput(`“${role}” is not a role. ${USAGE}`);
          return { target: await mentionedPerson(ctx, who, USAGE), role: toRole(parsedRole.data) };
        });
        const message = roleChangeMessage(target.name, granted, verb, changed);
        return { private: { title: 'Roles', blocks: [para(message)], summary: message } };
      },
    },
  ],
  actions: [],
};
