import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadPolicyFile } from '../../functions/policy/policy-schema.ts';
import { encodeBasicAuth } from '../../functions/shared/basic-auth.ts';
import { logger } from '../../functions/shared/powertools.ts';
import { type LocalStack, startLocalStack } from '../../lib/local/local-stack.ts';
import { type RunningEmulators, startEmulators } from '../../lib/local/emulators.ts';
import { type SnsEmulatorControls, snsEmulatorClient } from '../../lib/local/sns-emulator-client.ts';
import { BEFORE_MESSAGE_POLICY_FILE, eventFixture } from '../fixtures/events/events.ts';
import { SEED_NAMES, SEED_SAMPLES, seed } from '../fixtures/seeds.ts';
import { type CapturedOutput, captureOutput } from '../support/capture.ts';
import { apnsToken, directoryApi, fcmToken, freshUid, waitFor } from '../support/delivery.ts';
import { postWebhook } from '../support/http.ts';
import { LOADED_MACHINE_INGEST_BUDGET } from '../support/ingest-budget.ts';

// SPEC §5: no phone number, email address, device token, credential or message text in the logs.
// A realistic mix of traffic runs through a local stack in this process, with every log line and EMF
// record it prints captured; then the capture is searched for every such value the traffic carried.

// Own emulators: this test injects provider faults, which must not reach other test files.
let emulators: RunningEmulators;
let sns: SnsEmulatorControls;

// Credentials of this test only, distinctive enough that any appearance in the logs is a leak.
const CREDENTIALS = { username: 'scanUser7Q', password: 'scanPassw0rdXyz9' } as const;
const WRONG_PASSWORD = { username: 'scanUser7Q', password: 'wrongPassw0rdAbc3' } as const;
const ADMIN_TOKEN = 'scan-admin-token-5f2a9c41b7e8';
const WRONG_ADMIN_TOKEN = 'scan-wrong-token-0d9e8f7a6b5c';

// Values the traffic carries: each must be absent from the logs.
const secrets = new Set<string>([
  CREDENTIALS.username,
  CREDENTIALS.password,
  WRONG_PASSWORD.password,
  encodeBasicAuth(CREDENTIALS).replace('Basic ', ''),
  encodeBasicAuth(WRONG_PASSWORD).replace('Basic ', ''),
  ADMIN_TOKEN,
  WRONG_ADMIN_TOKEN,
]);
const secret = <T extends string>(value: T): T => {
  secrets.add(value);
  return value;
};

/** Every contact and text a seed sample carries (phone, email, title, body, messages, SMS text, subject). */
const collectSeedSecrets = (payload: Record<string, any>): void => {
  const data = payload.data ?? {};
  for (const value of [
    data.to?.phno,
    data.to?.email,
    data.smsContent,
    data.subject,
    data.notificationDetails?.title,
    data.notificationDetails?.body,
  ]) {
    if (typeof value === 'string') secret(value);
  }
  for (const message of data.messages ?? []) {
    secret(message.message);
    if (typeof message.messageObject?.data?.text === 'string') secret(message.messageObject.data.text);
  }
};

let stack: LocalStack;
let output: CapturedOutput;

beforeAll(async () => {
  emulators = await startEmulators();
  sns = snsEmulatorClient(emulators.endpoints.sns);
  // Everything a deployed function prints: INFO logs and EMF records.
  logger.setLogLevel('DEBUG');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  output = captureOutput();
  stack = await startLocalStack({
    port: 0,
    emulators: emulators.endpoints,
    resourcePrefix: `logscan-${randomUUID().slice(0, 8)}`,
    visibilityTimeoutSeconds: 1,
    webhookCredentials: [CREDENTIALS],
    adminTokens: [ADMIN_TOKEN],
    policy: loadPolicyFile(fileURLToPath(BEFORE_MESSAGE_POLICY_FILE)),
    ingestBudget: LOADED_MACHINE_INGEST_BUDGET,
  });
});

afterAll(async () => {
  await stack?.stop();
  await emulators?.stop();
  output?.stop();
  vi.unstubAllEnvs();
  logger.setLogLevel('ERROR');
});

const webhook = (url: string, payload: unknown, options: Parameters<typeof postWebhook>[2] = {}) =>
  postWebhook(url, payload, { authorization: encodeBasicAuth(CREDENTIALS), ...options });

