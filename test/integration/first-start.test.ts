// What a new user sees on the first `npm start` at a terminal: readable log lines (not raw JSON),
// and the demo organisation's missing governance channel said once, as a hint with the command,
// not as a warning.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEST_REDIS_URL } from '../support/steward.js';

const root = new URL('../..', import.meta.url).pathname;

describe('the first start at a terminal', () => {
  it('logs readable lines and says once, as a hint, that the demo organisation has no governance channel', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'steward-first-'));
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    // `script` gives the service a terminal, as a person's shell would.
    const child = spawn('script', ['-qfec', `${process.execPath} --import tsx src/main.ts`, '/dev/null'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TERM: 'xterm', NODE_ENV: 'development', DATA_DIR: dataDir, PORT: String(port), REDIS_URL: TEST_REDIS_URL },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no hint within 120 s:\n${output}`)), 120_000);
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('Steward listening') && output.includes('no governance channel')) {
            clearTimeout(timer);
            resolve();
          }
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.once('exit', (code) => reject(new Error(`the service exited (${code}):\n${output}`)));
      });
      // eslint-disable-next-line no-control-regex
      const lines = output.replace(/\u001b\[[0-9;]*m/g, '').split(/\r?\n/).filter((line) => line.trim());
      expect(lines.filter((line) => line.trimStart().startsWith('{'))).toEqual([]);
      expect(lines.filter((line) => line.includes('no governance channel'))).toHaveLength(1);
      expect(lines.find((line) => line.includes('no governance channel'))).toMatch(/INFO.*governance here/);
      expect(lines.filter((line) => line.includes('WARN') && line.includes('governance'))).toEqual([]);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(undefined)));
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 150_000);
});
