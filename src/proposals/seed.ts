// One open proposal for the demo organisation, with two votes already cast, so that `proposal list`
// and `proposal show 1` have something to show before anyone has proposed anything.
import type { Db } from '../db/database.js';
import * as orgsRepo from '../orgs/repo.js';
import { loadGovernanceSettings } from '../governance/service.js';
import * as repo from './repo.js';
import * as ballots from './repo/ballots.js';
import { ruleAtOpening } from './rules.js';

export async function seedDemoProposal(db: Db, orgId: string, now: Date): Promise<void> {
  const proposer = await orgsRepo.findPersonByEmail(db, orgId, 'cx-office@example.com');
  const board = await orgsRepo.peopleWithRole(db, orgId, 'board');
  if (!proposer || board.length === 0) return;
  const journeyId = await repo.journeyIdByKey(db, orgId, 'onboarding');
  const settings = await loadGovernanceSettings(db, orgId);
  const rule = ruleAtOpening(settings, board.length);
  const deadline = new Date(now.getTime() + settings.votingPeriodHours * 3_600_000);
  await db.transaction().execute(async (trx) => {
    const proposal = await repo.insertProposal(trx, {
      org_id: orgId,
      number: await repo.nextNumber(trx, orgId),
      title: 'Call every new customer in their first week',
      problem:
        'New customers do not find their way in the first weeks: a third of them call customer service at least twice in the first month, mostly about the same three questions, and onboarding NPS is below target.',
      journey_id: journeyId ?? null,
      kpi_impact: 'Onboarding NPS +5 points and 20% fewer first-month calls within two quarters',
      effort: 3,
      customer_value: 5,
      business_value: 4,
      proposer_person_id: proposer.id,
      status: 'open',
      rule: JSON.stringify(rule),
      opened_at: now,
      deadline,
      created_at: now,
      updated_at: now,
    });
    await repo.recordEvent(trx, { proposalId: proposal.id, kind: 'created', from: null, to: 'draft', by: proposer.id, at: now, detail: { by: 'demo seed' } });
    await repo.recordEvent(trx, { proposalId: proposal.id, kind: 'opened', from: 'draft', to: 'open', by: proposer.id, at: now, detail: { deadline: deadline.toISOString(), rule } });
    const votes = board.slice(0, 2).map((member, i) => ({ person: member.id, choice: i === 0 ? ('approve' as const) : ('abstain' as const) }));
    for (const vote of votes) {
      await ballots.insertBallot(trx, { proposal_id: proposal.id, person_id: vote.person, choice: vote.choice, comment: null, at: now });
    }
  });
}
