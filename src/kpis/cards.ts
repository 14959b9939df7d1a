// The KPI capability's neutral messages: the journey snapshot, one KPI in detail with its segments,
// and the alert messages. Every value is in the text too (searchable, copyable); the chart only
// illustrates it.
import { counted } from '../chat/words.js';
import { actions, bold, context, fields, italic, mention, para, text, type Block, type Button, type Card, type Inline, type PersonRef, type RichText } from '../chat/card.js';
import { formatNumber } from '../charts/svg.js';
import type { ChartLink } from './charts.js';
import { CADENCE_LABELS, periodLabel } from './periods.js';
import type { KpiRow } from './repo.js';
import type { KpiView } from './snapshot.js';
import { STATUS_LABELS, STATUS_MARKS, type Delta, type KpiStatus, type Point } from './status.js';

/** KPIs listed in one journey snapshot; Slack allows 50 blocks per message. */
export const MAX_KPIS_IN_SNAPSHOT = 8;

export function formatValue(value: number, unit: string): string {
  const number = formatNumber(value);
  if (!unit) return number;
  return unit === '%' ? `${number}%` : `${number} ${unit}`;
}

function signed(value: number): string {
  return `${value > 0 ? '+' : value < 0 ? '−' : '±'}${formatNumber(Math.abs(value))}`;
}

const ARROWS = { up: '▲', down: '▼', flat: '▶' } as const;

export function deltaText(kpi: KpiRow, delta: Delta): string {
  const relative = delta.relative === undefined ? '' : ` (${signed(Math.round(delta.relative * 1000) / 10)}%)`;
  const verdict = delta.better === undefined ? 'unchanged' : delta.better ? 'better' : 'worse';
  return `${ARROWS[delta.trend]} ${signed(delta.absolute)}${relative} vs ${periodLabel(kpi.cadence, delta.previous.period)} · ${verdict}`;
}

export function statusText(status: KpiStatus): string {
  return `${STATUS_MARKS[status]} ${STATUS_LABELS[status]}`;
}

function thresholdsText(kpi: KpiRow): string {
  const word = kpi.direction === 'higher' ? 'below' : 'above';
  return `${formatValue(kpi.target, kpi.unit)} · at risk ${kpi.direction === 'higher' ? '≤' : '≥'} ${formatNumber(kpi.warning)} · breached ${kpi.direction === 'higher' ? '≤' : '≥'} ${formatNumber(kpi.breach)} (${kpi.direction} is better, ${word} is worse)`;
}

function latestText(view: KpiView): string {
  const latest = view.reading.latest;
  if (!latest) return 'no values yet';
  return `${formatValue(latest.value, view.kpi.unit)} · ${periodLabel(view.kpi.cadence, latest.period)}`;
}

function changeText(view: KpiView): string {
  const { reading, kpi } = view;
  if (!reading.latest) return '—';
  if (reading.delta) return deltaText(kpi, reading.delta);
  return `no value for ${reading.previousPeriod ? periodLabel(kpi.cadence, reading.previousPeriod) : 'the previous period'}`;
}

function statusDetail(view: KpiView): string {
  const { reading, kpi } = view;
  if (reading.status === 'stale' && reading.valueStatus) {
    return `${statusText('stale')}: no value for ${reading.missedPeriods} ${CADENCE_LABELS[kpi.cadence].period}s (last one ${STATUS_LABELS[reading.valueStatus]})`;
  }
  return statusText(reading.status);
}

function definitionBlock(view: KpiView): Block | undefined {
  const definition = view.definition;
  if (!definition) return undefined;
  if (!definition.text) return context(`Definition: “${definition.term}” is not in the glossary yet.`);
  return context(bold(`${definition.term}: `), text(definition.text));
}

/** One line per KPI for summaries and notifications. */
export function summaryLine(view: KpiView): string {
  const latest = view.reading.latest;
  const value = latest ? formatValue(latest.value, view.kpi.unit) : 'no data';
  return `${view.kpi.name} ${value} (target ${formatValue(view.kpi.target, view.kpi.unit)}, ${STATUS_LABELS[view.reading.status]})`;
}

function kpiBlocks(view: KpiView, options: { heading: boolean }): Block[] {
  const { kpi } = view;
  const blocks: Block[] = [];
  if (options.heading) blocks.push(para(bold(kpi.name), text(`  ${kpi.key}`)));
  blocks.push(fields(['Latest', latestText(view)], ['Target', thresholdsText(kpi)], ['Change', changeText(view)], ['Status', statusDetail(view)]));
  const definition = definitionBlock(view);
  if (definition) blocks.push(definition);
  return blocks;
}

function chartBlocks(chart: ChartLink | undefined): Block[] {
  return chart ? [{ kind: 'image', url: chart.url, alt: chart.alt }] : [];
}

