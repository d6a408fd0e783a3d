import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityEntry, ActivityPage } from '../../lib/local/activity.ts';
import {
  type DeliveryHarness,
  fcmToken,
  apnsToken,
  freshUid,
  parkDeadPush,
  seedFor,
  startDeliveryHarness,
  waitFor,
} from '../support/delivery.ts';
import { postWebhook } from '../support/http.ts';

// The console's JSON routes against a whole local stack on its own emulators: the activity feed
// (webhooks and per-target outcomes), the forget call that makes a demo replayable, the directory
// and DLQ views with redrive, the sample panel's send, and the live stream the page listens to.

let harness: DeliveryHarness;

beforeAll(async () => {
  harness = await startDeliveryHarness();
});

afterAll(async () => {
  await harness?.stop();
});

const getJson = async <T>(path: string): Promise<{ status: number; json: T }> => {
  const response = await fetch(`${harness.stack.url}${path}`);
  return { status: response.status, json: (await response.json()) as T };
};

const activityOf = async (uid: string): Promise<readonly ActivityEntry[]> =>
  (await getJson<ActivityPage>(`/_local/activity?uid=${encodeURIComponent(uid)}&limit=500`)).json.entries;

const deliveries = (entries: readonly ActivityEntry[]) => entries.filter((entry) => entry.kind === 'delivery');

