// The neutral message model. A capability builds a Card once; src/slack/blocks.ts and
// src/teams/adaptive-card.ts render it. Text is a list of inline runs, never markup, so whatever a
// user typed is shown literally on both platforms (no mentions, links or formatting can be injected).

/** A person as a card shows them: a mention where the platform knows them, the name otherwise. */
export interface PersonRef {
  name: string;
  slackUserId?: string | undefined;
  teamsAadId?: string | undefined;
}

export type Inline =
  | { kind: 'text'; text: string; bold?: boolean; italic?: boolean; code?: boolean }
  | { kind: 'link'; text: string; url: string }
  | { kind: 'mention'; person: PersonRef };

export type RichText = Inline[];

/** A button click comes back as this payload: an action id and ids only, validated on return. */
export interface ActionPayload {
  action: string;
  [key: string]: string | number | boolean;
}

/** A second question before a button acts: for what cannot be taken back (an escalation). */
export interface Confirm {
  title: string;
  text: string;
  /** The label of the button that goes ahead, e.g. "Escalate". */
  confirm: string;
  /** The label of the button that changes nothing, e.g. "Cancel". */
  deny: string;
}

export interface Button {
  /** What the button does, in a few words: the long name belongs in the card. */
  label: string;
  payload: ActionPayload;
  style?: 'primary' | 'danger';
  /** Opens a URL instead of calling back. */
  url?: string;
  /** Asks before acting (Slack: a confirm dialog; Teams: a card that opens with the confirming button). */
  confirm?: Confirm;
}

export type Input =
  | { kind: 'text'; id: string; label: string; placeholder?: string; multiline?: boolean; maxLength?: number; optional?: boolean; initial?: string }
  | { kind: 'select'; id: string; label: string; options: { label: string; value: string }[]; optional?: boolean; initial?: string }
  | { kind: 'number'; id: string; label: string; min?: number; max?: number; optional?: boolean; initial?: number };

export type Block =
  | { kind: 'text'; text: RichText }
  | { kind: 'fields'; fields: { label: string; value: RichText }[] }
  | { kind: 'image'; url: string; alt: string }
  | { kind: 'context'; text: RichText }
  | { kind: 'divider' }
  | { kind: 'actions'; buttons: Button[] }
  | { kind: 'list'; items: RichText[] };

export interface Card {
  title: string;
  /** A short line under the title: status, version, who shared it. */
  subtitle?: RichText;
  blocks: Block[];
  /** Plain-text summary: Slack's notification text and Teams' fallback. */
  summary: string;
}

/** A form the user fills in: a Slack modal, or an Adaptive Card with inputs in Teams. */
export interface Form {
  title: string;
  intro?: RichText;
  inputs: Input[];
  submitLabel: string;
  /** Comes back with the submitted values. */
  payload: ActionPayload;
}

// Helpers that read like the message they build.
export const text = (value: string): Inline => ({ kind: 'text', text: value });
export const bold = (value: string): Inline => ({ kind: 'text', text: value, bold: true });
export const italic = (value: string): Inline => ({ kind: 'text', text: value, italic: true });
export const code = (value: string): Inline => ({ kind: 'text', text: value, code: true });
/**
 * Words in which what a person types stands between backticks ("… (`unwatch here` stops)"): those
 * parts as code, written by `asTyped` (the command as typed on the platform), the rest as text.
 */
export function withTyped(words: string, asTyped: (typedPart: string) => string = (part) => part): RichText {
  return words.split('`').flatMap((part, i) => (i % 2 === 1 ? [code(asTyped(part))] : part ? [text(part)] : []));
}
export const link = (label: string, url: string): Inline => ({ kind: 'link', text: label, url });
export const mention = (person: PersonRef): Inline => ({ kind: 'mention', person });

export const para = (...runs: (Inline | string)[]): Block => ({
  kind: 'text',
  text: runs.map((run) => (typeof run === 'string' ? text(run) : run)),
});

export const fields = (...entries: [string, RichText | string][]): Block => ({
  kind: 'fields',
  fields: entries.map(([label, value]) => ({ label, value: typeof value === 'string' ? [text(value)] : value })),
});

export const context = (...runs: (Inline | string)[]): Block => ({
  kind: 'context',
  text: runs.map((run) => (typeof run === 'string' ? text(run) : run)),
});

export const actions = (...buttons: Button[]): Block => ({ kind: 'actions', buttons });

/** The plain text of a rich text, for summaries and search. */
export function plainText(rich: RichText): string {
  return rich
    .map((run) => (run.kind === 'mention' ? `@${run.person.name}` : run.text))
    .join('');
}