export interface JourneySnapshot {
  journey: { id: string; key: string; name: string };
  owner: PersonRef | undefined;
  views: KpiView[];
  chart: ChartLink | undefined;
  asOf: Date;
}

export function journeySnapshotCard(snapshot: JourneySnapshot, options: { shared?: PersonRef } = {}): Card {
  const { journey, views } = snapshot;
  const subtitle: RichText = [text(`${journey.key} · `), ...(snapshot.owner ? [text('owner '), mention(snapshot.owner)] : [text('no owner')])];
  subtitle.push(text(` · ${counted(views.length, 'KPI')} · as of ${snapshot.asOf.toISOString().slice(0, 10)}`));
  if (options.shared) subtitle.push(text(' · shared by '), mention(options.shared));
  const blocks: Block[] = [];
  if (views.length === 0) blocks.push(para(`${journey.name} has no KPIs yet. An admin adds them with `, italic('steward import kpis FILE.csv'), '.'));
  const shown = views.slice(0, MAX_KPIS_IN_SNAPSHOT);
  shown.forEach((view, i) => {
    if (i > 0) blocks.push({ kind: 'divider' });
    blocks.push(...kpiBlocks(view, { heading: true }));
  });
  if (views.length > shown.length) blocks.push(context(`${views.length - shown.length} more KPIs: ${views.slice(shown.length).map((v) => v.kpi.key).join(', ')}`));
  blocks.push(...chartBlocks(snapshot.chart));
  // A button says what it does; the KPI's name is in its heading above, its key is what `kpi` takes.
  const buttons: Button[] = shown.map((view) => ({ label: `Details: ${view.kpi.key}`, payload: { action: 'kpi.show', kpiId: view.kpi.id } }));
  if (!options.shared) buttons.unshift({ label: 'Share in channel', payload: { action: 'kpi.share', kind: 'journey', id: journey.id } });
  if (views.length > 0) blocks.push(actions(...buttons.slice(0, 5)));
  return {
    title: `KPIs · ${journey.name}`,
    subtitle,
    blocks,
    summary: views.length ? `${journey.name}: ${views.map(summaryLine).join('; ')}` : `${journey.name} has no KPIs yet.`,
  };
}

export interface KpiDetail {
  view: KpiView;
  journey: { key: string; name: string };
  owner: PersonRef | undefined;
  segments: KpiView[];
  chart: ChartLink | undefined;
  asOf: Date;
}

function recentValuesText(view: KpiView): RichText {
  const values = [...view.recent].reverse().map((p: Point) => `${p.period} ${formatNumber(p.value)}`);
  return [text(`${values.length ? `Last values (${view.segment}): ` : 'No values yet.'}${values.join(' · ')}`)];
}

export function kpiDetailCard(detail: KpiDetail, options: { shared?: PersonRef } = {}): Card {
  const { view, journey } = detail;
  const { kpi } = view;
  const subtitle: RichText = [
    text(`${kpi.key} · ${journey.name} · ${CADENCE_LABELS[kpi.cadence].adjective} · segment ${view.segment} · `),
    ...(detail.owner ? [text('owner '), mention(detail.owner)] : [text('no owner')]),
  ];
  if (options.shared) subtitle.push(text(' · shared by '), mention(options.shared));
  const blocks: Block[] = [...kpiBlocks(view, { heading: false })];
  blocks.push(
    context(`Alerts: a breach that lasts ${counted(kpi.breach_periods, CADENCE_LABELS[kpi.cadence].period)} pings the journey owner; reminders every ${kpi.remind_every_periods} while it lasts.`),
  );
  const others = detail.segments.filter((s) => s.segment !== view.segment);
  if (others.length) {
    blocks.push(para(bold('Segments')));
    blocks.push({
      kind: 'list',
      items: others.map((s): Inline[] => [bold(s.segment), text(`: ${latestText(s)} · ${changeText(s)} · ${statusText(s.reading.status)}`)]),
    });
  }
  blocks.push(context(...recentValuesText(view)));
  blocks.push(...chartBlocks(detail.chart));
  if (!options.shared) blocks.push(actions({ label: 'Share in channel', payload: { action: 'kpi.share', kind: 'kpi', id: kpi.id } }));
  return {
    title: `KPI · ${kpi.name}`,
    subtitle,
    blocks,
    summary: `${summaryLine(view)}${others.length ? `; segments: ${others.map((s) => `${s.segment} ${s.reading.latest ? formatNumber(s.reading.latest.value) : 'no data'}`).join(', ')}` : ''}`,
  };
}

