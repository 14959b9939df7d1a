// The platforms' rules for a rendered card, as checks that list every rule a card breaks: an
// Adaptive Card against the official 1.5 JSON schema (vendored under test/schemas/adaptive-card/)
// plus what Teams itself enforces, and Block Kit against the limits and rules Slack documents for
// messages, the Home tab and modals (https://api.slack.com/reference/block-kit). Each problem names
// the place in the card and the rule, so a failing test says what to fix.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import AjvModule, { type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json' with { type: 'json' };

// ajv and ajv-formats are CommonJS with `exports.default` (see manifest/teams/build.ts).
const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;

export const ADAPTIVE_CARD_SCHEMA_PATH = fileURLToPath(new URL('../schemas/adaptive-card/v1.5/adaptive-card.json', import.meta.url));

/** Teams: a message (card included) may carry about 28 KB. */
export const TEAMS_MAX_CARD_BYTES = 28 * 1024;
/** Teams shows up to six actions side by side; more are cut off or crammed at card width. */
export const TEAMS_MAX_ACTIONS_PER_SET = 6;
/** A button title longer than this does not fit on a Teams button at card width (it is cut off). */
export const MAX_BUTTON_LABEL = 40;

interface AdaptiveCardSchema {
  ajv: InstanceType<typeof Ajv>;
  card: ValidateFunction;
  definitions: Set<string>;
}

let loaded: AdaptiveCardSchema | undefined;

