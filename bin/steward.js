#!/usr/bin/env node
// The `steward` command. In a checkout with dev dependencies it runs the TypeScript sources (never a
// stale build); in a production install it runs the compiled dist/.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli.ts', import.meta.url);
const dist = new URL('../dist/src/cli.js', import.meta.url);
let tsx;
try {
  tsx = await import('tsx/esm/api');
} catch {
  tsx = undefined;
}
if (tsx && existsSync(source)) {
  tsx.register();
  await import(source.href);
} else if (existsSync(dist)) {
  await import(dist.href);
} else {
  console.error('steward: no compiled build found; run `npm run build` first');
  process.exit(1);
}
