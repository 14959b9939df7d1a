// Every card and form Steward builds, with realistic and worst-case data (the longest names Steward
// accepts, 50 candidates, empty sections), rendered for both platforms and checked against their
// rules: the Adaptive Card 1.5 schema and Teams' limits, and Block Kit's documented limits and
// mrkdwn rules. A broken rule fails the test named for the card, with the rule in the message.
import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/chat/capability.js';
import { bold, text, type Card, type Form, type PersonRef } from '../../src/chat/card.js';
import { errorCard, unknownCommandCard } from '../../src/chat/cards.js';
import { commandHelpCard, helpCard } from '../../src/help/cards.js';
import { homeCard } from '../../src/home/cards.js';
import type { HomeView } from '../../src/home/service.js';
import * as glossary from '../../src/glossary/cards.js';
import * as glossaryChanges from '../../src/glossary/change-cards.js';
import { nudgeCard, termsInTextCard } from '../../src/glossary/in-text-cards.js';
import type { TermInText } from '../../src/glossary/in-text.js';
import { submitOnly } from '../../src/teams/message-extension.js';
import * as governance from '../../src/governance/cards.js';
import { buildDigestCard } from '../../src/governance/digest/card.js';
import * as journeys from '../../src/journeys/cards.js';
import type { JourneyRow } from '../../src/journeys/repo.js';
import { JourneyTree } from '../../src/journeys/tree.js';
import * as kpis from '../../src/kpis/cards.js';
import type { KpiRow } from '../../src/kpis/repo.js';
import type { KpiView } from '../../src/kpis/snapshot.js';
import { readKpi, type Point } from '../../src/kpis/status.js';
import * as pings from '../../src/pings/cards.js';
import { journeyHistoryCard } from '../../src/pings/history-card.js';
import { mineCard, pingForm } from '../../src/pings/mine-card.js';
import type { PingView } from '../../src/pings/view.js';
import * as proposals from '../../src/proposals/cards.js';
import { LIMITS as PROPOSAL_LIMITS } from '../../src/proposals/schema.js';
import type { ProposalView } from '../../src/proposals/view.js';
import { fallbackText, renderBlocks, renderModal } from '../../src/slack/blocks.js';
import { renderAdaptiveCard, renderFormCard } from '../../src/teams/adaptive-card.js';
import { adaptiveCardProblems, blockKitProblems, fallbackTextProblems, modalProblems, mrkdwnRunProblems } from '../support/card-rules.js';

const NOW = new Date('2027-03-29T08:00:00Z');
const TZ = 'Europe/Amsterdam';
const LONG_NAME = 'Avoidable contacts per 100 new customers in the first ninety days after signing the contract'.padEnd(120, 'x');
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const person = (name: string, slackUserId?: string, teamsAadId?: string): PersonRef => ({ name, ...(slackUserId ? { slackUserId } : {}), ...(teamsAadId ? { teamsAadId } : {}) });
const dana = person('Dana Owner', 'U0DANA', uuid(901));
const omar = person('Omar Deputy', 'U0OMAR');
const longPerson = person('P'.repeat(120), 'U0LONG');
const noSlack = person('Teams-only person');

// ---------------------------------------------------------------------------------------------
// Glossary

function term(extra: Partial<glossary.TermCardView> = {}): glossary.TermCardView {
  return {
    id: uuid(1),
    name: 'Net Promoter Score',
    definition: 'The share of promoters minus the share of detractors, from 0–10 answers to “How likely are you to recommend us?”.',
    notes: 'Asked 30 days after onboarding.',
    links: ['https://wiki.example.com/nps'],
    status: 'approved',
    version: 3,
    updatedAt: NOW,
    timeZone: TZ,
    aliases: ['NPS', 'promoter score'],
    steward: dana,
    pendingProposals: 0,
    ...extra,
  };
}

const longTerm = term({
  name: 'N'.repeat(120),
  definition: 'Definition with *stars*, _underscores_, `code`, <!channel> and ${template}. '.repeat(40).slice(0, 2000),
  notes: 'Notes *bold?* '.repeat(200).slice(0, 2000),
  links: Array.from({ length: 10 }, (_, i) => `https://wiki.example.com/${'a'.repeat(480)}/${i}`),
  aliases: Array.from({ length: 100 }, (_, i) => `alias ${i} ${'a'.repeat(100)}`),
  steward: longPerson,
  pendingProposals: 7,
});

const deprecated = term({ status: 'deprecated', replacedBy: { id: uuid(2), name: 'Customer Satisfaction Score' } });
const deprecatedLong = term({ status: 'deprecated', replacedBy: { id: uuid(2), name: 'C'.repeat(120) } });

const candidate = (i: number, name = `Term ${i}`): glossary.CandidateView => ({ termId: uuid(100 + i), name, status: i % 3 ? 'approved' : 'deprecated', definition: 'A definition. '.repeat(20) });
const fiftyCandidates = Array.from({ length: 50 }, (_, i) => candidate(i, `${'Candidate '.repeat(11)}${i}`.slice(0, 120)));
const pending = { name: 'Customer effort score', proposedBy: 'Dana Owner', createdAt: NOW };

const version = (v: number, extra: Partial<glossary.VersionView> = {}): glossary.VersionView => ({
  version: v,
  name: 'Net Promoter Score',
  definition: 'The share of promoters minus the share of detractors.',
  status: 'approved',
  change: v === 1 ? 'created' : 'edited',
  by: 'Dana Owner',
  rolledBackTo: null,
  createdAt: NOW,
  ...extra,
});

const glossaryProposal = (extra: Partial<glossaryChanges.ProposalView> = {}): glossaryChanges.ProposalView => ({
  id: uuid(3),
  kind: 'edit',
  termName: 'Net Promoter Score',
  proposer: dana,
  createdAt: NOW,
  timeZone: TZ,
  changes: [
    { label: 'Definition', before: 'Old definition', after: 'New definition' },
    { label: 'Notes', before: '', after: 'New notes' },
  ],
  status: 'pending',
  ...extra,
});

// ---------------------------------------------------------------------------------------------
// Journeys

