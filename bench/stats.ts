/** A measured figure as the report prints it: the median with its spread and how many samples it rests on. */
export interface Summary {
  readonly n: number;
  readonly median: number;
  readonly p25: number;
  readonly p75: number;
  readonly p99: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
}

/** The value below which `fraction` of the sorted samples lie (linear interpolation between neighbours). */
export const quantile = (sorted: readonly number[], fraction: number): number => {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * fraction;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const low = sorted[below] ?? Number.NaN;
  const high = sorted[above] ?? Number.NaN;
  return low + (high - low) * (position - below);
};

export const summarise = (samples: readonly number[]): Summary => {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    median: quantile(sorted, 0.5),
    p25: quantile(sorted, 0.25),
    p75: quantile(sorted, 0.75),
    p99: quantile(sorted, 0.99),
    min: sorted[0] ?? Number.NaN,
    max: sorted.at(-1) ?? Number.NaN,
    mean: sorted.reduce((total, value) => total + value, 0) / Math.max(1, sorted.length),
  };
};

/**
 * `runs` samples of two variants measured side by side: one warm-up call of each, then pairs whose order
 * alternates, so that drift (a busy neighbour, a warming disk cache) hits both alike.
 */
export const interleaved = <Sample>(runs: number, first: () => Sample, second: () => Sample): [Sample[], Sample[]] => {
  first();
  second();
  const firsts: Sample[] = [];
  const seconds: Sample[] = [];
  for (let run = 0; run < runs; run++) {
    if (run % 2 === 0) {
      firsts.push(first());
      seconds.push(second());
    } else {
      seconds.push(second());
      firsts.push(first());
    }
  }
  return [firsts, seconds];
};
