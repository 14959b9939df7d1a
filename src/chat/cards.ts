// Cards the chat core itself answers with: help, errors, unknown commands.
import { bold, code, context, para, text, type Block, type Card } from './card.js';
import type { Command } from './capability.js';

export function errorCard(message: string): Card {
  return { title: 'Steward', blocks: [para(message)], summary: message };
}

export function unknownCommandCard(typed: string, closest: string | undefined): Card {
  const lines: Block[] = [para(`Steward does not know the command “${typed}”.`)];
  if (closest) lines.push(para('Did you mean ', code(closest), '?'));
  lines.push(para('Type ', code('help'), ' to see every command with an example.'));
  return {
    title: 'Unknown command',
    blocks: lines,
    summary: closest ? `Unknown command “${typed}”. Did you mean ${closest}?` : `Unknown command “${typed}”. Type help for the list.`,
  };
}

export function helpCard(commands: Command[]): Card {
  const blocks: Block[] = [
    para('Steward keeps customer-experience governance where you already talk: one glossary, accountable journey owners, KPIs, board decisions.'),
  ];
  for (const command of commands) {
    blocks.push({
      kind: 'list',
      items: [
        [bold(command.word), text(` — ${command.summary}`)],
        ...command.usage.map((usage) => [code(`${command.word}${usage.example ? ` ${usage.example}` : ''}`), text(`  ${usage.description}`)]),
      ],
    });
  }
  blocks.push(context('In Slack: /cx <command>, or the command\'s own slash command (/glossary nps). In Teams: write the command to Steward, with an @mention in a channel.'));
  return { title: 'Steward help', blocks, summary: `Steward commands: ${commands.map((c) => c.word).join(', ')}` };
}
