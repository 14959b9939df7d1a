// The journey messages: the journey card, the tree, "mine", choices when a name is ambiguous, the
// forms, and the note a new owner receives. Other capabilities add lines to the journey card (KPI
// status) through the sections journeysCapability is given, without this module importing them.
import { actions, bold, code, context, fields, italic, mention, para, text, type Block, type Button, type Card, type Form, type Inline, type PersonRef, type RichText } from '../chat/card.js';
import { renderSections, type CardSection } from '../chat/card-sections.js';
import { truncate } from '../chat/limits.js';
import { counted } from '../chat/words.js';
import type { Db } from '../db/database.js';
import type { JourneyRow } from './repo.js';
import type { JourneyTree, TreeJourney } from './tree.js';

export const JOURNEY_ACTIONS = {
  show: 'journey.show',
  pingForm: 'journey.ping-form',
  ping: 'journey.ping',
  add: 'journey.add',
  history: 'journey.history',
} as const;

// ---------------------------------------------------------------------------------------------
// Sections other capabilities add to the journey card (src/chat/card-sections.ts)

export interface JourneySectionContext {
  db: Db;
  orgId: string;
  journeyId: string;
  journeyKey: string;
}

/** Lines about one journey that another capability owns (KPI status, …), named for the note shown when it fails. */
export interface JourneyCardSection {
  name: string;
  render: CardSection<JourneySectionContext>;
}

const SECTION_TIMEOUT_MS = 1_500;

/** The sections' blocks, in order, under the journey's own fields; one that fails or is slow is left out with a note, never the card. */
export async function journeyCardSections(sections: readonly JourneyCardSection[], sectionContext: JourneySectionContext, onError?: (name: string, error: unknown) => void): Promise<Block[]> {
  return renderSections(
    sections.map((section) => section.render),
    sectionContext,
    (error, index) => {
      const name = sections[index]?.name ?? 'a section';
      onError?.(name, error);
      return [context(italic(`(${name} could not be shown just now)`))];
    },
    { timeoutMs: SECTION_TIMEOUT_MS },
  );
}

// ---------------------------------------------------------------------------------------------

const LEVEL_LABEL = { lifecycle: 'Lifecycle', journey: 'Journey', task: 'Task journey' } as const;

export function personOr(refs: Map<string, PersonRef>, id: string): PersonRef {
  return refs.get(id) ?? { name: 'someone' };
}

/** "@Dana" or "@Dana (inherited from Customer lifecycle)" or a warning. */
export function ownerRuns(tree: JourneyTree, refs: Map<string, PersonRef>, journeyId: string): RichText {
  const owner = tree.effectiveOwner(journeyId);
  if (!owner) return [bold('⚠ nobody'), text(' (no owner here or above; pings go to the admins)')];
  const runs: Inline[] = [mention(personOr(refs, owner.personId))];
  if (owner.inherited) runs.push(text(` (inherited from ${owner.definedOn.name})`));
  return runs;
}

export interface JourneyCardData {
  journey: JourneyRow;
  tree: JourneyTree;
  refs: Map<string, PersonRef>;
  channelName?: string | undefined;
  openPings: number;
  extra: Block[];
  /** What was typed, when the card shows the closest match rather than an exact one. */
  closestFor?: string | undefined;
}

export function journeyCard(data: JourneyCardData): Card {
  const { journey, tree, refs } = data;
  const parent = tree.parent(journey.id);
  const children = tree.children(journey.id);
  const blocks: Block[] = [];
  if (data.closestFor) blocks.push(context(`Closest match for “${truncate(data.closestFor, 80)}”`));
  const entries: [string, RichText][] = [
    ['Owner', ownerRuns(tree, refs, journey.id)],
    ['Deputy', journey.deputyPersonId ? [mention(personOr(refs, journey.deputyPersonId))] : [text('none')]],
    ['Parent', parent ? [text(`${parent.name} (${parent.key})`)] : [text('none: top of the tree')]],
    ['Level', [text(LEVEL_LABEL[journey.level])]],
  ];
  if (data.channelName) entries.push(['Channel', [text(data.channelName)]]);
  if (data.openPings) entries.push(['Open pings', [text(String(data.openPings))]]);
  blocks.push(fields(...entries));
  if (journey.description) blocks.push(para(journey.description));
  if (children.length) {
    blocks.push(para(bold(`Sub-journeys (${children.length})`)));
    blocks.push({ kind: 'list', items: children.slice(0, 40).map((child) => [text(`${child.name} (${child.key}) · owner `), ...ownerRuns(tree, refs, child.id)]) });
  }
  blocks.push(...data.extra);
  const buttons: Button[] = [{ label: 'Ping the owner', payload: { action: JOURNEY_ACTIONS.pingForm, journeyId: journey.id } }];
  if (parent) buttons.push({ label: `Show ${truncate(parent.name, 40)}`, payload: { action: JOURNEY_ACTIONS.show, journeyId: parent.id } });
  blocks.push(actions(...buttons));
  blocks.push(context('Ping from the command line: ', code(`journey ping ${journey.key} <message>`)));
  const owner = tree.effectiveOwner(journey.id);
  return {
    title: truncate(journey.name, 150),
    subtitle: [text(`${LEVEL_LABEL[journey.level]} · key `), code(journey.key)],
    blocks,
    summary: truncate(`${journey.name}: owner ${owner ? (refs.get(owner.personId)?.name ?? 'someone') : 'nobody'}${parent ? `, under ${parent.name}` : ''}`, 300),
  };
}

const MAX_LIST_LINES = 90;

