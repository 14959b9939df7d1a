// `me`: how Steward reaches you, and `me prefer slack|teams|auto` to choose where direct messages go
// when Steward knows you on both platforms.
import type { Capability } from '../chat/capability.js';
import { bold, code, context, para, text, type Card } from '../chat/card.js';
import { InvalidInput } from '../chat/errors.js';
import type { Platform } from '../db/foundation-tables.js';
import { myReach, preferPlatform, type MyReach } from './service.js';

const NAMES: Record<Platform, string> = { slack: 'Slack', teams: 'Teams' };
const USAGE = 'Usage: `me` (how Steward reaches you), `me prefer slack`, `me prefer teams` or `me prefer auto` (where you were last active).';

function meCard(name: string, reach: MyReach): Card {
  const where = reach.preferred
    ? `Direct messages go to ${NAMES[reach.preferred]}, as you chose.`
    : reach.knownOn.length > 1
      ? `Direct messages go where you were last active (now ${NAMES[reach.knownOn[0]!]}).`
      : `Direct messages go to ${reach.knownOn[0] ? NAMES[reach.knownOn[0]] : 'the platform your organisation uses'}.`;
  return {
    title: `How Steward reaches ${name}`,
    blocks: [
      para(bold('E-mail: '), text(reach.email ?? 'none recorded')),
      para(bold('Known on: '), text(reach.knownOn.length ? reach.knownOn.map((p) => NAMES[p]).join(' and ') : 'nowhere yet')),
      para(where),
      ...reach.unreachable.map((u) => context(`Not reachable on ${NAMES[u.platform]}: ${u.reason}.`)),
      context(text('Choose with '), code('me prefer slack'), text(', '), code('me prefer teams'), text(' or '), code('me prefer auto'), text('.')),
    ],
    summary: where,
  };
}

export const reachCapability: Capability = {
  name: 'reach',
  commands: [
    {
      word: 'me',
      summary: 'how Steward reaches you, and where your direct messages go',
      usage: [
        { example: '', description: 'your e-mail, the platforms Steward knows you on, where messages go' },
        { example: 'prefer teams', description: 'direct messages to Teams (or slack; auto: where you were last active)' },
      ],
      async handle(ctx, args) {
        const [verb, choice] = args.trim().toLowerCase().split(/\s+/).filter(Boolean);
        if (!verb) return { private: meCard(ctx.actor.name, await myReach(ctx.services.db, ctx.actor)) };
        if (verb !== 'prefer' || !choice || !['slack', 'teams', 'auto'].includes(choice)) throw new InvalidInput(USAGE);
        const platform = choice === 'auto' ? null : (choice as Platform);
        await preferPlatform(ctx.services.db, ctx.actor, platform);
        const said = platform ? `Your direct messages from Steward now go to ${NAMES[platform]} (when Steward knows you there).` : 'Your direct messages from Steward now go where you were last active.';
        return { private: { title: 'Where Steward reaches you', blocks: [para(said)], summary: said } };
      },
    },
  ],
  actions: [],
};
