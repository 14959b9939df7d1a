// Draws a KPI chart as SVG: one panel per KPI with the last periods as a line, the target as a dashed
// line, and the at-risk and breached zones shaded. Pure string building, so the same spec always
// gives the same picture (the cache key is the spec).

export interface ChartPanel {
  title: string;
  unit: string;
  direction: 'higher' | 'lower';
  target: number;
  warning: number;
  breach: number;
  /** Oldest first; null where a period has no value. */
  points: { label: string; value: number | null }[];
}

export interface ChartSpec {
  panels: ChartPanel[];
}

// A card shows the image about 450–550 pixels wide (Teams, Slack), so the 800-pixel drawing is cut
// to about 60 %: every text is drawn at 18 px or more to read as 11 px or more in the client.
export const CHART_WIDTH = 800;
const PANEL_HEIGHT = 300;
const MARGIN = { left: 84, right: 128, top: 84, bottom: 48 };
const FONT_SIZE = { title: 28, note: 19, axis: 20, value: 20, latest: 26 } as const;
/** Period labels under the axis, at most; every label at card width would overlap. */
const MAX_PERIOD_LABELS = 6;
const COLOURS = {
  line: '#1d4ed8',
  target: '#15803d',
  risk: '#fef3c7',
  breach: '#fee2e2',
  grid: '#e5e7eb',
  text: '#111827',
  muted: '#6b7280',
};
const FONT = 'Inter';

export function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

// Built once: creating a number formatter costs more than all the formatting a card does.
const NUMBER = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 2 });

/** Formats a number for a label: at most two decimals, no trailing zeros. */
export function formatNumber(value: number): string {
  return NUMBER.format(Number(value.toFixed(2)));
}

// Axis labels sit in a narrow margin: 4.8M rather than 4,800,000.
const COMPACT = new Intl.NumberFormat('en-GB', { notation: 'compact', maximumFractionDigits: 1 });

/** Round axis steps (1, 2, 2.5, 5 × 10^n) covering [min, max] in about three steps: few lines, large labels. */
function niceTicks(min: number, max: number): number[] {
  const span = max - min || Math.abs(max) || 1;
  const rough = span / 3;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * magnitude >= rough) ?? 10) * magnitude;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toFixed(10)));
  return ticks;
}

/** Where a panel is drawn, and how a period index and a value map onto it. */
interface Frame {
  x0: number;
  y0: number;
  width: number;
  height: number;
  min: number;
  max: number;
  ticks: number[];
  x(i: number): number;
  y(v: number): number;
}

function panelFrame(panel: ChartPanel, values: number[], top: number): Frame {
  const width = CHART_WIDTH - MARGIN.left - MARGIN.right;
  const height = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const x0 = MARGIN.left;
  const y0 = top + MARGIN.top;
  const all = [...values, panel.target, panel.warning, panel.breach];
  let min = Math.min(...all);
  let max = Math.max(...all);
  const pad = (max - min || Math.abs(max) || 1) * 0.12;
  min -= pad;
  max += pad;
  const ticks = niceTicks(min, max);
  min = Math.min(min, ticks[0] ?? min);
  max = Math.max(max, ticks.at(-1) ?? max);
  const count = Math.max(panel.points.length, 2);
  return { x0, y0, width, height, min, max, ticks, x: (i) => x0 + (width * i) / (count - 1), y: (v) => y0 + height - ((v - min) / (max - min)) * height };
}

/** Zones: from the breach threshold outwards is breached, between warning and breach at risk. */
function zonesSvg(panel: ChartPanel, f: Frame, parts: string[]): void {
  const clampY = (v: number) => Math.min(f.y0 + f.height, Math.max(f.y0, f.y(v)));
  const zone = (from: number, to: number, colour: string) => {
    const a = clampY(from);
    const b = clampY(to);
    if (Math.abs(a - b) < 0.5) return;
    parts.push(`<rect x="${f.x0}" y="${Math.min(a, b).toFixed(1)}" width="${f.width}" height="${Math.abs(a - b).toFixed(1)}" fill="${colour}"/>`);
  };
  zone(panel.breach, panel.direction === 'higher' ? f.min : f.max, COLOURS.breach);
  zone(panel.warning, panel.breach, COLOURS.risk);
}