export function kpiListCard(rows: { journey: string; journeyKey: string; kpis: string[] }[]): Card {
  const blocks: Block[] = [para('Ask for a journey (', bold('kpi onboarding'), ') or one KPI (', bold('kpi avoidable-onboarding'), ').')];
  if (rows.length === 0) blocks.push(para('There are no KPIs yet. An admin adds them with ', italic('steward import kpis FILE.csv'), '.'));
  else blocks.push({ kind: 'list', items: rows.map((r) => [bold(r.journeyKey), text(` ${r.journey}: ${r.kpis.join(', ')}`)]) });
  return { title: 'KPIs', blocks, summary: rows.length ? `KPIs of ${counted(rows.length, 'journey')}` : 'There are no KPIs yet.' };
}

// Alerts

export interface AlertFacts {
  kpi: KpiRow;
  segment: string;
  journeyName: string;
  since: string;
  latest: Point;
  periods: number;
  owner: PersonRef | undefined;
}

function segmentSuffix(segment: string): string {
  return segment === 'all' ? '' : ` (segment ${segment})`;
}

function breachLine(facts: AlertFacts): RichText {
  const { kpi } = facts;
  const unit = CADENCE_LABELS[kpi.cadence].period;
  return [
    text(`${kpi.name}${segmentSuffix(facts.segment)} of ${facts.journeyName} has been breached for ${counted(facts.periods, unit)}, since ${periodLabel(kpi.cadence, facts.since)}. `),
    text(`Latest: ${formatValue(facts.latest.value, kpi.unit)} (${periodLabel(kpi.cadence, facts.latest.period)}); target ${formatValue(kpi.target, kpi.unit)}, breached ${kpi.direction === 'higher' ? 'at or below' : 'at or above'} ${formatNumber(kpi.breach)}.`),
  ];
}

/** The message in the journey's channel; edited in place when the KPI recovers. */
export function channelAlertCard(facts: AlertFacts): Card {
  const blocks: Block[] = [para(...breachLine(facts))];
  blocks.push(context(...(facts.owner ? [text('Journey owner: '), mention(facts.owner), text(' has been pinged.')] : [text('This journey has no owner: the admins were pinged.')])));
  blocks.push(
    actions(
      { label: 'Show KPI', payload: { action: 'kpi.show', kpiId: facts.kpi.id } },
      // Anyone sees the button; only the journey's owner, deputy or an admin can use it (checked on click).
      { label: 'Mute until recovered', payload: { action: 'kpi.mute', kpiId: facts.kpi.id, segment: facts.segment } },
    ),
  );
  return { title: `🔴 KPI breached: ${facts.kpi.name}`, blocks, summary: `KPI breached: ${facts.kpi.name} (${facts.journeyName}) ${formatValue(facts.latest.value, facts.kpi.unit)}` };
}

export function recoveredCard(facts: AlertFacts, recovered: Point, status: KpiStatus): Card {
  const { kpi } = facts;
  const line = `${kpi.name}${segmentSuffix(facts.segment)} of ${facts.journeyName} has recovered: ${formatValue(recovered.value, kpi.unit)} in ${periodLabel(kpi.cadence, recovered.period)} (${STATUS_LABELS[status]}). It was breached from ${periodLabel(kpi.cadence, facts.since)}.`;
  return {
    title: `✅ KPI recovered: ${kpi.name}`,
    blocks: [para(line), actions({ label: 'Show KPI', payload: { action: 'kpi.show', kpiId: kpi.id } })],
    summary: `KPI recovered: ${kpi.name} (${facts.journeyName}) ${formatValue(recovered.value, kpi.unit)}`,
  };
}

export function mutedCard(facts: AlertFacts, by: PersonRef, changed: boolean): Card {
  const { kpi } = facts;
  const line = `Reminders about ${kpi.name}${segmentSuffix(facts.segment)} (breached since ${periodLabel(kpi.cadence, facts.since)}) are muted until it recovers`;
  return {
    title: `Muted: ${kpi.name}`,
    blocks: [para(text(`${line}${changed ? ', by ' : ' (already muted).'}`), ...(changed ? [mention(by), text('.')] : [])), context('The journey channel still hears when it recovers.')],
    summary: `${line}.`,
  };
}

export function undeliverableCard(alert: { kpi: KpiRow; journeyName: string; segment: string; point: Point | undefined }, reason: string): Card {
  const { kpi, point } = alert;
  const latest = point ? ` Latest: ${formatValue(point.value, kpi.unit)} (${periodLabel(kpi.cadence, point.period)}).` : '';
  return {
    title: `KPI alert not delivered: ${kpi.name}`,
    blocks: [
      para(`An alert about ${kpi.name}${segmentSuffix(alert.segment)} of ${alert.journeyName} could not be delivered: ${reason}.${latest}`),
      context('You get this as an admin of the organisation. The owner may not have used Steward yet, or the channel may be gone.'),
      actions({ label: 'Show KPI', payload: { action: 'kpi.show', kpiId: kpi.id } }),
    ],
    summary: `KPI alert about ${kpi.name} not delivered: ${reason}`,
  };
}
