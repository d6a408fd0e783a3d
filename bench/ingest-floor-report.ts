import type { BundleResult } from './bundles.ts';
import { INGEST_ENTRY } from './bundles.ts';
import { COLD_START_TARGET_RATIO, type ColdStartResult } from './cold-start.ts';
import type { ChannelScenarios } from './cost-scenarios.ts';
import { BATCH_SIZE } from './cost-scenarios.ts';
import type { CostModel } from './cost.ts';
import type { IngestModeRun, IngestModesResult } from './ingest-modes.ts';
import type { Target } from './report.ts';

// Issue 13's figures (cold start, cost at the floor, direct ingest): its targets rows and report sections.

const kb = (bytes: number): string => `${(bytes / 1000).toFixed(1)} KB`;
const ms = (value: number): string => `${value.toFixed(1)} ms`;
const dollars = (value: number): string => `$${value.toFixed(2)}`;
const PUSH_TARGET = 3.0;
const LOG_BYTES_TARGET = 400;

const logBytesMet = (scenarios: readonly ChannelScenarios[]): boolean =>
  scenarios.every((scenario) => scenario.logBytes <= LOG_BYTES_TARGET);

/** What the ingest writes per request at INFO (the same for every channel): ingest + consumer less the consumer's. */
const ingestLogBytes = (scenarios: readonly ChannelScenarios[]): number =>
  scenarios[0] ? scenarios[0].logBytes - scenarios[0].directLogBytes : 0;

/** The channel's batched figure without the provider's own per-message price (SMS is already without it). */
const withoutProvider = (
  scenario: ChannelScenarios,
  cost: CostModel,
  field: 'batched' | 'conservative' | 'directBatched',
): number => {
  const ses = cost.channels
    .find((channel) => channel.channel === scenario.channel)
    ?.lines.find((line) => line.item === 'SES emails');
  return scenario[field] - (ses?.perMillion ?? 0);
};

