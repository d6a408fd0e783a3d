import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { CDK_BUNDLING, INGEST_ENTRY, INGEST_ENV } from './bundles.ts';
import { interleaved, type Summary, summarise } from './stats.ts';

export interface SourceMapCost {
  readonly runs: number;
  /** The Node.js that ran the processes (the bench's own): Lambda runs Node.js 24. */
  readonly node: string;
  /** The ingest bundle and its map, as RelayFunction builds them (`sourceMap: true`, `sourcesContent: false`). */
  readonly bundleBytes: number;
  readonly mapBytes: number;
  /** ms of `await import()` in a fresh process, without and with `--enable-source-maps` (what NODE_OPTIONS sets). */
  readonly importOff: Summary;
  readonly importOn: Summary;
  /** median(on) / median(off). */
  readonly importRatio: number;
  /** ms to format the stack of the first error thrown through the bundle, without and with source maps (mapping it). */
  readonly errorStackOff: Summary;
  readonly errorStackOn: Summary;
}

/**
 * What source maps cost at cold start: the ingest bundle built with the
 * construct's source-map options, imported in fresh `node` processes with and
 * without `--enable-source-maps`, the two interleaved so that drift in the
 * machine's load hits both alike. Each process then formats the stack of one
 * error thrown inside the bundle, which is when Node decodes the map.
 */
export const measureSourceMapCost = async ({ runs = 30 } = {}): Promise<SourceMapCost> => {
  const outDir = join(tmpdir(), `cometchat-relay-bench-sourcemaps-${process.pid}`);
  mkdirSync(outDir, { recursive: true });
  try {
    const outfile = join(outDir, 'index.mjs');
    await build({ ...CDK_BUNDLING, entryPoints: [INGEST_ENTRY], outfile, sourcemap: true, sourcesContent: false });
    const script =
      'const start = process.hrtime.bigint(); ' +
      'const m = await import(process.argv[1]); const imported = process.hrtime.bigint(); ' +
      // An event without headers makes the handler's own code throw: its stack runs through the bundle.
      'const error = await m.handler(undefined).then(() => new Error("no throw"), (thrown) => thrown); ' +
      'const thrown = process.hrtime.bigint(); const stack = String(error.stack); ' +
      'process.stdout.write(JSON.stringify([Number(imported - start) / 1e6, Number(process.hrtime.bigint() - thrown) / 1e6, stack]));';
    const once = (sourceMaps: boolean) => {
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script, pathToFileURL(outfile).href], {
        env: { PATH: process.env.PATH ?? '', ...INGEST_ENV, ...(sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}) },
        encoding: 'utf8',
      });
      if (child.status !== 0) throw new Error(`Importing the ingest bundle failed: ${child.stderr}`);
      const [importMs, stackMs, stack] = JSON.parse(child.stdout) as [number, number, string];
      if (sourceMaps !== /\.ts:\d+/.test(stack)) throw new Error(`Unexpected stack trace (source maps ${sourceMaps}): ${stack}`);
      return { importMs, stackMs };
    };
    const [off, on] = interleaved(
      runs,
      () => once(false),
      () => once(true),
    );
    const importOff = summarise(off.map((sample) => sample.importMs));
    const importOn = summarise(on.map((sample) => sample.importMs));
    return {
      runs,
      node: process.version,
      bundleBytes: statSync(outfile).size,
      mapBytes: statSync(`${outfile}.map`).size,
      importOff,
      importOn,
      importRatio: importOn.median / importOff.median,
      errorStackOff: summarise(off.map((sample) => sample.stackMs)),
      errorStackOn: summarise(on.map((sample) => sample.stackMs)),
    };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
};

const ms = (summary: Summary, digits = 1) =>
  `${summary.median.toFixed(digits)} ms (p25–p75 ${summary.p25.toFixed(digits)}–${summary.p75.toFixed(digits)}, n=${summary.n})`;

/** Report lines for bench/REPORT.md. */
export const renderSourceMapCost = (cost: SourceMapCost): string[] => [
  '## 8. What source maps cost at cold start',
  '',
  `Every function ships its source map (\`index.mjs.map\`, mappings only: ${(cost.mapBytes / 1000).toFixed(1)} KB beside the ${(cost.bundleBytes / 1000).toFixed(1)} KB ingest bundle) and runs with \`NODE_OPTIONS=--enable-source-maps\`, so that a stack trace in the logs names the TypeScript file and line. The ingest bundle, imported in fresh \`node\` ${cost.node} processes (${cost.runs} of each, interleaved; Lambda runs Node.js 24), without and with source maps:`,
  '',
  '| | import() | formatting the first stack trace through the bundle |',
  '| --- | --- | --- |',
  `| without source maps | ${ms(cost.importOff)} | ${ms(cost.errorStackOff, 3)} |`,
  `| with \`--enable-source-maps\` | ${ms(cost.importOn)} | ${ms(cost.errorStackOn, 3)} |`,
  '',
  `Import with source maps: **${cost.importRatio.toFixed(2)}×** the import without (${(cost.importOn.median - cost.importOff.median).toFixed(1)} ms of difference in medians): Node reads the map when the module loads. The first stack trace through the bundle pays for decoding the mappings (${(cost.errorStackOn.median - cost.errorStackOff.median).toFixed(1)} ms more than an unmapped one), which is paid only when an error is logged, once per instance.`,
  '',
];

/** For a quick look: `tsx bench/source-maps.ts` prints the figures. */
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  writeFileSync(1, `${JSON.stringify(await measureSourceMapCost({ runs: 10 }), null, 2)}\n`);
}