const journey = (n: number, extra: Partial<JourneyRow> = {}): JourneyRow => ({
  id: uuid(200 + n),
  orgId: uuid(999),
  key: `journey-${n}`,
  name: `Journey ${n}`,
  level: 'journey',
  parentId: null,
  ownerPersonId: null,
  deputyPersonId: null,
  description: null,
  channelConversationId: null,
  ...extra,
});

const lifecycle = journey(0, { key: 'customer-lifecycle', name: 'Customer lifecycle', level: 'lifecycle', ownerPersonId: uuid(901) });
const onboarding = journey(1, { key: 'onboarding', name: 'Onboarding', parentId: lifecycle.id, deputyPersonId: uuid(902), description: 'From signed contract to first invoice.' });
const longJourney = journey(2, { key: 'k'.repeat(64), name: 'J'.repeat(120), parentId: lifecycle.id, ownerPersonId: uuid(903), description: 'D'.repeat(2000) });
const manyChildren = Array.from({ length: 120 }, (_, i) => journey(10 + i, { key: `task-${i}-${'k'.repeat(50)}`, name: `${'Task journey '.repeat(9)}${i}`, level: 'task', parentId: longJourney.id }));
const smallTree = new JourneyTree([lifecycle, onboarding]);
const bigTree = new JourneyTree([lifecycle, onboarding, longJourney, ...manyChildren]);
const refs = new Map<string, PersonRef>([
  [uuid(901), dana],
  [uuid(902), omar],
  [uuid(903), longPerson],
]);

// ---------------------------------------------------------------------------------------------
// KPIs

const kpiRow = (extra: Partial<KpiRow> = {}): KpiRow => ({
  id: uuid(300),
  org_id: uuid(999),
  journey_id: onboarding.id,
  key: 'avoidable-onboarding',
  name: 'Avoidable contacts per 100 new customers',
  unit: '',
  direction: 'lower',
  target: 12,
  warning: 15,
  breach: 20,
  cadence: 'week',
  glossary_term: 'Avoidable contact',
  glossary_term_id: null,
  breach_periods: 2,
  remind_every_periods: 1,
  ...extra,
});

const weeks = (values: number[]): Point[] =>
  values.map((value, i) => ({ period: new Date(Date.UTC(2027, 0, 4 + 7 * i)).toISOString().slice(0, 10), value })).reverse();

function kpiView(kpi: KpiRow, segment: string, values: number[], definition?: KpiView['definition']): KpiView {
  const recent = weeks(values);
  return {
    kpi,
    segment,
    reading: readKpi({ direction: kpi.direction, target: kpi.target, warning: kpi.warning, breach: kpi.breach, cadence: kpi.cadence }, recent, new Date('2027-03-29T00:00:00Z')),
    recent,
    definition,
  };
}

const avoidable = kpiView(kpiRow(), 'all', [14, 16, 18, 21, 22, 19, 17, 16, 15, 14, 13, 21], { term: 'Avoidable contact', text: 'A contact the customer would not have needed if we had done our job.' });
const longKpi = kpiRow({ id: uuid(301), key: 'k'.repeat(64), name: LONG_NAME, unit: 'contacts per 100 customers' });
const longKpiView = kpiView(longKpi, 'all', [1_234_567.89, 2, 3], { term: LONG_NAME, text: 'T'.repeat(2000) });
const emptyKpiView = kpiView(kpiRow({ id: uuid(302), key: 'nps', name: 'Onboarding NPS', direction: 'higher', target: 40, warning: 30, breach: 20, unit: '' }), 'all', [], { term: 'Net Promoter Score', text: undefined });
const chart = { url: 'https://steward.example.com/charts/abc.png', alt: 'Avoidable contacts per 100 new customers, last 12 weeks' };

const alertFacts = (kpi: KpiRow = kpiRow(), segment = 'all'): kpis.AlertFacts => ({
  kpi,
  segment,
  journeyName: 'Onboarding',
  since: '2027-03-08',
  latest: { period: '2027-03-22', value: 22 },
  periods: 3,
  owner: dana,
});

// ---------------------------------------------------------------------------------------------
// Pings

function pingView(extra: Partial<PingView> = {}, ping: Partial<PingView['ping']> = {}): PingView {
  return {
    ping: {
      id: uuid(400),
      org_id: uuid(999),
      journey_id: onboarding.id,
      reason: 'manual',
      message: 'Avoidable calls about the welcome gift doubled this week',
      from_person_id: uuid(904),
      dedupe_key: 'k',
      state: 'sent',
      holder_person_id: uuid(901),
      holder_journey_id: onboarding.id,
      level: 0,
      escalate_at: new Date('2027-03-30T08:00:00Z'),
      snoozed_until: null,
      exhausted_at: null,
      version: 1,
      created_at: NOW,
      updated_at: NOW,
      ...ping,
    },
    journey: { id: onboarding.id, key: onboarding.key, name: onboarding.name },
    from: person('Ann Sender', 'U0ANN'),
    holder: { personId: uuid(901), ref: dana, journeyName: 'Onboarding' },
    deputy: { personId: uuid(902), ref: omar },
    admins: [],
    next: { personId: uuid(905), ref: person('Nina Director', 'U0NINA'), journeyName: 'Customer lifecycle' },
    history: [
      { kind: 'sent', level: 0, at: NOW, to: dana },
      { kind: 'delivered', level: 0, at: NOW, to: dana },
    ],
    messages: [{ outboxId: '1', personId: uuid(901), round: 1 }],
    timeZone: TZ,
    delayHours: 24,
    people: new Map(),
    ...extra,
  };
}

const inheritedPing = pingView({ holder: { personId: uuid(901), ref: dana, journeyName: 'Customer lifecycle' }, deputy: null });
/** Its owner could not be reached: escalated to the parent journey's owner before the sender's confirmation was drawn. */
const passedOnPing = pingView({ holder: { personId: uuid(901), ref: dana, journeyName: 'Customer lifecycle' }, deputy: null }, { level: 1 });
const longPing = pingView(
  {
    journey: { id: longJourney.id, key: longJourney.key, name: longJourney.name },
    from: longPerson,
    history: Array.from({ length: 40 }, (_, i) => ({ kind: i % 2 ? ('escalated' as const) : ('undelivered' as const), level: i, at: NOW, to: longPerson, toJourneyName: 'J'.repeat(120), note: 'N'.repeat(400) })),
    admins: Array.from({ length: 30 }, (_, i) => ({ personId: uuid(950 + i), ref: person(`Admin ${i} ${'a'.repeat(100)}`, `U0ADM${i}`) })),
  },
  { message: 'M'.repeat(2000) },
);