describe('GET /_local/activity', () => {
  it('shows a seed posted twice: one sent per device, then a skipped duplicate per device, linked to their webhooks', async () => {
    // Prepare: a user with two devices.
    const uid = freshUid('activity');
    await harness.api.registerDevice(uid, 'pixel', 'fcm', fcmToken());
    await harness.api.registerDevice(uid, 'iphone', 'apns', apnsToken());
    const payload = seedFor('push-chat', uid);

    // Act: the same payload twice, as a CometChat retry would.
    const first = await postWebhook(harness.stack.webhookUrls.push, payload);
    await waitFor(async () => deliveries(await activityOf(uid)).length === 2, { what: 'the first delivery outcomes' });
    const second = await postWebhook(harness.stack.webhookUrls.push, payload);
    const entries = await waitFor(async () => {
      const all = await activityOf(uid);
      return deliveries(all).length === 4 && all;
    }, { what: 'the second delivery outcomes' });

    // Assess: newest first; each webhook answered 200 and its outcomes carry its message id.
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    const seqs = entries.map((entry) => entry.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    const webhooks = entries.filter((entry) => entry.kind === 'webhook');
    expect(webhooks.map((entry) => [entry.route, entry.status, entry.outcome, entry.messageId])).toEqual([
      ['POST /cometchat/push', 200, 'accepted', second.json.id],
      ['POST /cometchat/push', 200, 'accepted', first.json.id],
    ]);
    expect(webhooks[1]?.answer).toEqual(first.json);
    const outcomesOf = (messageId: string) =>
      deliveries(entries)
        .filter((entry) => entry.messageId === messageId)
        .map((entry) => [entry.target, entry.outcome, entry.reason])
        .sort();
    expect(outcomesOf(first.json.id)).toEqual([
      ['device:iphone', 'sent', undefined],
      ['device:pixel', 'sent', undefined],
    ]);
    expect(outcomesOf(second.json.id)).toEqual([
      ['device:iphone', 'skipped', 'duplicate'],
      ['device:pixel', 'skipped', 'duplicate'],
    ]);
    // The push tag is the correlation id: every entry of both posts shares it.
    expect(new Set(entries.map((entry) => entry.correlationId))).toEqual(new Set([payload.data.notificationDetails.tag]));
  });

  it('filters by outcome and channel, and pages with a cursor', async () => {
    const uid = freshUid('paging');
    await harness.api.registerDevice(uid, 'pixel', 'fcm', fcmToken());
    for (const tag of ['p1', 'p2', 'p3']) {
      const payload = seedFor('push-chat', uid);
      payload.data.notificationDetails.tag = tag;
      expect((await postWebhook(harness.stack.webhookUrls.push, payload)).status).toBe(200);
    }
    await waitFor(async () => deliveries(await activityOf(uid)).length === 3, { what: 'three outcomes' });

    const sent = await getJson<ActivityPage>(`/_local/activity?uid=${uid}&outcome=sent&channel=push&limit=2`);
    expect(sent.json.entries.map((entry) => [entry.kind, entry.correlationId])).toEqual([
      ['delivery', 'p3'],
      ['delivery', 'p2'],
    ]);
    const rest = await getJson<ActivityPage>(`/_local/activity?uid=${uid}&outcome=sent&channel=push&limit=2&before=${sent.json.next}`);
    expect(rest.json.entries.map((entry) => entry.correlationId)).toEqual(['p1']);
    expect(rest.json.next).toBeUndefined();
    expect((await getJson<ActivityPage>(`/_local/activity?uid=${uid}&channel=sms`)).json.entries).toEqual([]);
  });

  it('records refused webhooks with the relay answer', async () => {
    const answer = await postWebhook(harness.stack.webhookUrls.sms, { trigger: 'nope' });
    expect(answer.status).toBe(400);
    const { json } = await getJson<ActivityPage>('/_local/activity?channel=sms&outcome=refused&limit=1');
    expect(json.entries[0]).toMatchObject({ kind: 'webhook', status: 400, answer: { error: answer.json.error } });
  });

  it('answers 400 invalid_request naming the bad parameter', async () => {
    const { status, json } = await getJson<{ error: string; issues: Array<{ path: string }> }>('/_local/activity?limit=0&outcome=maybe');
    expect(status).toBe(400);
    expect(json.error).toBe('invalid_request');
    expect(json.issues.map((issue) => issue.path).sort()).toEqual(['limit', 'outcome']);
  });
});

describe('DELETE /_local/deliveries', () => {
  it('forgets delivered notifications, so the same seed is delivered again', async () => {
    const uid = freshUid('replay');
    await harness.api.registerDevice(uid, 'pixel', 'fcm', fcmToken());
    const payload = seedFor('push-chat', uid);
    await postWebhook(harness.stack.webhookUrls.push, payload);
    await waitFor(async () => deliveries(await activityOf(uid)).length === 1, { what: 'the first outcome' });

    const forget = await fetch(`${harness.stack.url}/_local/deliveries`, { method: 'DELETE' });
    expect(forget.status).toBe(200);
    expect(((await forget.json()) as { forgotten: number }).forgotten).toBeGreaterThanOrEqual(1);
    await postWebhook(harness.stack.webhookUrls.push, payload);

    const outcomes = await waitFor(async () => {
      const found = deliveries(await activityOf(uid));
      return found.length === 2 && found;
    }, { what: 'the replayed outcome' });
    expect(outcomes.map((entry) => entry.outcome)).toEqual(['sent', 'sent']);
  });
});

describe('GET /_local/directory', () => {
  it('lists users, their devices with masked tokens, and their contact', async () => {
    const uid = freshUid('directory');
    const token = fcmToken();
    await harness.api.registerDevice(uid, 'pixel', 'fcm', token);
    await harness.api.putContact(uid, { phone: '+14155550100' });
    const { status, json } = await getJson<{ users: Array<{ uid: string; devices: Array<{ token: string }>; contact?: { phone?: string } }> }>(
      '/_local/directory',
    );
    expect(status).toBe(200);
    const user = json.users.find((candidate) => candidate.uid === uid);
    expect(user?.contact?.phone).toBe('+14155550100');
    expect(user?.devices).toHaveLength(1);
    expect(user?.devices[0]?.token).toBe(`${token.slice(0, 4)}…${token.slice(-4)}`);
    expect(JSON.stringify(json)).not.toContain(token);
  });
});

describe('the DLQ view', () => {
  it('shows a dead letter without receiving it, and its redrive delivers it', async () => {
    const uid = freshUid('dlq');
    await parkDeadPush(harness, uid);

    type DlqView = { queues: Array<{ name: string; messages: Array<{ body: any; attributes: Record<string, string> }> }> };
    const view = await getJson<DlqView>('/_local/dlq');
    const push = view.json.queues.find((queue) => queue.name === 'push');
    expect(push?.messages.map((message) => message.attributes.correlationId)).toContain(`dead-${uid}`);
    expect(view.json.queues.map((queue) => queue.name).sort()).toEqual(['email', 'events', 'push', 'push-feedback', 'ses-feedback', 'sms']);

    const redrive = await fetch(`${harness.stack.url}/_local/dlq/push/redrive`, { method: 'POST' });
    expect(redrive.status).toBe(200);
    expect(await redrive.json()).toMatchObject({ queue: 'push', moved: 1, failed: 0 });
    // No webhook was posted for it, so the journey is found by its correlation id.
    const [outcome] = await waitFor(async () => {
      const { json } = await getJson<ActivityPage>(`/_local/activity?correlationId=dead-${uid}`);
      return json.entries.length === 0 ? undefined : json.entries;
    }, { what: 'the redriven delivery' });
    expect(outcome).toMatchObject({ outcome: 'sent', correlationId: `dead-${uid}` });
    expect((await getJson<DlqView>('/_local/dlq')).json.queues.find((queue) => queue.name === 'push')?.messages).toEqual([]);
  });

  it('answers 404 naming the queues for an unknown one', async () => {
    const response = await fetch(`${harness.stack.url}/_local/dlq/fax/redrive`, { method: 'POST' });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { message: string }).message).toContain('push, sms, email');
  });
});

