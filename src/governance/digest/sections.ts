// The digest's sections, in the order the digest shows them. Each reads its own capability's tables
// for one organisation and the week before the digest's slot.
import { checkPeople, unreachableEverywhere } from '../../reach/check.js';
import { counted } from '../../chat/words.js';
import { bold, code, mention, text, type Inline, type RichText } from '../../chat/card.js';
import { localTime } from '../../chat/time-text.js';
import type { Db } from '../../db/database.js';
import { loadViews } from '../../kpis/snapshot.js';
import { kpisByKeys } from '../../kpis/repo.js';
import { STATUS_LABELS } from '../../kpis/status.js';
import { personRefs } from '../../orgs/people.js';
import * as repo from '../repo.js';
import { readScheduleSettings } from '../schedule.js';
import type { DigestSection, DigestSectionSource, DigestWindow } from './card.js';
import * as sectionsRepo from './repo.js';
import { adherenceByChannel } from '../../glossary/repo/watch.js';
import { dayAndWeek } from '../../glossary/watch.js';

const DAY_MS = 24 * 3600 * 1000;
/** An approved proposal nobody has started after this long is reported as overdue. */
export const START_WITHIN_DAYS = 14;


/** Open proposals with their deadline and the board members who have not voted yet (mentioned). */
export const openVotes: DigestSectionSource = async (db, window) => {
  const proposals = await sectionsRepo.openProposals(db, window.orgId);
  const board = await sectionsRepo.boardMemberIds(db, window.orgId);
  const refs = await personRefs(db, board);
  const items: RichText[] = [];
  for (const proposal of proposals) {
    const voted = await sectionsRepo.voterIds(db, proposal.id);
    const missing = board.filter((id) => !voted.has(id)).map((id) => refs.get(id)).filter((r) => r !== undefined);
    const runs: Inline[] = [text(`#${proposal.number} ${proposal.title} — closes ${proposal.deadline ? localTime(proposal.deadline, window.timeZone) : 'without deadline'}`)];
    if (missing.length) {
      runs.push(text('; not voted: '));
      missing.slice(0, 15).forEach((ref, i) => runs.push(...(i ? [text(', ')] : []), mention(ref)));
      if (missing.length > 15) runs.push(text(` and ${missing.length - 15} more`));
    } else {
      runs.push(text('; everyone has voted'));
    }
    items.push(runs);
  }
  return { title: 'Proposals open for votes', items, moreCommand: 'proposal list' };
};

/** Decisions recorded in the week. */
export const decisionsMade: DigestSectionSource = async (db, window) => {
  const rows = await sectionsRepo.decisionsIn(db, window);
  const words = { approved: 'approved', rejected: 'rejected', no_quorum: 'no quorum' } as const;
  return {
    title: 'Decisions made',
    items: rows.map((r) => [text(`#${r.number} ${r.title}: `), bold(words[r.outcome]), text(` (approve ${r.approve} · reject ${r.reject} · abstain ${r.abstain})`)]),
    moreCommand: 'proposal list',
  };
};

/** Approved proposals being carried out, and approved ones nobody has started in time. */
export const approvedFollowUp: DigestSectionSource = async (db, window) => {
  const rows = await sectionsRepo.approvedProposals(db, window.orgId);
  const items = rows.map((r): RichText => {
    if (r.status === 'in_progress') return [text(`#${r.number} ${r.title} — in progress`)];
    const since = r.closed_at ?? r.updated_at;
    const days = Math.floor((window.to.getTime() - since.getTime()) / DAY_MS);
    return days > START_WITHIN_DAYS
      ? [text(`#${r.number} ${r.title} — `), bold(`overdue: approved ${days} days ago, not started`)]
      : [text(`#${r.number} ${r.title} — approved, not started yet`)];
  });
  return { title: 'Approved proposals in progress and overdue', items, moreCommand: 'proposal list' };
};

/** KPIs breached or at risk, each with the journey's accountable owner. */
export const kpisOffTarget: DigestSectionSource = async (db, window) => {
  const keys = await sectionsRepo.kpiKeys(db, window.orgId);
  if (keys.length === 0) return { title: 'KPIs breached or at risk', items: [] };
  const views = await loadViews(db, window.orgId, await kpisByKeys(db, window.orgId, keys), 'all', window.to, { definitions: false });
  const off = views.filter((v) => v.reading.status === 'breached' || v.reading.status === 'at_risk');
  const owners = await sectionsRepo.effectiveOwners(db, window.orgId);
  const refs = await personRefs(db, [...new Set([...owners.values()])]);
  const items = off
    .sort((a, b) => (a.reading.status === b.reading.status ? a.kpi.key.localeCompare(b.kpi.key) : a.reading.status === 'breached' ? -1 : 1))
    .map((v): RichText => {
      const owner = owners.get(v.kpi.journey_id);
      const ref = owner ? refs.get(owner) : undefined;
      const latest = v.recent[0];
      return [
        text(`${v.kpi.name} `),
        code(v.kpi.key),
        text(`: ${STATUS_LABELS[v.reading.status]}${latest ? `, ${latest.value} ${v.kpi.unit} (target ${v.kpi.target})` : ''} — owner `),
        ref ? mention(ref) : text('nobody'),
      ];
    });
  return { title: 'KPIs breached or at risk', items, moreCommand: 'kpi <journey>' };
};