const openPing = (i: number, long = false) => ({
  pingId: uuid(500 + i),
  journeyId: onboarding.id,
  journeyName: long ? 'J'.repeat(120) : 'Onboarding',
  journeyKey: 'onboarding',
  message: long ? 'M'.repeat(2000) : 'Welcome gift calls doubled',
  state: i % 2 ? ('snoozed' as const) : ('sent' as const),
  holderPersonId: uuid(901),
  fromPersonId: uuid(902),
  createdAt: NOW,
  escalateAt: NOW,
  snoozedUntil: NOW,
  exhaustedAt: null,
  level: 0,
});

// ---------------------------------------------------------------------------------------------
// Proposals

function proposalView(status: ProposalView['proposal']['status'], long = false): ProposalView {
  const rule = { quorum: { kind: 'share' as const, value: 0.5 }, majority: 'simple' as const, anonymous: long, boardSize: 9, quorumRequired: 5 };
  const decided = status !== 'open' && status !== 'draft';
  return {
    proposal: {
      id: uuid(600),
      org_id: uuid(999),
      number: long ? 123456 : 7,
      submission_key: null,
      title: long ? 'T'.repeat(PROPOSAL_LIMITS.title) : 'Call every new customer in their first week',
      problem: long ? 'Customers wait too long. '.repeat(100).slice(0, PROPOSAL_LIMITS.problem) : 'New customers call us because nobody explains the first invoice.',
      journey_id: onboarding.id,
      kpi_impact: long ? 'K'.repeat(PROPOSAL_LIMITS.kpiImpact) : null,
      effort: 3,
      customer_value: 5,
      business_value: 4,
      proposer_person_id: uuid(904),
      status,
      rule: status === 'draft' ? null : rule,
      opened_at: status === 'draft' ? null : NOW,
      deadline: status === 'draft' ? null : new Date('2027-04-05T08:00:00Z'),
      closed_at: decided ? NOW : null,
      created_at: NOW,
      updated_at: NOW,
    },
    timeZone: TZ,
    proposer: long ? longPerson : dana,
    journey: { key: 'onboarding', name: long ? 'J'.repeat(120) : 'Onboarding', owner: long ? longPerson : omar, ownerPersonId: uuid(902) },
    tally: { approve: 4, reject: 1, abstain: 1 },
    notVoted: { count: long ? 200 : 3, names: long ? Array.from({ length: 15 }, (_, i) => `Board member ${'b'.repeat(100)} ${i}`) : ['Ann', 'Bo', 'Cy'] },
    ...(decided
      ? {
          decision: {
            proposal_id: uuid(600),
            outcome: status === 'rejected' ? ('rejected' as const) : ('approved' as const),
            approve: 4,
            reject: 1,
            abstain: 1,
            not_voted: 3,
            board_size: 9,
            quorum_required: 5,
            rule,
            decided_at: NOW,
          },
        }
      : {}),
  };
}

const listEntry = (i: number, long = false): proposals.ListEntry => ({
  id: uuid(700 + i),
  number: i,
  title: long ? 'T'.repeat(150) : `Proposal ${i}`,
  status: i % 4 ? 'open' : 'in_progress',
  deadline: NOW,
  tally: { approve: 1, reject: 0, abstain: 0 },
  ...(i % 2 ? { myChoice: 'approve' as const } : {}),
});

// ---------------------------------------------------------------------------------------------
// Governance

const settings = { ...{ governanceChannels: [], votingPeriodHours: 168, quorum: { kind: 'share' as const, value: 0.5 }, majority: 'simple' as const, anonymousBallots: false }, orgName: 'Acme', timeZone: TZ };
const channel = (i: number, long = false) => ({ conversationId: uuid(800 + i), platform: i % 2 ? ('teams' as const) : ('slack' as const), installationExternalId: 'T0001', externalId: `C0${i}`, name: long ? 'c'.repeat(200) : `governance-${i}` });

// ---------------------------------------------------------------------------------------------
// Help

// ---------------------------------------------------------------------------------------------
// The glossary where people write

const inText = (i: number, long = false): TermInText => ({
  termId: uuid(900 + i),
  name: long ? 'N'.repeat(120) : `Term ${i}`,
  status: (['approved', 'proposed', 'deprecated'] as const)[i % 3]!,
  definition: long ? 'D'.repeat(400) : `What term ${i} means.`,
  written: `term ${i}`,
  ...(i % 3 === 2 ? { replacement: { termId: uuid(950 + i), name: long ? 'R'.repeat(120) : `Replacement ${i}`, definition: long ? 'D'.repeat(400) : 'The approved meaning.' } } : {}),
});

// ---------------------------------------------------------------------------------------------
// My Steward

function homeView(count: number, long = false): HomeView {
  const title = (i: number) => (long ? `${'T'.repeat(140)} ${i}` : `Proposal ${i}`);
  return {
    name: long ? 'N'.repeat(120) : 'Ann Peeters',
    timeZone: TZ,
    pings: Array.from({ length: count }, (_, i) => ({ pingId: uuid(1000 + i), journeyId: uuid(1100 + i), journeyName: long ? 'J'.repeat(120) : `Journey ${i}`, journeyKey: `j${i}`, message: long ? 'M'.repeat(2000) : 'Please check', state: i % 2 ? ('snoozed' as const) : ('sent' as const), holderPersonId: uuid(1), fromPersonId: uuid(2), createdAt: NOW, escalateAt: NOW, snoozedUntil: i % 2 ? NOW : null, exhaustedAt: null, level: 0 })),
    refs: new Map([[uuid(2), { name: long ? 'P'.repeat(120) : 'Bo' }]]),
    votes: Array.from({ length: count }, (_, i) => ({ id: uuid(1200 + i), number: i + 1, title: title(i), deadline: NOW })),
    journeys: Array.from({ length: count }, (_, i) => ({ name: long ? 'J'.repeat(120) : `Journey ${i}`, key: `j${i}`, role: i % 2 ? ('deputy' as const) : ('owner' as const), kpis: Array.from({ length: long ? 12 : 2 }, (_, k) => ({ key: `k${k}`, name: long ? 'K'.repeat(120) : `KPI ${k}`, status: (['breached', 'at_risk', 'on_track', 'no_data', 'stale'] as const)[k % 5]! })) })),
    approvals: Array.from({ length: count }, (_, i) => ({ id: uuid(1300 + i), kind: i % 2 ? ('edit' as const) : ('new' as const), name: long ? 'G'.repeat(120) : `Term ${i}`, created_at: NOW })),
    proposals: Array.from({ length: count }, (_, i) => ({ id: uuid(1400 + i), number: i + 1, title: title(i), status: (['draft', 'open', 'approved', 'in_progress'] as const)[i % 4]!, deadline: NOW })),
  };
}

