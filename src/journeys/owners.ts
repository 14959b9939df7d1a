// Who is accountable for a journey: its own owner, or the nearest ancestor's (owners are inherited
// down the tree unless a journey names its own); and who is next in line when a ping escalates.
import type { Db } from '../db/database.js';
import { JOURNEY_CHAIN_DEPTH, ownerChain, type ChainLink, type Executor } from './repo.js';

export interface AccountableOwner {
  personId: string;
  /** The journey whose owner this is, when inherited from an ancestor. */
  inheritedFrom?: { id: string; key: string; name: string };
}


export async function accountableOwner(db: Db, journeyId: string): Promise<AccountableOwner | undefined> {
  const link = (await ownerChain(db, journeyId)).find((l) => l.ownerPersonId);
  if (!link?.ownerPersonId) return undefined;
  return link.depth === 0 ? { personId: link.ownerPersonId } : { personId: link.ownerPersonId, inheritedFrom: { id: link.id, key: link.key, name: link.name } };
}

export interface Holder {
  personId: string;
  /** The journey that names this person as owner. */
  journeyId: string;
  journeyName: string;
  deputyPersonId: string | null;
}

/** The accountable owner of a journey, with the journey that names them (and its deputy). */
export async function holderFor(db: Executor, journeyId: string): Promise<Holder | undefined> {
  const link = (await ownerChain(db, journeyId)).find((l) => l.ownerPersonId);
  if (!link?.ownerPersonId) return undefined;
  return { personId: link.ownerPersonId, journeyId: link.id, journeyName: link.name, deputyPersonId: link.deputyPersonId };
}

/**
 * Who a ping escalates to from the owner named on `fromJourneyId`: the nearest ancestor's owner who
 * is someone else (an owner who also owns the parent would only be asked twice).
 */
export async function nextHolderAbove(db: Executor, fromJourneyId: string, currentPersonId: string | null): Promise<Holder | undefined> {
  return holdersAbove(await ownerChain(db, fromJourneyId), currentPersonId).next;
}

export interface HoldersAbove {
  next: Holder | undefined;
  after?: Holder | null;
}

/**
 * nextHolderAbove from a chain already read (ownerChains reads a batch's chains together), and who
 * would be next after that one; `after` is undefined when the chain does not reach far enough to tell.
 */
export function holdersAbove(chain: ChainLink[], currentPersonId: string | null): HoldersAbove {
  const at = chain.findIndex((l) => l.depth > 0 && l.ownerPersonId && l.ownerPersonId !== currentPersonId);
  const link = chain[at];
  if (!link?.ownerPersonId) return { next: undefined };
  const next = holderOf(link, link.ownerPersonId);
  const beyond = chain.slice(at + 1).find((l) => l.ownerPersonId && l.ownerPersonId !== next.personId);
  if (beyond?.ownerPersonId) return { next, after: holderOf(beyond, beyond.ownerPersonId) };
  // The chain read stops at JOURNEY_CHAIN_DEPTH: a chain that long may go on above.
  return chain.length > JOURNEY_CHAIN_DEPTH ? { next } : { next, after: null };
}

function holderOf(link: { id: string; name: string; deputyPersonId: string | null }, personId: string): Holder {
  return { personId, journeyId: link.id, journeyName: link.name, deputyPersonId: link.deputyPersonId };
}
