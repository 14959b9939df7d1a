// Runs a server under test in its own process (its own event loop, its memory readable from /proc).
// The process prints `ready <url>` on stdout once it listens.
import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';

export interface ServerProcess {
  url: string;
  pid: number;
  /** Resident memory now and its peak, in MB (Linux /proc). */
  memory(): { rssMb: number; peakRssMb: number };
  /** CPU time (user + system) the process has used so far, in ms (Linux /proc). */
  cpuMs(): number;
  stop(): Promise<void>;
}

export const READY_PREFIX = 'ready ';

/** For the server side: announce the URL the parent should load. */
export function announceReady(url: string): void {
  process.stdout.write(`${READY_PREFIX}${url}\n`);
}

export function memoryOf(pid: number): { rssMb: number; peakRssMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
}

/** Linux reports process CPU time in clock ticks of 1/100 s (USER_HZ, the same on every common build). */
const TICKS_PER_SECOND = 100;

export function cpuMsOf(pid: number): number {
  // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

export interface ServerProcessOptions {
  /** What follows `node`: a script and its flags, e.g. ['--import', 'tsx', 'server.ts']. */
  nodeArgs: string[];
  env: Record<string, string>;
  /** Name for error messages. */
  name: string;
  timeoutMs?: number;
  /** A file the process's stdout is also appended to (e.g. its --trace-gc lines). */
  copyStdoutTo?: string | undefined;
}

export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const child = spawn(process.execPath, options.nodeArgs, {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    let ready = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${options.name} did not start within ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      if (options.copyStdoutTo) appendFileSync(options.copyStdoutTo, chunk);
      if (ready) return;
      stdout += chunk.toString();
      const line = stdout.split('\n').find((l) => l.startsWith(READY_PREFIX));
      if (line) {
        ready = true;
        clearTimeout(timer);
        resolve(line.slice(READY_PREFIX.length).trim());
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${options.name} exited (${code}) before it was ready:\n${stderr}`));
    });
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${options.name} has no pid`);
  return {
    url,
    pid,
    memory: () => memoryOf(pid),
    cpuMs: () => cpuMsOf(pid),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
