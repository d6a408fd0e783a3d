import { vi } from 'vitest';

/**
 * Everything the process prints while a test runs: what Powertools writes to
 * stdout and stderr (log lines, EMF records) and what goes through `console`.
 * Nothing reaches the terminal; `stop()` restores the streams.
 */
export interface CapturedOutput {
  /** Every chunk, in order. */
  text(): string;
  /** The chunks that are JSON objects, parsed (log lines and EMF records). */
  json(): Array<Record<string, any>>;
  /** EMF records only. */
  emf(): Array<Record<string, any>>;
  /** Log lines only (JSON with a `level`). */
  logs(): Array<Record<string, any>>;
  clear(): void;
  stop(): void;
}

export const captureOutput = (): CapturedOutput => {
  let chunks: string[] = [];
  const record = (chunk: unknown) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk));
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(record),
    vi.spyOn(process.stderr, 'write').mockImplementation(record),
    ...(['log', 'info', 'warn', 'error', 'debug', 'trace'] as const).map((method) =>
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        record(args.map((arg) => (typeof arg === 'string' ? arg : safeStringify(arg))).join(' '));
      }),
    ),
  ];
  const json = () =>
    chunks
      .flatMap((chunk) => chunk.split('\n'))
      .filter((line) => line.trim().startsWith('{'))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, any>];
        } catch {
          return [];
        }
      });
  return {
    text: () => chunks.join(''),
    json,
    emf: () => json().filter((line) => line._aws !== undefined),
    logs: () => json().filter((line) => line.level !== undefined),
    clear: () => {
      chunks = [];
    },
    stop: () => {
      for (const spy of spies) spy.mockRestore();
    },
  };
};

const safeStringify = (value: unknown): string => {
  if (value instanceof Error) return `${value.name}: ${value.message}\n${value.stack ?? ''}`;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
};
