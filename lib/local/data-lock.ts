import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';

/** Another local relay is running on the same data folder: a one-line message that says what to do. */
export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `Another local relay (pid ${pid}) is using ${dataDir}: stop it first, or run a second one with its own folder and port, e.g. RELAY_DATA_DIR=local-data-2 PORT=3001 npm start`,
    );
  }
}

export interface DataLock {
  readonly path: string;
  release(): void;
}

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Takes `<dataDir>/relay.lock` (holding this process's pid) before the
 * emulators open their files: two relays on one folder would corrupt the
 * DynamoDB files and crash with a dynalite stack trace. A lock left by a
 * process that no longer runs (a crash, kill -9) is taken over.
 */
export const acquireDataLock = (dataDir: string): DataLock => {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'relay.lock');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return {
        path,
        release() {
          if (released) return;
          released = true;
          rmSync(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isRunning(pid)) throw new DataDirInUseError(dataDir, pid);
      if (pid === process.pid) throw new DataDirInUseError(dataDir, pid);
      rmSync(path, { force: true });
    }
  }
  throw new Error(`Could not take the lock ${path}: another relay keeps creating it`);
};
