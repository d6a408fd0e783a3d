import type { IngestOverheadReply, IngestOverheadRequest, IngestVariant } from './ingest-overhead-worker.ts';
import { type Summary, summarise } from './stats.ts';
import { AS_DEPLOYED, runWorker } from './worker.ts';

export interface IngestOverheadResult {
  readonly iterations: number;
  readonly warmup: number;
  readonly bodyBytes: number;
  readonly logBytesPerRequest: number;
  /** Milliseconds per call. */
  readonly perCall: Readonly<Record<IngestVariant, Summary>>;
  /** median(handler) / median(bare SendMessage of the same body): the SPEC §9 figure. */
  readonly ratio: number;
  /** The same ratio round by round (each round ran every variant once), for its spread. */
  readonly pairedRatio: Summary;
  /** What each layer adds to the median, in ms (differences of neighbouring medians). */
  readonly layers: {
    readonly messageAttributes: number;
    /** The signed JSON client against the SDK's SQSClient, same message (negative: it is faster). */
    readonly signedClient: number;
    readonly enqueueDeadline: number;
    readonly handlerWork: number;
    readonly logsAndMetrics: number;
  };
}

/**
 * The warm ingest handler in process against fauxqs versus a bare SendMessage
 * of the same body to the same emulator with the same client, interleaved
 * round by round so that drift (GC, JIT, the queue growing) hits both alike.
 */
export const measureIngestOverhead = async ({ warmup = 300, iterations = 2_000 } = {}): Promise<IngestOverheadResult> => {
  const reply = await runWorker<IngestOverheadRequest, IngestOverheadReply>(
    new URL('./ingest-overhead-worker.ts', import.meta.url),
    { warmup, iterations },
    { env: AS_DEPLOYED },
  );
  const { samples } = reply;
  const perCall = Object.fromEntries(Object.entries(samples).map(([variant, values]) => [variant, summarise(values)])) as Record<
    IngestVariant,
    Summary
  >;
  return {
    iterations,
    warmup,
    bodyBytes: reply.bodyBytes,
    logBytesPerRequest: reply.logBytesPerRequest,
    perCall,
    ratio: perCall.handler.median / perCall.bareSend.median,
    pairedRatio: summarise(samples.handler.map((ms, round) => ms / (samples.bareSend[round] ?? Number.NaN))),
    layers: {
      messageAttributes: perCall.sendWithAttributes.median - perCall.bareSend.median,
      signedClient: perCall.signedSend.median - perCall.sendWithAttributes.median,
      enqueueDeadline: perCall.enqueue.median - perCall.signedSend.median,
      handlerWork: perCall.handlerSilent.median - perCall.enqueue.median,
      logsAndMetrics: perCall.handler.median - perCall.handlerSilent.median,
    },
  };
};
