// The messages of a ping: the direct message with Acknowledge / Snooze 1 day / Escalate, what the
// sender is told at each step, and the confirmation the sender sees right away.
import { counted } from '../chat/words.js';
import { actions, bold, code, context, fields, italic, mention, para, text, type Block, type Button, type Card, type Inline, type PersonRef, type RichText } from '../chat/card.js';
import { truncate } from '../chat/limits.js';
import { isOpen, toldByEscalation, type PingHistoryLine, type PingView } from './view.js';
import { formatHours, formatWhen } from '../journeys/settings.js';

export const PING_ACTIONS = {
  acknowledge: 'ping.acknowledge',
  snooze: 'ping.snooze',
  escalate: 'ping.escalate',
  resolve: 'ping.resolve',
  show: 'ping.show',
} as const;

function people(refs: PersonRef[]): Inline[] {
  const runs: Inline[] = [];
  refs.forEach((ref, i) => {
    if (i > 0) runs.push(text(i === refs.length - 1 ? ' and ' : ', '));
    runs.push(mention(ref));
  });
  return runs.length ? runs : [text('nobody')];
}

/** Who the ping is with, as a phrase. */
function withWhom(view: PingView): Inline[] {
  if (view.holder) return [mention(view.holder.ref), ...(view.deputy ? [text(' (deputy '), mention(view.deputy.ref), text(')')] : [])];
  return view.admins.length ? [text('the admins: '), ...people(view.admins.map((a) => a.ref))] : [text('nobody (there is no owner and no admin)')];
}

function sender(view: PingView): Inline[] {
  return view.from ? [mention(view.from)] : [text(view.ping.reason === 'kpi' ? 'Steward (KPI alert)' : 'Steward')];
}

/** One line of state under the title. */
export function stateLine(view: PingView): RichText {
  const { ping, timeZone } = view;
  switch (ping.state) {
    case 'acknowledged': {
      const ack = [...view.history].reverse().find((h) => h.kind === 'acknowledged');
      return [bold('✓ Acknowledged'), ...(ack?.actor ? [text(' by '), mention(ack.actor)] : []), ...(ack ? [text(` · ${formatWhen(ack.at, timeZone)}`)] : [])];
    }
    case 'resolved':
      return [bold('✓ Resolved')];
    case 'snoozed':
      return [bold('Snoozed'), text(` until ${formatWhen(ping.snoozed_until ?? ping.updated_at, timeZone)}; then `), ...withWhom(view), text(' get a reminder')];
    case 'sent':
      if (ping.exhausted_at) {
        return [bold('Not acknowledged'), text(' · nobody above to escalate to; listed in the weekly governance digest')];
      }
      if (!ping.escalate_at) return [bold('Waiting for acknowledgement')];
      return [
        bold('Waiting for acknowledgement'),
        text(' · '),
        ...(view.next ? [text('escalates to '), mention(view.next.ref), text(` at ${formatWhen(ping.escalate_at, timeZone)}`)] : [text(`goes to the weekly digest at ${formatWhen(ping.escalate_at, timeZone)}`)]),
      ];
  }
}

function historyLine(line: PingHistoryLine, view: PingView, i: number): RichText | undefined {
  const when = text(`${formatWhen(line.at, view.timeZone)} — `);
  const delay = formatHours(view.delayHours);
  switch (line.kind) {
    case 'sent':
      // A round an escalation sent is told by its "escalated to" line; any other (the first, or the
      // admins' when nobody above could be reached) by its own.
      return line.to && !toldByEscalation(view.history, i) ? [when, text('sent to '), mention(line.to)] : undefined;
    case 'delivered':
      return line.to ? [when, text('delivered to '), mention(line.to)] : undefined;
    case 'undelivered':
      return [when, text('could not reach '), ...(line.to ? [mention(line.to)] : [text('the recipient')]), text(`: ${truncate(line.note ?? 'unknown reason', 200)}`)];
    case 'acknowledged':
      return [when, text('acknowledged by '), ...(line.actor ? [mention(line.actor)] : [text('someone')])];
    case 'snoozed':
      return [when, text('snoozed by '), ...(line.actor ? [mention(line.actor)] : [text('someone')]), text(line.until ? ` until ${formatWhen(line.until, view.timeZone)}` : '')];
    case 'reminded':
      return [when, text('snooze over: reminded '), ...(line.to ? [mention(line.to)] : [text('the holder')])];
    case 'escalated':
      return [
        when,
        text('escalated to '),
        ...(line.to ? [mention(line.to)] : [text('the next owner')]),
        text(line.toJourneyName ? ` (owner of ${line.toJourneyName})` : ''),
        // Passed on at once when the holder could not be reached (the note says why), else for time.
        ...(line.actor ? [text(' by '), mention(line.actor)] : [text(line.note ? ` — ${truncate(line.note, 200)}` : ` — not acknowledged within ${delay}`)]),
      ];
    case 'exhausted':
      return [when, text(`not acknowledged within ${delay} and nobody above to escalate to: listed in the weekly digest`)];
    case 'resolved':
      return [when, text('resolved'), ...(line.actor ? [text(' by '), mention(line.actor)] : []), text(line.note ? `: ${truncate(line.note, 200)}` : '')];
  }
}

