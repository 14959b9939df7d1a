// My Steward as one card (Slack's Home tab, Teams' `home`): what waits for the person, most urgent
// first, with the buttons to act on it there; an empty section says what to try instead.
import { actions, bold, code, context, para, text, type Block, type Button, type Card, type Inline, type RichText } from '../chat/card.js';
import { truncate } from '../chat/limits.js';
import { localTime } from '../chat/time-text.js';
import { counted } from '../chat/words.js';
import type { Platform } from '../db/foundation-tables.js';
import { typed } from '../help/cards.js';
import { STATUS_LABELS } from '../kpis/status.js';
import { PING_ACTIONS } from '../pings/cards.js';
import { SHOWN, type HomeJourney, type HomeView } from './service.js';

const PROPOSAL_STATES: Record<string, string> = { draft: 'draft, not posted yet', open: 'open for votes', approved: 'approved, not started', in_progress: 'in progress' };

function heading(title: string, count: number): Block {
  return para(bold(count > 0 ? `${title} (${count})` : title));
}

function more(count: number, shown: number, what: string, command: RichText): Block[] {
  return count > shown ? [context(`and ${counted(count - shown, what)} more: `, ...command)] : [];
}

function pingBlocks(view: HomeView, platform: Platform): Block[] {
  const blocks: Block[] = [heading('Pings waiting for you', view.pings.length)];
  if (view.pings.length === 0) return [...blocks, context('Nothing waits for you. ', code(typed(platform, 'journey', 'mine')), text(' lists the journeys you own.'))];
  for (const ping of view.pings.slice(0, SHOWN.pings)) {
    const from = ping.fromPersonId ? view.refs.get(ping.fromPersonId)?.name : undefined;
    const when = ping.state === 'snoozed' && ping.snoozedUntil ? ` · snoozed until ${localTime(ping.snoozedUntil, view.timeZone)}` : ping.escalateAt ? ` · escalates ${localTime(ping.escalateAt, view.timeZone)}` : '';
    blocks.push(para(bold(ping.journeyName), text(` · “${truncate(ping.message, 150)}”${from ? ` · from ${from}` : ''}${when}`)));
    const buttons: Button[] = [{ label: 'Acknowledge', style: 'primary', payload: { action: PING_ACTIONS.acknowledge, pingId: ping.pingId } }];
    if (ping.state === 'sent' && !ping.exhaustedAt) {
      buttons.push({ label: 'Snooze 1 day', payload: { action: PING_ACTIONS.snooze, pingId: ping.pingId } });
      buttons.push({
        label: 'Escalate',
        style: 'danger',
        payload: { action: PING_ACTIONS.escalate, pingId: ping.pingId },
        confirm: { title: 'Escalate this ping?', text: 'It goes to the next owner up the journey tree now, and cannot be taken back.', confirm: 'Escalate', deny: 'Cancel' },
      });
    }
    blocks.push(actions(...buttons));
  }
  return [...blocks, ...more(view.pings.length, SHOWN.pings, 'ping', [code(typed(platform, 'journey', 'mine'))])];
}

function voteBlocks(view: HomeView, platform: Platform): Block[] {
  if (!view.votes) return [];
  const blocks: Block[] = [heading('Votes you owe', view.votes.length)];
  if (view.votes.length === 0) return [...blocks, context('You have voted on every open proposal. ', code(typed(platform, 'proposal', 'list')), text(' shows them.'))];
  for (const vote of view.votes.slice(0, SHOWN.votes)) {
    blocks.push(para(bold(`#${vote.number} ${truncate(vote.title, 120)}`), text(vote.deadline ? ` · closes ${localTime(vote.deadline, view.timeZone)}` : '')));
    blocks.push(
      actions(
        { label: 'Approve', style: 'primary', payload: { action: 'proposal.vote', p: vote.id, c: 'approve' } },
        { label: 'Reject', style: 'danger', payload: { action: 'proposal.vote', p: vote.id, c: 'reject' } },
        { label: 'Abstain', payload: { action: 'proposal.vote', p: vote.id, c: 'abstain' } },
      ),
    );
  }
  return [...blocks, ...more(view.votes.length, SHOWN.votes, 'proposal', [code(typed(platform, 'proposal', 'list'))])];
}

