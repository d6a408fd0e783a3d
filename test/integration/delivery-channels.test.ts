import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxEntry } from '../../lib/local/outbox.ts';
import { seed } from '../fixtures/seeds.ts';
import {
  apnsToken,
  type DeliveryHarness,
  fcmToken,
  fetchOutbox,
  freshUid,
  outboxEntries,
  pushMessageOf,
  queueCounts,
  seedFor,
  smsTo,
  startDeliveryHarness,
  waitFor,
} from '../support/delivery.ts';
import { postWebhook } from '../support/http.ts';

// Every channel end to end: the directory API and the webhooks over HTTP, the consumers fed by
// the SQS pollers, and what the SNS and SES emulators received read back through the outbox.

let harness: DeliveryHarness;

beforeAll(async () => {
  harness = await startDeliveryHarness();
});

afterAll(async () => {
  await harness?.stop();
});

const SEED_PHONE = '+919299334134';
const SEED_EMAIL = 'andrew-joseph@example.com';
const CHAT_CUSTOM = { deepLink: 'myapp://chat/cometchat-uid-1', priority: 'high' };
const CONVERSATION = 'cometchat-uid-1_user_cometchat-uid-2';
const CALL_SESSION = 'v1.us.app123.1741847460a1b2c3';

const post = async (channel: 'push' | 'sms' | 'email', payload: unknown) => {
  const response = await postWebhook(harness.stack.webhookUrls[channel], payload);
  expect(response.status, response.text).toBe(200);
  return response;
};

const emailsTo = (address: string) => outboxEntries(harness.stack, (entry) => entry.channel === 'email' && entry.to === address);
const smsEntriesTo = (phone: string) => outboxEntries(harness.stack, (entry) => entry.channel === 'sms' && entry.to === phone);
const pushesTo = (endpointArn: string) => outboxEntries(harness.stack, (entry) => entry.channel === 'push' && entry.target === endpointArn);

/** Both channels' queues and DLQs are empty, nothing waiting to be retried. */
const expectSettled = async (...channels: Array<'push' | 'sms' | 'email'>) => {
  await harness.stack.idle();
  for (const channel of channels) {
    expect(await queueCounts(harness.sqs, harness.stack.queues[channel].url)).toEqual({ visible: 0, inFlight: 0 });
    expect(await queueCounts(harness.sqs, harness.stack.queues[channel].deadLetterUrl)).toEqual({ visible: 0, inFlight: 0 });
  }
};

