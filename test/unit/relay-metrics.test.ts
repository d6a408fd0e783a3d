import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { createNotificationConsumer, type Deliver } from '../../functions/consumers/notification-consumer.ts';
import { retryOutcome, sentOutcome, skippedOutcome } from '../../functions/delivery/outcome.ts';
import { digestSentAt, epochMillis, pushSentAt } from '../../functions/delivery/sent-at.ts';
import { createIngestHandler } from '../../functions/ingest/ingest-webhook.ts';
import { webhookRoute } from '../../functions/ingest/webhook-routes.ts';
import { encodeBasicAuth } from '../../functions/shared/basic-auth.ts';
import { METRIC_NAMES } from '../../functions/shared/metric-names.ts';
import { countPerBatch, emfMetrics, type RelayMetrics } from '../../functions/shared/metrics.ts';
import { EmailPayloadSchema } from '../../functions/shared/schemas/email.ts';
import { PushPayloadSchema } from '../../functions/shared/schemas/push.ts';
import { sqsEvent, sqsRecord } from '../fixtures/events/sqs-records.ts';
import { seed } from '../fixtures/seeds.ts';
import { apiEvent } from '../support/api-event.ts';
import { type CapturedOutput, captureOutput } from '../support/capture.ts';

// The metrics are EMF records on stdout, one per data point set, emitted when they happen.
let output: CapturedOutput;

beforeEach(() => {
  // The test run mutes EMF (vitest.config.ts); these tests are about it.
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  output = captureOutput();
});

afterEach(() => {
  output.stop();
  vi.unstubAllEnvs();
});

/** The dimension sets and metric names of an EMF record. */
const shapeOf = (record: Record<string, any>) => ({
  namespace: record._aws.CloudWatchMetrics[0].Namespace,
  dimensions: record._aws.CloudWatchMetrics[0].Dimensions,
  metrics: record._aws.CloudWatchMetrics[0].Metrics.map(
    (metric: { Name: string; Unit: string }) => `${metric.Name}:${metric.Unit}`,
  ),
});

describe('emfMetrics', () => {
  it('writes each count as an EMF record in the CometChatRelay namespace, with the service dimension', () => {
    // Act
    emfMetrics.delivery('sms', 'failed');

    // Assess
    const [record] = output.emf();
    expect(shapeOf(record!)).toEqual({
      namespace: 'CometChatRelay',
      dimensions: [['service', 'channel', 'outcome']],
      metrics: ['Deliveries:Count'],
    });
    expect(record).toMatchObject({ service: 'cometchat-relay', channel: 'sms', outcome: 'failed', Deliveries: 1 });
  });

  it('counts a skip twice: by channel and outcome, and by its reason too', () => {
    emfMetrics.delivery('push', 'skipped', 'no_device');
    const [byOutcome, byReason] = output.emf();
    expect(byOutcome).toMatchObject({ channel: 'push', outcome: 'skipped', Deliveries: 1 });
    expect(byOutcome?.reason).toBeUndefined();
    expect(shapeOf(byReason!).dimensions).toEqual([['service', 'channel', 'outcome', 'reason']]);
    expect(byReason).toMatchObject({ reason: 'no_device', Deliveries: 1 });
  });

  it('reads the namespace and service from the Powertools variables', () => {
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'MyRelay');
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'relay-prod');
    emfMetrics.feedback('bounce', 'applied');
    const [record] = output.emf();
    expect(shapeOf(record!).namespace).toBe('MyRelay');
    expect(record).toMatchObject({ service: 'relay-prod', feedback: 'bounce', result: 'applied', FeedbackEvents: 1 });
  });

  it('prints nothing when POWERTOOLS_METRICS_DISABLED is set (the local stack)', () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    emfMetrics.request('push', 'accepted', 3);
    emfMetrics.deliveryLatency('push', 10);
    expect(output.text()).toBe('');
  });

  it('keeps a latency in milliseconds, never negative (clock skew)', () => {
    emfMetrics.deliveryLatency('email', 1234.5678);
    emfMetrics.deliveryLatency('email', -5);
    const [latency, skewed] = output.emf();
    expect(shapeOf(latency!)).toMatchObject({ dimensions: [['service', 'channel']], metrics: ['DeliveryLatency:Milliseconds'] });
    expect(latency?.DeliveryLatency).toBe(1234.57);
    expect(skewed?.DeliveryLatency).toBe(0);
  });
});