const adminCall = async (method: string, path: string, token: string, body?: unknown) =>
  (
    await fetch(`${stack.directoryUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
  ).status;

const runTraffic = async () => {
  const api = directoryApi(stack.directoryUrl, ADMIN_TOKEN);

  // Users, their devices and contacts, as the app's backend registers them.
  const george = freshUid('george');
  const ivy = freshUid('ivy');
  const andrew = freshUid('andrew');
  const susan = freshUid('susan');
  const georgeFcm = secret(fcmToken());
  const georgeApns = secret(apnsToken());
  const georgeVoip = secret(apnsToken());
  const ivyApns = secret(apnsToken());
  const ivyDead = secret(fcmToken());
  await api.registerDevice(george, 'pixel-8', 'fcm', georgeFcm);
  await api.registerDevice(george, 'iphone-15', 'apns', georgeApns);
  await api.registerDevice(george, 'iphone-15-voip', 'apns_voip', georgeVoip);
  await api.registerDevice(ivy, 'iphone-12', 'apns', ivyApns);
  await api.registerDevice(ivy, 'pixel-6', 'fcm', ivyDead);
  const andrewPhone = secret(`+1415555${String(1000 + Math.floor(Math.random() * 8999))}`);
  const andrewEmail = secret(`${andrew}.private@example.org`);
  const susanEmail = secret(`${susan}@mailbox.example.net`);
  const susanPhone = secret('+447700900123');
  await api.putContact(andrew, { phone: andrewPhone, email: andrewEmail });
  await api.putContact(susan, { phone: susanPhone, email: susanEmail });
  await api.listDevices(george);
  expect(await adminCall('GET', `/${andrew}/contact`, ADMIN_TOKEN)).toBe(200);
  // Refused directory calls (a wrong admin token, a bad phone number), and an odd token the emulator takes.
  expect(await adminCall('PUT', `/${andrew}/contact`, WRONG_ADMIN_TOKEN, { phone: andrewPhone })).toBe(401);
  expect(
    await adminCall('PUT', `/${andrew}/contact`, ADMIN_TOKEN, {
      phone: secret('0044 7700 900999'),
      email: secret('not-an-address@'),
    }),
  ).toBe(400);
  expect(
    await adminCall('PUT', `/${ivy}/devices/old-phone`, ADMIN_TOKEN, { platform: 'apns', token: secret('zz-not-hex-token-zz') }),
  ).toBe(200);

  // SNS fails a registration with a message that quotes what it was given: the 503 is logged with its cause.
  const quotedToken = secret(fcmToken());
  const quotedEmail = secret(`${ivy}.support@example.org`);
  await sns.injectFault({
    action: 'CreatePlatformEndpoint',
    code: 'InternalError',
    count: 3,
    message: `Internal error registering ${quotedToken} (contact ${quotedEmail})`,
  });
  expect(await adminCall('PUT', `/${ivy}/devices/tablet`, ADMIN_TOKEN, { platform: 'fcm', token: quotedToken })).toBe(503);

  // Provider trouble: throttled publishes (more than the SDK's three attempts per call, so the queue retries),
  // an opted-out number, a dead endpoint.
  await sns.injectFault({ action: 'Publish', code: 'Throttling', count: 12 });
  await sns.optOut(susanPhone);
  await sns.disableEndpoint({ token: ivyDead });

  // Every seed sample, to users with devices and contacts, with texts of its own.
  const recipients: Record<string, string> = { push: george, sms: andrew, email: andrew };
  for (const name of SEED_NAMES) {
    const payload = seed(name);
    payload.data.to.uid = recipients[SEED_SAMPLES[name]];
    const unique = randomBytes(4).toString('hex');
    if (payload.data.notificationDetails) {
      payload.data.notificationDetails.body = `Meet me at the old mill ${unique}`;
      payload.data.notificationDetails.tag = unique;
    }
    if (payload.data.smsContent) payload.data.smsContent = `Your code is ${unique}, do not share it`;
    collectSeedSecrets(payload);
    collectSeedSecrets(seed(name));
    expect((await webhook(stack.webhookUrls[SEED_SAMPLES[name]], payload)).status).toBe(200);
  }
  // Push to Ivy (one dead endpoint), SMS to Susan (opted out), email to Susan (then she bounces).
  const ivyPush = seed('push-chat');
  ivyPush.data.to.uid = ivy;
  expect((await webhook(stack.webhookUrls.push, ivyPush)).status).toBe(200);
  const susanSms = seed('sms-one-on-one');
  susanSms.data.to = { uid: susan };
  expect((await webhook(stack.webhookUrls.sms, susanSms)).status).toBe(200);
  const susanEmailPayload = seed('email-one-on-one');
  susanEmailPayload.data.to = { uid: susan };
  expect((await webhook(stack.webhookUrls.email, susanEmailPayload)).status).toBe(200);

  // Events and before_message, with texts and an address inside the text.
  const event = eventFixture('message-sent');
  collectEventTexts(event);
  expect((await webhook(stack.webhookUrls.events, event)).status).toBe(200);
  const afterMessage = eventFixture('after-message');
  collectEventTexts(afterMessage);
  expect((await webhook(stack.webhookUrls.events, afterMessage)).status).toBe(200);
  for (const text of [
    'Lunch at noon? mail me at lunch.buddy@example.com',
    'free money for you, call +15005550006',
    'badword here',
  ]) {
    const message = beforeMessage(secret(text));
    expect((await webhook(stack.beforeMessageUrl, message)).status).toBe(200);
  }

  // Bad requests CometChat (or someone else) might send.
  expect(
    (await webhook(stack.webhookUrls.sms, seed('sms-group'), { authorization: encodeBasicAuth(WRONG_PASSWORD) })).status,
  ).toBe(401);
  expect((await webhook(stack.webhookUrls.push, seed('push-chat'), { authorization: null })).status).toBe(401);
  expect((await webhook(stack.webhookUrls.email, undefined, { body: `{"data":{"to":{"email":"${andrewEmail}"` })).status).toBe(
    400,
  );
  const noSubject = seed('email-one-on-one');
  noSubject.data.to.email = andrewEmail;
  delete noSubject.data.subject;
  expect((await webhook(stack.webhookUrls.email, noSubject)).status).toBe(400);
  const wrongRoute = seed('sms-one-on-one');
  wrongRoute.data.to.phno = andrewPhone;
  expect((await webhook(stack.webhookUrls.email, wrongRoute)).status).toBe(400);
  expect((await webhook(stack.webhookUrls.sms, seed('sms-one-on-one'), { contentType: 'text/plain' })).status).toBe(415);
  const badPhone = seed('sms-one-on-one');
  badPhone.data.to = { uid: freshUid('nobody'), phno: secret('12345') };
  expect((await webhook(stack.webhookUrls.sms, badPhone)).status).toBe(200);

  // Feedback: Susan's address bounces, Andrew complains, George's Android token dies.
  await waitFor(
    async () => (await fetch(`${emulators.endpoints.ses}/store`).then((response) => response.text())).includes(susanEmail),
    {
      what: "Susan's email",
    },
  );
  const local = (path: string, body: unknown) =>
    fetch(`${stack.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect((await local('/_local/ses/bounce', { email: susanEmail, uid: susan })).status).toBe(202);
  expect((await local('/_local/ses/complaint', { email: andrewEmail, uid: andrew })).status).toBe(202);
  expect((await local('/_local/push/endpoint-disabled', { token: georgeFcm })).status).toBe(202);
  await stack.idle();

  // And the user leaves.
  expect(await adminCall('DELETE', `/${george}/devices/iphone-15`, ADMIN_TOKEN)).toBe(204);
  expect(await adminCall('DELETE', `/${susan}`, ADMIN_TOKEN)).toBe(204);
  await stack.idle();
};

const collectEventTexts = (event: Record<string, any>): void => {
  const message = event.data?.message ?? event.data;
  if (typeof message?.data?.text === 'string') secret(message.data.text);
};

const beforeMessage = (text: string) => {
  const payload = eventFixture('after-message');
  payload.trigger = 'before_message';
  payload.data.data.text = text;
  return payload;
};

describe('the logs of a realistic day', () => {
  it('hold no phone number, email address, device token, credential or message text', async () => {
    // Act
    await runTraffic();

    // Assess: the capture worked and holds what operations needs...
    const text = output.text();
    const logs = output.logs();
    const messages = new Set(logs.map((line) => line.message));
    for (const expected of [
      'webhook accepted',
      'webhook refused',
      'delivery outcome',
      'event delivery',
      'before_message decided',
      'directory request served',
      'directory request refused',
      'directory request failed',
      'ses feedback',
      'push feedback',
    ]) {
      expect(messages, `a "${expected}" line`).toContain(expected);
    }
    const outcomes = logs.filter((line) => line.message === 'delivery outcome');
    expect(
      new Set(outcomes.map((line) => line.outcome)),
      JSON.stringify(outcomes.map((l) => [l.channel, l.target, l.outcome, l.reason ?? l.cause])),
    ).toEqual(new Set(['sent', 'skipped', 'retry']));
    for (const line of outcomes) expect(line.correlationId, JSON.stringify(line)).toEqual(expect.any(String));
    expect(output.emf().map((record) => Object.keys(record).find((key) => /^[A-Z]/.test(key)))).toEqual(
      expect.arrayContaining(['RequestsAccepted', 'RequestsRejected', 'Deliveries', 'DeliveryLatency', 'FeedbackEvents']),
    );

    // ...and none of what it must not.
    expect(secrets.size).toBeGreaterThan(30);
    const leaks = [...secrets].filter((value) => text.includes(value) || text.toLowerCase().includes(value.toLowerCase()));
    expect(leaks).toEqual([]);
  });
});