describe('the sample panel', () => {
  it('lists the seeds and sends one with the running credentials', async () => {
    const { json } = await getJson<{ samples: Array<{ name: string; route: string; payload: any }> }>('/_local/samples');
    expect(json.samples.map((sample) => sample.name)).toEqual(expect.arrayContaining(['push-chat', 'sms-group', 'email-one-on-one', 'message-sent']));
    // Only payloads (a CometChat trigger) are offered, each with the route its trigger belongs to.
    expect(json.samples.map((sample) => sample.name)).not.toContain('before-message-policy');
    expect(json.samples.find((sample) => sample.name === 'message-sent')?.route).toBe('events');
    const sms = json.samples.find((sample) => sample.name === 'sms-one-on-one');
    const uid = freshUid('sample');
    sms!.payload.data.to.uid = uid;

    const response = await fetch(`${harness.stack.url}/_local/samples/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ route: 'sms', payload: sms!.payload }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 200, answer: { status: 'accepted' } });
    await waitFor(async () => deliveries(await activityOf(uid)).some((entry) => entry.outcome === 'sent'), { what: 'the sample SMS' });
  });

  it('answers 400 for a body that is not JSON or names no known route', async () => {
    const send = (body: string) =>
      fetch(`${harness.stack.url}/_local/samples/send`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const notJson = await send('{');
    expect(notJson.status).toBe(400);
    const badRoute = await send(JSON.stringify({ route: 'fax', payload: {} }));
    expect(badRoute.status).toBe(400);
    expect(((await badRoute.json()) as { message: string }).message).toContain('route is one of push, sms, email');
  });
});

describe('GET /_local/activity/stream', () => {
  it('pushes each new entry as a server-sent event', async () => {
    const controller = new AbortController();
    const response = await fetch(`${harness.stack.url}/_local/activity/stream`, { signal: controller.signal });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    const uid = freshUid('stream');
    await postWebhook(harness.stack.webhookUrls.sms, seedFor('sms-one-on-one', uid));
    let text = '';
    await waitFor(async () => {
      const { value } = await reader.read();
      text += new TextDecoder().decode(value);
      return text.includes(`"uid":"${uid}"`);
    }, { what: 'the webhook event on the stream' });
    controller.abort();
    expect(text).toMatch(/event: activity\ndata: \{"kind":"webhook"/);
  });
});

describe('the console page', () => {
  it('is served at / and /_local/, live (no refresh), with no hard-coded port', async () => {
    for (const path of ['/', '/_local/', '/_local']) {
      const response = await fetch(`${harness.stack.url}${path}`);
      expect(response.status).toBe(200);
      const html = await response.text();
      expect(html).toContain('/_local/console/console.js');
      expect(html).not.toContain('http-equiv="refresh"');
      expect(html).not.toContain('3000');
    }
    const script = await fetch(`${harness.stack.url}/_local/console/console.js`);
    expect(script.headers.get('content-type')).toContain('javascript');
    expect(await script.text()).toContain('EventSource');
  });
});
