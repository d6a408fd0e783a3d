import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createNotificationConsumer, type OutcomeRecord } from '../../functions/consumers/notification-consumer.ts';
import { retryOutcome, sentOutcome, skippedOutcome } from '../../functions/delivery/outcome.ts';
import { ActivityQuerySchema, createActivityLog, recordingEventLogger, recordWebhooks } from '../../lib/local/activity.ts';
import { sqsEvent, sqsRecord } from '../fixtures/events/sqs-records.ts';
import { seed } from '../fixtures/seeds.ts';
import { apiEvent } from '../support/api-event.ts';

const query = (input: Record<string, string> = {}) => ActivityQuerySchema.parse(input);

describe('the consumers\' outcome listener', () => {
  it('hears each outcome with its channel, target and ids, and a listener that throws changes nothing', async () => {
    // Prepare
    const heard: OutcomeRecord[] = [];
    const consumer = createNotificationConsumer({
      channel: 'push',
      schema: z.unknown(),
      deliver: async () => [
        { target: 'device:a', outcome: sentOutcome('sns-1') },
        { target: 'device:b', outcome: retryOutcome('Throttling HTTP 400') },
      ],
      onOutcome: (record) => {
        heard.push(record);
        throw new Error('a listener that fails');
      },
    });
    const record = sqsRecord({}, { correlationId: 'tag-1' });

    // Act
    const response = await consumer(sqsEvent(record), {} as Context);

    // Assess: the retry is still reported to SQS, and both outcomes were heard.
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(heard).toEqual([
      { channel: 'push', target: 'device:a', outcome: sentOutcome('sns-1'), correlationId: 'tag-1', messageId: record.messageId, receiveCount: 1 },
      { channel: 'push', target: 'device:b', outcome: retryOutcome('Throttling HTTP 400'), correlationId: 'tag-1', messageId: record.messageId, receiveCount: 1 },
    ]);
  });
});

describe('createActivityLog', () => {
  it('lists newest first, filters, and pages with a cursor that stays valid as entries arrive', () => {
    const activity = createActivityLog();
    for (const [index, outcome] of (['sent', 'skipped', 'sent', 'retry', 'sent'] as const).entries()) {
      activity.onOutcome({
        channel: index % 2 === 0 ? 'push' : 'sms',
        target: `t${index}`,
        outcome: outcome === 'sent' ? sentOutcome() : outcome === 'skipped' ? skippedOutcome('duplicate') : retryOutcome('Throttling'),
        correlationId: `c${index}`,
        messageId: `m${index}`,
        receiveCount: 1,
      });
    }
    const first = activity.list(query({ limit: '2' }));
    expect(first.entries.map((entry) => entry.seq)).toEqual([5, 4]);
    expect(first.next).toBe(4);
    activity.onOutcome({ channel: 'push', target: 'late', outcome: sentOutcome(), correlationId: 'c9', messageId: 'm9', receiveCount: 1 });
    expect(activity.list(query({ limit: '2', before: String(first.next) })).entries.map((entry) => entry.seq)).toEqual([3, 2]);
    expect(activity.list(query({ outcome: 'sent', channel: 'push' })).entries.map((entry) => entry.seq)).toEqual([6, 5, 3, 1]);
    expect(activity.list(query({ outcome: 'skipped' })).entries[0]).toMatchObject({ reason: 'duplicate', channel: 'sms' });
    expect(activity.list(query({ outcome: 'retry' })).entries[0]).toMatchObject({ cause: 'Throttling' });
  });

  it('keeps the newest entries only, past its bound', () => {
    const activity = createActivityLog({ maxEntries: 3 });
    for (let index = 0; index < 5; index += 1) {
      activity.onOutcome({ channel: 'email', target: 'email', outcome: sentOutcome(), correlationId: `c${index}`, messageId: `m${index}`, receiveCount: 1 });
    }
    const page = activity.list(query());
    expect(page.total).toBe(3);
    expect(page.entries.map((entry) => entry.correlationId)).toEqual(['c4', 'c3', 'c2']);
  });

  it('refuses query values it does not know, naming them', () => {
    const result = ActivityQuerySchema.safeParse({ limit: '501', outcome: 'lost', channel: 'fax' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.')).sort()).toEqual(['channel', 'limit', 'outcome']);
  });
});

describe('recordWebhooks', () => {
  it('records the route, status, answer and uid, and links the outcomes of the queued message to it', async () => {
    const activity = createActivityLog();
    const seen: unknown[] = [];
    activity.subscribe((entry) => seen.push(entry));
    const [push, directory] = recordWebhooks(
      [
        { method: 'POST', path: '/cometchat/push', handler: async () => ({ statusCode: 200, body: '{"status":"accepted","id":"m-1"}' }) },
        { method: 'GET', path: '/users/{uid}/devices', handler: async () => ({ statusCode: 200, body: '{"devices":[]}' }) },
      ],
      activity,
    );
    const payload = seed('push-chat');
    payload.data.to.uid = 'Mixed-Case-UID';

    const result = await push?.handler(apiEvent({ body: JSON.stringify(payload) }));
    await directory?.handler(apiEvent());
    activity.onOutcome({ channel: 'push', target: 'device:a', outcome: sentOutcome(), correlationId: 'tag-1', messageId: 'm-1', receiveCount: 1 });

    // The handler's answer is passed through untouched; the directory API is not a webhook.
    expect(result).toEqual({ statusCode: 200, body: '{"status":"accepted","id":"m-1"}' });
    const [delivery, webhook, ...rest] = activity.list(query()).entries;
    expect(rest).toEqual([]);
    expect(webhook).toMatchObject({
      kind: 'webhook',
      route: 'POST /cometchat/push',
      status: 200,
      outcome: 'accepted',
      answer: { status: 'accepted', id: 'm-1' },
      uid: 'mixed-case-uid',
      messageId: 'm-1',
      correlationId: 'tag-1',
    });
    expect(delivery).toMatchObject({ kind: 'delivery', uid: 'mixed-case-uid', messageId: 'm-1' });
    expect(seen).toHaveLength(2);
    expect(activity.list(query({ uid: 'MIXED-case-uid' })).entries).toHaveLength(2);
  });
});

describe('recordingEventLogger', () => {
  it('writes through to the logger and records the events consumer\'s outcome lines', () => {
    const activity = createActivityLog();
    const written: unknown[][] = [];
    const logger = recordingEventLogger(
      { info: (...args) => written.push(args), warn: (...args) => written.push(args), error: (...args) => written.push(args) },
      activity,
    );
    logger.info('event delivery', { channel: 'events', outcome: 'skipped', reason: 'duplicate', messageId: 'm-2', receiveCount: '2', correlationId: 'msg-7' });
    logger.warn('event delivery', { channel: 'events', outcome: 'retry', reason: 'publish_failed', messageId: 'm-3' });
    logger.warn('event outcome listener failed', { channel: 'events' });

    expect(written).toHaveLength(3);
    expect(activity.list(query()).entries).toMatchObject([
      { channel: 'events', outcome: 'retry', cause: 'publish_failed', correlationId: 'm-3', messageId: 'm-3' },
      { channel: 'events', outcome: 'skipped', reason: 'duplicate', correlationId: 'msg-7', receiveCount: 2 },
    ]);
  });
});
