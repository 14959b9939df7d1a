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

export const CHART_WIDTH = 800;
const PANEL_HEIGHT = 230;
const MARGIN = { left: 64, right: 72, top: 44, bottom: 34 };
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

/** Round axis steps (1, 2, 2.5, 5 × 10^n) covering [min, max] in about four steps. */
function niceTicks(min: number, max: number): number[] {
  const span = max - min || Math.abs(max) || 1;
  const rough = span / 4;
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
    if (s.length > 1) parts.push(`<polyline points="${s.join(' ')}" fill="none" stroke="${COLOURS.line}" stroke-width="2.5" stroke-linejoin="round"/>`);
  }
  panel.points.forEach((p, i) => {
    if (p.value !== null) parts.push(`<circle cx="${x(i).toFixed(1)}" cy="${y(p.value).toFixed(1)}" r="3.5" fill="${COLOURS.line}"/>`);
  });
  const lastIndex = panel.points.map((p) => p.value !== null).lastIndexOf(true);
  const last = panel.points[lastIndex];
  if (last && last.value !== null) {
    parts.push(
      `<text x="${x(lastIndex).toFixed(1)}" y="${(y(last.value) - 10).toFixed(1)}" font-size="13" font-weight="600" text-anchor="end" fill="${COLOURS.line}">${escapeXml(formatNumber(last.value))}</text>`,
    );
  }
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
    parts.push(`<text x="${x0 - 8}" y="${ty}" dy="4" font-size="12" text-anchor="end" fill="${COLOURS.muted}">${escapeXml(formatNumber(tick))}</text>`);
  }

  const ty = y(panel.target).toFixed(1);
  parts.push(`<line x1="${x0}" y1="${ty}" x2="${x0 + width}" y2="${ty}" stroke="${COLOURS.target}" stroke-width="2" stroke-dasharray="6 4"/>`);
  parts.push(`<text x="${x0 + width + 6}" y="${ty}" dy="4" font-size="12" fill="${COLOURS.target}">target ${escapeXml(formatNumber(panel.target))}</text>`);
  valuesSvg(panel, f, parts);

  const every = panel.points.length > 12 ? Math.ceil(panel.points.length / 12) : 1;
  panel.points.forEach((p, i) => {
    if (i % every !== 0 && i !== panel.points.length - 1) return;
    parts.push(`<text x="${f.x(i).toFixed(1)}" y="${y0 + height + 20}" font-size="11" text-anchor="middle" fill="${COLOURS.muted}">${escapeXml(p.label)}</text>`);
  });

  const unit = panel.unit ? ` (${panel.unit})` : '';
  const better = panel.direction === 'higher' ? 'higher is better' : 'lower is better';
  parts.unshift(
    `<text x="${x0}" y="${top + 24}" font-size="16" font-weight="600" fill="${COLOURS.text}">${escapeXml(panel.title + unit)}</text>`,
    `<text x="${CHART_WIDTH - 16}" y="${top + 24}" font-size="12" text-anchor="end" fill="${COLOURS.muted}">${better}</text>`,
  );
  if (values.length === 0) {
    parts.push(`<text x="${x0 + width / 2}" y="${y0 + height / 2}" font-size="14" text-anchor="middle" fill="${COLOURS.muted}">no values yet</text>`);
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