const commands: Command[] = ['glossary', 'journey', 'kpi', 'proposal', 'settings', 'governance', 'schedule', 'digest', 'role', 'help'].map((word) => ({
  word,
  summary: `what ${word} does, in a line`,
  usage: Array.from({ length: 6 }, (_, i) => ({ example: `${word === 'help' ? '' : 'example'} ${i} <argument>`.trim(), description: `what example ${i} of ${word} does` })),
  handle: () => Promise.reject(new Error('not called')),
}));

// ---------------------------------------------------------------------------------------------
// The catalogue: every builder, realistic first, then worst cases.

const CARDS: Record<string, () => Card> = {
  'chat errorCard': () => errorCard('Something went wrong: *that* did not work_'),
  'chat unknownCommandCard': () => unknownCommandCard('glosary *nps*', 'glossary'),
  'chat unknownCommandCard without a guess': () => unknownCommandCard('x'.repeat(3000), undefined),
  'home homeCard': () => homeCard(homeView(2), 'slack'),
  'home homeCard empty': () => homeCard({ ...homeView(0), votes: [], approvals: [] }, 'teams'),
  'home homeCard longest, many of each': () => homeCard(homeView(60, true), 'slack'),
  'help helpCard Slack': () => helpCard(commands, 'slack'),
  'help helpCard Teams': () => helpCard(commands, 'teams'),
  'help commandHelpCard': () => commandHelpCard(commands[0]!, 'slack'),
  'help commandHelpCard settings on Slack': () => commandHelpCard(commands[4]!, 'slack'),

  'glossary termsInTextCard': () => termsInTextCard({ terms: [inText(0), inText(1), inText(2)], more: 0, unknownAcronyms: ['XYZ'] }),
  'glossary termsInTextCard nothing found': () => termsInTextCard({ terms: [], more: 0, unknownAcronyms: [] }),
  'glossary termsInTextCard longest': () => termsInTextCard({ terms: Array.from({ length: 10 }, (_, i) => inText(i, true)), more: 40, unknownAcronyms: ['ABCDEFGH', 'QRX', 'ZZTOP', 'KLM', 'WXYZ'] }),
  'glossary nudgeCard': () => nudgeCard({ termId: uuid(901), name: 'N'.repeat(120), written: 'n', replacement: { termId: uuid(902), name: 'R'.repeat(120), definition: 'D'.repeat(2000) } }),
  'glossary termCard private': () => glossary.termCard(term(), { mode: 'private' }),
  'glossary termCard compact': () => glossary.termCard(longTerm, { mode: 'compact' }),
  'glossary termCard shared': () => glossary.termCard(term(), { mode: 'shared', sharedBy: 'Dana Owner' }),
  'glossary termCard longest everything': () =>
    glossary.termCard(longTerm, { mode: 'private', notice: [text('Found by its alias '), bold('N'.repeat(120))], extra: [{ kind: 'list', items: [[bold('KPI: '), text('x')]] }] }),
  'glossary termCard deprecated with replacement': () => glossary.termCard(deprecated, { mode: 'private' }),
  'glossary termCard deprecated with a long replacement': () => glossary.termCard(deprecatedLong, { mode: 'shared', sharedBy: 'x' }),
  'glossary termCard deprecated without replacement': () => glossary.termCard(term({ status: 'deprecated', links: [], aliases: [], notes: null, steward: undefined }), { mode: 'private' }),
  'glossary candidatesCard': () => glossary.candidatesCard('nsp', [candidate(1, 'NPS'), candidate(2, 'CSAT')], { timeZone: TZ }),
  'glossary candidatesCard 50 candidates': () => glossary.candidatesCard('q'.repeat(200), fiftyCandidates, { pending, timeZone: TZ }),
  'glossary missCard': () => glossary.missCard('customer effort score', { pending, timeZone: TZ }),
  'glossary missCard longest query': () => glossary.missCard('q'.repeat(200), { timeZone: TZ }),
  'glossary searchCard': () => glossary.searchCard('promoter', [candidate(1, 'NPS')]),
  'glossary searchCard empty': () => glossary.searchCard('nothing', []),
  'glossary searchCard 50 results': () => glossary.searchCard('w'.repeat(300), fiftyCandidates),
  'glossary historyCard': () => glossary.historyCard({ id: uuid(1), name: 'Net Promoter Score', version: 3 }, [version(3), version(2), version(1)], { timeZone: TZ, total: 3, canRollBack: true }),
  'glossary historyCard 50 versions': () =>
    glossary.historyCard(
      { id: uuid(1), name: 'N'.repeat(120), version: 60 },
      Array.from({ length: 50 }, (_, i) => version(60 - i, { name: 'N'.repeat(120), definition: 'D'.repeat(2000), by: 'B'.repeat(120), proposedBy: 'P'.repeat(120), change: 'rolled_back', rolledBackTo: 1 })),
      { timeZone: TZ, total: 60, canRollBack: true },
    ),
  'glossary recentCard': () => glossary.recentCard([{ termId: uuid(1), name: 'NPS', version: 2, change: 'edited', by: 'Dana', at: NOW }], TZ),
  'glossary recentCard empty': () => glossary.recentCard([], TZ),
  'glossary recentCard 50 rows': () => glossary.recentCard(Array.from({ length: 50 }, (_, i) => ({ termId: uuid(i), name: `${'R'.repeat(110)} ${i}`, version: i, change: 'imported', by: 'B'.repeat(120), at: NOW })), TZ),
  'glossary statsCard': () => glossary.statsCard({ days: 30, total: 120, found: 100, mostLookedUp: [{ termId: uuid(1), name: 'NPS', count: 40 }], mostMissed: [{ query: 'ces', count: 5, sources: ['slack', 'mcp'] }], terms: { approved: 10 } }),
  'glossary statsCard empty': () => glossary.statsCard({ days: 30, total: 0, found: 0, mostLookedUp: [], mostMissed: [], terms: {} }),
  'glossary overviewCard': () => glossary.overviewCard([{ example: 'nps', description: 'look a term up' }], { approved: 3 }),
  'glossary proposalCard pending': () => glossaryChanges.proposalCard(glossaryProposal()),
  'glossary proposalCard new term, longest': () =>
    glossaryChanges.proposalCard(glossaryProposal({ kind: 'new', termName: 'N'.repeat(120), proposer: longPerson, changes: Array.from({ length: 5 }, () => ({ label: 'Definition', after: 'D'.repeat(2000) })) })),
  'glossary proposalCard approved': () => glossaryChanges.proposalCard(glossaryProposal({ status: 'approved', decidedBy: 'Dana', decidedAt: NOW, publishedVersion: 4 })),
  'glossary proposalCard rejected': () => glossaryChanges.proposalCard(glossaryProposal({ status: 'rejected', decidedBy: 'Dana', decidedAt: NOW, reason: 'R'.repeat(500) })),
  'glossary outcomeCard approved': () => glossaryChanges.outcomeCard({ approved: true, termName: 'N'.repeat(120), termId: uuid(1), version: 2, decidedBy: 'Dana' }),
  'glossary outcomeCard rejected': () => glossaryChanges.outcomeCard({ approved: false, termName: 'NPS', decidedBy: 'Dana', reason: 'Duplicate of Net Promoter Score' }),
  'glossary outcomeCard rejected without a reason': () => glossaryChanges.outcomeCard({ approved: false, termName: 'NPS', decidedBy: 'Dana' }),
  'glossary publishedCard': () => glossaryChanges.publishedCard(uuid(1), 'N'.repeat(120), 2, 'Edited'),
  'glossary proposalSentCard': () => glossaryChanges.proposalSentCard('NPS', ['Dana', 'Omar']),
  'glossary proposalSentCard nobody to approve': () => glossaryChanges.proposalSentCard('NPS', []),
  'glossary decidedCard': () => glossaryChanges.decidedCard('Already decided', 'Omar approved it an hour ago.'),

  'journeys journeyCard': () => journeys.journeyCard({ journey: onboarding, tree: smallTree, refs, openPings: 2, extra: [], channelName: '#onboarding' }),
  'journeys journeyCard lifecycle without owner below': () => journeys.journeyCard({ journey: lifecycle, tree: smallTree, refs: new Map(), openPings: 0, extra: [] }),
  'journeys journeyCard longest, 120 sub-journeys': () =>
    journeys.journeyCard({ journey: longJourney, tree: bigTree, refs, openPings: 9999, extra: [{ kind: 'context', text: [text('x'.repeat(3000))] }], closestFor: 'c'.repeat(300), channelName: 'c'.repeat(200) }),
  'journeys journeyListCard': () => journeys.journeyListCard(smallTree, refs),
  'journeys journeyListCard empty': () => journeys.journeyListCard(new JourneyTree([]), refs),
  'journeys journeyListCard 123 journeys': () => journeys.journeyListCard(bigTree, refs),
  'journeys candidatesCard': () => journeys.candidatesCard('onb', [onboarding, lifecycle]),
  'journeys candidatesCard longest names': () => journeys.candidatesCard('t'.repeat(300), manyChildren),
  'journeys notFoundCard': () => journeys.notFoundCard('x'.repeat(300)),
  'journeys noticeCard': () => journeys.noticeCard('Owner changed', { kind: 'text', text: [text('Dana owns it now.')] }),
  'journeys ownerChangedCard new': () => journeys.ownerChangedCard({ journey: longJourney, parentName: 'Customer lifecycle', by: dana, role: 'new', inheritedBy: 120 }),
  'journeys ownerChangedCard previous': () => journeys.ownerChangedCard({ journey: onboarding, parentName: undefined, by: dana, role: 'previous', inheritedBy: 0 }),
  'journeys ownerChangedCard previous to inherited': () => journeys.ownerChangedCard({ journey: onboarding, parentName: undefined, by: dana, role: 'previous', newOwner: omar, inheritedBy: 0 }),

  'kpis journeySnapshotCard': () => kpis.journeySnapshotCard({ journey: { id: onboarding.id, key: 'onboarding', name: 'Onboarding' }, owner: dana, views: [avoidable, emptyKpiView], chart, asOf: NOW }),
  'kpis journeySnapshotCard no KPIs': () => kpis.journeySnapshotCard({ journey: { id: onboarding.id, key: 'onboarding', name: 'Onboarding' }, owner: undefined, views: [], chart: undefined, asOf: NOW }),
  'kpis journeySnapshotCard 20 long KPIs, shared': () =>
    kpis.journeySnapshotCard(
      { journey: { id: longJourney.id, key: longJourney.key, name: longJourney.name }, owner: longPerson, views: Array.from({ length: 20 }, () => longKpiView), chart, asOf: NOW },
      { shared: longPerson },
    ),
  'kpis kpiDetailCard': () => kpis.kpiDetailCard({ view: avoidable, journey: { key: 'onboarding', name: 'Onboarding' }, owner: dana, segments: [avoidable, { ...avoidable, segment: 'business' }], chart, asOf: NOW }),
  'kpis kpiDetailCard no values': () => kpis.kpiDetailCard({ view: emptyKpiView, journey: { key: 'onboarding', name: 'Onboarding' }, owner: undefined, segments: [], chart: undefined, asOf: NOW }),
  'kpis kpiDetailCard 20 segments, longest': () =>
    kpis.kpiDetailCard(
      { view: longKpiView, journey: { key: 'k', name: 'J'.repeat(120) }, owner: longPerson, segments: Array.from({ length: 20 }, (_, i) => ({ ...longKpiView, segment: `segment-${i}-${'s'.repeat(50)}` })), chart, asOf: NOW },
      { shared: longPerson },
    ),
  'kpis kpiListCard': () => kpis.kpiListCard([{ journey: 'Onboarding', journeyKey: 'onboarding', kpis: ['avoidable-onboarding', 'nps'] }]),
  'kpis kpiListCard empty': () => kpis.kpiListCard([]),
  'kpis kpiListCard 200 journeys': () => kpis.kpiListCard(Array.from({ length: 200 }, (_, i) => ({ journey: 'J'.repeat(120), journeyKey: `k${i}`, kpis: Array.from({ length: 20 }, () => 'k'.repeat(64)) }))),
  'kpis channelAlertCard': () => kpis.channelAlertCard(alertFacts()),
  'kpis channelAlertCard longest, no owner': () => kpis.channelAlertCard({ ...alertFacts(longKpi, 's'.repeat(64)), owner: undefined, journeyName: 'J'.repeat(120) }),
  'kpis recoveredCard': () => kpis.recoveredCard(alertFacts(), { period: '2027-03-29', value: 11 }, 'on_track'),
  'kpis mutedCard': () => kpis.mutedCard(alertFacts(), dana, true),
  'kpis mutedCard already muted': () => kpis.mutedCard(alertFacts(), dana, false),
  'kpis undeliverableCard': () => kpis.undeliverableCard({ kpi: longKpi, journeyName: 'J'.repeat(120), segment: 'all', point: undefined }, 'R'.repeat(500)),

  'pings pingCard live': () => pings.pingCard(pingView(), { live: true }),
  'pings pingCard snoozed': () => pings.pingCard(pingView({}, { state: 'snoozed', snoozed_until: NOW }), { live: true }),
  'pings pingCard acknowledged': () => pings.pingCard(pingView({ history: [{ kind: 'acknowledged', level: 0, at: NOW, actor: dana }] }, { state: 'acknowledged' }), { live: true }),
  'pings pingCard with the admins, exhausted': () => pings.pingCard(pingView({ holder: null, deputy: null, next: null, admins: [{ personId: uuid(901), ref: dana }] }, { exhausted_at: NOW }), { live: true }),
  'pings pingCard superseded': () => pings.pingCard(pingView(), { live: false, intro: [text('Escalated to you because nobody acknowledged it.')] }),
  'pings pingCard longest, 40 steps': () => pings.pingCard(longPing, { live: true }),
  'pings pingSentCard': () => pings.pingSentCard(pingView(), { delivered: [{ person: omar, platform: 'slack' }, { person: dana, platform: 'teams' }], failed: [], pending: [] }),
  'pings pingSentCard own owner, no deputy': () => pings.pingSentCard(pingView({ deputy: null, next: null }), { delivered: [], failed: [{ person: noSlack, reason: 'no Slack account with head-of-onboarding@example.com' }], pending: [] }),
  'pings pingSentCard inherited owner': () => pings.pingSentCard(inheritedPing, { delivered: [], failed: [], pending: [omar] }),
  'pings pingSentCard passed on': () => pings.pingSentCard(passedOnPing, { delivered: [{ person: dana, platform: 'slack' }], failed: [{ person: noSlack, reason: 'no Slack account with head-of-onboarding@example.com' }], pending: [] }),
  'pings pingSentCard to the admins': () => pings.pingSentCard(pingView({ holder: null, deputy: null, admins: [{ personId: uuid(901), ref: dana }] }), { delivered: [], failed: [], pending: [] }),
  'pings pingSentCard nobody': () => pings.pingSentCard(pingView({ holder: null, deputy: null, admins: [] }), { delivered: [], failed: [], pending: [] }),
  'pings pingSentCard longest': () => pings.pingSentCard(longPing, { delivered: Array.from({ length: 30 }, () => ({ person: longPerson, platform: 'slack' as const })), failed: Array.from({ length: 30 }, () => ({ person: longPerson, reason: 'R'.repeat(600) })), pending: Array.from({ length: 30 }, () => longPerson) }),
  'pings senderNewsCard acknowledged': () => pings.senderNewsCard(pingView(), { kind: 'acknowledged', by: dana }),
  'pings senderNewsCard snoozed': () => pings.senderNewsCard(pingView(), { kind: 'snoozed', by: dana, until: NOW }),
  'pings senderNewsCard escalated by hand': () => pings.senderNewsCard(pingView(), { kind: 'escalated', by: dana, to: omar, toJourney: 'Customer lifecycle' }),
  'pings senderNewsCard escalated in time': () => pings.senderNewsCard(pingView(), { kind: 'escalated', to: omar, toJourney: 'Customer lifecycle' }),
  'pings senderNewsCard unreachable': () => pings.senderNewsCard(pingView(), { kind: 'unreachable', who: noSlack, reason: 'no Slack account with head-of-onboarding@example.com', instead: [dana], insteadAs: 'deputy' }),
  'pings senderNewsCard unreachable, nobody instead': () => pings.senderNewsCard(longPing, { kind: 'unreachable', who: longPerson, reason: 'R'.repeat(1000), instead: [], insteadAs: 'the admins' }),
  'pings senderNewsCard exhausted': () => pings.senderNewsCard(pingView(), { kind: 'exhausted' }),
  'pings senderNewsCard resolved': () => pings.senderNewsCard(longPing, { kind: 'resolved', by: longPerson, note: 'N'.repeat(2000) }),
  'pings mineCard': () => mineCard({ owned: [{ journey: onboarding, role: 'owner' }], inherited: [], withMe: [openPing(0)], sentByMe: [openPing(1)], refs, timeZone: TZ }),
  'pings mineCard empty': () => mineCard({ owned: [], inherited: [], withMe: [], sentByMe: [], refs, timeZone: TZ }),
  'pings mineCard longest': () =>
    mineCard({
      owned: manyChildren.map((j) => ({ journey: j, role: 'deputy' as const })),
      inherited: manyChildren,
      withMe: Array.from({ length: 50 }, (_, i) => openPing(i, true)),
      sentByMe: Array.from({ length: 50 }, (_, i) => openPing(i, true)),
      refs,
      timeZone: TZ,
    }),
  'pings journeyHistoryCard empty': () => journeyHistoryCard({ journey: onboarding, changes: [], changesTotal: 0, pings: [], pingsTotal: 0, timeZone: TZ }),
  'pings journeyHistoryCard': () =>
    journeyHistoryCard({
      journey: longJourney,
      changes: Array.from({ length: 20 }, () => ({ what: { kind: 'owner' as const, from: longPerson, to: dana }, at: NOW, by: longPerson })),
      changesTotal: 500,
      pings: Array.from({ length: 20 }, (_, i) => ({
        id: uuid(i),
        reason: 'manual' as const,
        message: 'M'.repeat(2000),
        state: 'sent' as const,
        from: longPerson,
        holder: longPerson,
        snoozedUntil: null,
        exhaustedAt: null,
        createdAt: NOW,
        steps: longPing.history,
      })),
      pingsTotal: 500,
      timeZone: TZ,
    }),

  'proposals proposalCard open': () => proposals.proposalCard(proposalView('open')),
  'proposals proposalCard draft': () => proposals.proposalCard(proposalView('draft')),
  'proposals proposalCard approved': () => proposals.proposalCard(proposalView('approved')),
  'proposals proposalCard withdrawn': () => proposals.proposalCard(proposalView('withdrawn')),
  'proposals proposalCard longest, anonymous': () => proposals.proposalCard(proposalView('open', true), { note: 'You voted Approve' }),
  'proposals placeholderCard': () => proposals.placeholderCard(7, 'T'.repeat(150)),
  'proposals submittedCard opened': () => proposals.submittedCard(proposalView('open'), true),
  'proposals submittedCard draft': () => proposals.submittedCard(proposalView('draft'), false, 'There is no governance channel yet.'),
  'proposals voteConfirmationCard': () => proposals.voteConfirmationCard('You voted Approve on #7.', { comment: 'C'.repeat(500), anonymous: true }),
  'proposals decisionCard approved': () => proposals.decisionCard(proposalView('approved'), { followUp: true }),
  'proposals decisionCard rejected, longest': () => proposals.decisionCard(proposalView('rejected', true)),
  'proposals followUpCard': () => proposals.followUpCard({ ...proposalView('in_progress') }, 'Dana', { buttons: true }),
  'proposals noticeCard': () => proposals.noticeCard('Withdrawn', 'Proposal #7 is withdrawn.'),
  'proposals listCard': () => proposals.listCard([listEntry(1), listEntry(2)], [listEntry(4)], { timeZone: TZ, boardMember: true }),
  'proposals listCard empty': () => proposals.listCard([], [], { timeZone: TZ, boardMember: false }),
  'proposals listCard 100 proposals': () =>
    proposals.listCard(
      Array.from({ length: 100 }, (_, i) => listEntry(i * 4 + 1, true)),
      Array.from({ length: 100 }, (_, i) => listEntry(i * 4, true)),
      { timeZone: TZ, boardMember: true },
    ),
  'proposals showCard': () => proposals.showCard(proposalView('open'), [{ name: 'Ann', choice: 'approve', comment: 'Yes' }]),
  'proposals showCard anonymous': () => proposals.showCard(proposalView('open'), 'anonymous'),
  'proposals showCard 200 ballots': () =>
    proposals.showCard(
      proposalView('open', true),
      Array.from({ length: 200 }, (_, i) => ({ name: `Board member ${'b'.repeat(100)} ${i}`, choice: (['approve', 'reject', 'abstain'] as const)[i % 3]!, comment: 'C'.repeat(500) })),
    ),

  'governance settingsCard': () => governance.settingsCard(settings, [channel(0), channel(1)], ['Ann', 'Bo'], { canChange: true }),
  'governance settingsCard empty': () => governance.settingsCard(settings, [], [], { canChange: false }),
  'governance settingsCard longest': () =>
    governance.settingsCard({ ...settings, orgName: 'O'.repeat(200) }, Array.from({ length: 20 }, (_, i) => channel(i, true)), Array.from({ length: 200 }, () => 'B'.repeat(120)), { canChange: true }),
  'governance governanceChannelCard': () => governance.governanceChannelCard(channel(0), [channel(1)], 'Acme', 3),
  'governance governanceChannelsCard': () => governance.governanceChannelsCard([channel(0), channel(1, true)]),
  'governance governanceChannelsCard empty': () => governance.governanceChannelsCard([]),
  'governance noticeCard': () => governance.noticeCard('Saved', 'Settings saved.'),
  'governance scheduleCard': () => governance.scheduleCard({ enabled: true, cron: '0 9 * * 1', timeZone: TZ, reminderHours: 24, next: [NOW, NOW, NOW], channels: 1 }),
  'governance scheduleCard off': () => governance.scheduleCard({ enabled: false, cron: '0 9 * * 1', timeZone: TZ, reminderHours: 0, next: [], channels: 0 }),
  'governance reminderCard': () => governance.reminderCard({ id: uuid(600), number: 7, title: 'T'.repeat(150), deadline: NOW }, TZ),
  'governance digest empty': () => buildDigestCard([], { orgName: 'Acme', period: 'week to Mon 29 Mar 2027' }),
  'governance digest full': () =>
    buildDigestCard(
      Array.from({ length: 8 }, (_, s) => ({ title: `Section ${s}`, items: Array.from({ length: 250 }, (_, i) => [bold(`Item ${i}: `), text('x'.repeat(300))]), moreCommand: 'journey list' })),
      { orgName: 'O'.repeat(200), period: 'week to Mon 29 Mar 2027' },
    ),
  'governance digestPreviewCard': () => governance.digestPreviewCard(buildDigestCard([], { orgName: 'Acme', period: 'p' }), { next: NOW, last: NOW, timeZone: TZ }),
};

