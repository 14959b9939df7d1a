// `npm start` as a new user runs it: a signal to npm (Ctrl+C in a terminal, a process manager's
// SIGTERM) must reach Steward, which shuts down and frees its port, instead of leaving it running.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEST_REDIS_URL } from '../support/steward.js';

const root = new URL('../..', import.meta.url).pathname;

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

describe('npm start', () => {
  it('hands SIGTERM to the service, which stops and frees its port', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'steward-start-'));
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const npm = spawn('npm', ['start', '--silent'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dataDir, PORT: String(port), REDIS_URL: TEST_REDIS_URL, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`npm start did not listen within 150 s:\n${output}`)), 150_000);
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('Steward listening')) {
            clearTimeout(timer);
            resolve();
          }
        };
        npm.stdout.on('data', onData);
        npm.stderr.on('data', onData);
        npm.once('exit', (code) => reject(new Error(`npm start exited (${code}):\n${output}`)));
      });
      expect(await portIsFree(port)).toBe(false);
      const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
      npm.kill('SIGTERM');
      await exited;
      const started = Date.now();
      while (!(await portIsFree(port)) && Date.now() - started < 20_000) await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await portIsFree(port)).toBe(true);
    } finally {
      if (npm.exitCode === null) npm.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 200_000);
});
