import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidFeedbackError } from '../../functions/feedback/feedback-errors.ts';
import { parsePushFeedback, platformOfEndpointArn } from '../../functions/feedback/push-feedback.ts';
import { parseSesFeedback } from '../../functions/feedback/ses-feedback.ts';
import { UID_BASE64_TAG, UID_TAG, uidEmailTag, uidFromEmailTags } from '../../functions/shared/ses-uid-tag.ts';
import { feedbackEvent, snsEnvelope } from '../fixtures/feedback/feedback.ts';

describe('parseSesFeedback', () => {
  it('reads a permanent bounce delivered through the SNS envelope: uid from the tag, the address, when', () => {
    expect(parseSesFeedback(snsEnvelope(feedbackEvent('ses-bounce-permanent')))).toEqual({
      kind: 'bounce',
      uid: 'cometchat-uid-1',
      recipients: ['andrew-joseph@example.com'],
      at: '2026-03-13T06:31:02.418Z',
      sesMessageId: '0100018e5d3b8a11-6f4c2d9e-0b3a-4c1e-9f8d-1a2b3c4d5e6f-000000',
    });
  });

  it('reads the same event delivered raw (a subscription with raw message delivery)', () => {
    expect(parseSesFeedback(JSON.stringify(feedbackEvent('ses-bounce-permanent')))).toMatchObject({
      kind: 'bounce',
      uid: 'cometchat-uid-1',
    });
  });

  it('reads a complaint, with a uid that travelled base64url-encoded', () => {
    expect(parseSesFeedback(snsEnvelope(feedbackEvent('ses-complaint')))).toEqual({
      kind: 'complaint',
      uid: 'andrew@example.com',
      recipients: ['Andrew-Joseph@Example.com'],
      at: '2026-03-13T09:12:44.000Z',
      sesMessageId: '0100018e5d3b8a11-6f4c2d9e-0b3a-4c1e-9f8d-1a2b3c4d5e6f-000000',
    });
  });

  it('reads identity notifications (notificationType) like configuration-set events (eventType)', () => {
    const { eventType: _, ...event } = feedbackEvent('ses-bounce-permanent');
    expect(parseSesFeedback(snsEnvelope({ notificationType: 'Bounce', ...event }))).toMatchObject({ kind: 'bounce' });
  });

  it('ignores transient bounces, "not spam" complaints and other event types', () => {
    expect(parseSesFeedback(snsEnvelope(feedbackEvent('ses-bounce-transient')))).toMatchObject({
      kind: 'ignored',
      reason: 'transient_bounce',
    });
    const notSpam = feedbackEvent('ses-complaint');
    notSpam.complaint.complaintFeedbackType = 'not-spam';
    expect(parseSesFeedback(snsEnvelope(notSpam))).toMatchObject({ kind: 'ignored', reason: 'not_spam' });
    expect(parseSesFeedback(snsEnvelope(feedbackEvent('ses-delivery')))).toMatchObject({
      kind: 'ignored',
      reason: 'other_event',
    });
  });

  it("ignores SES's plain-text test message and SNS's subscription messages", () => {
    expect(parseSesFeedback(snsEnvelope('Successfully validated SNS topic for Amazon SES event publishing.'))).toEqual({
      kind: 'ignored',
      reason: 'not_an_event',
    });
    expect(
      parseSesFeedback(JSON.stringify({ Type: 'SubscriptionConfirmation', Message: 'You have chosen to subscribe', Token: 'x' })),
    ).toEqual({
      kind: 'ignored',
      reason: 'not_an_event',
    });
  });

  it('has no uid for an email the relay did not tag', () => {
    const event = feedbackEvent('ses-bounce-permanent');
    delete event.mail.tags.uid;
    const feedback = parseSesFeedback(snsEnvelope(event));
    expect(feedback.kind).toBe('bounce');
    expect('uid' in feedback).toBe(false);
  });

  it('takes the address out of a "Name <address>" recipient', () => {
    const event = feedbackEvent('ses-bounce-permanent');
    event.bounce.bouncedRecipients[0].emailAddress = 'Andrew Joseph <andrew-joseph@example.com>';
    expect(parseSesFeedback(snsEnvelope(event))).toMatchObject({ recipients: ['andrew-joseph@example.com'] });
  });

  it('refuses what cannot be SES feedback, so it ends in the DLQ', () => {
    expect(() => parseSesFeedback('not json')).toThrow(InvalidFeedbackError);
    const broken = feedbackEvent('ses-bounce-permanent');
    delete broken.bounce;
    expect(() => parseSesFeedback(snsEnvelope(broken))).toThrow(/without its "bounce"/);
    const noRecipients = feedbackEvent('ses-bounce-permanent');
    noRecipients.bounce.bouncedRecipients = [];
    expect(() => parseSesFeedback(snsEnvelope(noRecipients))).toThrow(/bounce\.bouncedRecipients/);
  });
});