const FORMS: Record<string, () => Form> = {
  'glossary termForm propose': () => glossaryChanges.termForm({ editor: false }),
  'glossary termForm edit, longest initial values': () =>
    glossaryChanges.termForm({ termId: uuid(1), editor: true, initial: { name: 'N'.repeat(120), definition: 'D'.repeat(2000), notes: 'N'.repeat(2000), aliases: ['a'], links: ['https://x.example.com'] } }),
  'glossary rejectForm': () => glossaryChanges.rejectForm(uuid(3), 'N'.repeat(120)),
  'glossary lookupForm': () => glossary.lookupForm(),
  'journeys addJourneyForm': () => journeys.addJourneyForm([lifecycle, onboarding, longJourney, ...manyChildren]),
  'pings pingForm': () => pingForm(longJourney),
  'proposals proposalForm': () => proposals.proposalForm({ key: 'k', journeys: Array.from({ length: 150 }, (_, i) => ({ label: `Journey ${i}`, value: `j${i}` })) }),
  'proposals proposalForm free text journey': () => proposals.proposalForm({ key: 'k', journeys: 'text' }),
  'proposals commentForm': () => proposals.commentForm(uuid(600), 123456, { choice: 'reject', comment: 'C'.repeat(500) }),
  'governance settingsForm': () => governance.settingsForm(settings),
};

