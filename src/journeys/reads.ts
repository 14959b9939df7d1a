// Read-only questions about the journey tree for callers outside chat (the MCP endpoint): who is
// accountable for a journey (its own owner or the nearest ancestor's, said which), and which journeys
// a person owns, deputises for or inherits. The same tree and matching as `journey <name>`.
import { peopleMatching } from '../orgs/repo.js';
import type { Db } from '../db/database.js';
import * as repo from './repo.js';
import type { JourneyRow } from './repo.js';
import { loadTree, lookup } from './service.js';
import type { TreeJourney } from './tree.js';

export interface PersonInfo {
  name: string;
  email: string | null;
}

export interface JourneyInfo {
  key: string;
  name: string;
  level: string;
}

export interface JourneyOwnerView {
  journey: JourneyInfo & { description: string | null; path: JourneyInfo[] };
  /** The accountable owner; undefined when neither the journey nor any ancestor names one. */
  owner: PersonInfo | undefined;
  /** The ancestor that names the owner, when the journey has none of its own. */
  inheritedFrom: JourneyInfo | undefined;
  deputy: PersonInfo | undefined;
  closestMatch: boolean;
}

export type JourneyOwnerAnswer = { kind: 'found'; view: JourneyOwnerView } | { kind: 'choose' | 'none'; candidates: JourneyInfo[] };

const info = (j: TreeJourney): JourneyInfo => ({ key: j.key, name: j.name, level: j.level });

async function peopleInfo(db: Db, ids: (string | null | undefined)[]): Promise<Map<string, PersonInfo>> {
  const wanted = [...new Set(ids.filter((id): id is string => Boolean(id)))];
  if (wanted.length === 0) return new Map();
  return new Map((await repo.peopleByIds(db, wanted)).map((p) => [p.id, { name: p.display_name, email: p.email }]));
}

export async function journeyOwner(db: Db, orgId: string, typed: string): Promise<JourneyOwnerAnswer> {
  const { tree, rows } = await loadTree(db, orgId);
  const found = lookup(rows, typed);
  if (found.kind !== 'found') return { kind: found.kind, candidates: found.kind === 'choose' ? found.candidates.map(info) : [] };
  const journey: JourneyRow = found.journey;
  const owner = tree.effectiveOwner(journey.id);
  const deputyId = owner?.definedOn.deputyPersonId ?? null;
  const people = await peopleInfo(db, [owner?.personId, deputyId]);
  return {
    kind: 'found',
    view: {
      journey: { ...info(journey), description: journey.description, path: tree.ancestors(journey.id).reverse().map(info) },
      owner: owner ? people.get(owner.personId) : undefined,
      inheritedFrom: owner?.inherited ? info(owner.definedOn) : undefined,
      deputy: deputyId ? people.get(deputyId) : undefined,
      closestMatch: found.closest,
    },
  };
}

export interface PersonJourneys {
  person: PersonInfo;
  owns: JourneyInfo[];
  deputises: JourneyInfo[];
  /** Journeys without an owner of their own that fall to this person from an ancestor they own. */
  inherits: (JourneyInfo & { from: JourneyInfo })[];
}

export type PersonJourneysAnswer = { kind: 'found'; journeys: PersonJourneys } | { kind: 'choose' | 'none'; candidates: PersonInfo[] };

/** A person by e-mail or (part of) their name; several matches are offered rather than guessed. */
export async function journeysOfPerson(db: Db, orgId: string, who: string): Promise<PersonJourneysAnswer> {
  const people = await peopleMatching(db, orgId, who, 6);
  const exact = people.find((p) => p.email === who.trim().toLowerCase()) ?? (people.length === 1 ? people[0] : undefined);
  if (!exact) return { kind: people.length ? 'choose' : 'none', candidates: people.map((p) => ({ name: p.display_name, email: p.email })) };
  const { tree, rows } = await loadTree(db, orgId);
  const inherits = rows.flatMap((r) => {
    const owner = tree.effectiveOwner(r.id);
    return owner?.inherited && owner.personId === exact.id ? [{ ...info(r), from: info(owner.definedOn) }] : [];
  });
  return {
    kind: 'found',
    journeys: {
      person: { name: exact.display_name, email: exact.email },
      owns: rows.filter((r) => r.ownerPersonId === exact.id).map(info),
      deputises: rows.filter((r) => r.deputyPersonId === exact.id).map(info),
      inherits,
    },
  };
}
