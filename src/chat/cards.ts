// Cards the chat core itself answers with: errors and unknown commands (help is src/help/).
import { code, para, plainText, withTyped, type Block, type Card } from './card.js';

/**
 * A refusal or problem in words; what the person would type (between backticks) shown as a command,
 * and in the notification text (summary) without the backticks.
 */
export function errorCard(message: string): Card {
  const words = withTyped(message);
  return { title: 'Steward', blocks: [para(...words)], summary: plainText(words) };
}

export function unknownCommandCard(typed: string, closest: string | undefined): Card {
  const lines: Block[] = [para(`Steward does not know the command “${typed}”.`)];
  if (closest) lines.push(para('Did you mean ', code(closest), '?'));
  lines.push(para('Type ', code('help'), ' for what Steward does, or ', code('help <command>'), ' for a command with examples.'));
  return {
    title: 'Unknown command',
    blocks: lines,
    summary: closest ? `Unknown command “${typed}”. Did you mean ${closest}?` : `Unknown command “${typed}”. Type help for the list.`,
  };
}