export function journeyListCard(tree: JourneyTree, refs: Map<string, PersonRef>): Card {
  const walk = tree.walk();
  if (walk.length === 0) {
    return {
      title: 'Journeys',
      blocks: [para('There are no journeys yet. An admin can add one with '), context(code('journey add <key> "<name>" lifecycle'), text(' or import a CSV with '), code('steward import journeys FILE.csv'))],
      summary: 'No journeys yet',
    };
  }
  const ownerless = walk.filter((w) => !tree.effectiveOwner(w.journey.id));
  const items: RichText[] = walk.slice(0, MAX_LIST_LINES).map(({ journey, depth }) => {
    const indent = text(`${'\u2003'.repeat(depth)}${depth ? '└ ' : ''}`);
    const owner = tree.effectiveOwner(journey.id);
    const label: Inline = bold(journey.name);
    const key = text(` (${journey.key}) · `);
    if (!owner) return [indent, text('⚠ '), label, key, bold('no owner')];
    if (owner.inherited) return [indent, label, key, text('no owner of its own; inherits '), mention(personOr(refs, owner.personId))];
    return [indent, label, key, mention(personOr(refs, owner.personId))];
  });
  const blocks: Block[] = [{ kind: 'list', items }];
  if (walk.length > MAX_LIST_LINES) blocks.push(context(`… and ${walk.length - MAX_LIST_LINES} more; \`steward export journeys\` gives the whole tree as CSV.`));
  const ownNone = walk.filter((w) => !w.journey.ownerPersonId).length;
  blocks.push(
    context(
      `${counted(walk.length, 'journey')}; ${ownNone} without an owner of their own` + (ownerless.length ? `, of which ${ownerless.length} with nobody accountable at all (⚠).` : ', all covered by an owner above them.'),
    ),
  );
  return { title: 'Journeys', blocks, summary: `${counted(walk.length, 'journey')}, ${ownerless.length} without any owner` };
}

/** A choice of journeys; a click opens what was asked for (the journey card, or its history). */
export function candidatesCard(typed: string, candidates: TreeJourney[], action: string = JOURNEY_ACTIONS.show): Card {
  return {
    title: 'Which journey?',
    blocks: [
      para(`Several journeys match “${truncate(typed, 80)}”:`),
      actions(...candidates.slice(0, 5).map((c) => ({ label: truncate(`${c.name} (${c.key})`, 75), payload: { action, journeyId: c.id } }))),
    ],
    summary: `Several journeys match “${typed}”: ${candidates.map((c) => c.name).join(', ')}`,
  };
}

export function notFoundCard(typed: string): Card {
  return {
    title: 'No such journey',
    blocks: [para(`There is no journey “${truncate(typed, 80)}”.`), context('Type ', code('journey list'), text(' to see the tree; admins add journeys with '), code('journey add'))],
    summary: `No journey “${typed}”`,
  };
}

export function noticeCard(title: string, ...blocks: Block[]): Card {
  const first = blocks[0];
  const summary = first && (first.kind === 'text' || first.kind === 'context') ? first.text.map((r) => (r.kind === 'mention' ? `@${r.person.name}` : r.text)).join('') : title;
  return { title, blocks, summary: truncate(summary, 300) };
}

export function ownerChangedCard(data: {
  journey: JourneyRow;
  parentName: string | undefined;
  by: PersonRef;
  role: 'new' | 'previous';
  newOwner?: PersonRef | undefined;
  inheritedBy: number;
}): Card {
  const { journey } = data;
  if (data.role === 'new') {
    return {
      title: `You own ${truncate(journey.name, 120)}`,
      blocks: [
        para(mention(data.by), text(` named you the owner of ${journey.name} (${journey.key})${data.parentName ? `, under ${data.parentName}` : ''}.`)),
        para(
          text('Pings about it come to you'),
          text(data.inheritedBy ? `, as do pings about the ${data.inheritedBy} journeys under it without an owner of their own` : ''),
          text('. If you do not acknowledge one in time it escalates to the owner above you.'),
        ),
        actions({ label: 'Show the journey', payload: { action: JOURNEY_ACTIONS.show, journeyId: journey.id } }),
      ],
      summary: `${data.by.name} named you the owner of ${journey.name}`,
    };
  }
  return {
    title: `${truncate(journey.name, 120)} has a new owner`,
    blocks: [para(mention(data.by), text(` handed ${journey.name} over to `), ...(data.newOwner ? [mention(data.newOwner)] : [text('its parent’s owner (inherited)')]), text('. Pings about it no longer come to you.'))],
    summary: `${journey.name} has a new owner`,
  };
}

export function addJourneyForm(rows: JourneyRow[]): Form {
  return {
    title: 'Add a journey',
    inputs: [
      { kind: 'text', id: 'key', label: 'Key (lower-case, dashes)', placeholder: 'welcome-gift', maxLength: 64 },
      { kind: 'text', id: 'name', label: 'Name', placeholder: 'Receive welcome gift', maxLength: 120 },
      {
        kind: 'select',
        id: 'level',
        label: 'Level',
        options: [
          { label: 'Lifecycle', value: 'lifecycle' },
          { label: 'Journey', value: 'journey' },
          { label: 'Task journey', value: 'task' },
        ],
        initial: 'journey',
      },
      {
        kind: 'select',
        id: 'parent',
        label: 'Under',
        optional: true,
        options: rows
          .filter((r) => r.level !== 'task')
          .slice(0, 100)
          .map((r) => ({ label: truncate(`${r.name} (${r.key})`, 75), value: r.key })),
      },
      { kind: 'text', id: 'description', label: 'Description', multiline: true, optional: true, maxLength: 2000 },
    ],
    submitLabel: 'Add',
    payload: { action: JOURNEY_ACTIONS.add },
  };
}