describe('every seed sample posted to its webhook route', () => {
  it('reaches exactly the right endpoints, phone and address, each exactly once', async () => {
    // Prepare: George has Android, an iPhone and the iPhone's VoIP token; Ivy has only a regular iPhone token;
    // Andrew's stored contact differs from what CometChat sends, and the payload wins.
    const george = freshUid('george');
    const ivy = freshUid('ivy');
    const andrew = freshUid('andrew');
    const georgeFcm = await harness.api.registerDevice(george, 'pixel-8', 'fcm', fcmToken());
    const georgeApns = await harness.api.registerDevice(george, 'iphone-15', 'apns', apnsToken());
    const georgeVoip = await harness.api.registerDevice(george, 'iphone-15-voip', 'apns_voip', apnsToken());
    const ivyApns = await harness.api.registerDevice(ivy, 'iphone-12', 'apns', apnsToken());
    await harness.api.putContact(andrew, { phone: '+14155550100', email: 'andrew-old@example.com' });

    // Act
    await post('push', seedFor('push-chat', george));
    await post('push', seedFor('push-call', george));
    await post('push', seedFor('push-call', ivy));
    await post('sms', seedFor('sms-one-on-one', andrew));
    await post('sms', seedFor('sms-group', andrew));
    await post('email', seedFor('email-one-on-one', andrew));
    await post('email', seedFor('email-group', andrew));

    // Assess: wait for the 5 pushes, 2 SMS and 2 emails, then for the queues to settle so a late extra would show.
    const georgeEndpoints = [georgeFcm.endpointArn, georgeApns.endpointArn, georgeVoip.endpointArn];
    await waitFor(
      async () => {
        const outbox = await fetchOutbox(harness.stack);
        const count = (filter: (entry: OutboxEntry) => boolean) => outbox.filter(filter).length;
        return (
          count((entry) => entry.channel === 'push' && [...georgeEndpoints, ivyApns.endpointArn].includes(entry.target)) >= 5 &&
          count((entry) => entry.channel === 'sms' && entry.to === SEED_PHONE) >= 2 &&
          count((entry) => entry.channel === 'email' && entry.to === SEED_EMAIL) >= 2
        );
      },
      { timeoutMs: 30_000, what: 'every seed to be delivered' },
    );
    await expectSettled('push', 'sms', 'email');

    // Chat to George: FCM and regular APNs, never VoIP.
    const fcm = await pushesTo(georgeFcm.endpointArn);
    const apns = await pushesTo(georgeApns.endpointArn);
    const voip = await pushesTo(georgeVoip.endpointArn);
    expect(fcm).toHaveLength(2);
    expect(apns).toHaveLength(1);
    expect(voip).toHaveLength(1);
    for (const entry of [...fcm, ...apns, ...voip]) {
      expect(entry.to).toBe(george);
      // The bulky message object (its muid, its entities) never reaches a device.
      expect(JSON.stringify(entry.payload)).not.toContain('_123_web');
      expect(JSON.stringify(entry.payload)).not.toContain('entities');
    }

    const fcmChat = fcm.map(pushMessageOf).find((message) => message.fcmV1Message.message.data.type === 'chat');
    expect(fcmChat).toEqual({
      fcmV1Message: {
        message: {
          notification: { title: 'Andrew Joseph', body: 'Hello!' },
          android: { priority: 'high', notification: { tag: '123' } },
          data: expect.objectContaining({
            type: 'chat',
            tag: '123',
            conversationId: CONVERSATION,
            sender: 'cometchat-uid-1',
            custom: JSON.stringify(CHAT_CUSTOM),
          }),
        },
      },
    });
    expect(fcmChat?.fcmV1Message.message.data).not.toHaveProperty('message');

    const [apnsChat] = apns;
    expect(apnsChat?.payload).toEqual({
      platform: 'APNS',
      message: expect.objectContaining({
        aps: expect.objectContaining({ alert: { title: 'Andrew Joseph', body: 'Hello!' }, sound: 'default', 'thread-id': CONVERSATION }),
        type: 'chat',
        tag: '123',
        custom: CHAT_CUSTOM,
      }),
      attributes: expect.objectContaining({ 'AWS.SNS.MOBILE.APNS.PUSH_TYPE': 'alert', 'AWS.SNS.MOBILE.APNS.COLLAPSE_ID': '123' }),
    });
    expect(apns.map(pushMessageOf)[0]).not.toHaveProperty('message');

    // Call to George: VoIP (not the regular APNs token, which got only the chat) and FCM as data only.
    const callFields = { type: 'call', callAction: 'initiated', sessionId: CALL_SESSION, callType: 'video' };
    const [voipCall] = voip;
    expect(voipCall?.payload).toEqual({
      platform: 'APNS_VOIP',
      message: expect.objectContaining({ aps: {}, ...callFields, title: 'Andrew Joseph', body: 'VIDEO CALL' }),
      attributes: expect.objectContaining({ 'AWS.SNS.MOBILE.APNS.PUSH_TYPE': 'voip' }),
    });
    const fcmCall = fcm.map(pushMessageOf).find((message) => message.fcmV1Message.message.data.type === 'call');
    expect(fcmCall?.fcmV1Message.message).toEqual({
      data: expect.objectContaining({ ...callFields, title: 'Andrew Joseph', body: 'VIDEO CALL' }),
      android: expect.objectContaining({ priority: 'high' }),
    });
    expect(fcmCall?.fcmV1Message.message).not.toHaveProperty('notification');

    // Call to Ivy, who has no VoIP token: her regular APNs token rings instead.
    const ivyPushes = await pushesTo(ivyApns.endpointArn);
    expect(ivyPushes).toHaveLength(1);
    expect(ivyPushes[0]?.to).toBe(ivy);
    expect(ivyPushes[0]?.payload).toEqual({
      platform: 'APNS',
      message: expect.objectContaining({
        aps: expect.objectContaining({ alert: { title: 'Andrew Joseph', body: 'VIDEO CALL' } }),
        ...callFields,
      }),
      attributes: expect.objectContaining({ 'AWS.SNS.MOBILE.APNS.PUSH_TYPE': 'alert' }),
    });

    // SMS: CometChat's number, Transactional, smsContent as the text; nothing to the stored number.
    const sms = await smsEntriesTo(SEED_PHONE);
    expect(sms.map((entry) => entry.payload)).toEqual(
      expect.arrayContaining(
        (['sms-one-on-one', 'sms-group'] as const).map((name) => ({
          message: seed(name).data.smsContent,
          attributes: { 'AWS.SNS.SMS.SMSType': 'Transactional' },
        })),
      ),
    );
    expect(sms).toHaveLength(2);
    expect(sms.every((entry) => entry.delivered === true && entry.target === 'sms')).toBe(true);
    expect(await smsTo(harness.sns, '+14155550100')).toEqual([]);

    // Email: CometChat's address and subject; nothing to the stored address.
    const emails = await emailsTo(SEED_EMAIL);
    expect(emails).toHaveLength(2);
    expect(emails.map((entry) => (entry.payload as { subject: string }).subject).sort()).toEqual(
      ['New messages from Susan Marie', 'New messages in Hiking Group'],
    );
    for (const entry of emails) {
      expect(entry.payload).toEqual(
        expect.objectContaining({ from: 'notifications@cometchat-relay.local', html: expect.stringContaining('<!DOCTYPE html>') }),
      );
    }
    expect(await emailsTo('andrew-old@example.com')).toEqual([]);
  });
});