/** Pings nobody has acknowledged, including the ones that ran out of people to escalate to. */
export const unacknowledgedPings: DigestSectionSource = async (db, window) => {
  const rows = await sectionsRepo.unacknowledgedPings(db, window);
  const refs = await personRefs(db, rows.flatMap((r) => (r.holder_person_id ? [r.holder_person_id] : [])));
  const items = rows.map((r): RichText => {
    const holder = r.holder_person_id ? refs.get(r.holder_person_id) : undefined;
    const days = Math.max(0, Math.floor((window.to.getTime() - r.created_at.getTime()) / DAY_MS));
    return [
      text(`${r.name}: “${r.message.length > 120 ? `${r.message.slice(0, 119)}…` : r.message}” — with `),
      holder ? mention(holder) : text('nobody'),
      text(`, ${counted(days, 'day')} old${r.exhausted_at ? ', escalated to the top without an answer' : ''}`),
    ];
  });
  return { title: 'Unacknowledged pings', items, moreCommand: 'journey mine' };
};

/**
 * Journeys without a dedicated owner: no owner of their own, whoever covers them today through the
 * tree (an ancestor's owner), since the board asks for an accountable owner per journey.
 */
export const journeysWithoutOwnOwner: DigestSectionSource = async (db: Db, window: DigestWindow): Promise<DigestSection> => {
  const rows = await sectionsRepo.journeysWithoutOwnOwner(db, window.orgId);
  const refs = await personRefs(db, rows.flatMap((r) => (r.coveredBy ? [r.coveredBy] : [])));
  return {
    title: 'Journeys without an owner of their own',
    items: rows.map((r): RichText => {
      const cover = r.coveredBy ? refs.get(r.coveredBy) : undefined;
      return [text(`${r.name} `), code(r.key), ...(cover ? [text(' — covered by '), mention(cover)] : [text(' — '), bold('nobody up the tree owns it')])];
    }),
    moreCommand: 'journey list',
  };
};

/** Approved terms nobody has reviewed (changed) for the organisation's review period. */
export const termsDueForReview: DigestSectionSource = async (db, window) => {
  const org = await repo.orgSettings(db, window.orgId);
  const days = readScheduleSettings(org?.settings ?? {}).glossaryReviewDays;
  const rows = await sectionsRepo.approvedTermsChangedBefore(db, window.orgId, new Date(window.to.getTime() - days * DAY_MS));
  return {
    title: `Glossary terms not reviewed for ${days} days`,
    items: rows.map((r) => [text(`${r.name} — last changed ${r.updated_at.toISOString().slice(0, 10)}`)]),
    moreCommand: 'glossary recent',
  };
};

/** The five queries people searched for most in the week that the glossary could not answer. */
export const missingTerms: DigestSectionSource = async (db, window) => {
  const rows = await sectionsRepo.topMissedQueries(db, window);
  return {
    title: 'Most searched, not in the glossary',
    items: rows.map((r) => [text(`“${r.query}” — ${r.n} search${r.n === 1 ? '' : 'es'}`)]),
    moreCommand: 'glossary stats',
  };
};

/**
 * Owners, deputies, stewards, board members and admins Steward tried and failed to reach on every
 * platform the organisation uses (no Slack account with their e-mail, in no Teams roster): until
 * someone fixes their e-mail or installs the app where they are, their pings go to someone else.
 */
export const peopleNotReached: DigestSectionSource = async (db, window) => {
  const people = unreachableEverywhere(await checkPeople(db, window.orgId));
  return {
    title: 'People Steward cannot reach',
    items: people.map((p): RichText => {
      const reasons = [...new Set(Object.values(p.platforms).flatMap((r) => (r?.status === 'unreachable' ? [r.reason] : [])))];
      return [text(`${p.name} (${p.why}) — ${reasons.join('; ')}`)];
    }),
    moreCommand: 'steward people check',
  };
};

/**
 * Per channel an admin watches (`glossary watch here`): how often retired glossary terms were used in
 * the week before the digest, against the week before that, and the one used most.
 */
export const glossaryAdherence: DigestSectionSource = async (db, window) => {
  const { week, lastWeek } = dayAndWeek(new Date(window.to.getTime() - DAY_MS));
  const channels = await adherenceByChannel(db, window.orgId, week, lastWeek);
  return {
    title: 'Retired glossary terms in watched channels',
    items: channels.map((c): RichText => {
      const where = c.name ? `#${c.name}` : `a ${c.platform === 'slack' ? 'Slack' : 'Teams'} channel`;
      const trend = c.this_week === c.last_week ? 'the same as the week before' : c.this_week < c.last_week ? `down from ${c.last_week}` : `up from ${c.last_week}`;
      const top = c.top_term ? [text('; most used: '), bold(c.top_term)] : [];
      return [text(`${where} — ${counted(c.this_week, 'use')} this week, ${trend}`), ...top];
    }),
    moreCommand: 'glossary watch here',
  };
};

export const DIGEST_SECTIONS: DigestSectionSource[] = [
  openVotes,
  decisionsMade,
  approvedFollowUp,
  kpisOffTarget,
  unacknowledgedPings,
  journeysWithoutOwnOwner,
  peopleNotReached,
  termsDueForReview,
  missingTerms,
  glossaryAdherence,
];
