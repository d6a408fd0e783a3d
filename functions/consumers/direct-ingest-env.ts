import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { readEnv } from '../shared/env.ts';
import { sqsDeadLetters } from '../shared/sqs-dead-letters.ts';
import type { ConsumerOptions } from './channel-consumers.ts';

/**
 * The consumer's part of `ingest: "direct"`, from the environment the stack
 * sets in that mode only (`DEAD_LETTER_QUEUE_URL`, `COMETCHAT_APP_ID`): the
 * checks ingest would have made, and the DLQ refused payloads are parked on.
 */
export const directIngestFromEnv = (): Pick<ConsumerOptions, 'directIngest'> => {
  const env = readEnv({ DEAD_LETTER_QUEUE_URL: z.url().optional(), COMETCHAT_APP_ID: z.string().default('') });
  if (!env.DEAD_LETTER_QUEUE_URL) return {};
  return {
    directIngest: {
      deadLetters: sqsDeadLetters({ client: new SQSClient({ maxAttempts: 3 }), queueUrl: env.DEAD_LETTER_QUEUE_URL }),
      appId: env.COMETCHAT_APP_ID || undefined,
    },
  };
};