function adaptiveCardSchema(): AdaptiveCardSchema {
  if (loaded) return loaded;
  const schema = JSON.parse(readFileSync(ADAPTIVE_CARD_SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
  // The schema is draft-06 and names itself with the older `id`; its own keywords (version,
  // features, examples) are documentation, hence strict: false.
  delete schema.id;
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addMetaSchema(draft06);
  addFormats(ajv);
  ajv.addSchema(schema, 'adaptive-card');
  const card = ajv.getSchema('adaptive-card');
  if (!card) throw new Error('the Adaptive Card schema did not compile');
  loaded = { ajv, card, definitions: new Set(Object.keys(schema.definitions as Record<string, unknown>)) };
  return loaded;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every object in a JSON tree with its JSON pointer. */
function* walk(value: unknown, path = ''): Generator<[string, Json]> {
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) yield* walk(item, `${path}/${i}`);
  } else if (isObject(value)) {
    yield [path || '/', value];
    for (const [key, item] of Object.entries(value)) yield* walk(item, `${path}/${key}`);
  }
}

/**
 * The schema tries every element type in turn (anyOf), so its own errors list why each type did not
 * fit. Checking each typed element against its own definition says what is wrong with it instead.
 */
function schemaErrors(card: Json): string[] {
  const { ajv, card: validateCard, definitions } = adaptiveCardSchema();
  if (validateCard(card)) return [];
  const problems: string[] = [];
  for (const [path, node] of walk(card)) {
    if (typeof node.type !== 'string') continue;
    if (!definitions.has(node.type)) {
      problems.push(`schema: ${path} has unknown type ${node.type}`);
      continue;
    }
    const validate = ajv.getSchema(`adaptive-card#/definitions/${node.type}`);
    if (!validate || validate(node)) continue;
    // Typed children are checked on their own turn.
    const children = [...walk(node)].filter(([p, n]) => p !== '/' && typeof n.type === 'string').map(([p]) => p);
    for (const e of validate.errors ?? []) {
      if (e.keyword === 'anyOf' || e.keyword === 'allOf') continue;
      if (children.some((c) => e.instancePath === c || e.instancePath.startsWith(`${c}/`))) continue;
      const extra = 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : '';
      problems.push(`schema: ${path === '/' ? '' : path}${e.instancePath || (path === '/' ? '/' : '')} ${e.message ?? 'is invalid'}${extra}`);
    }
  }
  return problems.length ? [...new Set(problems)] : ['schema: the card does not match the Adaptive Card schema'];
}

/** What an Adaptive Card breaks: the 1.5 schema, then Teams' own limits. */
export function adaptiveCardProblems(card: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(card)) return ['not an object'];
  // `msteams` is Teams' documented host extension (full width, mentions); the generic schema does
  // not know it, so it is checked here against what Teams documents and left out of the schema run.
  const { msteams, ...generic } = card;
  if (msteams !== undefined) {
    if (!isObject(msteams) || Object.keys(msteams).some((k) => !['width', 'entities'].includes(k)) || (msteams.width !== undefined && msteams.width !== 'Full')) {
      problems.push(`teams: msteams must be { width: 'Full' } (got ${JSON.stringify(msteams)})`);
    }
  }
  problems.push(...schemaErrors(generic));
  if (generic.version !== '1.5') problems.push(`teams: version must be 1.5 (got ${String(generic.version)})`);
  const bytes = Buffer.byteLength(JSON.stringify(card));
  if (bytes > TEAMS_MAX_CARD_BYTES) problems.push(`teams: card is ${bytes} bytes, over the ${TEAMS_MAX_CARD_BYTES} a message may carry`);
  const verbs = new Set<string>();
  for (const [path, node] of walk(generic)) {
    if (Array.isArray(node.actions) && node.actions.length > TEAMS_MAX_ACTIONS_PER_SET) {
      problems.push(`teams: ${path} has ${node.actions.length} actions, more than the ${TEAMS_MAX_ACTIONS_PER_SET} shown side by side`);
    }
    // A button is an action in an `actions` list; a selectAction (a link on a text run) has no title.
    if (typeof node.type === 'string' && node.type.startsWith('Action.') && /\/actions\/\d+$/.test(path)) {
      const title = typeof node.title === 'string' ? node.title : '';
      if (!title.trim()) problems.push(`teams: ${path} is a button without a title`);
      if (title.length > MAX_BUTTON_LABEL) problems.push(`teams: ${path} button title “${title}” is ${title.length} characters, over ${MAX_BUTTON_LABEL} (cut off at card width)`);
      if (node.type === 'Action.Execute') {
        if (typeof node.verb !== 'string' || !node.verb) problems.push(`teams: ${path} Action.Execute without a verb`);
        else verbs.add(node.verb);
      }
    }
    if (node.type === 'TextRun' && typeof node.text === 'string' && node.text.length === 0) problems.push(`teams: ${path} is an empty TextRun`);
    if (node.type === 'RichTextBlock' && Array.isArray(node.inlines) && node.inlines.length === 0) problems.push(`teams: ${path} is a RichTextBlock without inlines`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Block Kit

export type SlackSurface = 'message' | 'home' | 'modal';

const MAX_BLOCKS: Record<SlackSurface, number> = { message: 50, home: 100, modal: 100 };

function textOf(value: unknown): string | undefined {
  return isObject(value) && typeof value.text === 'string' ? value.text : undefined;
}

/**
 * Bold, italic and strike runs in mrkdwn open and close on the same line, with no space just inside
 * the marks (`*Owner: *` shows its asterisks). Marks escaped by the renderer are followed by a
 * zero-width space and are literal; code spans and <links> are skipped.
 */
export function mrkdwnRunProblems(mrkdwn: string): string[] {
  const problems: string[] = [];
  for (const rawLine of mrkdwn.split('\n')) {
    const line = rawLine.replace(/`[^`]*`/g, 'code').replace(/<[^>]*>/g, 'link');
    for (const mark of ['*', '_', '~']) {
      const at: number[] = [];
      for (let i = 0; i < line.length; i++) if (line[i] === mark && line[i + 1] !== '\u200B') at.push(i);
      if (at.length % 2 === 1) problems.push(`mrkdwn: unbalanced ${mark} in “${rawLine}”`);
      for (let p = 0; p + 1 < at.length; p += 2) {
        const open = at[p]!;
        const close = at[p + 1]!;
        const inner = line.slice(open + 1, close);
        if (!inner.trim()) problems.push(`mrkdwn: empty ${mark}${mark} run in “${rawLine}”`);
        else if (/^\s/.test(inner) || /\s$/.test(inner)) problems.push(`mrkdwn: space just inside ${mark}…${mark} in “${line.slice(open, close + 1)}” (Slack shows the marks)`);
      }
    }
  }
  return problems;
}

function plainTextProblems(path: string, value: unknown, max: number, problems: string[]): void {
  if (!isObject(value)) {
    problems.push(`slack: ${path} is missing`);
    return;
  }
  if (value.type !== 'plain_text') problems.push(`slack: ${path} must be plain_text`);
  const text = textOf(value) ?? '';
  if (!text.trim()) problems.push(`slack: ${path} is empty`);
  if (text.length > max) problems.push(`slack: ${path} is ${text.length} characters, over ${max}`);
}

function textObjectProblems(path: string, value: unknown, max: number, problems: string[]): void {
  if (!isObject(value)) {
    problems.push(`slack: ${path} is missing`);
    return;
  }
  const text = textOf(value) ?? '';
  if (!text.trim()) problems.push(`slack: ${path} is an empty text element`);
  if (text.length > max) problems.push(`slack: ${path} is ${text.length} characters, over ${max}`);
  if (value.type === 'mrkdwn') problems.push(...mrkdwnRunProblems(text).map((p) => `slack: ${path} ${p}`));
  else if (value.type !== 'plain_text') problems.push(`slack: ${path} has unknown text type ${String(value.type)}`);
}

function confirmProblems(path: string, confirm: unknown, problems: string[]): void {
  if (!isObject(confirm)) {
    problems.push(`slack: ${path} confirm is not an object`);
    return;
  }
  plainTextProblems(`${path}.title`, confirm.title, 100, problems);
  textObjectProblems(`${path}.text`, confirm.text, 300, problems);
  plainTextProblems(`${path}.confirm`, confirm.confirm, 30, problems);
  plainTextProblems(`${path}.deny`, confirm.deny, 30, problems);
  if (confirm.style !== undefined && confirm.style !== 'primary' && confirm.style !== 'danger') problems.push(`slack: ${path}.style must be primary or danger`);
}

function elementProblems(path: string, element: Json, actionIds: Set<string>, problems: string[]): void {
  const actionId = element.action_id;
  if (typeof actionId === 'string') {
    if (actionId.length > 255) problems.push(`slack: ${path}.action_id is ${actionId.length} characters, over 255`);
    if (actionIds.has(actionId)) problems.push(`slack: ${path}.action_id ${actionId} is not unique in its block`);
    actionIds.add(actionId);
  }
  switch (element.type) {
    case 'button': {
      plainTextProblems(`${path}.text`, element.text, 75, problems);
      const label = textOf(element.text) ?? '';
      if (label.length > MAX_BUTTON_LABEL) problems.push(`slack: ${path} button “${label}” is ${label.length} characters, over ${MAX_BUTTON_LABEL} (a button says what it does)`);
      if (typeof element.value === 'string' && element.value.length > 2000) problems.push(`slack: ${path}.value is ${element.value.length} characters, over 2000`);
      if (typeof element.url === 'string' && element.url.length > 3000) problems.push(`slack: ${path}.url is over 3000 characters`);
      if (element.style !== undefined && element.style !== 'primary' && element.style !== 'danger') problems.push(`slack: ${path}.style must be primary or danger`);
      if (element.confirm !== undefined) confirmProblems(`${path}.confirm`, element.confirm, problems);
      break;
    }
    case 'static_select': {
      const options = Array.isArray(element.options) ? element.options : [];
      if (options.length === 0 || options.length > 100) problems.push(`slack: ${path} has ${options.length} options, allowed 1 to 100`);
      const values = new Set<string>();
      options.forEach((option, i) => {
        if (!isObject(option)) return;
        plainTextProblems(`${path}.options[${i}].text`, option.text, 75, problems);
        const value = typeof option.value === 'string' ? option.value : '';
        if (!value || value.length > 150) problems.push(`slack: ${path}.options[${i}].value must be 1 to 150 characters`);
        if (values.has(value)) problems.push(`slack: ${path}.options[${i}].value ${value} is repeated`);
        values.add(value);
      });
      if (element.initial_option !== undefined && !options.some((o) => JSON.stringify(o) === JSON.stringify(element.initial_option))) {
        problems.push(`slack: ${path}.initial_option is not one of its options`);
      }
      break;
    }
    case 'plain_text_input': {
      if (element.placeholder !== undefined) plainTextProblems(`${path}.placeholder`, element.placeholder, 150, problems);
      const max = typeof element.max_length === 'number' ? element.max_length : 3000;
      if (max > 3000) problems.push(`slack: ${path}.max_length over 3000`);
      if (typeof element.initial_value === 'string' && element.initial_value.length > max) problems.push(`slack: ${path}.initial_value is longer than its max_length`);
      break;
    }
    case 'number_input':
      break;
    default:
      problems.push(`slack: ${path} has an element type Steward does not expect: ${String(element.type)}`);
  }
}

function richTextProblems(path: string, elements: unknown, problems: string[]): void {
  if (!Array.isArray(elements) || elements.length === 0) {
    problems.push(`slack: ${path} is an empty rich_text element`);
    return;
  }
  elements.forEach((element, i) => {
    const at = `${path}[${i}]`;
    if (!isObject(element)) return;
    switch (element.type) {
      case 'rich_text_section':
        if (!Array.isArray(element.elements) || element.elements.length === 0) {
          problems.push(`slack: ${at} is an empty rich_text_section`);
          break;
        }
        element.elements.forEach((run, j) => {
          if (!isObject(run)) return;
          if (run.type === 'text' || run.type === 'link') {
            if (typeof run.text !== 'string' || run.text.length === 0) {
              if (run.type === 'text') problems.push(`slack: ${at}.elements[${j}] is an empty text element`);
            }
          } else if (run.type === 'user') {
            if (typeof run.user_id !== 'string' || !run.user_id) problems.push(`slack: ${at}.elements[${j}] is a user mention without user_id`);
          } else problems.push(`slack: ${at}.elements[${j}] has unexpected type ${String(run.type)}`);
        });
        break;
      case 'rich_text_list':
        if (element.style !== 'bullet' && element.style !== 'ordered') problems.push(`slack: ${at}.style must be bullet or ordered`);
        richTextProblems(`${at}.elements`, element.elements, problems);
        break;
      default:
        problems.push(`slack: ${at} has unexpected type ${String(element.type)}`);
    }
  });
}

/** What a list of Block Kit blocks breaks on the given surface. */
export function blockKitProblems(blocks: unknown, surface: SlackSurface = 'message'): string[] {
  const problems: string[] = [];
  if (!Array.isArray(blocks)) return ['slack: blocks is not a list'];
  if (blocks.length > MAX_BLOCKS[surface]) problems.push(`slack: ${blocks.length} blocks, over the ${MAX_BLOCKS[surface]} a ${surface} may carry`);
  if (surface === 'message' && blocks.length === 0) problems.push('slack: a message needs at least one block');
  const blockIds = new Set<string>();
  blocks.forEach((block, i) => {
    const path = `blocks[${i}]`;
    if (!isObject(block)) {
      problems.push(`slack: ${path} is not an object`);
      return;
    }
    if (typeof block.block_id === 'string') {
      if (block.block_id.length > 255) problems.push(`slack: ${path}.block_id is over 255 characters`);
      if (blockIds.has(block.block_id)) problems.push(`slack: ${path}.block_id ${block.block_id} is repeated`);
      blockIds.add(block.block_id);
    }
    switch (block.type) {
      case 'header':
        plainTextProblems(`${path}.text`, block.text, 150, problems);
        break;
      case 'section': {
        if (block.text === undefined && block.fields === undefined) problems.push(`slack: ${path} has neither text nor fields`);
        if (block.text !== undefined) textObjectProblems(`${path}.text`, block.text, 3000, problems);
        if (block.fields !== undefined) {
          const fields = Array.isArray(block.fields) ? block.fields : [];
          if (fields.length === 0 || fields.length > 10) problems.push(`slack: ${path} has ${fields.length} fields, allowed 1 to 10`);
          fields.forEach((field, j) => textObjectProblems(`${path}.fields[${j}]`, field, 2000, problems));
        }
        break;
      }
      case 'context': {
        const elements = Array.isArray(block.elements) ? block.elements : [];
        if (elements.length === 0 || elements.length > 10) problems.push(`slack: ${path} has ${elements.length} elements, allowed 1 to 10`);
        elements.forEach((element, j) => textObjectProblems(`${path}.elements[${j}]`, element, 3000, problems));
        break;
      }
      case 'actions': {
        const elements = Array.isArray(block.elements) ? block.elements : [];
        if (elements.length === 0 || elements.length > 25) problems.push(`slack: ${path} has ${elements.length} elements, allowed 1 to 25`);
        const ids = new Set<string>();
        elements.forEach((element, j) => isObject(element) && elementProblems(`${path}.elements[${j}]`, element, ids, problems));
        break;
      }
      case 'image':
        if (typeof block.image_url !== 'string' || !block.image_url || block.image_url.length > 3000) problems.push(`slack: ${path}.image_url must be 1 to 3000 characters`);
        if (typeof block.alt_text !== 'string' || !block.alt_text || block.alt_text.length > 2000) problems.push(`slack: ${path}.alt_text must be 1 to 2000 characters`);
        break;
      case 'divider':
        break;
      case 'rich_text':
        richTextProblems(`${path}.elements`, block.elements, problems);
        break;
      case 'input':
        if (surface !== 'modal') problems.push(`slack: ${path} input blocks belong in modals`);
        plainTextProblems(`${path}.label`, block.label, 2000, problems);
        if (isObject(block.element)) elementProblems(`${path}.element`, block.element, new Set(), problems);
        else problems.push(`slack: ${path} has no element`);
        break;
      default:
        problems.push(`slack: ${path} has a block type Steward does not expect: ${String(block.type)}`);
    }
  });
  // Slack refuses a message whose blocks carry too much text in all.
  const size = JSON.stringify(blocks).length;
  if (surface === 'message' && size > 40_000) problems.push(`slack: blocks are ${size} characters of JSON, too large for one message`);
  return problems;
}

/** What a modal view breaks: its own fields, then its blocks. */
export function modalProblems(view: unknown): string[] {
  if (!isObject(view)) return ['slack: modal is not an object'];
  const problems: string[] = [];
  plainTextProblems('title', view.title, 24, problems);
  if (view.submit !== undefined) plainTextProblems('submit', view.submit, 24, problems);
  if (view.close !== undefined) plainTextProblems('close', view.close, 24, problems);
  if (typeof view.private_metadata === 'string' && view.private_metadata.length > 3000) problems.push('slack: private_metadata is over 3000 characters');
  if (typeof view.callback_id === 'string' && view.callback_id.length > 255) problems.push('slack: callback_id is over 255 characters');
  problems.push(...blockKitProblems(view.blocks, 'modal'));
  return problems;
}

/** The message text Slack shows in notifications: mrkdwn, so its runs must be well formed too. */
export function fallbackTextProblems(value: string): string[] {
  const problems: string[] = [];
  if (!value.trim()) problems.push('slack: the message text (notification) is empty');
  if (value.length > 4000) problems.push(`slack: the message text is ${value.length} characters, over 4000`);
  return problems;
}
