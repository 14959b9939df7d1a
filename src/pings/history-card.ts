// The journey's history: what changed (who, when) and every ping about it with its steps, newest
// first. Each ping is one line, its steps oldest first, so the card stays one message however long
// a ping's story is: the latest 20 changes and 20 pings (fewer if they would not fit in one
// message), with a line saying how many more there are.
import { actions, bold, code, context, mention, para, text, type Block, type Card, type Inline, type PersonRef, type RichText } from '../chat/card.js';
import { LIMITS, truncate } from '../chat/limits.js';
import { JOURNEY_ACTIONS } from '../journeys/cards.js';
import type { JourneyChangeLine, JourneyChangeWhat, JourneyHistoryView, PingSummary } from './history-view.js';
import { toldByEscalation, type PingHistoryLine } from './view.js';
import { formatWhen } from '../journeys/settings.js';

/** A ping's message is the sender's own words; the line shows their start. */
const MESSAGE_SHOWN = 100;
/** Steps of one ping shown in its line: the first (who it went to) and the latest ones. */
const STEPS_SHOWN = 6;
/** A journey named in a step (where an escalation went) is context, not the subject. */
const JOURNEY_NAME_SHOWN = 40;
/**
 * What the two lists may cost together, leaving room for the rest of the card (title, buttons).
 * Twenty pings that each went up several levels would not fit in one message, so lines stop at
 * the budget and the "not shown" line counts the rest, rather than the renderer cutting off the
 * card's end (and with it that line).
 */
const LISTS_BUDGET = LIMITS.teamsCardBytes - 2_500;

const isPlain = (run: Inline | undefined): run is Extract<Inline, { kind: 'text' }> => run?.kind === 'text' && !run.bold && !run.italic && !run.code;

/** Adjacent plain runs as one: each run costs its own element in Block Kit and in an Adaptive Card. */
function merged(runs: RichText): RichText {
  const out: RichText = [];
  for (const run of runs) {
    const last = out.at(-1);
    if (isPlain(last) && isPlain(run)) out[out.length - 1] = text(last.text + run.text);
    else if (run.kind !== 'text' || run.text) out.push(run);
  }
  return out;
}

/** What a line costs in the larger rendering, an Adaptive Card: a block per line, an element per run. */
function cost(line: RichText): number {
  const runCost = (run: Inline) => (run.kind === 'mention' ? 50 + Buffer.byteLength(run.person.name) : 30 + Buffer.byteLength(run.text) + (isPlain(run) ? 0 : 20));
  return 90 + line.reduce((sum, run) => sum + runCost(run), 0);
}

