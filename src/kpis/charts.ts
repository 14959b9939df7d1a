// KPI charts: the chart spec of a journey's KPIs or of one KPI, rendered through the cache, behind a
// signed link under PUBLIC_URL/charts/. The snapshot renders its chart before answering, so the
// image is ready when Slack or Teams fetches it.
import { ChartCache, specKey } from '../charts/cache.js';
import { signChartPath, type ChartRef } from '../charts/links.js';
import type { ChartSpec } from '../charts/svg.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import { findKpi, kpisOfJourney } from './repo.js';
import { chartPanel, CHART_PERIODS, loadViews, type KpiView } from './snapshot.js';

/** Panels in one chart image; a journey with more KPIs lists the rest as text only. */
export const MAX_CHART_PANELS = 6;

export interface ChartLink {
  url: string;
  alt: string;
}

export class KpiCharts {
  constructor(
    private readonly deps: { db: Db; clock: Clock; config: Pick<Config, 'publicUrl' | 'secret'> },
    readonly cache = new ChartCache(),
  ) {}

  spec(views: KpiView[], now: Date): ChartSpec {
    return { panels: views.slice(0, MAX_CHART_PANELS).map((view) => chartPanel(view, now)) };
  }

  /** Renders the chart of these views (or finds it in the cache) and returns its signed link. */
  async link(ref: { t: ChartRef['t']; id: string; s: string }, views: KpiView[]): Promise<ChartLink> {
    const now = this.deps.clock.now();
    const spec = this.spec(views, now);
    const key = specKey(spec);
    await this.cache.png(spec, key);
    const path = signChartPath(this.deps.config.secret, { ...ref, v: key }, now);
    const shown = views.slice(0, MAX_CHART_PANELS).map((v) => v.kpi.name);
    return { url: `${this.deps.config.publicUrl}${path}`, alt: `Chart of the last ${CHART_PERIODS} periods with the target line: ${shown.join(', ')}` };
  }

  /** The PNG behind a verified link, drawn from the data as it is now. */
  async png(ref: ChartRef): Promise<Buffer | undefined> {
    const { db, clock } = this.deps;
    const kpi = ref.t === 'k' ? await findKpi(db, ref.id) : undefined;
    const kpis = ref.t === 'j' ? await kpisOfJourney(db, ref.id) : kpi ? [kpi] : [];
    const orgId = kpis[0]?.org_id;
    if (!orgId) return undefined;
    const now = clock.now();
    const views = await loadViews(db, orgId, kpis, ref.s, now, { definitions: false });
    return this.cache.png(this.spec(views, now));
  }
}