describe('the uid tag', () => {
  it('carries a CometChat uid as it is, readable in SES', () => {
    expect(uidEmailTag('cometchat-uid-1')).toEqual({ Name: UID_TAG, Value: 'cometchat-uid-1' });
    expect(uidEmailTag('Cometchat_UID_1')).toEqual({ Name: UID_TAG, Value: 'cometchat_uid_1' });
  });

  it('encodes any other uid into the SES tag charset under its own name', () => {
    const tag = uidEmailTag('andrew@example.com');
    expect(tag.Name).toBe(UID_BASE64_TAG);
    expect(tag.Value).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('reads back every uid it wrote (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 100 }).filter((uid) => uid.trim() !== ''),
        (uid) => {
          const { Name, Value } = uidEmailTag(uid);
          expect(Value).toMatch(/^[A-Za-z0-9_-]{1,256}$/);
          expect(uidFromEmailTags({ [Name]: [Value] })).toBe(uid.toLowerCase());
        },
      ),
    );
  });
});

describe('parsePushFeedback', () => {
  it('reads an EndpointUpdated event', () => {
    expect(parsePushFeedback(snsEnvelope(feedbackEvent('sns-endpoint-updated')))).toEqual({
      kind: 'endpoint',
      endpointArn: 'arn:aws:sns:eu-west-1:123456789012:endpoint/GCM/cometchat-relay-fcm/3f08fd15-d349-3d82-b415-49df9ff9d8dd',
      eventType: 'EndpointUpdated',
    });
  });

  it('reads a DeliveryFailure event with its failure type, raw or enveloped', () => {
    const expected = {
      kind: 'endpoint',
      endpointArn: 'arn:aws:sns:eu-west-1:123456789012:endpoint/APNS/cometchat-relay-apns/9a1c2b3d-4e5f-3a6b-8c7d-0e1f2a3b4c5d',
      eventType: 'DeliveryFailure',
      failureType: 'EndpointDisabled',
    };
    expect(parsePushFeedback(snsEnvelope(feedbackEvent('sns-delivery-failure')))).toEqual(expected);
    expect(parsePushFeedback(JSON.stringify(feedbackEvent('sns-delivery-failure')))).toEqual(expected);
  });

  it('ignores endpoint creation and deletion, and messages that are not platform events', () => {
    expect(parsePushFeedback(snsEnvelope(feedbackEvent('sns-endpoint-created')))).toEqual({
      kind: 'ignored',
      reason: 'other_event',
    });
    expect(parsePushFeedback(snsEnvelope('hello'))).toEqual({ kind: 'ignored', reason: 'not_an_event' });
    expect(parsePushFeedback(snsEnvelope(feedbackEvent('ses-bounce-permanent')))).toEqual({
      kind: 'ignored',
      reason: 'not_an_event',
    });
  });

  it('refuses a platform event without a usable endpoint ARN', () => {
    expect(() => parsePushFeedback(snsEnvelope({ EventType: 'EndpointUpdated' }))).toThrow(InvalidFeedbackError);
    expect(() =>
      parsePushFeedback(snsEnvelope({ EventType: 'DeliveryFailure', EndpointArn: 'arn:aws:sns:eu-west-1:1:app/GCM/x' })),
    ).toThrow(/EndpointArn/);
    expect(() => parsePushFeedback('{')).toThrow(InvalidFeedbackError);
  });
});

describe('platformOfEndpointArn', () => {
  it('maps the SNS platform of the ARN back to the device platform', () => {
    const arn = (platform: string) =>
      `arn:aws:sns:us-east-1:000000000000:endpoint/${platform}/app/0b1c2d3e-4f5a-3b6c-9d7e-8f9a0b1c2d3e`;
    expect(platformOfEndpointArn(arn('GCM'))).toBe('fcm');
    expect(platformOfEndpointArn(arn('APNS'))).toBe('apns');
    expect(platformOfEndpointArn(arn('APNS_SANDBOX'))).toBe('apns_sandbox');
    expect(platformOfEndpointArn(arn('APNS_VOIP'))).toBe('apns_voip');
    expect(platformOfEndpointArn(arn('APNS_VOIP_SANDBOX'))).toBe('apns_voip_sandbox');
    expect(platformOfEndpointArn(arn('ADM'))).toBeUndefined();
    expect(platformOfEndpointArn('arn:aws:sns:us-east-1:0:topic')).toBeUndefined();
  });
});