describe('countPerBatch', () => {
  it('writes one record per dimension set when the batch ends: counts summed, latencies kept one by one', async () => {
    // Act
    await countPerBatch(async () => {
      for (let index = 0; index < 10; index += 1) {
        emfMetrics.delivery('push', 'sent');
        emfMetrics.deliveryLatency('push', 100 + index);
      }
      emfMetrics.delivery('push', 'skipped', 'no_device');
      await Promise.resolve();
      expect(output.emf()).toEqual([]);
    });

    // Assess
    const records = output.emf();
    expect(records.map(shapeOf)).toEqual([
      { namespace: 'CometChatRelay', dimensions: [['service', 'channel', 'outcome']], metrics: ['Deliveries:Count'] },
      { namespace: 'CometChatRelay', dimensions: [['service', 'channel']], metrics: ['DeliveryLatency:Milliseconds'] },
      { namespace: 'CometChatRelay', dimensions: [['service', 'channel', 'outcome']], metrics: ['Deliveries:Count'] },
      { namespace: 'CometChatRelay', dimensions: [['service', 'channel', 'outcome', 'reason']], metrics: ['Deliveries:Count'] },
    ]);
    expect(records[0]).toMatchObject({ channel: 'push', outcome: 'sent', Deliveries: 10 });
    expect(records[1]?.DeliveryLatency).toEqual([100, 101, 102, 103, 104, 105, 106, 107, 108, 109]);
    expect(records[2]).toMatchObject({ outcome: 'skipped', Deliveries: 1 });
    expect(records[3]).toMatchObject({ outcome: 'skipped', reason: 'no_device', Deliveries: 1 });
  });

  it('keeps a count and its duration in one record, and splits more than 99 values over records', async () => {
    await countPerBatch(async () => {
      for (let index = 0; index < 150; index += 1) emfMetrics.request('push', 'accepted', index);
    });
    const records = output.emf();
    expect(records.map((record) => [record.route, record.RequestsAccepted, record.IngestDuration.length])).toEqual([
      ['push', 150, 99],
      ['push', undefined, 51],
    ]);
    expect(records.flatMap((record) => record.IngestDuration)).toEqual(Array.from({ length: 150 }, (_, index) => index));
  });

  it('writes what was counted when the batch throws, and keeps concurrent batches apart', async () => {
    // Act
    const failing = countPerBatch(async () => {
      emfMetrics.delivery('sms', 'retry');
      throw new Error('batch failed');
    });
    await expect(failing).rejects.toThrow('batch failed');
    await Promise.all(
      (['email', 'sms'] as const).map((channel) =>
        countPerBatch(async () => {
          emfMetrics.delivery(channel, 'sent');
          await new Promise((resolve) => setTimeout(resolve, 1));
          emfMetrics.delivery(channel, 'sent');
        }),
      ),
    );

    // Assess
    expect(output.emf().map((record) => [record.channel, record.outcome, record.Deliveries])).toEqual([
      ['sms', 'retry', 1],
      ['email', 'sent', 2],
      ['sms', 'sent', 2],
    ]);
  });

  it('writes nothing when metrics are disabled', async () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    await countPerBatch(async () => emfMetrics.delivery('push', 'sent'));
    expect(output.text()).toBe('');
  });
});