export function historyBlock(view: PingView, max = 10): Block | undefined {
  const lines = view.history.map((h, i) => historyLine(h, view, i)).filter((l): l is RichText => Boolean(l));
  if (lines.length === 0) return undefined;
  const shown = lines.slice(-max);
  return { kind: 'list', items: lines.length > max ? [[italic(`${lines.length - max} earlier steps not shown`)], ...shown] : shown };
}

export function pingButtons(view: PingView): Button[] {
  const pingId = view.ping.id;
  const { ping } = view;
  if (ping.state === 'acknowledged') return [{ label: 'Mark resolved', payload: { action: PING_ACTIONS.resolve, pingId } }];
  if (!isOpen(ping)) return [];
  const buttons: Button[] = [{ label: 'Acknowledge', payload: { action: PING_ACTIONS.acknowledge, pingId }, style: 'primary' }];
  if (ping.state === 'sent' && !ping.exhausted_at) buttons.push({ label: 'Snooze 1 day', payload: { action: PING_ACTIONS.snooze, pingId } });
  if (view.next) {
    buttons.push({
      label: 'Escalate',
      payload: { action: PING_ACTIONS.escalate, pingId },
      style: 'danger',
      // An escalation cannot be taken back: it reaches the next owner at once.
      confirm: {
        title: 'Escalate this ping?',
        text: truncate(`It goes to ${view.next.ref.name} (owner of ${view.next.journeyName}) now, and cannot be taken back.`, 300),
        confirm: 'Escalate',
        deny: 'Cancel',
      },
    });
  }
  return buttons;
}

/**
 * The ping as its recipients see it. `live` puts the buttons on it: only the newest message of the
 * people it is with has them; older ones (before an escalation) just show the state.
 */
export function pingCard(view: PingView, options: { live: boolean; intro?: RichText }): Card {
  const { ping, journey } = view;
  const blocks: Block[] = [];
  if (options.intro) blocks.push(para(...options.intro));
  blocks.push(para(bold('“'), text(ping.message), bold('”')));
  blocks.push(
    fields(
      ['From', sender(view)],
      ['Journey', [text(`${journey.name} (${journey.key})`)]],
      ['With', withWhom(view)],
      ['Sent', [text(formatWhen(ping.created_at, view.timeZone))]],
    ),
  );
  const history = historyBlock(view);
  if (history) blocks.push(history);
  const buttons = options.live ? pingButtons(view) : [];
  if (buttons.length) blocks.push(actions(...buttons));
  else if (isOpen(ping) && !options.live) blocks.push(context('This message is no longer the one to act on; the ping is with ', ...withWhom(view), ' now.'));
  return {
    title: truncate(`Ping: ${journey.name}`, 150),
    subtitle: stateLine(view),
    blocks,
    summary: truncate(`Ping about ${journey.name} from ${view.from?.name ?? 'Steward'}: ${ping.message}`, 300),
  };
}

/** What the person who pinged sees at once. */
export interface SendNotes {
  delivered: { person: PersonRef; platform: 'slack' | 'teams' }[];
  failed: { person: PersonRef; reason: string }[];
  /** Not known yet (looked up by e-mail, waiting for the platform). */
  pending: PersonRef[];
}

const PLATFORM_NAMES = { slack: 'Slack', teams: 'Teams' } as const;

/** What became of each message, as far as it is known a moment after sending. */
function outcomeBlocks(notes: SendNotes): Block[] {
  const blocks: Block[] = [];
  for (const platform of ['slack', 'teams'] as const) {
    const reached = notes.delivered.filter((d) => d.platform === platform).map((d) => d.person);
    if (reached.length) blocks.push(context(text('Delivered to '), ...people(reached), text(` on ${PLATFORM_NAMES[platform]}.`)));
  }
  for (const failed of notes.failed.slice(0, 3)) {
    blocks.push(context(text('Could not reach '), mention(failed.person), text(`: ${truncate(failed.reason, 200)}. It goes to the next person in line instead; you will be told who.`)));
  }
  if (notes.failed.length > 3) blocks.push(context(`${counted(notes.failed.length - 3, 'other person', 'other people')} could not be reached either.`));
  if (notes.pending.length) {
    blocks.push(context(text('On its way to '), ...people(notes.pending), text(' (people Steward has not met yet are looked up by e-mail first). If they cannot be reached, the ping goes to the next person in line and you are told.')));
  }
  return blocks;
}

