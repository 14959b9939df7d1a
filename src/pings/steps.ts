// The steps every change of a ping is made of, inside the caller's transaction: the one conditional
// UPDATE that decides (… WHERE version = read version AND state IN …), its history event, the direct
// messages of a new round, in-place updates of earlier messages, and the note to the sender.
import { isOpen, latestRoundOf, loadPingView, type PingView } from './view.js';
import type { PingRow } from './repo.js';
import type { Db } from '../db/database.js';
import type { MessageRenderer } from '../delivery/deliver.js';
import { PermanentDeliveryError } from '../delivery/notifier.js';
import { outboxRowOf, type OutboxEntry } from '../delivery/outbox-repo.js';
import type { Card, RichText } from '../chat/card.js';
import * as orgsRepo from '../orgs/repo.js';
import type { Holder } from '../journeys/owners.js';
import { pingCard, senderNewsCard, type SenderNews } from './cards.js';
import * as repo from './repo.js';
import type { Executor } from '../journeys/repo.js';
import type { PingEventKind } from '../journeys/tables.js';

/** Who gets the messages of the current round: the holder and their deputy, or the admins. */
export async function recipientsOf(db: Executor, ping: PingRow, holder?: Holder): Promise<string[]> {
  if (ping.holder_person_id) {
    // The holder, when given, names the deputy of the holder's journey already (null: none).
    const deputy = holder ? holder.deputyPersonId : ping.holder_journey_id ? await repo.journeyDeputy(db, ping.holder_journey_id) : null;
    return [ping.holder_person_id, ...(deputy && deputy !== ping.holder_person_id ? [deputy] : [])];
  }
  return (await orgsRepo.peopleWithRole(db, ping.org_id, 'admin')).map((a) => a.id);
}

export async function viewOf(db: Executor, pingId: string, known: { next?: Holder | null } = {}): Promise<PingView> {
  const view = await loadPingView(db, pingId, known);
  if (!view) throw new Error(`ping ${pingId} vanished inside its own transaction`);
  return view;
}

/** A round sendRounds writes: the ping as it is now, who gets its messages, and what comes with them. */
export interface RoundToSend {
  view: PingView;
  recipients: string[];
  /** The history event recorded per recipient; null records none (a reminder). */
  eventKind: PingEventKind | null;
  intro?: RichText;
  /** The messages queued in the same statement: the redraws of earlier messages and the note to the sender (see redraws and senderNote). */
  alongside?: OutboxEntry[];
}

/**
 * Direct messages with buttons to each recipient, recorded so later changes can update them, in one
 * statement with the messages alongside them; a batch's rounds together. Per round, the new outbox
 * rows of the round and of those alongside.
 */
export async function sendRounds(trx: Executor, rounds: RoundToSend[], now: Date): Promise<{ sent: string[]; alongside: string[] }[]> {
  // The outbox rows, the message records and the history events of every round in one statement.
  const written = await repo.insertRounds(
    trx,
    rounds.map(({ view, recipients, eventKind, intro, alongside }) => {
      const { ping } = view;
      const card = pingCard(view, { live: true, ...(intro ? { intro } : {}) });
      return {
        pingId: ping.id,
        round: ping.version,
        level: ping.level,
        eventKind,
        at: now,
        messages: recipients.map((personId) => ({
          personId,
          outbox: outboxRowOf({ orgId: ping.org_id, dedupeKey: `ping:${ping.id}:v${ping.version}:to:${personId}`, target: { kind: 'person', personId }, card }),
        })),
        alongside: (alongside ?? []).map(outboxRowOf),
      };
    }),
  );
  return written.map((w) => ({ sent: w.round.map((m) => m.outboxId), alongside: w.alongside }));
}

/** sendRounds of one round. */
export async function sendRound(trx: Executor, round: RoundToSend, now: Date): Promise<{ sent: string[]; alongside: string[] }> {
  return (await sendRounds(trx, [round], now))[0]!;
}

/**
 * Updates of the ping's earlier messages in place (view.messages), to queue. `liveRound` keeps the
 * buttons on the messages of that round (a snooze leaves them actionable); null takes them off (a new
 * round replaced them, or the ping is closed). The clicker's own message is replaced by the click
 * itself, so it is skipped.
 */
export function redraws(view: PingView, options: { liveRound: number | null; skipPersonId?: string | undefined }): OutboxEntry[] {
  // Every message shows one of two cards, with buttons or without: each is drawn once.
  const drawn = new Map<boolean, Card>();
  const cardOf = (live: boolean) => drawn.get(live) ?? drawn.set(live, pingCard(view, { live })).get(live)!;
  return view.messages
    .filter((message) => message.personId !== options.skipPersonId)
    .map((message) => ({
      orgId: view.ping.org_id,
      dedupeKey: `ping:${view.ping.id}:v${view.ping.version}:update:${message.outboxId}`,
      target: { kind: 'person', personId: message.personId },
      card: cardOf(options.liveRound !== null && message.round === options.liveRound && isOpen(view.ping)),
      updateOfOutboxId: message.outboxId,
      // Drawn again at delivery, so an update that is retried or overtaken still shows the latest state.
      render: { renderer: PING_MESSAGE_RENDERER, id: view.ping.id },
    }));
}

/** The note to the person who sent the ping, to queue; none when they did it themselves (or nobody sent it). */
export function senderNote(view: PingView, news: SenderNews, actorPersonId: string | null): OutboxEntry[] {
  const senderId = view.ping.from_person_id;
  if (!senderId || senderId === actorPersonId) return [];
  // News of an unreachable person may come on top of the round's own news, once per person.
  const about = news.kind === 'unreachable' ? `:unreachable:${news.who.name}` : '';
  return [{ orgId: view.ping.org_id, dedupeKey: `ping:${view.ping.id}:v${view.ping.version}:sender${about}`, target: { kind: 'person', personId: senderId }, card: senderNewsCard(view, news) }];
}

export const PING_MESSAGE_RENDERER = 'ping.message';

/** Renders a ping's direct message from the database when its update is delivered. */
export function pingMessageRenderer(db: Db): MessageRenderer {
  return async (request) => {
    // The render's id is the ping's; the view lists its messages, with their rounds.
    const messageId = request.updateOfOutboxId ?? request.outboxId;
    const view = await loadPingView(db, request.id);
    if (!view) throw new PermanentDeliveryError(`ping ${request.id} no longer exists`);
    const message = view.messages.find((m) => m.outboxId === messageId);
    if (!message) throw new PermanentDeliveryError(`outbox ${messageId} is not a message of ping ${request.id}`);
    return pingCard(view, { live: isOpen(view.ping) && message.round === latestRoundOf(view) });
  };
}