/** The values' line, its points and the latest value. The line breaks where a period has no value, so a gap is never drawn as a trend. */
function valuesSvg(panel: ChartPanel, f: Frame, parts: string[]): void {
  const { x, y } = f;
  const segments: string[][] = [];
  let run: string[] = [];
  panel.points.forEach((p, i) => {
    if (p.value === null) {
      if (run.length) segments.push(run);
      run = [];
      return;
    }
    run.push(`${x(i).toFixed(1)},${y(p.value).toFixed(1)}`);
  });
  if (run.length) segments.push(run);
  for (const s of segments) {
    if (s.length > 1) parts.push(`<polyline points="${s.join(' ')}" fill="none" stroke="${COLOURS.line}" stroke-width="4" stroke-linejoin="round"/>`);
  }
  panel.points.forEach((p, i) => {
    if (p.value !== null) parts.push(`<circle cx="${x(i).toFixed(1)}" cy="${y(p.value).toFixed(1)}" r="6" fill="${COLOURS.line}"/>`);
  });
  // Value labels where the eye goes: the latest value, and the highest and lowest before it.
  const known = panel.points.flatMap((p, i) => (p.value === null ? [] : [{ i, value: p.value }]));
  const last = known.at(-1);
  if (!last) return;
  const earlier = known.slice(0, -1);
  const labelled = new Map<number, number>();
  const highest = earlier.reduce<(typeof known)[number] | undefined>((best, p) => (!best || p.value > best.value ? p : best), undefined);
  const lowest = earlier.reduce<(typeof known)[number] | undefined>((best, p) => (!best || p.value < best.value ? p : best), undefined);
  for (const p of [highest, lowest]) if (p && p.value !== last.value && Math.abs(x(p.i) - x(last.i)) > 90) labelled.set(p.i, p.value);
  for (const [i, value] of labelled) {
    const above = value === highest?.value;
    // A label at the left edge starts at its point, so it stays clear of the axis labels.
    const edge = x(i) - f.x0 < 40;
    parts.push(
      `<text x="${(edge ? x(i) - 6 : x(i)).toFixed(1)}" y="${(y(value) + (above ? -14 : 30)).toFixed(1)}" font-size="${FONT_SIZE.value}" text-anchor="${edge ? 'start' : 'middle'}" fill="${COLOURS.line}">${escapeXml(formatNumber(value))}</text>`,
    );
  }
  const latest = escapeXml(formatNumber(last.value));
  // Right of the latest point where it fits (about 16 px a character), else above it.
  const fits = x(last.i) + 12 + latest.length * 16 <= CHART_WIDTH - 4;
  parts.push(
    fits
      ? `<text x="${(x(last.i) + 12).toFixed(1)}" y="${y(last.value).toFixed(1)}" dy="9" font-size="${FONT_SIZE.latest}" font-weight="600" fill="${COLOURS.line}">${latest}</text>`
      : `<text x="${x(last.i).toFixed(1)}" y="${(y(last.value) - 16).toFixed(1)}" font-size="${FONT_SIZE.latest}" font-weight="600" text-anchor="end" fill="${COLOURS.line}">${latest}</text>`,
  );
}

/** About 48 characters of the title fit on one line at its size; the card says the whole name. */
function truncateTitle(title: string): string {
  return title.length > 48 ? `${title.slice(0, 47).trimEnd()}…` : title;
}

function panelSvg(panel: ChartPanel, top: number): string {
  const values = panel.points.flatMap((p) => (p.value === null ? [] : [p.value]));
  const f = panelFrame(panel, values, top);
  const { x0, y0, width, height, y } = f;
  const parts: string[] = [];
  zonesSvg(panel, f, parts);

  for (const tick of f.ticks) {
    const ty = y(tick).toFixed(1);
    parts.push(`<line x1="${x0}" y1="${ty}" x2="${x0 + width}" y2="${ty}" stroke="${COLOURS.grid}" stroke-width="1"/>`);
    parts.push(`<text x="${x0 - 12}" y="${ty}" dy="7" font-size="${FONT_SIZE.axis}" text-anchor="end" fill="${COLOURS.muted}">${escapeXml(Math.abs(tick) >= 10_000 ? COMPACT.format(tick) : formatNumber(tick))}</text>`);
  }

  const ty = y(panel.target).toFixed(1);
  parts.push(`<line x1="${x0}" y1="${ty}" x2="${x0 + width}" y2="${ty}" stroke="${COLOURS.target}" stroke-width="3" stroke-dasharray="10 6"/>`);
  valuesSvg(panel, f, parts);
  // The target's label right of the plot, moved off the latest value's label when they would touch.
  const last = [...panel.points].reverse().find((p) => p.value !== null);
  const clash = last?.value != null && Math.abs(y(last.value) - y(panel.target)) < 30;
  const targetY = y(panel.target) + (clash ? (y(last.value ?? 0) < y(panel.target) ? 30 : -30) : 0);
  parts.push(`<text x="${x0 + width + 12}" y="${targetY.toFixed(1)}" dy="7" font-size="${FONT_SIZE.note}" fill="${COLOURS.target}">target ${escapeXml(formatNumber(panel.target))}</text>`);

  const every = Math.max(1, Math.ceil(panel.points.length / MAX_PERIOD_LABELS));
  const lastLabel = panel.points.length - 1;
  panel.points.forEach((p, i) => {
    // Counted back from the latest period, which always has its label.
    if ((lastLabel - i) % every !== 0) return;
    parts.push(`<text x="${f.x(i).toFixed(1)}" y="${y0 + height + 32}" font-size="${FONT_SIZE.axis}" text-anchor="middle" fill="${COLOURS.muted}">${escapeXml(p.label)}</text>`);
  });

  const unit = panel.unit ? ` (${panel.unit})` : '';
  const better = panel.direction === 'higher' ? 'higher is better' : 'lower is better';
  parts.unshift(
    `<text x="16" y="${top + 36}" font-size="${FONT_SIZE.title}" font-weight="600" fill="${COLOURS.text}">${escapeXml(truncateTitle(panel.title + unit))}</text>`,
    `<text x="16" y="${top + 66}" font-size="${FONT_SIZE.note}" fill="${COLOURS.muted}">${better} · shaded: at risk, breached</text>`,
  );
  if (values.length === 0) {
    parts.push(`<text x="${x0 + width / 2}" y="${y0 + height / 2}" font-size="${FONT_SIZE.axis}" text-anchor="middle" fill="${COLOURS.muted}">no values yet</text>`);
  }
  return parts.join('');
}

export function chartSvg(spec: ChartSpec): string {
  const height = Math.max(1, spec.panels.length) * PANEL_HEIGHT;
  const panels = spec.panels.map((panel, i) => panelSvg(panel, i * PANEL_HEIGHT)).join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${CHART_WIDTH}" height="${height}" viewBox="0 0 ${CHART_WIDTH} ${height}" font-family="${FONT}">` +
    `<rect width="100%" height="100%" fill="#ffffff"/>${panels}</svg>`
  );
}