describe('SMS and email without a contact in the payload', () => {
  it('fall back to the phone and address stored in the directory', async () => {
    // Prepare
    const uid = freshUid('fallback');
    await harness.api.putContact(uid, { phone: '+14155550142', email: 'fallback@example.com' });
    const sms = seedFor('sms-one-on-one', uid);
    delete sms.data.to.phno;
    const email = seedFor('email-one-on-one', uid);
    delete email.data.to.email;

    // Act
    await post('sms', sms);
    await post('email', email);

    // Assess
    await waitFor(async () => (await smsEntriesTo('+14155550142')).length === 1 && (await emailsTo('fallback@example.com')).length === 1, {
      what: 'the SMS and the email to the stored contact',
    });
    await expectSettled('sms', 'email');
    const [text] = await smsEntriesTo('+14155550142');
    expect(text?.payload).toEqual({ message: sms.data.smsContent, attributes: { 'AWS.SNS.SMS.SMSType': 'Transactional' } });
    const [mail] = await emailsTo('fallback@example.com');
    expect(mail?.payload).toEqual(expect.objectContaining({ subject: 'New messages from Susan Marie' }));
  });
});

describe('the same payload posted twice (a CometChat retry)', () => {
  it('is delivered once on every channel', async () => {
    // Prepare
    const uid = freshUid('twice');
    const device = await harness.api.registerDevice(uid, 'pixel-7', 'fcm', fcmToken());
    const push = seedFor('push-chat', uid);
    const sms = seedFor('sms-group', uid);
    sms.data.to.phno = '+14155550155';
    const email = seedFor('email-group', uid);
    email.data.to.email = 'twice@example.com';

    // Act: both copies are accepted (200) and queued.
    for (const [channel, payload] of [
      ['push', push],
      ['sms', sms],
      ['email', email],
    ] as const) {
      const first = await post(channel, payload);
      const second = await post(channel, payload);
      expect(second.json.id).not.toBe(first.json.id);
    }

    // Assess: once both copies have been consumed, the emulators hold one of each.
    await waitFor(
      async () =>
        (await pushesTo(device.endpointArn)).length >= 1 &&
        (await smsEntriesTo('+14155550155')).length >= 1 &&
        (await emailsTo('twice@example.com')).length >= 1,
      { what: 'the first copies to be delivered' },
    );
    await expectSettled('push', 'sms', 'email');
    expect(await pushesTo(device.endpointArn)).toHaveLength(1);
    expect(await smsEntriesTo('+14155550155')).toHaveLength(1);
    expect(await emailsTo('twice@example.com')).toHaveLength(1);
  });
});

