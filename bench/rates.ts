import { fileURLToPath } from 'node:url';
import type { Target } from './report.ts';
import type { RateRun, RatesRequest, RatesResult } from './rates-worker.ts';
import { AS_DEPLOYED, runWorker } from './worker.ts';

export type { RateRun, RatesResult } from './rates-worker.ts';

/**
 * A 1,000-recipient email burst and a 1,000-recipient SMS burst through the
 * local stack at the providers' default rates (see rates-worker.ts), in a
 * process of its own. Rate-bound, not CPU-bound: about 75 s.
 */
export const measureRates = ({ recipients = 1_000 } = {}): Promise<RatesResult> =>
  runWorker<RatesRequest, RatesResult>(
    new URL('./rates-worker.ts', import.meta.url),
    { recipients },
    { env: AS_DEPLOYED, timeoutMs: 400_000 },
  );

const label = (run: RateRun) =>
  `${run.channel === 'email' ? 'Email' : 'SMS'} burst of ${run.recipients} at ${run.ratePerSecond}/s`;

/** The SPEC §9 rows of the rate bursts. */
export const judgeRateTargets = (rates: RatesResult): Target[] =>
  rates.runs.flatMap((run) => [
    {
      name: `${label(run)}: each delivered exactly once, 0 in the DLQ`,
      target: `${run.recipients} once, 0 in DLQ`,
      measured: `${run.deliveredOnce} once (${run.duplicates} duplicated, ${run.missing} missing), ${run.deadLetters} in DLQ; ${run.answered200} answered 200 (${run.retriedAnswers} other answers retried)`,
      met: run.deliveredOnce === run.recipients && run.deadLetters === 0,
    },
    {
      name: `${label(run)}: provider's rate in any one-second window`,
      target: `≤ ${run.ratePerSecond}/s`,
      measured: `peak ${run.peakPerSecond}/s, ${run.throttled} sends throttled by the provider`,
      met: run.peakPerSecond <= run.ratePerSecond,
    },
    {
      name: `${label(run)}: drained (first webhook to last accepted send)`,
      target: `≤ ${(run.targetMs / 1000).toFixed(1)} s (1.2 × N / rate)`,
      measured: `${(run.drainedMs / 1000).toFixed(1)} s`,
      met: run.drainedMs <= run.targetMs,
    },
  ]);

/** Report lines of the rate section. */
export const renderRates = (rates: RatesResult): string[] => [
  '## 5. Email and SMS at the providers’ rates',
  '',
  'Bursts of 1,000 email and 1,000 SMS webhooks posted at once (20 in flight per channel; an answer other than 200 is posted again after 1 s, as CometChat retries) through the local stack, both channels at the same time. The local SES and SMS emulation accept at most their rate in any one-second window and answer SES v2 `TooManyRequestsException` / SNS `Throttling` above it; the consumers pace themselves to the same rates (README "Send rates").',
  '',
  '| Channel | Rate | Answered 200 (retried) | Delivered once | DLQ | Peak in any second | Throttled by the provider | Drained | Target |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...rates.runs.map(
    (run) =>
      `| ${run.channel} | ${run.ratePerSecond}/s | ${run.answered200} (${run.retriedAnswers}) | ${run.deliveredOnce} / ${run.recipients} | ${run.deadLetters} | ${run.peakPerSecond} | ${run.throttled} | ${(run.drainedMs / 1000).toFixed(1)} s | ${(run.targetMs / 1000).toFixed(1)} s |`,
  ),
  '',
];

// `npx tsx bench/rates.ts`: this section alone, printed (the full report comes from `npm run bench`).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  measureRates().then(
    (rates) => {
      console.log(renderRates(rates).join('\n'));
      for (const target of judgeRateTargets(rates))
        console.log(`${target.met ? 'met    ' : 'NOT MET'}  ${target.name}: ${target.measured} (target ${target.target})`);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
