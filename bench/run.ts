// `npm run bench`: runs every benchmark in bench/ in turn, each in its own process (they start
// servers and load them, so they must not overlap). `npm run bench -- <name> [args]` runs one.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const all = readdirSync(dir)
  .filter((file) => file.endsWith('.ts') && file !== 'run.ts')
  .map((file) => file.replace(/\.ts$/, ''))
  .sort();

const [name, ...args] = process.argv.slice(2);
if (name && !all.includes(name)) {
  console.error(`No benchmark "${name}". Known: ${all.join(', ')}`);
  process.exit(2);
}
const chosen = name ? [name] : all;

function run(bench: string, benchArgs: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `${dir}${bench}.ts`, ...benchArgs], { stdio: 'inherit' });
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const failed: string[] = [];
for (const bench of chosen) {
  const started = Date.now();
  console.log(`\n=== bench/${bench} ===`);
  const code = await run(bench, name ? args : []);
  console.log(`=== bench/${bench}: ${code === 0 ? 'done' : `FAILED (exit ${code})`} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (code !== 0) failed.push(bench);
}
if (failed.length) {
  console.error(`\nFailed: ${failed.join(', ')}`);
  process.exit(1);
}
