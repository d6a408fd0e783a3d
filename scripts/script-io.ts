/** Where a script writes: the console when run, a capture in tests. */
export interface ScriptIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

export const consoleIo: ScriptIo = { out: (line) => console.log(line), err: (line) => console.error(line) };