export const ingestFloorTargets = (
  bundles: BundleResult,
  coldStart: ColdStartResult,
  modes: IngestModesResult,
  scenarios: readonly ChannelScenarios[],
  cost: CostModel,
): Target[] => {
  const ingestBytes = bundles.sizes.find((size) => size.entry === INGEST_ENTRY)?.bytes ?? Number.NaN;
  const sizeRatio = ingestBytes / bundles.sqsOnlyBytes;
  const costRows = scenarios.map((scenario): Target => {
    const batched = withoutProvider(scenario, cost, 'batched');
    const conservative = withoutProvider(scenario, cost, 'conservative');
    const direct = withoutProvider(scenario, cost, 'directBatched');
    const provider =
      scenario.channel === 'sms' ? ', excluding the SMS itself' : scenario.channel === 'email' ? ', excluding SES per email' : '';
    const met = batched <= PUSH_TARGET;
    return {
      name: `Cost per million ${scenario.channel} notifications${provider} (batches of ${BATCH_SIZE}, ingest: lambda)`,
      target: `≤ ${dollars(PUSH_TARGET)}`,
      measured: `${dollars(batched)} (conservative, no batching: ${dollars(conservative)}; ingest: direct, batched: ${dollars(direct)})${
        met
          ? ''
          : `: ${dollars(scenario.levers.oneLedgerWrite)} of it is the ledger's second write, kept for at most once${
              scenario.levers.logsAt400Bytes > 0 ? `, and ${dollars(scenario.levers.logsAt400Bytes)} logs over 400 bytes` : ''
            }${
              direct <= PUSH_TARGET
                ? '; ingest: direct meets it'
                : scenario.channel === 'push'
                  ? '; API Gateway, SNS, one SendMessage and one DynamoDB write alone are $3.03'
                  : ''
            } (section 10)`
      }`,
      met,
    };
  });
  const push = scenarios.find((scenario) => scenario.channel === 'push');
  const directQuota = modes.runs.find((run) => run.mode === 'direct' && run.lambdaConcurrency !== undefined);
  const lambdaQuota = modes.runs.find((run) => run.mode === 'lambda' && run.lambdaConcurrency !== undefined);
  return [
    {
      name: 'Ingest bundle vs the SQS-client-only bundle built the same way (credential alias in both)',
      target: '≤ 1.0×',
      measured: `${sizeRatio.toFixed(2)}× (${kb(ingestBytes)} vs ${kb(bundles.sqsOnlyBytes)})${
        sizeRatio <= 1 ? '' : ': the ingest bundle holds the SQS client plus its own code, zod and Powertools (section 9)'
      }`,
      met: sizeRatio <= 1,
    },
    {
      name: 'Cold import of the ingest bundle vs the SQS-client-only bundle (median ratio)',
      target: '≤ 1.1×',
      measured: `${bundles.importTimes.ratio.toFixed(2)}× (${ms(bundles.importTimes.ingest.median)} vs ${ms(bundles.importTimes.sqsOnly.median)})`,
      met: bundles.importTimes.ratio <= 1.1,
    },
    {
      name: 'Whole cold start, spawn to first answered webhook (init, secret read, SendMessage) vs SQS client + one SendMessage',
      target: `≤ ${COLD_START_TARGET_RATIO}×`,
      measured: `${coldStart.ratio.toFixed(2)}× (${ms(coldStart.ingest.median)} vs ${ms(coldStart.sqsOnly.median)}, n=${coldStart.runs})`,
      met: coldStart.ratio <= COLD_START_TARGET_RATIO,
    },
    ...costRows,
    ...(push
      ? [
          {
            name: `Log and EMF bytes per notification at INFO (ingest + consumer, batches of ${BATCH_SIZE})`,
            target: `≤ ${LOG_BYTES_TARGET} bytes`,
            measured: `${scenarios.map((scenario) => `${scenario.channel} ${scenario.logBytes}`).join(', ')} (ingest: direct, consumer only: ${scenarios
              .map((scenario) => `${scenario.channel} ${scenario.directLogBytes}`)
              .join(', ')})${
              logBytesMet(scenarios)
                ? ''
                : `: ${ingestLogBytes(scenarios)} bytes of it are the ingest's, per accepted webhook (section 10)`
            }`,
            met: logBytesMet(scenarios),
          },
        ]
      : []),
    ...(directQuota && lambdaQuota
      ? [
          {
            name: `Burst of ${directQuota.requests} at a simulated Lambda concurrency quota of ${directQuota.lambdaConcurrency}: answered 200 (ingest: direct)`,
            target: '100 %',
            measured: `${((100 * directQuota.answered200) / directQuota.requests).toFixed(1)} % (ingest: lambda: ${((100 * lambdaQuota.answered200) / lambdaQuota.requests).toFixed(1)} %)`,
            met: directQuota.answered200 === directQuota.requests,
          },
        ]
      : []),
  ];
};

const describeRun = (run: IngestModeRun): string => {
  const refused = Object.entries(run.refused)
    .map(([status, count]) => `${count} × ${status}`)
    .join(', ');
  return `| ${run.mode} | ${run.lambdaConcurrency ?? 'none'} | ${run.answered200}/${run.requests}${refused ? ` (${refused})` : ''} | ${ms(run.answerMs.median)} | ${ms(run.answerMs.p99)} | ${run.enqueued} | ${run.throttled} | ${
    run.authorizerInvocations === undefined ? '–' : `${run.authorizerInvocations} / ${run.cacheHits ?? 0}`
  } |`;
};

export const renderIngestFloorSections = (
  bundles: BundleResult,
  coldStart: ColdStartResult,
  modes: IngestModesResult,
  scenarios: readonly ChannelScenarios[],
  cost: CostModel,
): string[] => {
  const { probes } = bundles;
  const ingestBytes = bundles.sizes.find((size) => size.entry === INGEST_ENTRY)?.bytes ?? Number.NaN;
  const powertools = bundles.ingestInputs
    .filter((input) => input.source.startsWith('@aws-lambda-powertools/'))
    .reduce((total, input) => total + input.bytes, 0);
  const zod = bundles.ingestInputs.find((input) => input.source === 'zod')?.bytes ?? 0;
  return [
    '## 9. Ingest cold start at the floor',
    '',
    `Every bundle is built as CDK builds it, now with the esbuild alias of \`@aws-sdk/credential-provider-node\` to \`functions/shared/clients/env-credentials.ts\` (Lambda always gives the role's credentials in the environment); the SQS-client-only reference is built the same way. Every function's bundle against that reference (${kb(bundles.sqsOnlyBytes)}):`,
    '',
    '| Lambda entry | Bundle | vs SQS client only |',
    '| --- | --- | --- |',
    ...bundles.sizes.map(
      (size) => `| \`${size.entry}\` | ${kb(size.bytes)} | ${(size.bytes / bundles.sqsOnlyBytes).toFixed(2)}× |`,
    ),
    '',
    'Each lever, measured (bundle bytes, same build):',
    '',
    '| Lever | Without | With | Applied |',
    '| --- | --- | --- | --- |',
    probes.ingestDefaultChainBytes === ingestBytes
      ? `| Credential chain aliased to the environment provider: ingest | ${kb(probes.ingestDefaultChainBytes)} | ${kb(ingestBytes)} | no longer needed by ingest, which holds no SDK client (its signed calls read the environment's credentials themselves); every other function has it |`
      : `| Credential chain aliased to the environment provider: ingest | ${kb(probes.ingestDefaultChainBytes)} | ${kb(ingestBytes)} | yes (every function) |`,
    `| ... the SQS-client-only reference | ${kb(probes.sqsOnlyDefaultChainBytes)} | ${kb(bundles.sqsOnlyBytes)} | (reference) |`,
    `| SendMessage: the SDK's SQS client (the reference), vs the signed JSON client and the queue port (\`createIngestSqsClient\`, \`sqsNotificationQueue\`) | ${kb(bundles.sqsOnlyBytes)} | ${kb(probes.signedSendBytes)} | yes (ingest) |`,
    `| Secret read: SQS client + Secrets Manager client via Powertools Parameters, vs the signed SendMessage + one signed GetSecretValue | ${kb(probes.sqsWithSecretsClientBytes)} | ${kb(probes.signedSendAndSecretBytes)} | yes (every function that reads a secret: ingest, the authorizer, before-message, directory) |`,
    `| \`zod/mini\` instead of \`zod\` (a one-object schema) | ${kb(probes.zodClassicBytes)} | ${kb(probes.zodMiniBytes)} | yes: the ingest path's schemas (payloads, envelopes, secret, environment); ${kb(zod)} of zod left in the ingest bundle |`,
    `| Powertools Logger and Metrics on the ingest path | ${kb(powertools)} | – | kept: the shared logging and metrics module (redaction, log context, the EMF metrics the alarms read); a bundle of the two alone imports in about 9 ms more than an empty one on this machine; the ingest bundle is under the reference with them |`,
    '',
    `The whole cold start: a fresh \`node\` process imports the ingest bundle and answers its first webhook (environment validated, Basic Auth against the secret read with a signed GetSecretValue from a Secrets Manager emulator that checks the SigV4 scope, SendMessage to fauxqs), timed from spawn to the answer; against a process that imports the SQS-client-only bundle and sends one message. ${coldStart.runs} of each, alternating; logs to /dev/null; ${coldStart.secretReads} secret reads.`,
    '',
    '| Process | Spawn to answer |',
    '| --- | --- |',
    `| ingest (${kb(coldStart.ingestBytes)}) | ${ms(coldStart.ingest.median)} (p25–p75 ${coldStart.ingest.p25.toFixed(1)}–${coldStart.ingest.p75.toFixed(1)}) |`,
    `| SQS client only (${kb(coldStart.sqsOnlyBytes)}) | ${ms(coldStart.sqsOnly.median)} (p25–p75 ${coldStart.sqsOnly.p25.toFixed(1)}–${coldStart.sqsOnly.p75.toFixed(1)}) |`,
    '',
    `Ratio of medians: **${coldStart.ratio.toFixed(2)}×** (target ≤ ${COLD_START_TARGET_RATIO}×). Ingest sends its one SendMessage and reads its secret as signed JSON calls through the SDK's own signer (\`@smithy/signature-v4\`) and Node.js HTTP handler (\`@smithy/node-http-handler\`), with the standard retry mode's rules, instead of an SDK client: the bytes on the wire are the SDK's, and the middleware stack, schema serde and endpoint rules it no longer loads were most of its bundle and its import.`,
    '',
    '## 10. Cost at the floor, and both ingest modes',
    '',
    `The cost model of section 6 is conservative: each notification pays its own SQS ReceiveMessage and DeleteMessage and its own consumer invocation. In a burst the event source hands the consumer batches of ${BATCH_SIZE}: one receive, one DeleteMessageBatch and one invocation per ${BATCH_SIZE} notifications. Both figures, per million, excluding the provider's own per-message price (the SMS itself; SES per email):`,
    '',
    '| Channel | Conservative | Batched | Direct ingest, batched | Direct, conservative | Log + EMF bytes (direct) | Would still save: one ledger write / consistent reads left / logs at 400 bytes |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...scenarios.map(
      (scenario) =>
        `| ${scenario.channel} | ${dollars(withoutProvider(scenario, cost, 'conservative'))} | ${dollars(withoutProvider(scenario, cost, 'batched'))} | ${dollars(withoutProvider(scenario, cost, 'directBatched'))} | ${dollars(scenario.directConservative - (scenario.conservative - withoutProvider(scenario, cost, 'conservative')))} | ${scenario.logBytes} (${scenario.directLogBytes}) | ${dollars(scenario.levers.oneLedgerWrite)} / ${dollars(scenario.levers.eventualReads)} / ${dollars(scenario.levers.logsAt400Bytes)} |`,
    ),
    '',
    "Not applied here, and why: one ledger write per delivery (claim and mark sent in one conditional write) is possible only by writing `sent` before the provider is called, which turns the documented duplicate window into a loss window (a consumer dying between that write and the provider's answer loses the notification, where today a redelivery sends it): the consumer-crash reliability test checks exactly that redelivery, so the two writes stay. Why $3.00 is out of reach for push on this design, whatever the levers: API Gateway ($1.00 per million requests) and SNS (a Publish request and a mobile push delivery, $0.50 each) are $2.00; the queue's SendMessage ($0.40) and a single DynamoDB write ($0.625) bring that to $3.03 before any Lambda request, read, log byte, receive or delete, and before the ledger's second write. Only dropping the queue or every per-notification write would get under it, and both are what make a notification hard to lose or duplicate.",
    '',
    "Applied: eventually consistent lookups. The push consumer's device query and the email consumer's contact read are eventually consistent (0.5 RRU); only a read that finds nothing is repeated consistently, so a device registered a moment before its first push is found (a recipient with no device at all then costs 1.5 RRU instead of 1). An email whose payload carries the address does not repeat the read: the contact is then only consulted for a bounce mark.",
    '',
    `Applied: log and EMF bytes. Each delivery writes exactly one outcome line at INFO (correlation id, channel, target, outcome, reason or cause; the SQS message id and receive count only on \`retry\`, \`failed\` and redeliveries), in a slim layout (level, message, timestamp: no Lambda context keys, service name, zero sampling rate or unsampled X-Ray trace id, which Lambda's own lines or the log group already carry); the consumers' EMF records are written once per dimension set and batch (\`Deliveries\` summed, \`DeliveryLatency\` as one array of values), with the same names and dimensions; the ingest's \`webhook accepted\` line is at DEBUG (the queued message carries the correlation id and idempotency key, the outcome line the correlation id, and an accepted notification that is never delivered stays in its queue or DLQ), and an accepted webhook writes no EMF record (SQS's \`NumberOfMessagesSent\` per channel queue counts it and the ingest function's \`Duration\` times it, both free; a refused one still counts \`RequestsRejected\` and \`IngestDuration\`). The ingest writes ${ingestLogBytes(scenarios)} bytes per accepted webhook at INFO.`,
    '',
    `Both ingest modes through the local stack (consumers off: answers only; push webhooks, ${modes.runs[0]?.connections ?? 0} connections, after an unmeasured warm-up of ${modes.warmupRequests}; a simulated Lambda quota refuses an invocation beyond it, which API Gateway answers 500). Direct ingest: the authorizer's answer is cached per Authorization header, so the burst invokes it ${modes.runs.find((run) => run.mode === 'direct')?.authorizerInvocations ?? 0} times.`,
    '',
    '| Ingest | Lambda quota | Answered 200 | p50 | p99 | Enqueued | Throttled invocations | Authorizer runs / cache hits |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...modes.runs.map(describeRun),
    '',
  ];
};
