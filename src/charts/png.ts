// SVG to PNG with resvg (a Rust renderer shipped as a prebuilt binary inside its npm package), with
// the Inter font from an npm package too, so a chart looks the same on every machine and no system
// font scan slows down the first render.
import { createRequire } from 'node:module';
import { renderAsync } from '@resvg/resvg-js';

const require = createRequire(import.meta.url);
const FONT_FILES = [
  require.resolve('@expo-google-fonts/inter/400Regular/Inter_400Regular.ttf'),
  require.resolve('@expo-google-fonts/inter/600SemiBold/Inter_600SemiBold.ttf'),
];

/** Renders off the event loop (resvg's async API runs on libuv's thread pool). */
export async function svgToPng(svg: string): Promise<Buffer> {
  const image = await renderAsync(svg, {
    font: { loadSystemFonts: false, fontFiles: FONT_FILES, defaultFontFamily: 'Inter', sansSerifFamily: 'Inter' },
    fitTo: { mode: 'original' },
    background: '#ffffff',
    shapeRendering: 2,
    textRendering: 1,
  });
  return image.asPng();
}
