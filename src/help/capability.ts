// The `help` command: every command with one example each, from the commands actually registered.
import type { Card } from '../chat/card.js';
import type { Capability, Command } from '../chat/capability.js';
import { helpCard } from '../chat/cards.js';

export function helpCapability(listCommands: () => Command[]): Capability {
  // The same for everyone while the process runs (commands are registered at start): built once.
  let card: Card | undefined;
  return {
    name: 'help',
    commands: [
      {
        word: 'help',
        summary: 'what Steward can do',
        usage: [{ example: '', description: 'this list' }],
        handle: async () => ({ private: (card ??= helpCard(listCommands())) }),
      },
    ],
    actions: [],
  };
}
