// Renders a neutral Card as an Adaptive Card 1.5. User text goes into TextRuns, which Teams shows
// literally (no markdown, no mentions); template-looking `${…}` is broken up so no templating engine
// could ever evaluate it.
import type { Button, Card, Form, Inline, Input, RichText } from '../chat/card.js';
import { LIMITS, safeUrl, truncate } from '../chat/limits.js';

export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: string;
  version: '1.5';
  body: Record<string, unknown>[];
  actions?: Record<string, unknown>[];
  msteams?: Record<string, unknown>;
}

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

/** Neutralises Adaptive Card template expressions in literal text. */
export function literal(value: string): string {
  return value.replace(/\$\{/g, '$\u200B{');
}

function textRun(run: Inline, max: number): Record<string, unknown> {
  if (run.kind === 'mention') return { type: 'TextRun', text: literal(truncate(`@${run.person.name}`, max)), weight: 'Bolder' };
  if (run.kind === 'link') {
    const url = safeUrl(run.url);
    return {
      type: 'TextRun',
      text: literal(truncate(run.text, max)),
      ...(url ? { selectAction: { type: 'Action.OpenUrl', url }, color: 'Accent' } : {}),
    };
  }
  return {
    type: 'TextRun',
    text: literal(truncate(run.text, max)),
    ...(run.bold ? { weight: 'Bolder' } : {}),
    ...(run.italic ? { italic: true } : {}),
    ...(run.code ? { fontType: 'Monospace' } : {}),
  };
}

/** An empty run draws nothing and some clients refuse it: left out. */
const hasText = (run: Inline) => run.kind === 'mention' || run.text.length > 0;

function richTextBlock(rich: RichText, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'RichTextBlock', inlines: rich.filter(hasText).map((run) => textRun(run, 3000)), ...extra };
}

const buttonTitle = (label: string) => literal(truncate(label, LIMITS.buttonLabel));

function execute(button: Button, label: string): Record<string, unknown> {
  const style = button.style === 'danger' ? 'destructive' : button.style === 'primary' ? 'positive' : undefined;
  // Universal Actions refresh the card in place; older clients fall back to a plain submit.
  return {
    type: 'Action.Execute',
    title: buttonTitle(label),
    verb: button.payload.action,
    data: button.payload,
    ...(style ? { style } : {}),
    fallback: { type: 'Action.Submit', title: buttonTitle(label), data: button.payload },
  };
}

function action(button: Button): Record<string, unknown> {
  const url = button.url ? safeUrl(button.url) : undefined;
  if (url) return { type: 'Action.OpenUrl', title: buttonTitle(button.label), url };
  if (!button.confirm) return execute(button, button.label);
  // Action.Execute has no confirm dialog: the button opens a small card under it that asks, and
  // only its button acts (a second click closes it again, changing nothing).
  const { confirm } = button;
  return {
    type: 'Action.ShowCard',
    title: buttonTitle(button.label),
    ...(button.style === 'danger' ? { style: 'destructive' } : {}),
    card: {
      type: 'AdaptiveCard',
      body: [
        { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: literal(truncate(confirm.title, 200)), weight: 'Bolder' }] },
        { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: literal(truncate(confirm.text, 1000)) }], spacing: 'Small' },
      ],
      actions: [execute(button, confirm.confirm)],
    },
  };
}

/** Buttons in sets Teams shows side by side; a set wider than the card would cut the last ones off. */
function actionSets(buttons: Button[]): Record<string, unknown>[] {
  const sets: Record<string, unknown>[] = [];
  const shown = buttons.slice(0, 20);
  for (let i = 0; i < shown.length; i += LIMITS.teamsActionsPerSet) {
    sets.push({ type: 'ActionSet', actions: shown.slice(i, i + LIMITS.teamsActionsPerSet).map(action), ...(i ? { spacing: 'Small' } : {}) });
  }
  return sets;
}

