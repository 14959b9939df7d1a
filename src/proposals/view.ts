// What a proposal card shows, read from the database in one place: the card is always drawn from
// this (never patched), so every copy of it, whenever rendered, tells the same story.
import type { PersonRef } from '../chat/card.js';
import type { Db } from '../db/database.js';
import { accountableOwner } from '../journeys/owners.js';
import { personRefs } from '../orgs/people.js';
import * as repo from './repo.js';
import type { Tally } from './rules.js';

/** Names of members who have not voted, shown on the card; the rest is a count. */
export const NOT_VOTED_NAMES = 15;

export interface ProposalView {
  proposal: repo.ProposalRow;
  timeZone: string;
  proposer: PersonRef;
  journey?: { key: string; name: string; owner?: PersonRef; ownerPersonId?: string };
  tally: Tally;
  notVoted: { count: number; names: string[] };
  decision?: NonNullable<Awaited<ReturnType<typeof repo.decisionOf>>>;
}

export async function loadProposalView(db: Db, proposalId: string): Promise<ProposalView | undefined> {
  const proposal = await repo.proposalById(db, proposalId);
  if (!proposal) return undefined;
  const open = proposal.status === 'open' || proposal.status === 'draft';
  const [timeZone, journey, owner, tally, notVoted, decision] = await Promise.all([
    repo.orgTimeZone(db, proposal.org_id),
    proposal.journey_id ? repo.journeyOf(db, proposal.journey_id) : Promise.resolve(undefined),
    proposal.journey_id ? accountableOwner(db, proposal.journey_id) : Promise.resolve(undefined),
    repo.tallyOf(db, proposalId),
    open ? repo.notVoted(db, proposal.org_id, proposalId, NOT_VOTED_NAMES) : Promise.resolve(undefined),
    open ? Promise.resolve(undefined) : repo.decisionOf(db, proposalId),
  ]);
  const refs = await personRefs(db, [proposal.proposer_person_id, ...(owner ? [owner.personId] : [])]);
  const ownerRef = owner ? refs.get(owner.personId) : undefined;
  return {
    proposal,
    timeZone,
    proposer: refs.get(proposal.proposer_person_id) ?? { name: 'someone' },
    ...(journey ? { journey: { key: journey.key, name: journey.name, ...(ownerRef && owner ? { owner: ownerRef, ownerPersonId: owner.personId } : {}) } } : {}),
    tally,
    // After the decision, the count the decision recorded (the board may have changed since).
    notVoted: notVoted ?? { count: decision?.not_voted ?? 0, names: [] },
    ...(decision ? { decision } : {}),
  };
}
