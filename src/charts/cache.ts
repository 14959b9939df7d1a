// Rendered charts, kept by the hash of what they show (a KPI's latest values change the hash), so a
// snapshot asked for again renders nothing. Bounded by bytes; least recently used goes first.
// Concurrent requests for the same chart share one rendering.
import { createHash } from 'node:crypto';
import { chartSvg, type ChartSpec } from './svg.js';
import { svgToPng } from './png.js';

export function specKey(spec: ChartSpec): string {
  return createHash('sha256').update(JSON.stringify(spec)).digest('base64url').slice(0, 22);
}

export interface ChartCacheStats {
  hits: number;
  misses: number;
  entries: number;
  bytes: number;
}

export class ChartCache {
  private readonly entries = new Map<string, Buffer>();
  private readonly rendering = new Map<string, Promise<Buffer>>();
  private bytes = 0;
  private hits = 0;
  private misses = 0;

  constructor(private readonly maxBytes = 64 * 1024 * 1024) {}

  async png(spec: ChartSpec, key = specKey(spec)): Promise<Buffer> {
    const cached = this.entries.get(key);
    if (cached) {
      this.hits++;
      // Re-insert: a Map iterates in insertion order, so the first key is the least recently used.
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached;
    }
    const pending = this.rendering.get(key);
    if (pending) return pending;
    this.misses++;
    const render = svgToPng(chartSvg(spec))
      .then((png) => {
        this.store(key, png);
        return png;
      })
      .finally(() => this.rendering.delete(key));
    this.rendering.set(key, render);
    return render;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  stats(): ChartCacheStats {
    return { hits: this.hits, misses: this.misses, entries: this.entries.size, bytes: this.bytes };
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  private store(key: string, png: Buffer): void {
    if (png.length > this.maxBytes) return;
    this.entries.set(key, png);
    this.bytes += png.length;
    for (const [oldest, buffer] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= buffer.length;
    }
  }
}
