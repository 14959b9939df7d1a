// The `help` command: every command with one example each, from the commands actually registered.
import type { Capability, Command } from '../chat/capability.js';
import { helpCard } from '../chat/cards.js';

export function helpCapability(listCommands: () => Command[]): Capability {
  return {
    name: 'help',
    commands: [
      {
        word: 'help',
        summary: 'what Steward can do',
        usage: [{ example: '', description: 'this list' }],
        handle: async () => ({ private: helpCard(listCommands()) }),
      },
    ],
    actions: [],
  };
}