function cardBody(card: Card): Record<string, unknown>[] {
  const body: Record<string, unknown>[] = [
    { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: literal(truncate(card.title || 'Steward', 200)), size: 'Large', weight: 'Bolder' }] },
  ];
  if (card.subtitle?.length) body.push(richTextBlock(card.subtitle, { spacing: 'None' }));
  for (const block of card.blocks) {
    switch (block.kind) {
      case 'text':
        if (block.text.some(hasText)) body.push(richTextBlock(block.text));
        break;
      case 'list':
        for (const item of block.items.filter((i) => i.some(hasText)).slice(0, 100)) body.push(richTextBlock([{ kind: 'text', text: '• ' }, ...item], { spacing: 'Small' }));
        break;
      case 'fields':
        body.push({
          type: 'Container',
          items: block.fields.map((f) => richTextBlock([{ kind: 'text', text: `${f.label}: `, bold: true }, ...f.value], { spacing: 'Small' })),
        });
        break;
      case 'image': {
        const url = safeUrl(block.url);
        if (url) body.push({ type: 'Image', url, altText: literal(truncate(block.alt, 500)) });
        break;
      }
      case 'context':
        if (block.text.some(hasText)) body.push({ type: 'RichTextBlock', inlines: block.text.filter(hasText).map((run) => ({ ...textRun(run, 3000), isSubtle: true, size: 'Small' })) });
        break;
      case 'divider':
        body.push({ type: 'Container', separator: true, spacing: 'Medium', items: [] });
        break;
      case 'actions':
        body.push(...actionSets(block.buttons));
        break;
    }
  }
  return body;
}

function envelope(body: Record<string, unknown>[]): AdaptiveCard {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body,
    msteams: { width: 'Full' },
  };
}

/** Keeps the card under Teams' message size: trailing content blocks go first, buttons stay. */
function bounded(body: Record<string, unknown>[]): AdaptiveCard {
  let card = envelope(body);
  if (Buffer.byteLength(JSON.stringify(card)) <= LIMITS.teamsCardBytes) return card;
  const actionSets = body.filter((b) => b.type === 'ActionSet');
  const content = body.filter((b) => b.type !== 'ActionSet');
  let hidden = 0;
  while (content.length > 1) {
    content.pop();
    hidden++;
    const note = { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: `… ${hidden} more not shown`, isSubtle: true }] };
    card = envelope([...content, note, ...actionSets]);
    if (Buffer.byteLength(JSON.stringify(card)) <= LIMITS.teamsCardBytes) return card;
  }
  return card;
}

export function renderAdaptiveCard(card: Card): AdaptiveCard {
  return bounded(cardBody(card));
}

function inputElement(input: Input): Record<string, unknown> {
  const common = { id: input.id, label: literal(input.label), isRequired: !(input.optional ?? false), errorMessage: `${input.label} is required` };
  switch (input.kind) {
    case 'text':
      return {
        type: 'Input.Text',
        ...common,
        isMultiline: input.multiline ?? false,
        ...(input.maxLength ? { maxLength: input.maxLength } : {}),
        ...(input.placeholder ? { placeholder: literal(input.placeholder) } : {}),
        ...(input.initial ? { value: input.initial } : {}),
      };
    case 'select':
      return {
        type: 'Input.ChoiceSet',
        ...common,
        style: 'compact',
        choices: input.options.slice(0, 100).map((o) => ({ title: literal(o.label), value: o.value })),
        ...(input.initial ? { value: input.initial } : {}),
      };
    case 'number':
      return {
        type: 'Input.Number',
        ...common,
        ...(input.min !== undefined ? { min: input.min } : {}),
        ...(input.max !== undefined ? { max: input.max } : {}),
        ...(input.initial !== undefined ? { value: input.initial } : {}),
      };
  }
}

/** A form is a card with inputs; its submit button carries the form's payload. */
export function renderFormCard(form: Form): AdaptiveCard {
  const body: Record<string, unknown>[] = [
    { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: literal(form.title), size: 'Large', weight: 'Bolder' }] },
  ];
  if (form.intro?.length) body.push(richTextBlock(form.intro));
  body.push(...form.inputs.map(inputElement));
  body.push({ type: 'ActionSet', actions: [action({ label: form.submitLabel, payload: form.payload, style: 'primary' })] });
  return bounded(body);
}