function failWith(name: string, problems: string[]): void {
  if (problems.length) throw new Error(`${name} breaks ${problems.length} rule(s):\n  ${problems.join('\n  ')}`);
}

describe('every card within Teams’ rules (Adaptive Card 1.5 schema and Teams limits)', () => {
  it.each(Object.entries(CARDS))('%s', (name, build) => {
    failWith(name, adaptiveCardProblems(renderAdaptiveCard(build())));
  });
  it.each(Object.entries(FORMS))('form %s', (name, build) => {
    failWith(name, adaptiveCardProblems(renderFormCard(build())));
  });
});

describe('cards in a Teams dialog (the message action): Action.Submit only, still within the rules', () => {
  it.each(Object.entries(CARDS).filter(([name]) => name.startsWith('glossary')))('%s', (name, build) => {
    const card = submitOnly(renderAdaptiveCard(build()));
    expect(JSON.stringify(card)).not.toContain('Action.Execute');
    failWith(name, adaptiveCardProblems(card));
  });
});

describe('every card within Slack’s rules (Block Kit limits, mrkdwn runs)', () => {
  it.each(Object.entries(CARDS))('%s', (name, build) => {
    const card = build();
    failWith(name, [...blockKitProblems(renderBlocks(card), 'message'), ...fallbackTextProblems(fallbackText(card))]);
  });
  it.each(Object.entries(FORMS))('form %s', (name, build) => {
    failWith(name, modalProblems(renderModal(build(), { channelId: 'C0123' })));
  });
  it('the Home tab: My Steward, with many of everything, as a home view', () => {
    failWith('home', blockKitProblems(renderBlocks(homeCard(homeView(60, true), 'slack')), 'home'));
  });
});

