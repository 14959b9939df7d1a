// Renders a neutral Card as Block Kit. User text goes into rich_text runs or plain_text, which Slack
// shows literally; where mrkdwn is unavoidable (fields, context) it is escaped so nothing typed by a
// user can mention, link or format.
import type { Block as SlackBlock, KnownBlock, ModalView, RichTextElement, RichTextList, RichTextSection } from '@slack/types';
import type { Button, Card, Form, Inline, Input, RichText } from '../chat/card.js';

import { LIMITS, safeUrl, truncate } from '../chat/limits.js';

type AnyBlock = KnownBlock | SlackBlock;

/** What escapeMrkdwn changes. */
const MRKDWN_SPECIAL = /[&<>*_~`]/;

/** Escapes mrkdwn: control characters become entities, formatting marks lose their effect. */
export function escapeMrkdwn(value: string): string {
  // Most text (names, dates, labels) has none of these: one scan instead of four replacements.
  if (!MRKDWN_SPECIAL.test(value)) return value;
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([*_~`])/g, '$1\u200B');
}

function inlineToMrkdwn(run: Inline): string {
  if (run.kind === 'mention') {
    return run.person.slackUserId && /^[UW][A-Z0-9]+$/.test(run.person.slackUserId) ? `<@${run.person.slackUserId}>` : `@${escapeMrkdwn(run.person.name)}`;
  }
  if (run.kind === 'link') {
    const url = safeUrl(run.url);
    return url ? `<${url}|${escapeMrkdwn(run.text)}>` : escapeMrkdwn(run.text);
  }
  const escaped = escapeMrkdwn(run.text);
  if (!run.code && !run.bold && !run.italic) return escaped;
  if (!escaped.trim()) return escaped;
  // Slack formats `*bold*` only when no space sits just inside the marks (`*Owner: *` shows its
  // asterisks), so a run's outer spaces go outside them.
  const [, lead = '', core = '', trail = ''] = /^(\s*)([\s\S]*?)(\s*)$/.exec(escaped) ?? [];
  if (run.code) return `${lead}\`${core}\`${trail}`;
  if (run.bold) return `${lead}*${core}*${trail}`;
  if (run.italic) return `${lead}_${core}_${trail}`;
  return escaped;
}

export function richToMrkdwn(rich: RichText, max: number): string {
  return truncate(rich.map(inlineToMrkdwn).join(''), max);
}

function inlineToRichText(run: Inline): RichTextElement {
  if (run.kind === 'mention') {
    return run.person.slackUserId ? { type: 'user', user_id: run.person.slackUserId } : { type: 'text', text: `@${run.person.name}` };
  }
  if (run.kind === 'link') {
    const url = safeUrl(run.url);
    return url ? { type: 'link', url, text: run.text } : { type: 'text', text: run.text };
  }
  const style = { ...(run.bold ? { bold: true } : {}), ...(run.italic ? { italic: true } : {}), ...(run.code ? { code: true } : {}) };
  return Object.keys(style).length ? { type: 'text', text: run.text, style } : { type: 'text', text: run.text };
}

/** Keeps the total text of a run list under `max` characters. */
function boundRuns(rich: RichText, max: number): RichText {
  const out: RichText = [];
  let left = max;
  for (const run of rich) {
    if (left <= 0) break;
    if (run.kind === 'mention') {
      out.push(run);
      left -= run.person.name.length + 1;
      continue;
    }
    const cut = truncate(run.text, left);
    out.push({ ...run, text: cut });
    left -= cut.length;
  }
  return out;
}

/** Slack rejects a text element without text: empty runs are left out. */
const hasText = (run: Inline) => run.kind === 'mention' || run.text.length > 0;

function richSection(rich: RichText): RichTextSection {
  return { type: 'rich_text_section', elements: boundRuns(rich.filter(hasText), LIMITS.slackSectionText).map(inlineToRichText) };
}