/** The lines, newest first, as many as the budget left allows. */
function within(lines: RichText[], budget: { left: number }): RichText[] {
  const shown: RichText[] = [];
  for (const line of lines) {
    const lineCost = cost(line);
    if (lineCost > budget.left) break;
    budget.left -= lineCost;
    shown.push(line);
  }
  return shown;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function who(by: PersonRef | string | null): Inline {
  if (by === null) return text('Steward');
  return typeof by === 'string' ? text(by) : mention(by);
}

function changeRuns(what: JourneyChangeWhat): RichText {
  switch (what.kind) {
    case 'created':
      return [text(what.parentName ? `created under ${truncate(what.parentName, JOURNEY_NAME_SHOWN)}` : 'created at the top of the tree')];
    case 'imported':
      return [text(what.created ? 'created by an import' : 'changed by an import')];
    case 'moved': {
      const name = (value: string) => truncate(value, JOURNEY_NAME_SHOWN);
      return [text(`${what.toName ? `moved under ${name(what.toName)}` : 'moved to the top of the tree'}${what.fromName ? ` (was under ${name(what.fromName)})` : ' (was at the top)'}`)];
    }
    case 'owner':
    case 'deputy': {
      const role = what.kind;
      if (what.from && what.to) return [text(`${role} changed from `), mention(what.from), text(' to '), mention(what.to)];
      if (what.to) return [text(`${role} set to `), mention(what.to)];
      if (what.from) return [text(`${role} `), mention(what.from), text(role === 'owner' ? ' removed; it inherits the owner above' : ' removed')];
      return [text(`${role} cleared`)];
    }
    case 'channel':
      return [text(what.channelName ? `channel linked: ${what.channelName}` : 'channel linked')];
    case 'other':
      return [text(what.eventKind === 'updated' ? 'details changed' : what.eventKind)];
  }
}

function changeLine(change: JourneyChangeLine, timeZone: string): RichText {
  return merged([text(`${formatWhen(change.at, timeZone)} — `), ...changeRuns(change.what), text(' · by '), who(change.by)]);
}

/** "@A", "@A and @B", "@A, @B and @C"; a round to many admins names the first few. */
function people(refs: PersonRef[], max = 3): Inline[] {
  const named = refs.length > max + 1 ? refs.slice(0, max) : refs;
  const runs = named.flatMap((ref, i) => [...(i === 0 ? [] : [text(i === named.length - 1 && named.length === refs.length ? ' and ' : ', ')]), mention(ref)]);
  return named.length < refs.length ? [...runs, text(` and ${refs.length - named.length} others`)] : runs;
}

/**
 * A ping's events as steps: the messages of one round (to the owner and the deputy) are one step,
 * deliveries in a row are one "delivered", and the new round an escalation sends is told by it (its
 * messages are recorded right after it). A round sent otherwise above the first level, to the admins
 * when nobody above could be reached, is a step of its own.
 */
function steps(history: PingHistoryLine[]): PingHistoryLine[][] {
  const out: PingHistoryLine[][] = [];
  for (const [i, line] of history.entries()) {
    if (line.kind === 'sent' && toldByEscalation(history, i)) continue;
    const last = out.at(-1);
    const first = last?.[0];
    const together = first?.kind === line.kind && (line.kind === 'delivered' || line.kind === 'undelivered' || first.at.getTime() === line.at.getTime());
    if (last && together) last.push(line);
    else out.push([line]);
  }
  return out;
}

function stepRuns(step: PingHistoryLine[], timeZone: string): RichText {
  const [line] = step;
  if (!line) return [];
  const when = text(` ${formatWhen(line.at, timeZone)}`);
  const to = people(step.map((s) => s.to).filter((ref): ref is PersonRef => Boolean(ref)));
  const by = line.actor ? [text(' by '), mention(line.actor)] : [];
  switch (line.kind) {
    case 'sent':
      return [text('sent to '), ...to, when];
    case 'delivered':
      return [text('delivered')];
    case 'undelivered':
      return [text('could not reach '), ...(to.length ? to : [text('the recipient')])];
    case 'acknowledged':
      return [text('acknowledged'), ...by, when];
    case 'snoozed':
      return [text('snoozed'), ...by, when];
    case 'reminded':
      return [text('snooze over, reminded '), ...to, when];
    case 'escalated':
      return [text('escalated to '), ...(to.length ? to : [text('the next owner')]), text(line.toJourneyName ? ` (owner of ${truncate(line.toJourneyName, JOURNEY_NAME_SHOWN)})` : ''), ...by, when];
    case 'exhausted':
      return [text('nobody left above, listed in the digest'), when];
    case 'resolved':
      return [text('resolved'), ...by, when, text(line.note ? `: ${truncate(line.note, 80)}` : '')];
  }
}

function stateRuns(ping: PingSummary, timeZone: string): RichText {
  switch (ping.state) {
    case 'acknowledged':
      return [bold('Acknowledged')];
    case 'resolved':
      return [bold('Resolved')];
    case 'snoozed':
      return [bold(ping.snoozedUntil ? `Snoozed until ${formatWhen(ping.snoozedUntil, timeZone)}` : 'Snoozed')];
    case 'sent':
      if (ping.exhaustedAt) return [bold('Not acknowledged'), text(' · in the weekly digest')];
      return [bold('Waiting for acknowledgement'), text(' · with '), ...(ping.holder ? [mention(ping.holder)] : [text('the admins')])];
  }
}

function pingLine(ping: PingSummary, timeZone: string): RichText {
  const all = steps(ping.steps);
  const shown = all.length > STEPS_SHOWN ? [all[0]!, ...all.slice(-(STEPS_SHOWN - 1))] : all;
  const runs: Inline[] = [
    ...stateRuns(ping, timeZone),
    text(ping.message === null ? ' · message seen only by the people it was sent to · from ' : ` · “${truncate(ping.message, MESSAGE_SHOWN)}” · from `),
    ping.from ? mention(ping.from) : text(ping.reason === 'kpi' ? 'Steward (KPI alert)' : 'Steward'),
  ];
  if (all.length === 0) runs.push(text(` · ${formatWhen(ping.createdAt, timeZone)} · nobody to send it to`));
  shown.forEach((step, i) => {
    runs.push(text(' · '), ...stepRuns(step, timeZone));
    if (i === 0 && shown.length < all.length) runs.push(text(` · … ${plural(all.length - shown.length, 'more step')}`));
  });
  return merged(runs);
}

export function journeyHistoryCard(view: JourneyHistoryView, options: { closestFor?: string | undefined } = {}): Card {
  const { journey, timeZone } = view;
  const blocks: Block[] = [];
  if (options.closestFor) blocks.push(context(`Closest match for “${truncate(options.closestFor, 80)}”`));
  if (view.changesTotal === 0 && view.pingsTotal === 0) {
    blocks.push(para(`Nothing yet: no change to ${journey.name} is recorded and nobody has pinged its owner.`));
  } else {
    const budget = { left: LISTS_BUDGET };
    const changes = within(view.changes.map((c) => changeLine(c, timeZone)), budget);
    const pings = within(view.pings.map((p) => pingLine(p, timeZone)), budget);
    blocks.push(para(bold('Changes')));
    if (changes.length) blocks.push({ kind: 'list', items: changes });
    else if (view.changesTotal === 0) blocks.push(context('No changes recorded yet.'));
    if (view.changesTotal > changes.length) blocks.push(context(`${plural(view.changesTotal - changes.length, 'older change')} not shown.`));
    blocks.push(para(bold('Pings')));
    if (pings.length) blocks.push({ kind: 'list', items: pings });
    else if (view.pingsTotal === 0) blocks.push(context('No pings yet.'));
    if (view.pingsTotal > pings.length) blocks.push(context(`${plural(view.pingsTotal - pings.length, 'older ping')} not shown.`));
  }
  blocks.push(actions({ label: `Show ${truncate(journey.name, 40)}`, payload: { action: JOURNEY_ACTIONS.show, journeyId: journey.id } }));
  blocks.push(context('Ping its owner with ', code(`journey ping ${journey.key} <message>`)));
  return {
    title: truncate(`History of ${journey.name}`, 150),
    subtitle: [text('key '), code(journey.key), text(` · ${plural(view.changesTotal, 'change')} · ${plural(view.pingsTotal, 'ping')} · newest first`)],
    blocks,
    summary: truncate(`History of ${journey.name}: ${plural(view.changesTotal, 'change')}, ${plural(view.pingsTotal, 'ping')}`, 300),
  };
}
