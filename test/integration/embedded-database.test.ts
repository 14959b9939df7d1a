// The embedded database (PGlite) belongs to one process: while `npm start` runs on a data directory,
// the CLI (or a second service) on the same directory refuses with what to do instead, and never
// opens it behind the service's back (PGlite does not support two processes; data could be lost).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_REDIS_URL } from '../support/steward.js';

const root = new URL('../..', import.meta.url).pathname;

function environment(dataDir: string, port: number): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'test', LOG_LEVEL: 'info', DATA_DIR: dataDir, PORT: String(port), REDIS_URL: TEST_REDIS_URL };
}

describe('the embedded database has one owner', () => {
  let dataDir: string;
  let service: ChildProcess;
  const port = 20_000 + Math.floor(Math.random() * 20_000);

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'steward-embedded-'));
    service = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: root, env: environment(dataDir, port), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the service did not start within 90 s:\n${output}`)), 90_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Steward listening')) {
          clearTimeout(timer);
          resolve();
        }
      };
      service.stdout?.on('data', onData);
      service.stderr?.on('data', onData);
      service.once('exit', (code) => reject(new Error(`the service exited (${code}):\n${output}`)));
    });
  }, 120_000);

  afterAll(async () => {
    if (service.exitCode === null) {
      const exited = new Promise((resolve) => service.once('exit', resolve));
      service.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses a CLI command on the running service’s data directory, saying what to do instead', () => {
    const cli = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'role', 'grant', '--email', 'someone@example.com', '--role', 'admin'], {
      cwd: root,
      env: environment(dataDir, port + 1),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(cli.status).not.toBe(0);
    expect(cli.stderr).toContain('is running on the embedded database');
    expect(cli.stderr).toContain('role grant @person admin');
  });

  it('leaves the running service working', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(response.status).toBe(200);
  });
});
