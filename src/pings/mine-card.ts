// What the pings capability adds to the journey commands: `journey mine` (journeys I own and the
// pings waiting for me) and the form that pings a journey's owner.
import { actions, bold, context, mention, para, text, type Block, type Card, type Form, type Inline, type PersonRef, type RichText } from '../chat/card.js';
import { truncate } from '../chat/limits.js';
import { counted } from '../chat/words.js';
import { JOURNEY_ACTIONS, personOr } from '../journeys/cards.js';
import type { JourneyRow } from '../journeys/repo.js';
import { formatWhen } from '../journeys/settings.js';
import type { TreeJourney } from '../journeys/tree.js';
import { PING_ACTIONS } from './cards.js';
import type { OpenPing } from './repo.js';

export function mineCard(data: {
  owned: { journey: TreeJourney; role: 'owner' | 'deputy' }[];
  inherited: TreeJourney[];
  withMe: OpenPing[];
  sentByMe: OpenPing[];
  refs: Map<string, PersonRef>;
  timeZone: string;
}): Card {
  const blocks: Block[] = [];
  blocks.push(para(bold('Journeys you own')));
  if (data.owned.length) {
    blocks.push({ kind: 'list', items: data.owned.map(({ journey, role }) => [text(`${journey.name} (${journey.key})${role === 'deputy' ? ' · as deputy' : ''}`)]) });
  } else {
    blocks.push(context('None.'));
  }
  if (data.inherited.length) {
    blocks.push(context(`You are also accountable for ${counted(data.inherited.length, 'journey')} under them that ${data.inherited.length === 1 ? 'has' : 'have'} no owner of their own: ${truncate(data.inherited.map((j) => j.name).join(', '), 500)}.`));
  }
  blocks.push(para(bold('Pings waiting for you')));
  if (data.withMe.length) {
    blocks.push({ kind: 'list', items: data.withMe.slice(0, 20).map((p) => pingLine(p, data.refs, data.timeZone)) });
    blocks.push(actions(...data.withMe.slice(0, 5).map((p) => ({ label: truncate(`Open: ${p.journeyName}`, 75), payload: { action: PING_ACTIONS.show, pingId: p.pingId } }))));
  } else {
    blocks.push(context('None.'));
  }
  if (data.sentByMe.length) {
    blocks.push(para(bold('Your pings still open')));
    blocks.push({ kind: 'list', items: data.sentByMe.slice(0, 20).map((p) => pingLine(p, data.refs, data.timeZone, true)) });
  }
  return {
    title: 'Mine',
    blocks,
    summary: `You own ${counted(data.owned.length, 'journey')}; ${counted(data.withMe.length, 'ping')} ${data.withMe.length === 1 ? 'waits' : 'wait'} for you`,
  };
}

function pingLine(p: OpenPing, refs: Map<string, PersonRef>, timeZone: string, sent = false): RichText {
  const runs: Inline[] = [bold(p.journeyName), text(` · “${truncate(p.message, 120)}”`)];
  if (sent) {
    runs.push(text(' · with '), p.holderPersonId ? mention(personOr(refs, p.holderPersonId)) : text('the admins'));
  } else if (p.fromPersonId) {
    runs.push(text(' · from '), mention(personOr(refs, p.fromPersonId)));
  }
  if (p.state === 'snoozed' && p.snoozedUntil) runs.push(text(` · snoozed until ${formatWhen(p.snoozedUntil, timeZone)}`));
  else if (p.exhaustedAt) runs.push(text(' · overdue, in the digest'));
  else if (p.escalateAt) runs.push(text(` · escalates ${formatWhen(p.escalateAt, timeZone)}`));
  return runs;
}

export function pingForm(journey: JourneyRow): Form {
  return {
    title: 'Ping the owner',
    intro: [text(`What should the owner of ${journey.name} know? They get a direct message with Acknowledge, Snooze and Escalate.`)],
    inputs: [{ kind: 'text', id: 'message', label: 'Message', multiline: true, maxLength: 2000, placeholder: 'Avoidable calls about the welcome gift doubled this week' }],
    submitLabel: 'Send ping',
    payload: { action: JOURNEY_ACTIONS.ping, journeyId: journey.id },
  };
}

