import { randomUUID } from 'node:crypto';
import { encodeBasicAuth } from '../functions/shared/basic-auth.ts';
import type { IngestMode } from '../lib/config.ts';
import { startLocalStack } from '../lib/local/local-stack.ts';
import { queueCounts, sqsClientFor } from '../test/support/queues.ts';
import type { BurstLoadReply, BurstLoadRequest } from './burst-load-worker.ts';
import { runWorker } from './worker.ts';

// One ingest mode of the local stack under a burst, in a process of its own (its handlers log at INFO
// to a stdout that goes nowhere); the load comes from the burst benchmark's load generator, in a third process.

export interface IngestModeRequest {
  readonly mode: IngestMode;
  /** The simulated Lambda concurrency quota, or none. */
  readonly lambdaConcurrency?: number;
  readonly warmupRequests: number;
  readonly requests: number;
  readonly connections: number;
}

export interface IngestModeReply {
  readonly warmup: BurstLoadReply;
  readonly burst: BurstLoadReply;
  /** Invocations the simulated quota refused during the measured burst. */
  readonly throttled: number;
  /** With direct ingest: authorizer invocations and cache hits during the measured burst. */
  readonly authorizerInvocations?: number;
  readonly cacheHits?: number;
  /** Messages in the push queue after the burst (consumers off): what was really enqueued. */
  readonly enqueued: number;
}

const CREDENTIALS = { username: 'cometchat', password: 'bench-ingest-modes-0123' };

const run = async ({
  mode,
  lambdaConcurrency,
  warmupRequests,
  requests,
  connections,
}: IngestModeRequest): Promise<IngestModeReply> => {
  const stack = await startLocalStack({
    port: 0,
    webhookCredentials: [CREDENTIALS],
    resourcePrefix: `bench-modes-${randomUUID().slice(0, 8)}`,
    consumers: false,
    ingest: mode,
    ...(lambdaConcurrency === undefined ? {} : { lambdaConcurrency }),
  });
  try {
    const load = (count: number, tag: string) =>
      runWorker<BurstLoadRequest, BurstLoadReply>(
        new URL('./burst-load-worker.ts', import.meta.url),
        {
          url: stack.webhookUrls.push,
          authorization: encodeBasicAuth(CREDENTIALS),
          // autocannon prepares one spare request per connection.
          uids: Array.from({ length: count + connections }, (_, index) => `member-${tag}-${index}`),
          requests: count,
          connections,
          runTag: tag,
        },
        { timeoutMs: 120_000 },
      );
    const warmup = await load(warmupRequests, 'warmup');
    const throttledBefore = stack.lambdaConcurrency?.throttled ?? 0;
    const invocationsBefore = stack.directIngest?.authorizerInvocations ?? 0;
    const hitsBefore = stack.directIngest?.cacheHits ?? 0;
    const enqueuedBefore = await queued(stack.endpoints.sqs, stack.queues.push.url);
    const burst = await load(requests, 'burst');
    return {
      warmup,
      burst,
      throttled: (stack.lambdaConcurrency?.throttled ?? 0) - throttledBefore,
      ...(stack.directIngest
        ? {
            authorizerInvocations: stack.directIngest.authorizerInvocations - invocationsBefore,
            cacheHits: stack.directIngest.cacheHits - hitsBefore,
          }
        : {}),
      enqueued: (await queued(stack.endpoints.sqs, stack.queues.push.url)) - enqueuedBefore,
    };
  } finally {
    await stack.stop();
  }
};

const queued = async (endpoint: string, queueUrl: string): Promise<number> => {
  const sqs = sqsClientFor(endpoint);
  try {
    const { visible, inFlight } = await queueCounts(sqs, queueUrl);
    return visible + inFlight;
  } finally {
    sqs.destroy();
  }
};

process.once('message', (request: IngestModeRequest) => {
  run(request).then(
    (reply) => process.send?.({ ok: true, reply }, () => process.exit(0)),
    (error: unknown) =>
      process.send?.({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () =>
        process.exit(1),
      ),
  );
});