describe('user-supplied text in an email', () => {
  it('arrives escaped in the HTML and on the outbox page, never as markup', async () => {
    // Prepare
    const attack = '<script>alert(1)</script>';
    const uid = freshUid('xss');
    const email = seedFor('email-one-on-one', uid);
    email.data.to.email = 'xss@example.com';
    email.data.subject = `New messages from ${attack}`;
    email.data.senderDetails.name = attack;
    email.data.messages[0].sender.name = attack;
    email.data.messages[0].message = `look ${attack}`;

    // Act
    await post('email', email);

    // Assess
    await waitFor(async () => (await emailsTo('xss@example.com')).length > 0, { what: 'the email' });
    await expectSettled('email');
    const mails = await emailsTo('xss@example.com');
    expect(mails).toHaveLength(1);
    const { html = '', text = '', subject = '' } = (mails[0]?.payload ?? {}) as { html?: string; text?: string; subject?: string };
    expect(subject).toBe(`New messages from ${attack}`);
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // Heading (sender name), message sender and message text: each escaped where it appears.
    expect(html.match(/&lt;script&gt;alert\(1\)&lt;\/script&gt;/g)?.length).toBeGreaterThanOrEqual(4);
    expect(text).toContain(`look ${attack}`); // plain text is not markup

    // The console page carries no payload: it reads the outbox as JSON and shows every value as text
    // (test/browser/console.test.ts checks that in Chromium).
    const page = await fetch(`${harness.stack.url}/_local/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).not.toContain('alert(1)');
  });
});

describe('an SMS to a number that opted out', () => {
  it('is skipped and not retried, while other numbers still get theirs', async () => {
    // Prepare
    const optedOut = '+14155550177';
    await harness.sns.optOut(optedOut);
    const skipped = seedFor('sms-one-on-one', freshUid('stop'));
    skipped.data.to.phno = optedOut;
    const delivered = seedFor('sms-one-on-one', freshUid('go'));
    delivered.data.to.phno = '+14155550178';

    // Act
    await post('sms', skipped);
    await post('sms', delivered);

    // Assess
    await waitFor(async () => (await smsEntriesTo('+14155550178')).length === 1, { what: 'the SMS to the other number' });
    await expectSettled('sms');
    expect(await smsTo(harness.sns, optedOut)).toEqual([]);
    expect(await smsEntriesTo(optedOut)).toEqual([]);
    expect(await smsEntriesTo('+14155550178')).toHaveLength(1);
  });
});

describe('the outbox endpoints', () => {
  it('GET lists what left with channel, to, target, payload and at; DELETE empties it', async () => {
    // Prepare
    const uid = freshUid('outbox');
    const device = await harness.api.registerDevice(uid, 'pixel-6', 'fcm', fcmToken());
    const sms = seedFor('sms-one-on-one', uid);
    sms.data.to.phno = '+14155550199';
    await post('push', seedFor('push-chat', uid));
    await post('sms', sms);
    await waitFor(async () => (await pushesTo(device.endpointArn)).length === 1 && (await smsEntriesTo('+14155550199')).length === 1, {
      what: 'the push and the SMS',
    });

    // Act
    const listed = await fetch(`${harness.stack.url}/_local/outbox`);
    const entries = (await listed.json()) as OutboxEntry[];
    const deleted = await fetch(`${harness.stack.url}/_local/outbox`, { method: 'DELETE' });
    const afterDelete = await fetch(`${harness.stack.url}/_local/outbox`);

    // Assess
    expect(listed.status).toBe(200);
    expect(listed.headers.get('content-type')).toMatch(/^application\/json/);
    for (const entry of entries) {
      expect(entry).toEqual(
        expect.objectContaining({
          channel: expect.stringMatching(/^(push|sms|email)$/),
          to: expect.any(String),
          target: expect.any(String),
          payload: expect.anything(),
          at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
        }),
      );
    }
    expect([...entries.map((entry) => entry.at)]).toEqual([...entries.map((entry) => entry.at)].sort());
    expect(entries.filter((entry) => entry.target === device.endpointArn)).toEqual([
      expect.objectContaining({ channel: 'push', to: uid, payload: expect.objectContaining({ platform: 'GCM' }) }),
    ]);
    expect(entries.filter((entry) => entry.to === '+14155550199')).toEqual([
      expect.objectContaining({ channel: 'sms', target: 'sms', delivered: true }),
    ]);
    expect(deleted.status).toBe(204);
    expect(afterDelete.status).toBe(200);
    expect(await afterDelete.json()).toEqual([]);
    expect(await harness.sns.published()).toEqual([]);
  });
});