describe('ingest metrics', () => {
  const PAIR = { username: 'cometchatrelay', password: 'secret1' };
  const handler = createIngestHandler({
    route: webhookRoute('push'),
    credentials: { accepted: async () => [PAIR] },
    queue: { enqueue: async () => ({ id: 'msg-1' }) },
    maxBodyBytes: 64 * 1024,
  });
  const post = (authorization: string, body = JSON.stringify(seed('push-chat'))) =>
    handler(apiEvent({ body, headers: { authorization, 'content-type': 'application/json' } }));

  it('writes no metric for an accepted webhook: its queue counts it, and Lambda times it', async () => {
    // Act
    const result = await post(encodeBasicAuth(PAIR));

    // Assess
    expect(result.statusCode).toBe(200);
    expect(output.emf()).toEqual([]);
  });

  it('counts a refused request by route and error code, and its duration by route', async () => {
    // Act
    const unauthorized = await post(encodeBasicAuth({ ...PAIR, password: 'wrong' }));
    const invalid = await post(encodeBasicAuth(PAIR), '{"trigger":"push-notification-payload-generated","webhook":"custom"}');

    // Assess
    expect([unauthorized.statusCode, invalid.statusCode]).toEqual([401, 400]);
    const records = output.emf();
    expect(records.filter((record) => record.RequestsRejected === 1).map((record) => [record.route, record.error])).toEqual([
      ['push', 'unauthorized'],
      ['push', 'invalid_payload'],
    ]);
    expect(records.filter((record) => record.IngestDuration !== undefined)).toHaveLength(2);
    expect(records.every((record) => record.RequestsAccepted === undefined)).toBe(true);
  });
});