function button(b: Button, index: number) {
  const url = b.url ? safeUrl(b.url) : undefined;
  return {
    type: 'button' as const,
    text: { type: 'plain_text' as const, text: truncate(b.label, LIMITS.buttonLabel), emoji: false },
    action_id: `${b.payload.action}:${index}`,
    value: truncate(JSON.stringify(b.payload), LIMITS.slackButtonValue),
    ...(b.style ? { style: b.style } : {}),
    ...(url ? { url } : {}),
    ...(b.confirm
      ? {
          confirm: {
            title: { type: 'plain_text' as const, text: truncate(b.confirm.title, 100) },
            text: { type: 'plain_text' as const, text: truncate(b.confirm.text, 300) },
            confirm: { type: 'plain_text' as const, text: truncate(b.confirm.confirm, 30) },
            deny: { type: 'plain_text' as const, text: truncate(b.confirm.deny, 30) },
            ...(b.style === 'danger' ? { style: 'danger' as const } : {}),
          },
        }
      : {}),
  };
}

export function renderBlocks(card: Card): AnyBlock[] {
  return renderBlocksWithJson(card).blocks;
}

/** The blocks and their JSON, as the size check wrote it: a command's acknowledgement sends them so, serialised once. */
export function renderBlocksWithJson(card: Card): { blocks: AnyBlock[]; json: string } {
  const blocks: AnyBlock[] = [{ type: 'header', text: { type: 'plain_text', text: truncate(card.title || 'Steward', LIMITS.slackHeader), emoji: false } }];
  if (card.subtitle?.length) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: richToMrkdwn(card.subtitle, LIMITS.slackSectionText) }] });
  }
  let buttonIndex = 0;
  // The bullet lists, so that a message too large can shorten them item by item.
  const lists = new Map<AnyBlock, RichTextList>();
  for (const block of card.blocks) {
    switch (block.kind) {
      case 'text':
        if (block.text.some(hasText)) blocks.push({ type: 'rich_text', elements: [richSection(block.text)] });
        break;
      case 'list': {
        const items = block.items.filter((item) => item.some(hasText)).slice(0, 100);
        if (items.length) {
          const list: RichTextList = { type: 'rich_text_list', style: 'bullet', elements: items.map(richSection) };
          const listBlock: AnyBlock = { type: 'rich_text', elements: [list] };
          lists.set(listBlock, list);
          blocks.push(listBlock);
        }
        break;
      }
      case 'fields':
        for (let i = 0; i < block.fields.length; i += LIMITS.slackFields) {
          blocks.push({
            type: 'section',
            fields: block.fields.slice(i, i + LIMITS.slackFields).map((f) => ({
              type: 'mrkdwn' as const,
              text: truncate(`*${escapeMrkdwn(f.label)}*\n${richToMrkdwn(f.value, LIMITS.slackField)}`, LIMITS.slackField),
            })),
          });
        }
        break;
      case 'image': {
        const url = safeUrl(block.url);
        if (url) blocks.push({ type: 'image', image_url: url, alt_text: truncate(block.alt, 2000) });
        break;
      }
      case 'context':
        if (block.text.some(hasText)) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: richToMrkdwn(block.text, LIMITS.slackSectionText) }] });
        break;
      case 'divider':
        blocks.push({ type: 'divider' });
        break;
      case 'actions':
        for (let i = 0; i < block.buttons.length; i += LIMITS.slackActionsPerBlock) {
          blocks.push({ type: 'actions', elements: block.buttons.slice(i, i + LIMITS.slackActionsPerBlock).map((b) => button(b, buttonIndex++)) });
        }
        break;
    }
  }
  return withinSize(withinCount(blocks), lists);
}

/** The line that says how many items or blocks a message leaves out. */
const moreNotShown = (hidden: number): AnyBlock => ({ type: 'context', elements: [{ type: 'plain_text', text: `… ${hidden} more not shown`, emoji: false }] });

/** At most 50 blocks: the last content blocks give way, the buttons stay. */
function withinCount(blocks: AnyBlock[]): AnyBlock[] {
  if (blocks.length > LIMITS.slackBlocks) {
    const hidden = blocks.length - (LIMITS.slackBlocks - 1);
    // Keep the buttons: they are what the reader acts on.
    const actionBlocks = blocks.filter((b) => b.type === 'actions').slice(-1);
    const kept = blocks.filter((b) => b.type !== 'actions').slice(0, LIMITS.slackBlocks - 1 - actionBlocks.length);
    return [...kept, moreNotShown(hidden), ...actionBlocks];
  }
  return blocks;
}

