// KPI charts: the PNG is a real image of the expected size, links are signed and expire, a tampered
// link shows nothing, and a chart is rendered once per KPI data version.
import { describe, expect, it } from 'vitest';
import { ChartCache, specKey } from '../../src/charts/cache.js';
import { signChartPath, verifyChartPath } from '../../src/charts/links.js';
import { svgToPng } from '../../src/charts/png.js';
import { chartSvg, type ChartSpec } from '../../src/charts/svg.js';
import { decodePng } from '../support/chart-png.js';

const SECRET = 'chart-test-secret-0123456789';
const now = new Date('2026-11-24T10:00:00Z');
const ref = { t: 'j' as const, id: '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b', s: 'all', v: 'abc' };

function spec(last: number): ChartSpec {
  return {
    panels: [
      {
        title: 'Avoidable contacts per 100 new customers <script>',
        unit: 'per 100',
        direction: 'lower',
        target: 15,
        warning: 20,
        breach: 25,
        points: Array.from({ length: 12 }, (_, i) => ({ label: `W${i + 1}`, value: i === 4 ? null : i === 11 ? last : 14 + i })),
      },
    ],
  };
}

describe('chart rendering', () => {
  it('renders a valid PNG, 800 wide, one panel high per KPI', async () => {
    const one = decodePng(await svgToPng(chartSvg(spec(27.5))));
    expect(one).toEqual({ width: 800, height: 300 });
    const two = decodePng(await svgToPng(chartSvg({ panels: [...spec(1).panels, ...spec(2).panels] })));
    expect(two.height).toBe(600);
  });

  it('escapes what a KPI name contains, so the SVG stays well-formed', () => {
    const [panel] = spec(1).panels;
    const svg = chartSvg({ panels: [{ ...panel!, title: 'NPS <script>' }] });
    expect(svg).toContain('&lt;script&gt;');
    expect(svg).not.toContain('<script>');
  });

  it('stays legible at card width (about 60 % of its size): large text, few labels, the values named', () => {
    const svg = chartSvg(spec(27.5));
    const sizes = [...svg.matchAll(/font-size="(\d+)"/g)].map((m) => Number(m[1]));
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(18);
    const periodLabels = [...svg.matchAll(/>W\d+</g)];
    expect(periodLabels.length).toBeLessThanOrEqual(6);
    expect(svg).toContain('>W12<');
    expect(svg).toContain('>27.5<');
    expect(svg).toContain('>target 15<');
  });

  it('draws a gap for a missing period instead of a line through it', () => {
    expect(chartSvg(spec(1)).match(/<polyline/g)).toHaveLength(2);
  });

  it('renders one chart in well under 300 ms once warm', async () => {
    await svgToPng(chartSvg(spec(3)));
    const started = performance.now();
    await svgToPng(chartSvg(spec(4)));
    expect(performance.now() - started).toBeLessThan(300);
  });
});

describe('chart cache', () => {
  it('renders a spec once, and again only when a value changes', async () => {
    const cache = new ChartCache();
    const first = await cache.png(spec(10));
    const again = await cache.png(spec(10));
    expect(again).toBe(first);
    await cache.png(spec(11));
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 2, entries: 2 });
    expect(specKey(spec(10))).not.toBe(specKey(spec(11)));
  });

  it('shares one rendering between concurrent requests for the same chart', async () => {
    const cache = new ChartCache();
    const [a, b] = await Promise.all([cache.png(spec(12)), cache.png(spec(12))]);
    expect(a).toBe(b);
    expect(cache.stats().misses).toBe(1);
  });

  it('forgets the least recently used charts beyond its byte budget', async () => {
    const cache = new ChartCache(60_000);
    for (let i = 0; i < 5; i++) await cache.png(spec(20 + i));
    expect(cache.stats().bytes).toBeLessThanOrEqual(60_000);
    expect(cache.stats().entries).toBeLessThan(5);
  });
});

describe('signed chart links', () => {
  it('verifies its own link and gives back what it shows', () => {
    const path = signChartPath(SECRET, ref, now);
    expect(path).toMatch(/^\/charts\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}\.png$/);
    expect(verifyChartPath(SECRET, path, now)).toEqual({ ok: true, ref });
  });

  it('refuses a link with a changed payload, another secret, or a mangled signature', () => {
    const path = signChartPath(SECRET, ref, now);
    const other = signChartPath(SECRET, { ...ref, id: '00000000-0000-4000-8000-000000000000' }, now);
    const [, payload] = /^\/charts\/([^.]+)\./.exec(other) ?? [];
    const forged = path.replace(/^\/charts\/[^.]+/, `/charts/${payload}`);
    expect(verifyChartPath(SECRET, forged, now)).toMatchObject({ ok: false, status: 404 });
    expect(verifyChartPath('another-secret-0123456789', path, now)).toMatchObject({ ok: false, status: 404 });
    expect(verifyChartPath(SECRET, path.replace(/.\.png$/, 'A.png'), now).ok).toBe(path.endsWith('A.png'));
    expect(verifyChartPath(SECRET, '/charts/../../etc/passwd', now)).toMatchObject({ ok: false, status: 404 });
  });

  it('expires: 410 after the link lifetime, with a message saying so', () => {
    const path = signChartPath(SECRET, ref, now, 60_000);
    expect(verifyChartPath(SECRET, path, new Date(now.getTime() + 59_000)).ok).toBe(true);
    expect(verifyChartPath(SECRET, path, new Date(now.getTime() + 61_000))).toMatchObject({ ok: false, status: 410 });
  });
});
