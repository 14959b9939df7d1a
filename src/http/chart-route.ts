// GET /charts/<signed link>.png: checks the signature and expiry, then answers the PNG from the
// cache or renders it. A bad or tampered link is a plain 404, so links cannot be probed.
import type { Clock } from '../clock.js';
import { sendJson, type Route } from './server.js';
import { CHART_PATH_PREFIX, verifyChartPath, type ChartRef } from '../charts/links.js';

export interface ChartRouteOptions {
  secret: string;
  clock: Clock;
  /** The PNG for a verified link, undefined when what it shows no longer exists. */
  png(ref: ChartRef): Promise<Buffer | undefined>;
}

export function chartRoute(options: ChartRouteOptions): Route {
  return {
    method: 'GET',
    path: `${CHART_PATH_PREFIX}*`,
    name: 'charts',
    maxBodyBytes: 0,
    handler: async (req, res) => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      const check = verifyChartPath(options.secret, path, options.clock.now());
      if (!check.ok) {
        sendJson(res, check.status, { error: check.reason });
        return String(check.status);
      }
      const png = await options.png(check.ref);
      if (!png) {
        sendJson(res, 404, { error: 'what this chart showed no longer exists' });
        return '404';
      }
      res
        .writeHead(200, {
          'content-type': 'image/png',
          'content-length': String(png.length),
          // The link names the data version, so the same link always shows the same chart.
          'cache-control': 'private, max-age=3600',
          'x-content-type-options': 'nosniff',
        })
        .end(png);
      return '200';
    },
  };
}