function journeyBlocks(view: HomeView, platform: Platform): Block[] {
  const blocks: Block[] = [heading('Your journeys', view.journeys.length)];
  if (view.journeys.length === 0) return [...blocks, context('You own no journey. ', code(typed(platform, 'journey', 'list')), text(' shows who owns what.'))];
  const items = view.journeys.slice(0, SHOWN.journeys).map((j): RichText => {
    const runs: Inline[] = [bold(j.name), text(j.role === 'deputy' ? ' (deputy)' : '')];
    const off = j.kpis.filter((k) => k.status === 'breached' || k.status === 'at_risk');
    if (j.kpis.length === 0) runs.push(text(' · no KPIs'));
    else if (off.length === 0) runs.push(text(` · ${quietKpis(j.kpis)}`));
    else runs.push(text(` · ${off.map((k) => `${k.name} ${STATUS_LABELS[k.status]}`).join(', ')}`));
    return runs;
  });
  return [...blocks, { kind: 'list', items }, ...more(view.journeys.length, SHOWN.journeys, 'journey', [code(typed(platform, 'journey', 'mine'))]), context('Details: ', code(typed(platform, 'kpi', view.journeys[0]!.key)))];
}

/** KPIs none of which is breached or at risk: "2 KPIs on track", or how many are on track, stale or without data. */
function quietKpis(kpis: HomeJourney['kpis']): string {
  const counts = (['on_track', 'stale', 'no_data'] as const).map((status) => [status, kpis.filter((k) => k.status === status).length] as const).filter(([, n]) => n > 0);
  if (counts.length === 1 && counts[0]![0] === 'on_track') return `${counted(kpis.length, 'KPI')} on track`;
  return `${counted(kpis.length, 'KPI')}: ${counts.map(([status, n]) => `${n} ${STATUS_LABELS[status]}`).join(', ')}`;
}

function approvalBlocks(view: HomeView, platform: Platform): Block[] {
  if (!view.approvals) return [];
  const blocks: Block[] = [heading('Glossary changes waiting for your approval', view.approvals.length)];
  if (view.approvals.length === 0) return [...blocks, context('No glossary change waits for you. ', code(typed(platform, 'glossary', 'recent')), text(' shows the latest ones.'))];
  for (const approval of view.approvals.slice(0, SHOWN.approvals)) {
    blocks.push(para(bold(truncate(approval.name, 120)), text(approval.kind === 'new' ? ' · a new term' : ' · an edit')));
    blocks.push(
      actions(
        { label: 'Approve', style: 'primary', payload: { action: 'glossary.approve', proposalId: approval.id } },
        { label: 'Reject', style: 'danger', payload: { action: 'glossary.reject', proposalId: approval.id } },
      ),
    );
  }
  return [...blocks, ...more(view.approvals.length, SHOWN.approvals, 'change', [text('the requests in your direct messages')])];
}

function proposalBlocks(view: HomeView, platform: Platform): Block[] {
  const blocks: Block[] = [heading('Your proposals', view.proposals.length)];
  if (view.proposals.length === 0) return [...blocks, context('None open. ', code(typed(platform, 'proposal', 'new')), text(' proposes an improvement to the board.'))];
  const items = view.proposals.slice(0, SHOWN.proposals).map((p): RichText => [bold(`#${p.number} ${truncate(p.title, 120)}`), text(` · ${PROPOSAL_STATES[p.status] ?? p.status}${p.status === 'open' && p.deadline ? ` until ${localTime(p.deadline, view.timeZone)}` : ''}`)]);
  return [...blocks, { kind: 'list', items }, ...more(view.proposals.length, SHOWN.proposals, 'proposal', [code(typed(platform, 'proposal', 'list'))])];
}

export function homeCard(view: HomeView, platform: Platform): Card {
  const blocks: Block[] = [
    ...pingBlocks(view, platform),
    ...voteBlocks(view, platform),
    ...journeyBlocks(view, platform),
    ...approvalBlocks(view, platform),
    ...proposalBlocks(view, platform),
    context(`Times in ${view.timeZone}. `, code(typed(platform, 'help')), text(' for everything else.')),
  ];
  const waiting = view.pings.length + (view.votes?.length ?? 0) + (view.approvals?.length ?? 0);
  return { title: `My Steward — ${view.name}`, blocks, summary: waiting ? `${counted(waiting, 'thing')} waiting for you in Steward` : 'Nothing waits for you in Steward' };
}