describe('the rules themselves', () => {
  it('catch a bold run with a space inside its marks, and pass a well formed one', () => {
    expect(mrkdwnRunProblems('*Avoidable contact: *')).toEqual([expect.stringMatching(/space just inside/)]);
    expect(mrkdwnRunProblems('*Avoidable contact:* 12 · _weekly_ · a*\u200Bb')).toEqual([]);
  });
  it('catch an empty rich-text element, a long button and an unknown Adaptive Card property', () => {
    expect(blockKitProblems([{ type: 'rich_text', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: '' }] }] }])).toEqual([
      expect.stringMatching(/empty text element/),
    ]);
    const long = 'Avoidable contacts per 100 new customers in detail';
    expect(blockKitProblems([{ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: long }, action_id: 'a' }] }])).toEqual([expect.stringMatching(/over 40/)]);
    expect(adaptiveCardProblems({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: 'x', colour: 'red' }] })).toEqual([expect.stringMatching(/colour/)]);
  });
});

describe('buttons that need a second thought', () => {
  const escalate = () => pings.pingCard(pingView(), { live: true });

  it('Escalate asks for confirmation on Slack (a confirm dialog)', () => {
    const blocks = renderBlocks(escalate()) as { type: string; elements?: { action_id?: string; confirm?: unknown }[] }[];
    const button = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id?.startsWith('ping.escalate'));
    expect(button?.confirm).toMatchObject({ title: { type: 'plain_text' }, confirm: { type: 'plain_text' }, deny: { type: 'plain_text' }, style: 'danger' });
  });

  it('Escalate asks for confirmation on Teams (a card that opens with the confirming button)', () => {
    const card = renderAdaptiveCard(escalate());
    const sets = card.body.filter((b) => b.type === 'ActionSet') as { actions: { type: string; title: string; card?: { actions?: { type: string; verb?: string }[] } }[] }[];
    const show = sets.flatMap((s) => s.actions).find((a) => a.title === 'Escalate');
    expect(show?.type).toBe('Action.ShowCard');
    expect(JSON.stringify(show?.card)).toContain('"verb":"ping.escalate"');
  });

  it('a deprecated term’s card opens its replacement', () => {
    const card = glossary.termCard(deprecated, { mode: 'private' });
    const buttons = card.blocks.flatMap((b) => (b.kind === 'actions' ? b.buttons : []));
    expect(buttons[0]).toMatchObject({ payload: { action: 'glossary.show', termId: uuid(2) } });
    expect(JSON.stringify(card.blocks)).toContain('Customer Satisfaction Score');
  });
});

describe('the sender’s confirmation says where the ping is', () => {
  const words = (card: Card) => JSON.stringify(card.blocks);
  it('with the owner above when its journey has none of its own', () => {
    const said = words(pings.pingSentCard(inheritedPing, { delivered: [], failed: [], pending: [omar] }));
    expect(said).toContain('Sent to');
    expect(said).toContain('who owns Customer lifecycle (Onboarding has no owner of its own)');
  });
  it('with the next owner up when its own owner could not be reached, without claiming the journey has no owner', () => {
    const said = words(pings.pingSentCard(passedOnPing, { delivered: [{ person: dana, platform: 'slack' }], failed: [{ person: noSlack, reason: 'no Slack account with head-of-onboarding@example.com' }], pending: [] }));
    expect(said).toContain('Now with');
    expect(said).toContain('owner of Customer lifecycle');
    expect(said).not.toContain('has no owner of its own');
  });
});
