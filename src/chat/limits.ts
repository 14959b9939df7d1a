// Bounds that keep any card within what both platforms accept, however long the content.
export const LIMITS = {
  /** Slack: 50 blocks per message. We keep room for a "more not shown" line. */
  slackBlocks: 48,
  /** Slack refuses a message whose blocks are much over 40,000 characters of JSON in all. */
  slackMessageChars: 38_000,
  slackHeader: 150,
  slackSectionText: 3000,
  slackField: 2000,
  slackFields: 10,
  slackButtonText: 75,
  /** A button wider than this is cut off at Teams' card width; labels say what the button does. */
  buttonLabel: 40,
  slackButtonValue: 2000,
  slackActionsPerBlock: 25,
  slackContextElements: 10,
  slackModalTitle: 24,
  /** Teams accepts about 28 KB per message; stay clearly below it. */
  teamsCardBytes: 24_000,
  /** Teams shows this many actions of a set side by side; more go in a second set below. */
  teamsActionsPerSet: 6,
} as const;

/** Cuts text to `max` characters, ending with an ellipsis when it was cut. */
export function truncate(value: string, max: number): string {
  if (value.length <= max) return value;
  return `${value.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}

/** Only web links: no javascript:, no Slack control sequences smuggled in a URL. */
export function safeUrl(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
    const href = parsed.toString();
    return /[<>|\s]/.test(href) ? undefined : href;
  } catch {
    return undefined;
  }
}
