import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SnsEmulatorStateError } from './errors.ts';
import { emptySnapshot, type StateSnapshot, stateSnapshotSchema } from './model.ts';

/** Reads the data file; a missing file is a fresh start, an unreadable one stops the start. */
export const loadSnapshot = (file: string): StateSnapshot => {
  if (!existsSync(file)) return emptySnapshot();
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SnsEmulatorStateError(`Cannot read the SNS emulator data file ${file} (${(error as Error).message}); delete it to start fresh.`);
  }
  const parsed = stateSnapshotSchema.safeParse(json);
  if (!parsed.success) {
    throw new SnsEmulatorStateError(`The SNS emulator data file ${file} has an unexpected shape (${parsed.error.message}); delete it to start fresh.`);
  }
  return parsed.data;
};

/**
 * Saves the state a moment after it changes, so a burst of publishes costs one write, and
 * writes a temporary file then renames it, so a crash never leaves a half-written file.
 */
export class SnapshotWriter {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly file: string,
    private readonly read: () => StateSnapshot,
    private readonly delayMs = 50,
  ) {
    mkdirSync(dirname(file), { recursive: true });
  }

  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.delayMs);
    // A pending save must not keep a finished process alive; `flush` on exit covers it.
    this.timer.unref();
  }

  /** Writes now if anything is pending. Synchronous so it also works from a process `exit` handler. */
  flush(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    const temporary = `${this.file}.${process.pid}.tmp`;
    // 0600: the platform applications in it hold their push credentials.
    writeFileSync(temporary, JSON.stringify(this.read()), { mode: 0o600 });
    renameSync(temporary, this.file);
  }
}
