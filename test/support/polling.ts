/**
 * Polls `probe` until it answers something other than undefined or false, and returns that;
 * fails with `what` once `timeoutMs` has passed. Tests never sleep for a fixed time.
 */
export const waitFor = async <T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 30_000, intervalMs = 50, what = 'the condition' }: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() >= deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
};

/**
 * Asserts that `probe` keeps answering true for `forMs`: how a test checks that nothing more
 * happens (no retry, no second delivery), without a bare sleep that could hide a late event.
 */
export const holdsFor = async (probe: () => Promise<boolean> | boolean, { forMs, intervalMs = 100, what = 'the condition' }: { forMs: number; intervalMs?: number; what?: string }) => {
  const until = Date.now() + forMs;
  while (Date.now() < until) {
    if (!(await probe())) throw new Error(`${what} stopped holding`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  if (!(await probe())) throw new Error(`${what} stopped holding`);
};
