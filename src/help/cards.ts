// Help that teaches: `help` says the four things Steward does with one example each and names the
// commands; `help <command>` gives that command's examples. In Slack an example is written as the
// person would type it (`/glossary nps`, `/cx settings`); in Teams as a message to Steward.
import { bold, code, context, para, text, withTyped, type Block, type Card, type RichText } from '../chat/card.js';
import type { Command } from '../chat/capability.js';
import type { Platform } from '../db/foundation-tables.js';

/** Commands with a slash command of their own in the Slack manifest; the others go through /cx. */
const OWN_SLASH_COMMAND = new Set(['glossary', 'journey', 'kpi', 'proposal']);

/** How a person types `word args` on the platform. */
export function typed(platform: Platform, word: string, args = ''): string {
  const rest = args ? ` ${args}` : '';
  if (platform === 'teams') return `${word}${rest}`;
  return OWN_SLASH_COMMAND.has(word) ? `/${word}${rest}` : `/cx ${word}${rest}`;
}

const FOUR_THINGS: { what: string; word: string; args: string }[] = [
  { what: 'Look up what a CX term means (typos, aliases and acronyms are fine)', word: 'glossary', args: 'nps' },
  { what: 'Find who owns a customer journey, and ping them', word: 'journey', args: 'onboarding' },
  { what: 'See how a journey’s KPIs are doing against target', word: 'kpi', args: 'onboarding' },
  { what: 'Propose an improvement for the governance board to vote on', word: 'proposal', args: 'new' },
];

const howToType = (platform: Platform): RichText =>
  platform === 'teams'
    ? [text('Write a command to Steward in your chat with it; in a channel, @mention Steward first.')]
    : [text('Type '), code('/cx <command>'), text(', or a command’s own slash command such as '), code('/glossary nps'), text('.')];

export function helpCard(commands: Command[], platform: Platform): Card {
  const known = new Set(commands.map((c) => c.word));
  const things = FOUR_THINGS.filter((t) => known.has(t.word));
  const blocks: Block[] = [
    para('Steward keeps customer-experience governance where you already talk. What it does:'),
    { kind: 'list', items: things.map((t) => [text(`${t.what}: `), code(typed(platform, t.word, t.args))]) },
    para(text('Every command has its own help with examples, e.g. '), code(typed(platform, 'help', 'glossary')), text('. The commands:')),
    { kind: 'list', items: commands.map((c) => [bold(c.word), text(` — ${c.summary}`)]) },
    context(...howToType(platform)),
  ];
  return { title: 'Steward help', blocks, summary: `Steward commands: ${commands.map((c) => c.word).join(', ')}. Type help <command> for examples.` };
}

export function commandHelpCard(command: Command, platform: Platform): Card {
  const blocks: Block[] = [
    para(text(`${command.summary[0]?.toUpperCase() ?? ''}${command.summary.slice(1)}.`)),
    { kind: 'list', items: command.usage.map((u) => [code(typed(platform, command.word, u.example)), text('  '), ...withTyped(u.description, (args) => typed(platform, command.word, args))]) },
    context(...howToType(platform)),
  ];
  return { title: `Help: ${command.word}`, blocks, summary: `${command.word}: ${command.summary}` };
}
