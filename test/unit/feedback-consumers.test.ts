import { describe, expect, it } from 'vitest';
import { createPushFeedbackConsumer } from '../../functions/feedback/push-feedback-consumer.ts';
import { createSesFeedbackConsumer } from '../../functions/feedback/ses-feedback-consumer.ts';
import type { FeedbackKind, FeedbackResult } from '../../functions/shared/metric-names.ts';
import { noMetrics, type RelayMetrics } from '../../functions/shared/metrics.ts';
import type { Contact, Device, Platform } from '../../functions/shared/ports/directory.ts';
import type { EndpointDetails } from '../../functions/shared/ports/platform-endpoints.ts';
import { sqsEvent, sqsRecord } from '../fixtures/events/sqs-records.ts';
import { feedbackEvent, snsEnvelope } from '../fixtures/feedback/feedback.ts';

// The feedback consumers with in-memory ports; test/integration/feedback.test.ts runs them against the emulators.

const countingMetrics = () => {
  const counted: Array<[FeedbackKind, FeedbackResult]> = [];
  const metrics: RelayMetrics = { ...noMetrics, feedback: (kind, result) => counted.push([kind, result]) };
  return { metrics, counted };
};

const contactsDirectory = (contacts: Record<string, Contact>) => {
  const marks: Array<{ uid: string; email: string; reason: string; at?: string }> = [];
  return {
    marks,
    directory: {
      getContact: async (uid: string) => contacts[uid],
      markEmailUndeliverable: async (uid: string, email: string, reason: 'bounce' | 'complaint', at?: string) => {
        if (contacts[uid]?.email !== email) return false;
        marks.push({ uid, email, reason, ...(at ? { at } : {}) });
        return true;
      },
    },
  };
};

const ANDREW: Contact = { uid: 'cometchat-uid-1', email: 'andrew-joseph@example.com', updatedAt: '2026-03-01T00:00:00.000Z' };

