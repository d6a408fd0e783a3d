import { CreateQueueCommand, ListQueuesCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { startEmulatorsThread } from '../../lib/local/emulators-thread.ts';
import { sqsClientFor } from '../support/queues.ts';

// The emulators as `npm start` and the burst bench run them: on a thread of their own, off the relay's
// event loop. Same endpoints and controls as in process.

describe('the emulators on a thread of their own', () => {
  it('serve SQS over HTTP, stop SQS alone on request, then stop', async () => {
    // Prepare
    const emulators = await startEmulatorsThread();
    const sqs = sqsClientFor(emulators.endpoints.sqs);
    try {
      // Act
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'threaded' }));
      await emulators.stopSqs();
      const afterStop = await sqs.send(new ListQueuesCommand({})).catch((error: unknown) => error);

      // Assess: the queue was created there, and SQS is gone while the others still answer.
      expect(QueueUrl).toContain('/threaded');
      expect(afterStop).toBeInstanceOf(Error);
      expect((await fetch(`${emulators.endpoints.ses}/store`)).status).toBe(200);
    } finally {
      sqs.destroy();
      await emulators.stop();
      await emulators.stop();
    }
  });

  it('refuses to start with the reason when its data folder cannot be made', async () => {
    await expect(startEmulatorsThread({ dataDir: '/dev/null/relay-data' })).rejects.toThrow(
      /^The emulators did not start: .*ENOTDIR/,
    );
  });
});
