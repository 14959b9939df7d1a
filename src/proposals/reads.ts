// What `proposal list`, `proposal show` and the proposal form read: the data each card shows, for
// the person asking (their own vote, board membership); the capability renders it.
import type { Actor } from '../chat/actor.js';
import { hasRole } from '../chat/actor.js';
import { InvalidInput } from '../chat/errors.js';
import { loadGovernanceSettings } from '../governance/service.js';
import type { Services } from '../services.js';
import { CHOICE_LABELS } from './schema.js';
import type { ListEntry } from './cards.js';
import * as repo from './repo.js';
import { proposalForActor } from './service.js';
import { loadProposalView } from './view.js';

type ReadDeps = Pick<Services, 'db'>;

/** The journeys the form offers, or 'text' when there are too many for a list. */
export async function journeyChoices(deps: ReadDeps, actor: Actor, max: number): Promise<{ label: string; value: string }[] | 'text'> {
  const journeys = await repo.journeysByName(deps.db, actor.orgId, max + 1);
  return journeys.length > max ? 'text' : journeys.map((j) => ({ label: `${j.name} (${j.key})`, value: j.id }));
}

/** Open proposals with their tallies and the asker's own vote, and approved ones being followed up. */
export async function proposalList(deps: ReadDeps, actor: Actor): Promise<{ open: ListEntry[]; following: ListEntry[]; timeZone: string; boardMember: boolean }> {
  const { db } = deps;
  const [open, following, settings] = await Promise.all([
    repo.proposalsWithStatus(db, actor.orgId, ['open'], 25),
    repo.proposalsWithStatus(db, actor.orgId, ['approved', 'in_progress'], 10),
    loadGovernanceSettings(db, actor.orgId),
  ]);
  const ids = open.map((p) => p.id);
  const [tallies, mine] = await Promise.all([repo.talliesOf(db, ids), repo.choicesOf(db, actor.personId, ids)]);
  const entry = (p: (typeof open)[number]): ListEntry => {
    const myChoice = mine.get(p.id);
    return {
      id: p.id,
      number: p.number,
      title: p.title,
      status: p.status,
      deadline: p.deadline,
      tally: tallies.get(p.id) ?? { approve: 0, reject: 0, abstain: 0 },
      ...(myChoice ? { myChoice } : {}),
    };
  };
  return { open: open.map(entry), following: following.map(entry), timeZone: settings.timeZone, boardMember: hasRole(actor, 'board') };
}

/** One proposal with who voted what (open ballots) or only totals (anonymous), and the asker's own vote. */
export async function proposalDetails(deps: ReadDeps, actor: Actor, number: number) {
  const { db } = deps;
  const proposal = await proposalForActor(db, actor, number);
  const view = await loadProposalView(db, proposal.id);
  if (!view) throw new InvalidInput(`There is no proposal #${number}.`);
  const anonymous = proposal.rule?.anonymous ?? false;
  const ballots = anonymous ? ('anonymous' as const) : (await repo.namedBallots(db, proposal.id)).map((b) => ({ name: b.display_name, choice: b.choice, comment: b.comment }));
  const mine = hasRole(actor, 'board') ? await repo.ballotOf(db, proposal.id, actor.personId) : undefined;
  const note = mine && proposal.status === 'open' ? `Your vote: ${CHOICE_LABELS[mine.choice]}` : undefined;
  return { view, ballots, note };
}

/** Open proposals with their tallies, for a reader outside chat (no own vote to show). */
export async function openProposals(deps: ReadDeps, reader: Pick<Actor, 'orgId'>, limit = 25) {
  const rows = await repo.openProposalsAbout(deps.db, reader.orgId, limit);
  const tallies = await repo.talliesOf(deps.db, rows.map((r) => r.id));
  return rows.map(({ id, ...r }) => ({ ...r, tally: tallies.get(id) ?? { approve: 0, reject: 0, abstain: 0 } }));
}

/** The board's latest decisions, newest first. */
export async function recentDecisions(deps: ReadDeps, reader: Pick<Actor, 'orgId'>, count: number) {
  return repo.latestDecisions(deps.db, reader.orgId, count);
}
