/** Where a script writes: the console when run, a capture in tests. */
export interface ScriptIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

export const consoleIo: ScriptIo = { out: (line) => console.log(line), err: (line) => console.error(line) };

/** A mistake in the command line: the usage is printed, not a stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * Runs a `node:util` `parseArgs` call and checks that it named exactly one
 * `what` (a queue, a sample); its own errors become `UsageError`s.
 */
export const parseOnePositional = <Values extends { readonly help?: boolean | undefined }>(
  parse: () => { values: Values; positionals: string[] },
  what: { readonly noun: string; readonly verb: string },
): { values: Values; positional: string } | 'help' => {
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parse();
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? `Name the ${what.noun} to ${what.verb}.`
        : `One ${what.noun} at a time, got: ${positionals.join(' ')}.`,
    );
  }
  return { values, positional: positionals[0] as string };
};
