import type { IngestMode } from '../lib/config.ts';
import type { IngestModeReply, IngestModeRequest } from './ingest-modes-worker.ts';
import { type Summary, summarise } from './stats.ts';
import { AS_DEPLOYED, runWorker } from './worker.ts';

/** The quota a new AWS account's Lambda concurrency can start at. */
export const NEW_ACCOUNT_CONCURRENCY = 10;

export interface IngestModeRun {
  readonly mode: IngestMode;
  readonly lambdaConcurrency?: number;
  readonly requests: number;
  readonly connections: number;
  readonly answered200: number;
  /** Answers other than 200, by status (what API Gateway would answer CometChat). */
  readonly refused: Readonly<Record<string, number>>;
  /** Answer times of every request, ms. */
  readonly answerMs: Summary;
  readonly throttled: number;
  readonly authorizerInvocations?: number;
  readonly cacheHits?: number;
  readonly enqueued: number;
}

export interface IngestModesResult {
  readonly warmupRequests: number;
  readonly runs: readonly IngestModeRun[];
}

const SCENARIOS: ReadonlyArray<{ mode: IngestMode; lambdaConcurrency?: number }> = [
  { mode: 'lambda' },
  { mode: 'direct' },
  { mode: 'lambda', lambdaConcurrency: NEW_ACCOUNT_CONCURRENCY },
  { mode: 'direct', lambdaConcurrency: NEW_ACCOUNT_CONCURRENCY },
];

/**
 * Both ingest modes side by side through the local stack (consumers off, so
 * only the answers are measured): a warm-up burst (code compiled, the
 * authorizer's answer cached), then one measured burst of push webhooks, with
 * and without a simulated Lambda concurrency quota of 10. Each scenario runs
 * in a fresh process with a fresh stack.
 */
export const measureIngestModes = async ({
  requests = 1000,
  connections = 100,
  warmupRequests = 300,
} = {}): Promise<IngestModesResult> => {
  const runs: IngestModeRun[] = [];
  for (const scenario of SCENARIOS) {
    const reply = await runWorker<IngestModeRequest, IngestModeReply>(
      new URL('./ingest-modes-worker.ts', import.meta.url),
      { ...scenario, warmupRequests, requests, connections },
      { env: AS_DEPLOYED, timeoutMs: 240_000 },
    );
    const refused: Record<string, number> = {};
    for (const answer of reply.burst.answers)
      if (answer.status !== 200) refused[answer.status] = (refused[answer.status] ?? 0) + 1;
    const missing = requests - reply.burst.answers.length;
    if (missing > 0) refused['no answer'] = missing;
    runs.push({
      ...scenario,
      requests,
      connections,
      answered200: reply.burst.answers.filter((answer) => answer.status === 200).length,
      refused,
      answerMs: summarise(reply.burst.answers.map((answer) => answer.ms)),
      throttled: reply.throttled,
      ...(reply.authorizerInvocations === undefined
        ? {}
        : { authorizerInvocations: reply.authorizerInvocations, cacheHits: reply.cacheHits ?? 0 }),
      enqueued: reply.enqueued,
    });
  }
  return { warmupRequests, runs };
};

/** For a quick look: `tsx bench/ingest-modes.ts`. */
if (import.meta.url === new URL(`file://${process.argv[1] ?? ''}`).href) {
  const result = await measureIngestModes();
  process.stdout.write(`${JSON.stringify(result, (key, value) => (key === 'answers' ? undefined : value), 2)}\n`);
}