/**
 * Slack refuses a message whose blocks carry too much text in all (about 40,000 characters), even
 * when each block is within its own limit: the last list items and content blocks give way, with a
 * line saying how many, and the header and the buttons stay.
 */
function withinSize(blocks: AnyBlock[], lists: Map<AnyBlock, RichTextList>): { blocks: AnyBlock[]; json: string } {
  const size = (list: AnyBlock[]) => JSON.stringify(list).length;
  const json = JSON.stringify(blocks);
  if (json.length <= LIMITS.slackMessageChars) return { blocks, json };
  const actions = blocks.filter((b) => b.type === 'actions');
  const content = blocks.filter((b) => b.type !== 'actions');
  let hidden = 0;
  const fits = () => size([...content, moreNotShown(hidden), ...actions]) <= LIMITS.slackMessageChars;
  while (content.length > 1 && !fits()) {
    const last = content[content.length - 1]!;
    const list = lists.get(last);
    if (list && list.elements.length > 1) list.elements.pop();
    else content.pop();
    hidden++;
  }
  const fitting = [...content, moreNotShown(hidden), ...actions];
  return { blocks: fitting, json: JSON.stringify(fitting) };
}

/** The notification text of a message; Slack parses it as mrkdwn, so it is escaped too. */
export function fallbackText(card: Card): string {
  return truncate(escapeMrkdwn(card.summary || card.title), 3000);
}

function inputBlock(input: Input): KnownBlock {
  const label = { type: 'plain_text' as const, text: truncate(input.label, 2000), emoji: false };
  const optional = input.optional ?? false;
  switch (input.kind) {
    case 'text':
      return {
        type: 'input',
        block_id: input.id,
        label,
        optional,
        element: {
          type: 'plain_text_input',
          action_id: input.id,
          multiline: input.multiline ?? false,
          ...(input.maxLength ? { max_length: input.maxLength } : {}),
          ...(input.placeholder ? { placeholder: { type: 'plain_text', text: truncate(input.placeholder, 150) } } : {}),
          ...(input.initial ? { initial_value: input.initial } : {}),
        },
      };
    case 'select': {
      const options = input.options.slice(0, 100).map((o) => ({ text: { type: 'plain_text' as const, text: truncate(o.label, 75) }, value: o.value }));
      const initial = options.find((o) => o.value === input.initial);
      return {
        type: 'input',
        block_id: input.id,
        label,
        optional,
        element: { type: 'static_select', action_id: input.id, options, ...(initial ? { initial_option: initial } : {}) },
      };
    }
    case 'number':
      return {
        type: 'input',
        block_id: input.id,
        label,
        optional,
        element: {
          type: 'number_input',
          action_id: input.id,
          is_decimal_allowed: false,
          ...(input.min !== undefined ? { min_value: String(input.min) } : {}),
          ...(input.max !== undefined ? { max_value: String(input.max) } : {}),
          ...(input.initial !== undefined ? { initial_value: String(input.initial) } : {}),
        },
      };
  }
}

export const FORM_CALLBACK_ID = 'steward_form';

/** A form becomes a modal; its payload rides in private_metadata and comes back on submission. */
export function renderModal(form: Form, context: { channelId?: string | undefined }): ModalView {
  const blocks: KnownBlock[] = [];
  if (form.intro?.length) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: richToMrkdwn(form.intro, LIMITS.slackSectionText) } });
  blocks.push(...form.inputs.map(inputBlock));
  return {
    type: 'modal',
    callback_id: FORM_CALLBACK_ID,
    private_metadata: JSON.stringify({ payload: form.payload, channelId: context.channelId }),
    title: { type: 'plain_text', text: truncate(form.title, LIMITS.slackModalTitle) },
    submit: { type: 'plain_text', text: truncate(form.submitLabel, LIMITS.slackModalTitle) },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

