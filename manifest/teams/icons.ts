/**
 * Generates the Teams app icons (a compass mark) as PNGs:
 *   manifest/teams/color.png    192x192, full colour
 *   manifest/teams/outline.png   32x32, white on transparent
 *
 * Usage: npx tsx manifest/teams/icons.ts
 *
 * Pure TypeScript: shapes are sampled 4x4 per pixel for anti-aliasing and
 * encoded with node:zlib (see png.ts). The PNGs are committed; rerun this only
 * when the design changes.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { encodePngRgba } from './png.js';

type Rgba = readonly [r: number, g: number, b: number, a: number];
/** Colour of a layer at a point, or null when the point is outside the layer. */
type Layer = (x: number, y: number) => Rgba | null;

const SUPERSAMPLE = 4;

function hex(color: string, alpha = 1): Rgba {
  const n = Number.parseInt(color.replace('#', ''), 16);
  return [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff, alpha];
}

const TRANSPARENT: Rgba = [0, 0, 0, 0];
const ERASE = Symbol('erase');
type Paint = Rgba | typeof ERASE;

/** A shape test plus its paint; ERASE punches a transparent hole. */
function layer(inside: (x: number, y: number) => boolean, paint: Paint | ((x: number, y: number) => Rgba)): Layer {
  return (x, y) => {
    if (!inside(x, y)) return null;
    if (paint === ERASE) return TRANSPARENT;
    return typeof paint === 'function' ? paint(x, y) : paint;
  };
}

function roundedSquare(size: number, radius: number) {
  return (x: number, y: number): boolean => {
    const dx = Math.max(radius - x, 0, x - (size - radius));
    const dy = Math.max(radius - y, 0, y - (size - radius));
    return dx * dx + dy * dy <= radius * radius;
  };
}

function ring(cx: number, cy: number, radius: number, width: number) {
  return (x: number, y: number): boolean => Math.abs(Math.hypot(x - cx, y - cy) - radius) <= width / 2;
}

function disc(cx: number, cy: number, radius: number) {
  return (x: number, y: number): boolean => Math.hypot(x - cx, y - cy) <= radius;
}

/**
 * Half of a compass needle: a diamond centred on (cx, cy), pointing at
 * `angleDeg` (0 = north/up, clockwise), `half` selects the tip side or the tail.
 */
function needleHalf(cx: number, cy: number, length: number, width: number, angleDeg: number, half: 'tip' | 'tail') {
  const a = (angleDeg * Math.PI) / 180;
  const ux = Math.sin(a);
  const uy = -Math.cos(a);
  return (x: number, y: number): boolean => {
    const px = x - cx;
    const py = y - cy;
    const u = px * ux + py * uy; // along the needle, positive towards the tip
    const v = px * -uy + py * ux; // across the needle
    if (half === 'tip' ? u < 0 : u >= 0) return false;
    return Math.abs(u) / length + Math.abs(v) / width <= 1;
  };
}

/** Tick marks at N, E, S, W just inside the ring. */
function ticks(cx: number, cy: number, inner: number, outer: number, width: number) {
  return (x: number, y: number): boolean => {
    const dx = x - cx;
    const dy = y - cy;
    const onVertical = Math.abs(dx) <= width / 2 && Math.abs(dy) >= inner && Math.abs(dy) <= outer;
    const onHorizontal = Math.abs(dy) <= width / 2 && Math.abs(dx) >= inner && Math.abs(dx) <= outer;
    return onVertical || onHorizontal;
  };
}

/** Composite layers (source-over) with supersampling; returns straight RGBA8. */
function render(size: number, layers: readonly Layer[]): Uint8Array {
  const out = new Uint8Array(size * size * 4);
  const n = SUPERSAMPLE;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      // accumulate premultiplied colour
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const x = px + (sx + 0.5) / n;
          const y = py + (sy + 0.5) / n;
          let cr = 0;
          let cg = 0;
          let cb = 0;
          let ca = 0;
          for (const l of layers) {
            const c = l(x, y);
            if (c === null) continue;
            if (c === TRANSPARENT) {
              cr = cg = cb = ca = 0;
              continue;
            }
            const [lr, lg, lb, la] = c;
            cr = lr * la + cr * (1 - la);
            cg = lg * la + cg * (1 - la);
            cb = lb * la + cb * (1 - la);
            ca = la + ca * (1 - la);
          }
          r += cr;
          g += cg;
          b += cb;
          a += ca;
        }
      }
      const samples = n * n;
      const alpha = a / samples;
      const i = (py * size + px) * 4;
      if (alpha > 0) {
        out[i] = Math.round(r / samples / alpha);
        out[i + 1] = Math.round(g / samples / alpha);
        out[i + 2] = Math.round(b / samples / alpha);
      }
      out[i + 3] = Math.round(alpha * 255);
    }
  }
  return out;
}

export const ACCENT = '#1F4E79';
const TOP = hex('#2F7BBF');
const BOTTOM = hex(ACCENT);
const WHITE = hex('#FFFFFF');
const CORAL = hex('#F6AD55');
const NEEDLE_ANGLE = 45; // pointing north-east

export function colorIcon(): Buffer {
  const size = 192;
  const c = size / 2;
  const gradient = (_x: number, y: number): Rgba => {
    const t = y / size;
    return [
      TOP[0] + (BOTTOM[0] - TOP[0]) * t,
      TOP[1] + (BOTTOM[1] - TOP[1]) * t,
      TOP[2] + (BOTTOM[2] - TOP[2]) * t,
      1,
    ];
  };
  const layers: Layer[] = [
    layer(roundedSquare(size, 40), gradient),
    layer(ring(c, c, 62, 10), WHITE),
    layer(ticks(c, c, 44, 54, 6), hex('#FFFFFF', 0.85)),
    layer(needleHalf(c, c, 50, 15, NEEDLE_ANGLE, 'tail'), WHITE),
    layer(needleHalf(c, c, 50, 15, NEEDLE_ANGLE, 'tip'), CORAL),
    layer(disc(c, c, 6), BOTTOM),
  ];
  return encodePngRgba(size, size, render(size, layers));
}

export function outlineIcon(): Buffer {
  const size = 32;
  const c = size / 2;
  const layers: Layer[] = [
    layer(ring(c, c, 13.5, 2.5), WHITE),
    layer(needleHalf(c, c, 10, 3.6, NEEDLE_ANGLE, 'tip'), WHITE),
    layer(needleHalf(c, c, 10, 3.6, NEEDLE_ANGLE, 'tail'), WHITE),
    layer(disc(c, c, 1.3), ERASE),
  ];
  return encodePngRgba(size, size, render(size, layers));
}

function main(): void {
  const colorPath = fileURLToPath(new URL('./color.png', import.meta.url));
  const outlinePath = fileURLToPath(new URL('./outline.png', import.meta.url));
  writeFileSync(colorPath, colorIcon());
  writeFileSync(outlinePath, outlineIcon());
  console.log(`wrote ${colorPath}\nwrote ${outlinePath}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main();
}