export function pingSentCard(view: PingView, notes: SendNotes): Card {
  const { journey, ping } = view;
  const blocks: Block[] = [];
  const delay = formatHours(view.delayHours);
  if (view.holder) {
    // Passed on already (its owner could not be reached): with someone above, not an inherited owner.
    const passedOn = ping.level > 0;
    const inherited = !passedOn && view.holder.journeyName !== journey.name;
    blocks.push(
      para(
        text(passedOn ? 'Now with ' : 'Sent to '),
        mention(view.holder.ref),
        ...(view.deputy ? [text(' (and deputy '), mention(view.deputy.ref), text(')')] : []),
        text(passedOn ? `, owner of ${view.holder.journeyName}` : inherited ? `, who owns ${view.holder.journeyName} (${journey.name} has no owner of its own)` : ''),
        text('; '),
        ...(view.next
          ? [text('escalates to '), mention(view.next.ref), text(` if not acknowledged in ${delay}.`)]
          : [text(`nobody is above them in the journey tree, so if it is not acknowledged in ${delay} it goes to the weekly digest.`)]),
      ),
    );
  } else if (view.admins.length) {
    blocks.push(
      para(
        text(`${journey.name} has no owner, and neither has any journey above it, so your ping went to the admins: `),
        ...people(view.admins.map((a) => a.ref)),
        text('. An admin can name an owner with '),
        code(`journey owner ${journey.key} @person`),
        text('.'),
      ),
    );
  } else {
    blocks.push(para(`${journey.name} has no owner anywhere up the tree and the organisation has no admin, so nobody could be pinged. The ping is recorded and will be listed in the weekly digest.`));
  }
  blocks.push(...outcomeBlocks(notes));
  blocks.push(context(`Your message: “${truncate(ping.message, 300)}”`));
  return { title: `Pinged: ${journey.name}`, blocks, summary: `Ping about ${journey.name} sent` };
}

export type SenderNews =
  | { kind: 'acknowledged'; by: PersonRef }
  | { kind: 'snoozed'; by: PersonRef; until: Date }
  | { kind: 'escalated'; to: PersonRef; toJourney: string; by?: PersonRef | undefined; from?: PersonRef | undefined }
  | { kind: 'exhausted'; last?: PersonRef | undefined }
  | { kind: 'resolved'; by?: PersonRef | undefined; note?: string | undefined }
  /** The person it was with cannot be reached; `instead` have it now (the deputy, the next owner up, the admins). */
  | { kind: 'unreachable'; who: PersonRef; reason: string; instead: PersonRef[]; insteadAs: string };

/** A direct message to the person who pinged: what happened to their ping. */
export function senderNewsCard(view: PingView, news: SenderNews): Card {
  const { journey, timeZone } = view;
  const delay = formatHours(view.delayHours);
  let line: RichText;
  switch (news.kind) {
    case 'acknowledged':
      line = [mention(news.by), text(` acknowledged your ping about ${journey.name}.`)];
      break;
    case 'snoozed':
      line = [
        mention(news.by),
        text(` snoozed your ping about ${journey.name} until ${formatWhen(news.until, timeZone)}; if it is still not acknowledged ${delay} after that, it escalates`),
        ...(view.next ? [text(' to '), mention(view.next.ref)] : []),
        text('.'),
      ];
      break;
    case 'escalated':
      line = news.by
        ? [mention(news.by), text(` escalated your ping about ${journey.name} to `), mention(news.to), text(` (owner of ${news.toJourney}).`)]
        : [
            text(`Your ping about ${journey.name} was not acknowledged`),
            ...(news.from ? [text(' by '), mention(news.from)] : []),
            text(` within ${delay}; it is now with `),
            mention(news.to),
            text(` (owner of ${news.toJourney}).`),
          ];
      break;
    case 'exhausted':
      line = [
        text(`Your ping about ${journey.name} was not acknowledged`),
        ...(news.last ? [text(' by '), mention(news.last)] : []),
        text(` within ${delay}, and there is nobody above to escalate to. It will be listed in the weekly governance digest.`),
      ];
      break;
    case 'unreachable':
      line = [
        text(`Your ping about ${journey.name} could not reach `),
        mention(news.who),
        text(` (${truncate(news.reason, 200)}). `),
        ...(news.instead.length ? [text('It went to '), ...people(news.instead), text(` (${news.insteadAs}) instead.`)] : [text('Nobody else could be reached either; it will be listed in the weekly governance digest.')]),
      ];
      break;
    case 'resolved':
      line = [text(`Your ping about ${journey.name} was resolved`), ...(news.by ? [text(' by '), mention(news.by)] : []), text(news.note ? `: ${truncate(news.note, 300)}` : '.')];
      break;
  }
  return {
    title: `Your ping: ${journey.name}`,
    blocks: [para(...line), context(`Your message: “${truncate(view.ping.message, 300)}”`)],
    summary: truncate(line.map((r) => (r.kind === 'mention' ? `@${r.person.name}` : r.text)).join(''), 300),
  };
}
