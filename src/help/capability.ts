// The `help` command: the short overview, or one command's examples (`help glossary`), built from the
// commands actually registered, written the way the person types them on their platform.
import type { Card } from '../chat/card.js';
import type { Capability, Command } from '../chat/capability.js';
import { unknownCommandCard } from '../chat/cards.js';
import { closestWord } from '../chat/router.js';
import { splitFirstWord } from '../chat/words.js';
import type { Platform } from '../db/foundation-tables.js';
import { commandHelpCard, helpCard } from './cards.js';

export function helpCapability(listCommands: () => Command[]): Capability {
  // The same for everyone on a platform while the process runs (commands are registered at start).
  const built = new Map<string, Card>();
  const once = (key: string, build: () => Card) => built.get(key) ?? built.set(key, build()).get(key)!;
  const answer = (platform: Platform, args: string): Card => {
    const { verb } = splitFirstWord(args.trim());
    if (!verb) return once(platform, () => helpCard(listCommands(), platform));
    const commands = listCommands();
    const command = commands.find((c) => c.word === verb);
    if (!command) return unknownCommandCard(verb, closestWord(verb, commands.map((c) => c.word)));
    return once(`${platform}:${verb}`, () => commandHelpCard(command, platform));
  };
  return {
    name: 'help',
    commands: [
      {
        word: 'help',
        summary: 'what Steward does, and each command’s examples',
        usage: [
          { example: '', description: 'what Steward does, in four lines' },
          { example: 'glossary', description: 'a command with its examples' },
        ],
        handle: async (ctx, args) => ({ private: answer(ctx.request.platform, args) }),
      },
    ],
    actions: [],
  };
}
