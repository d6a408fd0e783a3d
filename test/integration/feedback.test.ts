import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../lib/local/local-stack.ts';
import { seed } from '../fixtures/seeds.ts';
import { directoryApi, fcmToken, freshUid, holdsFor, waitFor } from '../support/delivery.ts';
import { postWebhook, TEST_CREDENTIALS } from '../support/http.ts';
import { LOADED_MACHINE_INGEST_BUDGET } from '../support/ingest-budget.ts';

// The feedback loops end to end on the local stack: a bounce, complaint or dead push token is published
// to its SNS topic as SES or SNS would, reaches the feedback queue, and the feedback consumer updates the
// directory; the delivery consumers then act on it.

const emulators = inject('emulators');
const ADMIN_TOKEN = 'feedback-admin-token-0123456789';
const api = () => directoryApi(stack.directoryUrl, ADMIN_TOKEN);
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    emulators,
    resourcePrefix: `feedback-${randomUUID().slice(0, 8)}`,
    visibilityTimeoutSeconds: 1,
    webhookCredentials: [TEST_CREDENTIALS],
    adminTokens: [ADMIN_TOKEN],
    ingestBudget: LOADED_MACHINE_INGEST_BUDGET,
  });
});

afterAll(async () => {
  await stack?.stop();
});

/** Emails the SES emulator holds for `address` (its store is shared by every test file: filter by a unique address). */
const emailsTo = async (address: string): Promise<number> => {
  const response = await fetch(`${emulators.ses}/store`);
  const { emails = [] } = (await response.json()) as { emails?: Array<{ destination: { to: string[] } }> };
  return emails.filter((email) => email.destination.to.includes(address)).length;
};

const contactOf = async (uid: string): Promise<Record<string, any>> => {
  const response = await fetch(`${stack.directoryUrl}/${encodeURIComponent(uid)}/contact`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, any>;
};

/** An email seed for `uid` that leaves the address to the directory. */
const emailFor = (name: 'email-one-on-one' | 'email-group', uid: string) => {
  const payload = seed(name);
  payload.data.to = { uid, name: 'Andrew Joseph' };
  return payload;
};

const postLocal = (path: string, body: unknown) =>
  fetch(`${stack.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('SES feedback', () => {
  it('a permanent bounce marks the address undeliverable, and the next email to it is skipped', async () => {
    // Prepare: one email delivered, so the bounce is about a real message.
    const uid = freshUid('bounce');
    const email = `${uid}@example.com`;
    await api().putContact(uid, { email });
    expect((await postWebhook(stack.webhookUrls.email, emailFor('email-one-on-one', uid))).status).toBe(200);
    await waitFor(async () => (await emailsTo(email)) === 1, { what: 'the first email' });

    // Act: SES reports the bounce.
    const bounce = await postLocal('/_local/ses/bounce', { email, uid });
    expect(bounce.status).toBe(202);
    expect(await bounce.json()).toMatchObject({ topicArn: stack.feedback.topicArns.ses, sesMessageId: expect.any(String) });

    // Assess: the contact is marked, the next email is accepted but not sent.
    const marked = await waitFor(async () => (await contactOf(uid)).emailUndeliverable, { what: 'the undeliverable mark' });
    expect(marked).toEqual({ reason: 'bounce', at: expect.any(String) });
    expect((await postWebhook(stack.webhookUrls.email, emailFor('email-group', uid))).status).toBe(200);
    await stack.idle();
    expect(await emailsTo(email)).toBe(1);
  });

  it('a complaint marks the address too', async () => {
    const uid = freshUid('complaint');
    const email = `${uid}@example.com`;
    await api().putContact(uid, { email });

    expect((await postLocal('/_local/ses/complaint', { email, uid })).status).toBe(202);

    expect(await waitFor(async () => (await contactOf(uid)).emailUndeliverable, { what: 'the complaint mark' })).toMatchObject({
      reason: 'complaint',
    });
  });

  it('a transient bounce, or a bounce for an address the user has since replaced, changes nothing', async () => {
    // Prepare
    const uid = freshUid('soft');
    const email = `${uid}@example.com`;
    await api().putContact(uid, { email });

    // Act
    expect((await postLocal('/_local/ses/bounce', { email, uid, bounceType: 'Transient' })).status).toBe(202);
    expect((await postLocal('/_local/ses/bounce', { email: `old-${email}`, uid })).status).toBe(202);
    await stack.idle();

    // Assess
    expect((await contactOf(uid)).emailUndeliverable).toBeUndefined();
    expect((await postWebhook(stack.webhookUrls.email, emailFor('email-one-on-one', uid))).status).toBe(200);
    await waitFor(async () => (await emailsTo(email)) === 1, { what: 'the email to the address that still works' });
  });

  it('the bounce route refuses a body without the address or the uid', async () => {
    const response = await postLocal('/_local/ses/bounce', { email: 'not-an-address' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: 'invalid_request',
      issues: expect.arrayContaining([expect.objectContaining({ path: 'uid' })]),
    });
  });
});

describe('push feedback', () => {
  it('an endpoint the provider disabled removes its device, and only that one', async () => {
    // Prepare
    const uid = freshUid('george');
    const deadToken = fcmToken();
    await api().registerDevice(uid, 'pixel-8', 'fcm', deadToken);
    await api().registerDevice(uid, 'pixel-9', 'fcm', fcmToken());

    // Act: FCM reports the token dead; SNS disables the endpoint and publishes EndpointUpdated.
    const response = await postLocal('/_local/push/endpoint-disabled', { token: deadToken });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({
      disabled: [expect.stringContaining(':endpoint/GCM/')],
      topicArn: stack.feedback.topicArns.push,
    });

    // Assess
    const remaining = await waitFor(
      async () => {
        const devices = await api().listDevices(uid);
        return devices.length === 1 ? devices : undefined;
      },
      { what: 'the dead device to be removed' },
    );
    expect(remaining.map((device) => device.deviceId)).toEqual(['pixel-9']);
    await holdsFor(async () => (await api().listDevices(uid)).length === 1, { forMs: 300, what: 'the live device staying' });
  });

  it('the route answers 404 for a token no endpoint has', async () => {
    expect((await postLocal('/_local/push/endpoint-disabled', { token: fcmToken() })).status).toBe(404);
  });
});
