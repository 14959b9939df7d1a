// Reads a journey's history as its card shows it: the latest changes of the journey itself and its
// latest pings with every step of each, people resolved to mentions, journey keys to names and
// linked channels to their names. The change log keeps ids and keys, never names, so a history
// always shows people and journeys as they are called today.
import { z } from 'zod';
import type { PersonRef } from '../chat/card.js';
import type { Db } from '../db/database.js';
import { personRefs } from '../orgs/people.js';
import { historyLineOf, type PingHistoryLine } from './view.js';
import * as repo from '../journeys/repo.js';
import type { JourneyRow } from '../journeys/repo.js';
import { orgTimeZone } from '../journeys/settings.js';
import type { JourneyEventKind, PingReason, PingState } from '../journeys/tables.js';

/** The latest changes and the latest pings a history shows; the card says how many more there are. */
export const HISTORY_SHOWN = 20;

export type JourneyChangeWhat =
  | { kind: 'created'; parentName: string | null }
  | { kind: 'imported'; created: boolean }
  | { kind: 'moved'; fromName: string | null; toName: string | null }
  | { kind: 'owner' | 'deputy'; from: PersonRef | null; to: PersonRef | null }
  | { kind: 'channel'; channelName: string | null }
  /** An older or unknown entry whose detail says nothing more. */
  | { kind: 'other'; eventKind: JourneyEventKind };

export interface JourneyChangeLine {
  what: JourneyChangeWhat;
  at: Date;
  /** The person who made the change, or the label of what did (an import from the command line). */
  by: PersonRef | string | null;
}

export interface PingSummary {
  id: string;
  reason: PingReason;
  /** Null for a reader who may not see it (see loadJourneyHistory). */
  message: string | null;
  state: PingState;
  from: PersonRef | null;
  holder: PersonRef | null;
  snoozedUntil: Date | null;
  exhaustedAt: Date | null;
  createdAt: Date;
  /** Oldest first. */
  steps: PingHistoryLine[];
}

export interface JourneyHistoryView {
  journey: JourneyRow;
  changes: JourneyChangeLine[];
  changesTotal: number;
  pings: PingSummary[];
  pingsTotal: number;
  timeZone: string;
}

// The detail of each kind of change, as service.ts and csv.ts write it; anything else is shown bare.
const fromTo = z.object({ from: z.string().nullish(), to: z.string().nullish() });
const created = z.object({ parent: z.string().nullish() });
const imported = z.object({ created: z.boolean() });
const channel = z.object({ conversationId: z.string() });

type Event = Awaited<ReturnType<typeof repo.latestJourneyEvents>>[number];
type PingRow = Awaited<ReturnType<typeof repo.latestPingsAbout>>[number];
type StepRow = Awaited<ReturnType<typeof repo.stepsOfPings>>[number];

/** A KPI alert's text is public (it is posted in the journey's channel too); a person's ping is for those it involves. */
function mayReadMessage(reader: HistoryReader, ping: PingRow, steps: StepRow[]): boolean {
  if (ping.reason === 'kpi' || reader.isAdmin) return true;
  if (ping.from_person_id === reader.personId || ping.holder_person_id === reader.personId) return true;
  return steps.some((s) => s.ping_id === ping.id && (s.to_person_id === reader.personId || s.actor_person_id === reader.personId));
}

/** The people and channels a change names, to look up in one go. */
function namedIn(event: Event): { people: string[]; conversations: string[] } {
  if (event.kind === 'owner' || event.kind === 'deputy') {
    const detail = fromTo.safeParse(event.detail);
    return { people: detail.success ? [detail.data.from, detail.data.to].filter((id): id is string => Boolean(id)) : [], conversations: [] };
  }
  if (event.kind === 'channel') {
    const detail = channel.safeParse(event.detail);
    return { people: [], conversations: detail.success ? [detail.data.conversationId] : [] };
  }
  return { people: [], conversations: [] };
}

/** Who reads the history: a person's own words in a ping are for the people it was sent to, its sender and admins. */
export interface HistoryReader {
  personId: string;
  isAdmin: boolean;
}

export async function loadJourneyHistory(db: Db, orgId: string, journey: JourneyRow, rows: JourneyRow[], reader: HistoryReader): Promise<JourneyHistoryView> {
  const [events, pings, timeZone] = await Promise.all([
    repo.latestJourneyEvents(db, orgId, journey.id, HISTORY_SHOWN),
    repo.latestPingsAbout(db, orgId, journey.id, HISTORY_SHOWN),
    orgTimeZone(db, orgId),
  ]);
  const named = events.map(namedIn);
  const [steps, channels] = await Promise.all([
    repo.stepsOfPings(db, orgId, pings.map((p) => p.id)),
    repo.conversationNames(db, orgId, named.flatMap((n) => n.conversations)),
  ]);
  const personIds = [
    ...events.map((e) => e.by_person_id),
    ...named.flatMap((n) => n.people),
    ...pings.flatMap((p) => [p.from_person_id, p.holder_person_id]),
    ...steps.flatMap((s) => [s.actor_person_id, s.to_person_id]),
  ].filter((id): id is string => Boolean(id));
  const refs = await personRefs(db, personIds);
  const ref = (id: string | null | undefined): PersonRef | undefined => (id ? (refs.get(id) ?? { name: 'someone' }) : undefined);
  const nameOfKey = (key: string | null | undefined): string | null => (key ? (rows.find((r) => r.key === key)?.name ?? key) : null);
  const channelName = (id: string): string | null => {
    const found = channels.find((c) => c.id === id);
    return found ? (found.name ? `#${found.name}` : found.external_id) : null;
  };

  const what = (event: Event): JourneyChangeWhat => {
    const other = { kind: 'other', eventKind: event.kind } as const;
    switch (event.kind) {
      case 'created': {
        const detail = created.safeParse(event.detail);
        return detail.success ? { kind: 'created', parentName: nameOfKey(detail.data.parent) } : other;
      }
      case 'imported': {
        const detail = imported.safeParse(event.detail);
        return { kind: 'imported', created: detail.success && detail.data.created };
      }
      case 'moved': {
        const detail = fromTo.safeParse(event.detail);
        return detail.success ? { kind: 'moved', fromName: nameOfKey(detail.data.from), toName: nameOfKey(detail.data.to) } : other;
      }
      case 'owner':
      case 'deputy': {
        const detail = fromTo.safeParse(event.detail);
        return detail.success ? { kind: event.kind, from: ref(detail.data.from) ?? null, to: ref(detail.data.to) ?? null } : other;
      }
      case 'channel': {
        const detail = channel.safeParse(event.detail);
        return { kind: 'channel', channelName: detail.success ? channelName(detail.data.conversationId) : null };
      }
      case 'updated':
        return other;
    }
  };

  return {
    journey,
    changes: events.map((e) => ({ what: what(e), at: e.at, by: ref(e.by_person_id) ?? e.by_label })),
    changesTotal: Number(events[0]?.total ?? 0),
    pings: pings.map((p) => ({
      id: p.id,
      reason: p.reason,
      message: mayReadMessage(reader, p, steps) ? p.message : null,
      state: p.state,
      from: ref(p.from_person_id) ?? null,
      holder: ref(p.holder_person_id) ?? null,
      snoozedUntil: p.snoozed_until,
      exhaustedAt: p.exhausted_at,
      createdAt: p.created_at,
      steps: steps.filter((s) => s.ping_id === p.id).map((s) => historyLineOf(s, ref)),
    })),
    pingsTotal: Number(pings[0]?.total ?? 0),
    timeZone,
  };
}
