import type { BundleResult } from './bundles.ts';
import type { BurstResult } from './burst.ts';
import type { ConsumerThroughput } from './consumers.ts';
import type { CostModel, IdleCostModel } from './cost.ts';
import { renderIdleCost } from './idle.ts';
import type { IngestOverheadResult } from './ingest-overhead.ts';
import type { Machine } from './machine.ts';
import type { ColdStartResult } from './cold-start.ts';
import type { ChannelScenarios } from './cost-scenarios.ts';
import type { IngestModesResult } from './ingest-modes.ts';
import { renderIngestFloorSections } from './ingest-floor-report.ts';
import { renderSourceMapCost, type SourceMapCost } from './source-maps.ts';
import { type Summary, summarise } from './stats.ts';
import { type RatesResult, renderRates } from './rates.ts';

export interface Target {
  readonly name: string;
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

export interface BenchResults {
  readonly machine: Machine;
  readonly durationSeconds: number;
  readonly targets: readonly Target[];
  readonly ingest: IngestOverheadResult;
  readonly bundles: BundleResult;
  readonly burst: BurstResult;
  readonly consumers: readonly ConsumerThroughput[];
  readonly cost: CostModel;
  /** Source maps at cold start (section 8); absent from results written before it existed. */
  readonly sourceMaps?: SourceMapCost;
  /** The idle monthly cost of a deployed stack (section 7). */
  readonly idleCost?: IdleCostModel;
  /** Issue 13: whole cold start, both ingest modes, and the cost scenarios (bench/ingest-floor-report.ts). */
  readonly ingestFloor?: IngestFloorResults;
  /** The email and SMS bursts at the providers' rates (bench/rates.ts). */
  readonly rates?: RatesResult;
}

export interface IngestFloorResults {
  readonly coldStart: ColdStartResult;
  readonly ingestModes: IngestModesResult;
  readonly costScenarios: readonly ChannelScenarios[];
}

/** SPEC §9: the idle monthly cost of a deployed stack is stated (a figure, not a limit). */
export const idleCostTarget = (idle: IdleCostModel): Target => ({
  name: 'Idle monthly cost of a deployed stack, counted on the synthesised template',
  target: 'stated',
  measured: `$${idle.totalMonthly.toFixed(2)} a month (${idle.pricesAsOf})`,
  met: Number.isFinite(idle.totalMonthly),
});

const INGEST_ENTRY = 'functions/ingest/handler.ts';

const kb = (bytes: number): string => `${(bytes / 1000).toFixed(1)} KB`;
const ms = (value: number, digits = 1): string => `${value.toFixed(digits)} ms`;
const withUnit = (value: number, digits: number, unit: string): string =>
  `${value.toFixed(digits)}${unit === '×' ? '' : ' '}${unit}`;
const spread = (summary: Summary, digits = 1, unit = 'ms'): string =>
  `${withUnit(summary.median, digits, unit)} (p25–p75 ${summary.p25.toFixed(digits)}–${summary.p75.toFixed(digits)}, n=${summary.n})`;
const range = (summary: Summary, digits = 0, unit = 'ms'): string =>
  `${summary.median.toFixed(digits)} ${unit} (min–max ${summary.min.toFixed(digits)}–${summary.max.toFixed(digits)}, n=${summary.n})`;
const dollars = (value: number): string => `$${value.toFixed(2)}`;
const verdict = (met: boolean): string => (met ? 'met' : '**not met**');

/** The SPEC §9 targets, judged on this run's figures. */
export const judgeTargets = (ingest: IngestOverheadResult, burst: BurstResult): Target[] => {
  const all200 = burst.runs.every((run) => run.answered200 === run.requests);
  const exactlyOnce = burst.runs.every(
    (run) => run.delivered === run.requests && run.missing === 0 && run.duplicates === 0 && run.unexpected === 0,
  );
  return [
    {
      name: 'Warm ingest handler vs bare SendMessage (median ratio)',
      target: '≤ 1.15×',
      measured: `${ingest.ratio.toFixed(2)}× (${ms(ingest.perCall.handler.median, 3)} vs ${ms(ingest.perCall.bareSend.median, 3)})`,
      met: ingest.ratio <= 1.15,
    },
    {
      name: `Burst of ${burst.requests} at concurrency ${burst.connections}: every request answered 200`,
      target: '100 %',
      measured: burst.runs.map((run) => `${((100 * run.answered200) / run.requests).toFixed(1)} %`).join(', '),
      met: all200,
    },
    {
      name: 'Burst: p99 answer time (all runs pooled)',
      target: '≤ 300 ms',
      measured: ms(burst.answerMs.p99),
      met: burst.answerMs.p99 <= 300,
    },
    // The first burst on a freshly started stack (the warm-up), judged on its own: SPEC 9 wants every burst answered.
    {
      name: `Cold burst (the first on a freshly started stack, ${burst.warmup.requests} at concurrency ${burst.connections}): every request answered 200`,
      target: '100 %',
      measured: `${((100 * burst.warmup.answered200) / burst.warmup.requests).toFixed(1)} %${warmupOthers(burst)}`,
      met: burst.warmup.answered200 === burst.warmup.requests,
    },
    {
      name: 'Cold burst: p99 answer time',
      target: '≤ 300 ms',
      measured: ms(burst.warmup.answerMs.p99),
      met: burst.warmup.answerMs.p99 <= 300,
    },
    {
      name: 'Burst: every notification delivered exactly once',
      target: `${burst.requests} per run`,
      measured: burst.runs.map((run) => `${run.delivered} (${run.duplicates} dup., ${run.missing} missing)`).join(', '),
      met: exactlyOnce,
    },
    {
      name: 'Burst: queue drained (from the first request)',
      target: '≤ 10 s',
      measured: `${(burst.queueDrainedMs.max / 1000).toFixed(1)} s at worst`,
      met: burst.queueDrainedMs.max <= 10_000,
    },
  ];
};

/** The warm-up's answers other than 200, e.g. `, 3 × 503`. */
const warmupOthers = (burst: BurstResult): string =>
  Object.entries(burst.warmup.statuses)
    .filter(([status]) => status !== '200')
    .map(([status, count]) => `, ${count} × ${status}`)
    .join('');

/** What the ingest figures mean, worded on this run's numbers. */
const readingIngest = (ingest: IngestOverheadResult): string => {
  const bare = ingest.perCall.bareSend.median;
  const allowance = 0.15 * bare;
  const ownWork = ingest.perCall.handlerNoIo.median;
  const overhead = ingest.perCall.handler.median - bare;
  const saved = -ingest.layers.signedClient;
  const verdictText =
    overhead <= allowance
      ? `the handler ${overhead >= 0 ? `adds ${ms(overhead, 3)} over it in all, within that allowance` : `answers ${ms(-overhead, 3)} sooner than it`}: the signed client saves ${ms(saved, 3)} per SendMessage against the SDK's (no middleware stack, no schema serde), which ${saved >= ownWork ? 'more than pays for' : 'pays for most of'} the handler's own work (${ms(ownWork, 3)} against a queue that answers at once, no logs or metrics).`
      : `the handler adds ${ms(overhead, 3)} over it in all, more than that allowance, although the signed client saves ${ms(saved, 3)} per SendMessage against the SDK's; the handler's own work alone (against a queue that answers at once, no logs or metrics) measures ${ms(ownWork, 3)}.`;
  return `Reading it: the in-process emulator answers the SDK's SendMessage in ${ms(bare, 3)}, so 1.15× leaves ${ms(allowance, 3)} for everything the handler adds; ${verdictText} Against SQS in a region, where SendMessage takes several milliseconds, these fractions of a millisecond are a few per cent either way.`;
};

export const renderReport = (results: BenchResults): string => {
  const { machine, ingest, bundles, burst, consumers, cost } = results;
  const ingestBytes = bundles.sizes.find((size) => size.entry === INGEST_ENTRY)?.bytes ?? Number.NaN;
  const inputs = bundles.ingestInputs;
  const bytesOf = (predicate: (source: string) => boolean) =>
    inputs.filter((input) => predicate(input.source)).reduce((sum, input) => sum + input.bytes, 0);
  const zodBytes = bytesOf((source) => source === 'zod');
  const secretsBytes = bytesOf(
    (source) => source === '@aws-sdk/client-secrets-manager' || source === '@aws-lambda-powertools/parameters',
  );
  const powertoolsBytes = bytesOf(
    (source) => source.startsWith('@aws-lambda-powertools/') && source !== '@aws-lambda-powertools/parameters',
  );
  const ownBytes = bytesOf((source) => source.startsWith('functions/') || source.startsWith('lib/'));
  const smithyBytes = bytesOf((source) => source.startsWith('@smithy/') || source.startsWith('@aws-sdk/'));
  const lines: string[] = [];
  const push = (...text: string[]) => lines.push(...text);

  push(
    '# Benchmarks',
    '',
    `Measured by \`npm run bench\` on ${machine.date.slice(0, 10)} (commit ${machine.commit}), in ${Math.round(results.durationSeconds)} s.`,
    '',
    `- Machine: ${machine.cpuModel}, ${machine.cores} cores${machine.cpuMhz > 0 ? ` at ${machine.cpuMhz} MHz` : ''} (\`os.cpus()\`), ${machine.memoryGiB} GiB memory (${machine.freeMemoryGiB} GiB free at start), ${machine.os}`,
    `- Node.js ${machine.node}; every emulator runs in process on 127.0.0.1 and is spoken to with the real AWS SDK over HTTP.`,
    '- Each figure is a median with its spread (p25–p75, or min–max for a few runs) and n; ratios are taken within one run, their two sides interleaved.',
    '- Handlers log at INFO and emit their EMF metrics as deployed; their stdout goes to /dev/null (the bytes are counted for the cost model).',
    '',
    '## Targets (SPEC §9)',
    '',
    '| Figure | Target | Measured | |',
    '| --- | --- | --- | --- |',
    ...results.targets.map((target) => `| ${target.name} | ${target.target} | ${target.measured} | ${verdict(target.met)} |`),
    '',
  );

  push(
    '## 1. Warm ingest handler vs a bare SendMessage',
    '',
    `The push route's handler (\`createIngestHandler\` with the real \`sqsNotificationQueue\` and the ingest's signed SQS client) against fauxqs started in the same process, and a bare \`SendMessage\` of the same ${ingest.bodyBytes}-byte body with the SDK's \`SQSClient\` (same timeouts and attempts) to the same queue. ${ingest.warmup} warm-up rounds, then ${ingest.iterations} rounds; each round runs every variant once, in a rotating order, so drift hits all alike.`,
    '',
    '| Variant | Median per call (p25–p75, n) |',
    '| --- | --- |',
    `| bare \`SendMessage\` with the SDK's \`SQSClient\` (body only): the reference | ${spread(ingest.perCall.bareSend, 3)} |`,
    `| the same with the handler's 4 message attributes | ${spread(ingest.perCall.sendWithAttributes, 3)} |`,
    `| the same through the ingest's signed JSON client (\`createIngestSqsClient\`) | ${spread(ingest.perCall.signedSend, 3)} |`,
    `| the queue port (\`sqsNotificationQueue.enqueue\`: attributes + 1.2 s deadline signal) | ${spread(ingest.perCall.enqueue, 3)} |`,
    `| the whole handler, logging and metrics off | ${spread(ingest.perCall.handlerSilent, 3)} |`,
    `| **the whole handler, as deployed (INFO: its EMF record; the accepted line is at DEBUG)** | ${spread(ingest.perCall.handler, 3)} |`,
    `| the handler against a queue that answers at once, logging and metrics off (its own work) | ${spread(ingest.perCall.handlerNoIo, 3)} |`,
    '',
    `Ratio of medians: **${ingest.ratio.toFixed(2)}×** (target ≤ 1.15×); round by round the ratio is ${spread(ingest.pairedRatio, 2, '×')}.`,
    '',
    `${
      ingest.perCall.handler.median >= ingest.perCall.bareSend.median
        ? `Where the ${ms(ingest.perCall.handler.median - ingest.perCall.bareSend.median, 3)} over the bare call goes`
        : `The whole handler answers ${ms(ingest.perCall.bareSend.median - ingest.perCall.handler.median, 3)} sooner than the bare call; layer by layer`
    } (differences of medians, a negative one a saving): message attributes ${ms(ingest.layers.messageAttributes, 3)}, the signed client instead of the SDK's ${ms(ingest.layers.signedClient, 3)}, the enqueue deadline (\`AbortSignal.timeout\` per call) ${ms(ingest.layers.enqueueDeadline, 3)}, the handler's own work (Basic Auth, JSON parse, zod validation, idempotency hash, serialisation) ${ms(ingest.layers.handlerWork, 3)}, logging and the EMF record ${ms(ingest.layers.logsAndMetrics, 3)} (${Math.round(ingest.logBytesPerRequest)} bytes per request at INFO).`,
    '',
    readingIngest(ingest),
    '',
  );

  push(
    '## 2. Bundles as CDK builds them',
    '',
    'esbuild with the options of `lib/constructs/relay-function.ts` (bundle, minify, ESM, node24, `mainFields: [module, main]`, the `createRequire` banner, no externals) on every Lambda entry under `functions/`. 1 KB = 1,000 bytes.',
    ...(bundles.constructMismatches.length > 0 ? ['', `**Warning**: ${bundles.constructMismatches.join('; ')}.`] : []),
    '',
    '| Lambda entry | Bundle |',
    '| --- | --- |',
    ...bundles.sizes.map((size) => `| \`${size.entry}\` | ${kb(size.bytes)}${size.bytes > bundles.sqsOnlyBytes ? '' : ' ✓'} |`),
    `| *reference: the SQS client alone* | ${kb(bundles.sqsOnlyBytes)} |`,
    '',
    `### What the ingest bundle holds (${kb(ingestBytes)}, against ${kb(bundles.sqsOnlyBytes)} for the SQS client alone)`,
    '',
    'Both are built with the alias of the default credential chain to the environment provider (a Lambda only ever has environment credentials); ingest sends its SendMessage and its GetSecretValue as signed JSON calls (`functions/shared/clients/aws-json-client.ts`) instead of SDK clients, and its schemas use `zod/mini`. Section 9 measures each of these levers. What is in the bundle (esbuild metafile, bytes in the output):',
    '',
    '| Source | Bytes in bundle |',
    '| --- | --- |',
    ...inputs.slice(0, 14).map((input) => `| \`${input.source}\` | ${kb(input.bytes)} |`),
    `| everything else (${inputs.length - 14} packages/folders) | ${kb(inputs.slice(14).reduce((sum, input) => sum + input.bytes, 0))} |`,
    '',
    `Biggest single files: ${bundles.ingestTopFiles
      .slice(0, 8)
      .map((file) => `\`${file.source}\` ${kb(file.bytes)}`)
      .join(', ')}.`,
    '',
    `Its parts: zod/mini (${kb(zodBytes)}), Powertools logger/metrics/commons (${kb(powertoolsBytes)}), the signed calls (SigV4 signer and HTTP handler: ${kb(smithyBytes)}), a Secrets Manager SDK client (${kb(secretsBytes)}), the relay's own code (${kb(ownBytes)}). With \`@aws-sdk/*\` and \`@smithy/*\` left to the Lambda runtime it would be ${kb(bundles.probes.ingestRuntimeSdkBytes)}; they stay bundled, so the function runs the SDK version the tests ran.`,
    '',
    '### Import time',
    '',
    `Fresh \`node\` processes (${bundles.importTimes.runs} of each, alternating), timing \`await import()\` of the bundle inside the process, with the environment the handler validates at load:`,
    '',
    '| Bundle | import() | whole process (spawn to exit) |',
    '| --- | --- | --- |',
    `| ingest (${kb(ingestBytes)}) | ${spread(bundles.importTimes.ingest)} | ${spread(bundles.importTimes.ingestProcess)} |`,
    `| SQS client only (${kb(bundles.sqsOnlyBytes)}) | ${spread(bundles.importTimes.sqsOnly)} | ${spread(bundles.importTimes.sqsOnlyProcess)} |`,
    '',
    `Ratio of medians: **${bundles.importTimes.ratio.toFixed(2)}×** (target ≤ 1.1×, in the targets table with the whole cold start).`,
    '',
  );

  push(
    `## 3. A ${burst.requests}-member group burst through the local stack`,
    '',
    `${burst.requests} push webhooks, one per group member, each member with an Android device registered through the directory API (${burst.requests + burst.connections} registered in ${(burst.registrationMs / 1000).toFixed(1)} s; autocannon prepares each connection's next request before it knows the run is over, so there is one spare member per connection). Sent by autocannon (programmatic API, one body per request) over ${burst.connections} keep-alive connections from a separate process, to the whole local stack (the front door that accepts connections, as API Gateway does, on a thread of its own; HTTP server, ingest, pollers, consumers and the benchmark's own SNS emulator on one event loop; fauxqs, dynalite and the SES emulator on a thread of their own, as \`npm start\` runs them). Delivery is counted at the SNS emulator. A ${burst.warmup.requests}-request cold burst first, on the freshly started stack, judged on its own in the targets table (it answered ${burst.warmup.answered200} of ${burst.warmup.requests} with 200${warmupOthers(burst)}, p99 ${ms(burst.warmup.answerMs.p99)}, event-loop delay up to ${ms(burst.warmup.eventLoopDelay.max, 0)}; ${burst.warmup.delivered} delivered${burst.warmup.unexpected > 0 ? `, ${burst.warmup.unexpected} of them not answered 200: their SendMessage reached the queue although the ingest had given up on it, so a 503 does not always mean "not queued"` : ''}, queue drained in ${(burst.warmup.queueDrainedMs / 1000).toFixed(2)} s), then ${burst.runs.length} measured runs on the same stack.`,
    '',
    '| Run | Answered 200 | Answer p50 | p99 | max | ≥ 500 ms | Last answer | All delivered | Queue drained | Delivered | Duplicates | Missing | Event-loop delay p99 / max |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...burst.runs.map(
      (run, index) =>
        `| ${index + 1} | ${run.answered200}/${run.requests} | ${ms(run.answerMs.median)} | ${ms(run.answerMs.p99)} | ${ms(run.answerMs.max)} | ${run.slowAnswers} | ${(run.burstMs / 1000).toFixed(2)} s | ${(run.allDeliveredMs / 1000).toFixed(2)} s | ${(run.queueDrainedMs / 1000).toFixed(2)} s | ${run.delivered} | ${run.duplicates} | ${run.missing} | ${ms(run.eventLoopDelay.p99, 0)} / ${ms(run.eventLoopDelay.max, 0)} |`,
    ),
    '',
    `All runs pooled: answer time ${spread(burst.answerMs)}, p99 **${ms(burst.answerMs.p99)}** (the runs' own p99s: median ${ms(summarise(burst.runs.map((run) => run.answerMs.p99)).median)}, min–max ${ms(Math.min(...burst.runs.map((run) => run.answerMs.p99)))}–${ms(Math.max(...burst.runs.map((run) => run.answerMs.p99)))}); all delivered ${range(burst.allDeliveredMs)} after the first request; queue drained ${range(burst.queueDrainedMs)}. Times are from the first request; "all delivered" is the SNS emulator's timestamp of the last push.`,
    '',
    "Reading the tail: the ingest SQS client gives each SendMessage attempt 500 ms, then retries, within a 1.2 s overall deadline after which it answers 503. Before the emulators moved to a thread of their own, bursts lost 1 to 19 % of their answers to 503: instrumented, fauxqs handled each SendMessage in 0.2 ms (p99 under 12 ms) while the process used 3.2 to 4.7 s of CPU in 3.7 to 5.9 s of answering, so attempts waited behind the emulators' and consumers' work on the one event loop until their timers fired; the SDK's default pool of 50 sockets also queued 49 of 100 concurrent requests (p50 125 ms) before their timers had started counting. With the emulators on their own thread and the local ingest client's pool uncapped (as each Lambda instance has its own connection), every burst, the cold one included, is answered 200. The cold burst's tail was not compilation but connections waiting to be accepted: since libuv 1.45 (Node 20) a server accepts one connection per event-loop turn, and while a burst's handlers, SDK calls and consumers kept the relay's loop turning every 50 to 150 ms, 40 to 87 of the 100 connections autocannon opened at once waited 1.3 to 3.6 s in the kernel's accept queue (ss showed 60 queued, drained about one per turn) although no handler took over 140 ms. A front door on a thread of its own now accepts them and hands each to a connection to the relay's server opened at start (lib/local/front-door.ts), as API Gateway holds client connections apart from the function. What remains between the cold burst and the warm ones is the process's first run of its code: about 0.6 s more main-thread CPU and 0.8 s more on V8's background compiler and GC threads for the same 1,000 requests, which warming the ingest path alone (up to 2,000 webhooks before the ready line) did not reduce. Where an attempt given up on had reached fauxqs, the notification is queued twice: the delivery ledger still delivers it once (the Duplicates column counts pushes, and stays 0).",
    '',
  );

  push(
    '## 4. Consumer throughput',
    '',
    `Each consumer handler called directly with real SQS batches of ${consumers[0]?.batchSize ?? 10} (received from fauxqs after the local stack's ingest filled the queue) against dynalite, the SNS emulator and aws-ses-v2-local, one batch at a time as one Lambda instance takes them. API calls counted on the consumer's own SDK clients (a DynamoDB read marked eventually consistent is half a read unit). Log and EMF bytes: the one outcome line per delivery plus the batch's EMF records, over the batch.`,
    '',
    '| Consumer | Deliveries per second | Time per batch | AWS calls per notification | Log and EMF bytes per notification |',
    '| --- | --- | --- | --- | --- |',
    ...consumers.map(
      (consumer) =>
        `| ${consumer.channel} | ${spread(consumer.deliveriesPerSecond, 0, '/s')} | ${spread(consumer.batchMs)} | ${Object.entries(
          consumer.callsPerDelivery,
        )
          .map(([name, perDelivery]) => `${name} ${Number.isInteger(perDelivery) ? perDelivery : perDelivery.toFixed(2)}`)
          .join(', ')} | ${Math.round(consumer.logBytesPerDelivery)} |`,
    ),
    '',
    'The emulators and the consumer share one Node process, so these are floors for the relay code plus emulated AWS, not AWS figures; in AWS each call is a network round trip and a consumer instance delivers fewer per second, while up to `maxConcurrency` instances run side by side.',
    '',
  );

  // The email and SMS bursts at the providers' rates (bench/rates.ts), when this run measured them.
  if (results.rates) push(...renderRates(results.rates));
  push(
    '## 6. Cost per million notifications',
    '',
    `${cost.pricesAsOf}. Request counts are the ones measured above; durations are the medians measured here (ingest ${ms(ingest.perCall.handler.median, 2)} → billed 1 ms; consumers per notification from the batch times), with ${cost.memoryMb.ingest} MB ingest and ${cost.memoryMb.consumer} MB consumer functions${cost.consumerMemoryChecked ? '' : ' (**warning**: the consumer memory default in channel-pipeline.ts has changed)'}. Conservative where batching varies: each notification pays its own SQS ReceiveMessage and DeleteMessage and its own consumer invocation (a burst shares them by up to 10).`,
    '',
    '| Price | us-east-1 |',
    '| --- | --- |',
    `| API Gateway HTTP API | ${dollars(cost.prices.httpApiRequest * 1e6)} per million requests |`,
    `| Lambda arm64 | $${cost.prices.lambdaArmGbSecond} per GB-s, ${dollars(cost.prices.lambdaRequest * 1e6)} per million requests |`,
    `| SQS standard | ${dollars(cost.prices.sqsRequest * 1e6)} per million requests |`,
    `| DynamoDB on-demand | $${(cost.prices.dynamodbWrite * 1e6).toFixed(3)} per million write request units, $${(cost.prices.dynamodbRead * 1e6).toFixed(3)} per million read request units |`,
    `| SNS | ${dollars(cost.prices.snsRequest * 1e6)} per million requests, ${dollars(cost.prices.snsMobilePushDelivery * 1e6)} per million mobile push deliveries; SMS per message by country (excluded) |`,
    `| SES | ${dollars(cost.prices.sesEmail * 1000)} per 1,000 emails |`,
    `| CloudWatch Logs | ${dollars(cost.prices.cloudWatchLogsGb)} per GB ingested |`,
    '',
    ...cost.channels.flatMap((channel) => [
      `### ${channel.channel}: **${dollars(channel.totalPerMillion)}** per million${channel.excluded ? ' (excluding the SMS itself)' : ''}`,
      '',
      '| Item | Per notification | Per million |',
      '| --- | --- | --- |',
      ...channel.lines.map((line) => `| ${line.item} | ${line.basis} | ${dollars(line.perMillion)} |`),
      ...(channel.excluded ? ['', `Excluded: ${channel.excluded}.`] : []),
      '',
    ]),
    `Left out: the fixed costs (Lambda's SQS pollers long-poll each queue even when idle, roughly 650,000 empty receives, about $0.26, per queue per month; Secrets Manager reads are cached per instance; CloudWatch custom metrics and alarms are billed per metric per month, not per notification), SES outgoing data ($0.12 per GB: under $1 per million emails of about 8 KB), data transfer, and free tiers. Lambda compute is the figure most sensitive to where it runs: the durations above are loopback round trips; were every function ${cost.lambdaSensitivity.factor}× slower in AWS, Lambda compute would be ${Object.entries(
      cost.lambdaSensitivity.perMillion,
    )
      .map(([channel, perMillion]) => `${dollars(perMillion)} (${channel})`)
      .join(', ')} per million.`,
    '',
    ...(results.idleCost ? renderIdleCost(results.idleCost) : []),
    ...(results.sourceMaps ? renderSourceMapCost(results.sourceMaps) : []),
    ...(results.ingestFloor
      ? renderIngestFloorSections(
          bundles,
          results.ingestFloor.coldStart,
          results.ingestFloor.ingestModes,
          results.ingestFloor.costScenarios,
          cost,
        )
      : []),
    '## Reproduce',
    '',
    '```sh',
    'npm ci',
    'npm run bench        # writes bench/results.json and bench/REPORT.md',
    '```',
    '',
    'The numbers depend on the machine; the ratios are the figures to compare between machines. `bench/results.json` holds every summary this report is made from.',
    '',
  );
  return lines.join('\n');
};
