import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { readEnv } from '../shared/env.ts';
import { createSendPacer } from '../shared/send-rate.ts';
import { sqsThrottledRecords } from '../shared/sqs-throttled-records.ts';

/**
 * A delivery consumer's share of its channel's send rate and its own queue, as
 * the channel pipeline construct sets them (lib/constructs/channel-pipeline.ts):
 * the pacer and the throttled-records port of channel-consumers.ts.
 */
export const sendLimitsFromEnv = (env: NodeJS.ProcessEnv = process.env) => {
  const { SEND_RATE_LIMIT, SEND_RATE_WINDOW_MS, QUEUE_URL } = readEnv(
    {
      SEND_RATE_LIMIT: z.coerce.number().int().min(1),
      SEND_RATE_WINDOW_MS: z.coerce.number().int().min(1),
      QUEUE_URL: z.url(),
    },
    env,
  );
  return {
    pacer: createSendPacer({ limit: SEND_RATE_LIMIT, windowMs: SEND_RATE_WINDOW_MS }),
    throttledRecords: sqsThrottledRecords({ client: new SQSClient({}), queueUrl: QUEUE_URL }),
  };
};