describe('createSesFeedbackConsumer', () => {
  it('marks the contact undeliverable on a permanent bounce, at the time SES saw it', async () => {
    // Prepare
    const { directory, marks } = contactsDirectory({ 'cometchat-uid-1': ANDREW });
    const { metrics, counted } = countingMetrics();
    const consumer = createSesFeedbackConsumer({ directory, metrics });

    // Act
    const response = await consumer(sqsEvent(sqsRecord(snsEnvelope(feedbackEvent('ses-bounce-permanent')))));

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(marks).toEqual([
      { uid: 'cometchat-uid-1', email: 'andrew-joseph@example.com', reason: 'bounce', at: '2026-03-13T06:31:02.418Z' },
    ]);
    expect(counted).toEqual([['bounce', 'applied']]);
  });

  it('marks on a complaint, matching the stored address whatever its case', async () => {
    const { directory, marks } = contactsDirectory({ 'andrew@example.com': { ...ANDREW, uid: 'andrew@example.com' } });
    await createSesFeedbackConsumer({ directory, metrics: noMetrics })(
      sqsEvent(sqsRecord(snsEnvelope(feedbackEvent('ses-complaint')))),
    );
    expect(marks).toEqual([
      expect.objectContaining({ uid: 'andrew@example.com', email: 'andrew-joseph@example.com', reason: 'complaint' }),
    ]);
  });

  it('changes nothing when the contact has another address now, or none, or the email was not tagged', async () => {
    // Prepare
    const { directory, marks } = contactsDirectory({ 'cometchat-uid-1': { ...ANDREW, email: 'andrew-new@example.com' } });
    const { metrics, counted } = countingMetrics();
    const consumer = createSesFeedbackConsumer({ directory, metrics });
    const untagged = feedbackEvent('ses-bounce-permanent');
    delete untagged.mail.tags.uid;
    const unknownUser = feedbackEvent('ses-bounce-permanent');
    unknownUser.mail.tags.uid = ['nobody'];

    // Act
    const response = await consumer(
      sqsEvent(
        sqsRecord(snsEnvelope(feedbackEvent('ses-bounce-permanent'))),
        sqsRecord(snsEnvelope(untagged)),
        sqsRecord(snsEnvelope(unknownUser)),
      ),
    );

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(marks).toEqual([]);
    // Records are handled concurrently: the counts come in any order.
    expect(counted.map(([kind, result]) => `${kind}:${result}`).sort()).toEqual([
      'bounce:ignored',
      'bounce:stale',
      'bounce:stale',
    ]);
  });

  it('ignores transient bounces and other events without touching the directory', async () => {
    const { metrics, counted } = countingMetrics();
    const consumer = createSesFeedbackConsumer({
      directory: {
        getContact: async () => {
          throw new Error('must not be read');
        },
        markEmailUndeliverable: async () => {
          throw new Error('must not be written');
        },
      },
      metrics,
    });
    const response = await consumer(
      sqsEvent(
        sqsRecord(snsEnvelope(feedbackEvent('ses-bounce-transient'))),
        sqsRecord(snsEnvelope(feedbackEvent('ses-delivery'))),
      ),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(counted).toEqual([]);
  });

  it('reports a record whose directory write failed, and an unreadable one, as batch item failures (only those)', async () => {
    // Prepare
    const consumer = createSesFeedbackConsumer({
      directory: {
        getContact: async () => ANDREW,
        markEmailUndeliverable: async () => {
          throw Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' });
        },
      },
      metrics: noMetrics,
    });
    const failing = sqsRecord(snsEnvelope(feedbackEvent('ses-bounce-permanent')));
    const poison = sqsRecord('not json at all');
    const fine = sqsRecord(snsEnvelope(feedbackEvent('ses-delivery')));

    // Act
    const response = await consumer(sqsEvent(failing, poison, fine));

    // Assess
    expect(response.batchItemFailures.map(({ itemIdentifier }) => itemIdentifier).sort()).toEqual(
      [failing.messageId, poison.messageId].sort(),
    );
  });
});

const pushFixture = () => {
  const endpointArn = 'arn:aws:sns:eu-west-1:123456789012:endpoint/GCM/cometchat-relay-fcm/3f08fd15-d349-3d82-b415-49df9ff9d8dd';
  const device = (uid: string, deviceId: string, arn = endpointArn): Device => ({
    uid,
    deviceId,
    platform: 'fcm',
    token: 'dead-token',
    endpointArn: arn,
    updatedAt: '2026-03-01T00:00:00.000Z',
  });
  const removed: Array<{ uid: string; deviceId: string; endpointArn?: string }> = [];
  const lookups: Array<[Platform, string]> = [];
  const directory = (devices: Device[]) => ({
    devicesByToken: async (platform: Platform, token: string) => {
      lookups.push([platform, token]);
      return devices.filter((candidate) => candidate.platform === platform && candidate.token === token);
    },
    removeDevice: async (uid: string, deviceId: string, options: { endpointArn?: string } = {}) => {
      removed.push({ uid, deviceId, ...options });
    },
  });
  const endpoints = (details: EndpointDetails | undefined) => ({ describeEndpoint: async () => details });
  return { endpointArn, device, removed, lookups, directory, endpoints };
};

describe('createPushFeedbackConsumer', () => {
  it('removes the devices still publishing through a disabled endpoint, found by its token', async () => {
    // Prepare
    const { endpointArn, device, removed, lookups, directory, endpoints } = pushFixture();
    const { metrics, counted } = countingMetrics();
    const consumer = createPushFeedbackConsumer({
      // The same token moved to another endpoint for another user: that device stays.
      directory: directory([device('george', 'pixel-8'), device('ivy', 'pixel-7', `${endpointArn}-other`)]),
      endpoints: endpoints({ endpointArn, enabled: false, token: 'dead-token' }),
      metrics,
    });

    // Act
    const response = await consumer(sqsEvent(sqsRecord(snsEnvelope(feedbackEvent('sns-endpoint-updated')))));

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(lookups).toEqual([['fcm', 'dead-token']]);
    expect(removed).toEqual([{ uid: 'george', deviceId: 'pixel-8', endpointArn }]);
    expect(counted).toEqual([['push_endpoint', 'applied']]);
  });

  it('keeps the device when the endpoint is enabled again (a fresh token since the event)', async () => {
    const { endpointArn, device, removed, directory, endpoints } = pushFixture();
    const { metrics, counted } = countingMetrics();
    const consumer = createPushFeedbackConsumer({
      directory: directory([device('george', 'pixel-8')]),
      endpoints: endpoints({ endpointArn, enabled: true, token: 'fresh-token' }),
      metrics,
    });
    await consumer(sqsEvent(sqsRecord(snsEnvelope(feedbackEvent('sns-endpoint-updated')))));
    expect(removed).toEqual([]);
    expect(counted).toEqual([['push_endpoint', 'ignored']]);
  });

  it('does nothing for an endpoint that is gone, or that no device uses', async () => {
    const { endpointArn, removed, directory, endpoints } = pushFixture();
    const { metrics, counted } = countingMetrics();
    const gone = createPushFeedbackConsumer({ directory: directory([]), endpoints: endpoints(undefined), metrics });
    const unused = createPushFeedbackConsumer({
      directory: directory([]),
      endpoints: endpoints({ endpointArn, enabled: false, token: 'x' }),
      metrics,
    });
    await gone(sqsEvent(sqsRecord(snsEnvelope(feedbackEvent('sns-endpoint-updated')))));
    await unused(sqsEvent(sqsRecord(snsEnvelope(feedbackEvent('sns-endpoint-updated')))));
    expect(removed).toEqual([]);
    expect(counted).toEqual([
      ['push_endpoint', 'stale'],
      ['push_endpoint', 'stale'],
    ]);
  });

  it('handles a DeliveryFailure like an update: reads the endpoint, removes the APNs device', async () => {
    const { removed, directory } = pushFixture();
    const arn = 'arn:aws:sns:eu-west-1:123456789012:endpoint/APNS/cometchat-relay-apns/9a1c2b3d-4e5f-3a6b-8c7d-0e1f2a3b4c5d';
    const iphone: Device = {
      uid: 'ivy',
      deviceId: 'iphone',
      platform: 'apns',
      token: 'a'.repeat(64),
      endpointArn: arn,
      updatedAt: '',
    };
    const consumer = createPushFeedbackConsumer({
      directory: directory([iphone]),
      endpoints: { describeEndpoint: async () => ({ endpointArn: arn, enabled: false, token: 'a'.repeat(64) }) },
      metrics: noMetrics,
    });
    await consumer(sqsEvent(sqsRecord(snsEnvelope(feedbackEvent('sns-delivery-failure')))));
    expect(removed).toEqual([{ uid: 'ivy', deviceId: 'iphone', endpointArn: arn }]);
  });

  it('retries a record when SNS or the directory fails, and leaves the rest of the batch done', async () => {
    const { directory } = pushFixture();
    const consumer = createPushFeedbackConsumer({
      directory: directory([]),
      endpoints: {
        describeEndpoint: async () => {
          throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException' });
        },
      },
      metrics: noMetrics,
    });
    const failing = sqsRecord(snsEnvelope(feedbackEvent('sns-endpoint-updated')));
    const ignored = sqsRecord(snsEnvelope(feedbackEvent('sns-endpoint-created')));
    const response = await consumer(sqsEvent(failing, ignored));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: failing.messageId }]);
  });
});