describe('consumer metrics', () => {
  const recording = () => {
    const calls: Array<[string, ...unknown[]]> = [];
    const metrics: RelayMetrics = {
      request: (...args) => calls.push(['request', ...args]),
      delivery: (...args) => calls.push(['delivery', ...args]),
      deliveryLatency: (...args) => calls.push(['deliveryLatency', ...args]),
      feedback: (...args) => calls.push(['feedback', ...args]),
      policyError: () => calls.push(['policyError']),
      decision: (...args) => calls.push(['decision', ...args]),
    };
    return { metrics, calls };
  };
  const lambdaContext = {} as Context;

  it('counts every outcome of a record, and the latency of each send from CometChat sentAt', async () => {
    // Prepare
    const { metrics, calls } = recording();
    const deliver: Deliver<unknown> = async () => [
      { target: 'device:a', outcome: sentOutcome('sns-1') },
      { target: 'device:b', outcome: skippedOutcome('invalid_recipient') },
    ];
    const consumer = createNotificationConsumer({
      channel: 'push',
      schema: z.unknown(),
      deliver,
      sentAtOf: () => 1_000_000,
      metrics,
      now: () => 1_002_500,
    });

    // Act
    const response = await consumer(sqsEvent(sqsRecord({})), lambdaContext);

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(calls).toEqual([
      ['delivery', 'push', 'sent', undefined],
      ['deliveryLatency', 'push', 2500],
      ['delivery', 'push', 'skipped', 'invalid_recipient'],
    ]);
  });

  it('measures from the enqueue time when CometChat gave no sentAt', async () => {
    const { metrics, calls } = recording();
    const consumer = createNotificationConsumer({
      channel: 'email',
      schema: z.unknown(),
      deliver: async () => [{ target: 'email', outcome: sentOutcome() }],
      metrics,
      now: () => Date.UTC(2024, 5, 17, 8, 0, 36),
    });
    await consumer(sqsEvent(sqsRecord({}, {}, Date.UTC(2024, 5, 17, 8, 0, 35))), lambdaContext);
    expect(calls).toContainEqual(['deliveryLatency', 'email', 1000]);
  });

  it('counts a retry, and an unreadable body, and reports both records as failures', async () => {
    const { metrics, calls } = recording();
    const consumer = createNotificationConsumer({
      channel: 'sms',
      schema: z.object({ ok: z.literal(true) }),
      deliver: async () => [{ target: 'sms', outcome: retryOutcome('Throttling HTTP 400') }],
      metrics,
    });
    const response = await consumer(sqsEvent(sqsRecord({ ok: true }), sqsRecord('not json')), lambdaContext);
    expect(response.batchItemFailures).toHaveLength(2);
    expect(calls.filter(([method]) => method === 'delivery')).toEqual([
      ['delivery', 'sms', 'retry', undefined],
      ['delivery', 'sms', 'retry', undefined],
    ]);
  });

  it('writes the outcome counts as EMF through the default metrics', async () => {
    const consumer = createNotificationConsumer({
      channel: 'sms',
      schema: z.unknown(),
      deliver: async () => [{ target: 'sms', outcome: skippedOutcome('opted_out') }],
    });
    await consumer(sqsEvent(sqsRecord({})), lambdaContext);
    expect(
      output.emf().map((record) => [record.channel, record.outcome, record.reason, record[METRIC_NAMES.deliveries]]),
    ).toEqual([
      ['sms', 'skipped', undefined, 1],
      ['sms', 'skipped', 'opted_out', 1],
    ]);
  });

  it('writes one EMF record per dimension set for a whole batch, not one per record', async () => {
    const consumer = createNotificationConsumer({
      channel: 'push',
      schema: z.unknown(),
      deliver: async () => [{ target: 'device:phone', outcome: sentOutcome() }],
      sentAtOf: () => 1_000_000,
      now: () => 1_000_250,
    });
    await consumer(sqsEvent(...Array.from({ length: 10 }, () => sqsRecord({}))), lambdaContext);
    expect(output.emf().map((record) => [record.Deliveries, record.DeliveryLatency])).toEqual([
      [10, undefined],
      [undefined, Array.from({ length: 10 }, () => 250)],
    ]);
  });

  it('puts the correlation id on the outcome line', async () => {
    const { logger } = await import('../../functions/shared/powertools.ts');
    logger.setLogLevel('INFO');
    try {
      const consumer = createNotificationConsumer({
        channel: 'sms',
        schema: z.unknown(),
        deliver: async () => [{ target: 'sms', outcome: sentOutcome() }],
        metrics: recording().metrics,
      });
      await consumer(sqsEvent(sqsRecord({}, { correlationId: '4101' })), lambdaContext);
      expect(output.logs()).toEqual([
        expect.objectContaining({ message: 'delivery outcome', correlationId: '4101', outcome: 'sent' }),
      ]);
      // What a first delivery's line holds, and no more: each field is paid for on every notification.
      expect(Object.keys(output.logs()[0] ?? {})).toEqual([
        'level',
        'message',
        'timestamp',
        'correlationId',
        'channel',
        'target',
        'outcome',
      ]);
    } finally {
      logger.setLogLevel('ERROR');
    }
  });

  it('adds the SQS message id and receive count to the lines that lead to the DLQ, and to a redelivery', async () => {
    const { logger } = await import('../../functions/shared/powertools.ts');
    logger.setLogLevel('INFO');
    try {
      const outcomes = [retryOutcome('Throttling HTTP 400'), skippedOutcome('duplicate')];
      const consumer = createNotificationConsumer({
        channel: 'sms',
        schema: z.unknown(),
        deliver: async () => [{ target: 'sms', outcome: outcomes.shift() ?? sentOutcome() }],
        metrics: recording().metrics,
      });
      const record = sqsRecord({}, { correlationId: '4102' });
      await consumer(sqsEvent(record), lambdaContext);
      await consumer(sqsEvent({ ...record, attributes: { ...record.attributes, ApproximateReceiveCount: '2' } }), lambdaContext);
      expect(output.logs()).toEqual([
        expect.objectContaining({
          level: 'WARN',
          outcome: 'retry',
          cause: 'Throttling HTTP 400',
          messageId: record.messageId,
          receiveCount: 1,
        }),
        expect.objectContaining({
          level: 'INFO',
          outcome: 'skipped',
          reason: 'duplicate',
          messageId: record.messageId,
          receiveCount: 2,
        }),
      ]);
    } finally {
      logger.setLogLevel('ERROR');
    }
  });
});

describe('CometChat sentAt', () => {
  it('reads push sentAt in milliseconds and message sentAt in seconds, by magnitude', () => {
    expect(pushSentAt(PushPayloadSchema.parse(seed('push-chat')))).toBe(1741847453000);
    expect(digestSentAt(EmailPayloadSchema.parse(seed('email-one-on-one')))).toBe(1741847453000);
    expect(epochMillis('1741847453')).toBe(1741847453000);
    expect(epochMillis(1741847453000)).toBe(1741847453000);
    expect(epochMillis('soon')).toBeUndefined();
    expect(epochMillis(0)).toBeUndefined();
  });

  it('takes the newest message of a digest', () => {
    const payload = EmailPayloadSchema.parse(seed('email-one-on-one'));
    const [first, second] = payload.data.messages;
    (first!.messageObject as Record<string, unknown>).sentAt = 1741847000;
    (second!.messageObject as Record<string, unknown>).sentAt = 1741847999;
    expect(digestSentAt(payload)).toBe(1741847999000);
  });
});
