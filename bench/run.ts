import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { measureBundles } from './bundles.ts';
import { measureBurst } from './burst.ts';
import { measureConsumers } from './consumers.ts';
import { costModel } from './cost.ts';
import { measureIdleCost } from './idle.ts';
import { measureIngestOverhead } from './ingest-overhead.ts';
import { describeMachine } from './machine.ts';
import { measureColdStart } from './cold-start.ts';
import { costScenarios } from './cost-scenarios.ts';
import { measureIngestModes } from './ingest-modes.ts';
import { measureRates } from './rates.ts';
import { type BenchResults, renderReport } from './report.ts';
import { measureSourceMapCost } from './source-maps.ts';
import { judgeAll } from './targets.ts';

/**
 * `npm run bench`: every benchmark of SPEC §9 and the cost model, one after
 * the other (never two at once on a 2-core machine), into bench/results.json
 * and bench/REPORT.md. Progress goes to stderr.
 */
const main = async () => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const started = Date.now();
  const machine = describeMachine();
  const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const stepStart = Date.now();
    process.stderr.write(`bench: ${name}...`);
    const result = await work();
    process.stderr.write(` ${((Date.now() - stepStart) / 1000).toFixed(1)} s\n`);
    return result;
  };

  const ingest = await step('warm ingest handler vs bare SendMessage', () => measureIngestOverhead());
  const bundles = await step('bundle sizes and import times', () => measureBundles());
  const burst = await step('1,000-request burst through the local stack', () => measureBurst());
  const consumers = await step('consumer throughput', () => measureConsumers());
  const rates = await step("1,000 emails and 1,000 SMS at the providers' rates", () => measureRates());
  const costInputs = {
    ingestMs: ingest.perCall.handler.median,
    ingestLogBytes: ingest.logBytesPerRequest,
    channels: consumers.map((consumer) => ({
      channel: consumer.channel,
      consumerMsPerDelivery: consumer.batchMs.median / consumer.batchSize,
      callsPerDelivery: consumer.callsPerDelivery,
      consumerLogBytes: consumer.logBytesPerDelivery,
    })),
  };
  const cost = costModel(costInputs);
  // Issue 13: the whole cold start, both ingest modes side by side, and the cost with and without batching.
  const coldStart = await step('whole cold start, spawn to first answered webhook', () => measureColdStart());
  const ingestModes = await step('ingest modes (lambda, direct) with and without a Lambda quota of 10', () =>
    measureIngestModes(),
  );
  const ingestFloor = { coldStart, ingestModes, costScenarios: costScenarios(cost, costInputs) };

  const sourceMaps = await step('source maps at cold start', () => measureSourceMapCost());
  const idleCost = await step('idle cost from the synthesised template', async () => measureIdleCost());

  const measured: Omit<BenchResults, 'targets'> = {
    machine,
    durationSeconds: (Date.now() - started) / 1000,
    ingest,
    bundles,
    burst,
    consumers,
    cost,
    sourceMaps,
    idleCost,
    ingestFloor,
    rates,
  };
  const results: BenchResults = { ...measured, targets: judgeAll(measured) };
  const folder = import.meta.dirname;
  writeFileSync(join(folder, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(folder, 'REPORT.md'), renderReport(results));
  process.stderr.write(`bench: done in ${results.durationSeconds.toFixed(0)} s; wrote bench/results.json and bench/REPORT.md\n`);
  for (const target of results.targets) {
    process.stderr.write(
      `  ${target.met ? 'met    ' : 'NOT MET'}  ${target.name}: ${target.measured} (target ${target.target})\n`,
    );
  }
};

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
