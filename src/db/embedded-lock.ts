// One process at a time on an embedded (PGlite) data directory. PGlite is a single-process
// database: a second process opening the same directory sees a stale copy, its writes are invisible
// to the first and can be lost. The first process writes its pid into DATA_DIR/steward.pid (created
// exclusively); a second one finds a live pid there and refuses with what to do instead. A pid file
// left by a process that died is taken over.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ChatError } from '../chat/errors.js';
import { ERROR_CODES } from '../errors.js';

/** Another process has the embedded database open. */
export class EmbeddedDatabaseBusy extends ChatError {
  constructor(
    readonly pid: number,
    dataDir: string,
  ) {
    super(
      ERROR_CODES.embeddedDatabaseBusy,
      `Steward (process ${pid}) is running on the embedded database in ${dataDir}, and only one process may open it at a time. ` +
        'Stop it first (Ctrl+C in its terminal), or make the change in chat while it runs (e.g. `role grant @person admin`), ' +
        'or use PostgreSQL (DATABASE_URL) to run the service and the CLI side by side.',
    );
    this.name = 'EmbeddedDatabaseBusy';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the data directory for this process; returns the release function. */
export function lockEmbeddedDirectory(dataDir: string): () => void {
  const file = join(dataDir, 'steward.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) throw new EmbeddedDatabaseBusy(pid, dataDir);
      // Left by a process that is gone (or by this one): take it over.
      rmSync(file, { force: true });
    }
  }
  throw new Error(`could not lock the embedded database in ${dataDir}`);
}
