import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apnsToken,
  type DeliveryHarness,
  fcmToken,
  freshUid,
  parkDeadPush,
  seedFor,
  startDeliveryHarness,
} from '../support/delivery.ts';
import { postWebhook } from '../support/http.ts';

// The console driven in a real Chromium (Debian's package, installed by .ci/run when missing) with
// playwright-core, against a whole local stack on its own emulators. Every request that would leave
// the machine is refused, as it would be offline: avatars must fall back to initials.

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = resolve(import.meta.dirname, '../../test-results/console');
const LOCAL_ORIGIN = /^http:\/\/127\.0\.0\.1:\d+\//;

let harness: DeliveryHarness;
let context: BrowserContext;
let page: Page;
let profile: string;
const refusedRequests: string[] = [];

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  console.log(`console screenshots: ${SCREENSHOTS}`);
  harness = await startDeliveryHarness();
  profile = mkdtempSync(join(tmpdir(), 'relay-console-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1280, height: 900 },
  });
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (LOCAL_ORIGIN.test(url) || url.startsWith('about:') || url.startsWith('data:')) return route.continue();
    refusedRequests.push(url);
    return route.abort('internetdisconnected');
  });
  page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${harness.stack.url}/`);
  await page.waitForSelector('body[data-ready="true"]');
  await page.waitForSelector('#live.on');
  // Set once: if the page ever reloads, the marker is gone.
  await page.evaluate(() => {
    (globalThis as unknown as { loadedOnce: boolean }).loadedOnce = true;
  });
});

afterAll(async () => {
  await context?.close();
  await harness?.stop();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

const screenshot = async (name: string) => {
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
};

/** The parts of an iframe element read in the page (the tests compile without the DOM library). */
type Frame = { offsetHeight: number; contentDocument: { documentElement: { scrollHeight: number } } | null };

const tab = (name: string) => page.click(`#tabs button[data-view="${name}"]`);

const notReloaded = () => page.evaluate(() => (globalThis as unknown as { loadedOnce?: boolean }).loadedOnce === true);

describe('the console in Chromium', () => {
  it('shows webhooks and per-device outcomes as they happen, without reloading', async () => {
    const uid = freshUid('browser');
    await harness.api.registerDevice(uid, 'pixel', 'fcm', fcmToken());
    await harness.api.registerDevice(uid, 'iphone', 'apns', apnsToken());
    const payload = seedFor('push-chat', uid);

    await postWebhook(harness.stack.webhookUrls.push, payload);
    await postWebhook(harness.stack.webhookUrls.push, payload);

    const rows = page.locator('[data-testid="activity-row"]', { hasText: uid });
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(6);
    const outcomes = await rows.locator('[data-testid="outcome"]').allTextContents();
    expect(outcomes.sort()).toEqual(['accepted', 'accepted', 'sent', 'sent', 'skipped', 'skipped']);
    await expect.poll(() => page.locator('tr', { hasText: 'duplicate' }).count()).toBeGreaterThanOrEqual(2);
    // Webhook rows learn their journey (the push tag) from their first outcome, in place.
    await expect.poll(() => rows.locator('.journey-link').allTextContents()).toEqual(Array(6).fill(payload.data.notificationDetails.tag));
    expect(await notReloaded()).toBe(true);
    await screenshot('activity');
  });

  it('renders push as lock screens (grouped, replaced by tag, calls), SMS with segments, events compact', async () => {
    const uid = freshUid('preview');
    await harness.api.registerDevice(uid, 'pixel', 'fcm', fcmToken());
    await harness.api.registerDevice(uid, 'iphone', 'apns', apnsToken());
    const chat = seedFor('push-chat', uid);
    chat.data.notificationDetails.tag = `t-${uid}`;
    const edited = structuredClone(chat);
    edited.data.notificationDetails.body = 'Hello again! (edited)';
    edited.data.notificationDetails.sentAt = String(Number(chat.data.notificationDetails.sentAt) + 1000);
    const ring = seedFor('push-call', uid);
    ring.data.notificationDetails.sessionId = `s-${uid}`;
    const cancelled = structuredClone(ring);
    cancelled.data.notificationDetails.callAction = 'cancelled';
    const sms = seedFor('sms-one-on-one', uid);
    sms.data.smsContent = Array(3).fill('Привет! Новое сообщение от Сьюзан.').join(' ');
    const { samples } = (await (await fetch(`${harness.stack.url}/_local/samples`)).json()) as { samples: Array<{ name: string; payload: unknown }> };
    const event = samples.find((sample) => sample.name === 'message-sent')?.payload;
    const nextRing = structuredClone(ring);
    nextRing.data.notificationDetails.sessionId = `s2-${uid}`;
    nextRing.data.notificationDetails.tag = `ring2-${uid}`;
    nextRing.data.notificationDetails.sentAt = String(Number(ring.data.notificationDetails.sentAt) + 5000);

    await tab('previews');
    for (const [channel, body] of [
      ['push', chat],
      ['push', ring],
      ['sms', sms],
    ] as const) {
      expect((await postWebhook(harness.stack.webhookUrls[channel], body)).status).toBe(200);
    }
    await postWebhook(harness.stack.webhookUrls.events, event);
    await expect.poll(() => page.locator('[data-testid="call-incoming"]').count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    await postWebhook(harness.stack.webhookUrls.push, edited);
    await postWebhook(harness.stack.webhookUrls.push, cancelled);
    await postWebhook(harness.stack.webhookUrls.push, nextRing);

    const previews = page.locator(`[data-tag="t-${uid}"]`);
    // The cancellation replaced the ringing card of its session on each phone; the next call rings.
    await expect.poll(() => page.locator('[data-testid="call-dismissed"]').count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    await expect.poll(() => page.locator('[data-testid="call-incoming"]').count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    await expect.poll(() => previews.first().textContent(), { timeout: 10_000 }).toContain('Hello again! (edited)');
    // The edit replaced the original on each phone: one card per device, each saying so.
    expect(await previews.count()).toBe(2);
    expect(await previews.locator('[data-testid="replaced"]').allTextContents()).toEqual([`replaced 1× (tag t-${uid})`, `replaced 1× (tag t-${uid})`]);
    expect(await page.locator('[data-testid="phone-ios"]').count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator('[data-testid="phone-android"]').count()).toBeGreaterThanOrEqual(1);
    // The seed's avatars are on the internet, which this browser cannot reach: initials instead.
    await expect.poll(() => previews.first().locator('[data-testid="avatar-initials"]').textContent()).toBe('AJ');
    expect(refusedRequests.some((url) => url.includes('assets.cometchat.io'))).toBe(true);

    const count = page.locator('[data-testid="sms-preview"]', { hasText: 'Привет' }).locator('[data-testid="sms-count"]');
    await expect.poll(() => count.textContent(), { timeout: 10_000 }).toBe('104 characters · UCS-2 · 2 segments (67 per segment)');
    await expect.poll(() => page.locator('[data-testid="event-preview"]').count()).toBeGreaterThanOrEqual(1);
    expect(await notReloaded()).toBe(true);
    await screenshot('previews');
  });

  it('filters by channel, uid and outcome', async () => {
    const uid = freshUid('filter');
    await postWebhook(harness.stack.webhookUrls.sms, seedFor('sms-group', uid));
    await postWebhook(harness.stack.webhookUrls.push, seedFor('push-chat', uid));
    await tab('activity');
    await page.fill('#filters input[name="uid"]', uid);
    await expect.poll(() => page.locator('[data-testid="activity-row"]').count(), { timeout: 10_000 }).toBe(4);

    await page.selectOption('#filters select[name="channel"]', 'sms');
    await expect.poll(() => page.locator('[data-testid="activity-row"] .channel').allTextContents()).toEqual(['sms', 'sms']);
    await page.selectOption('#filters select[name="outcome"]', 'sent');
    await expect.poll(() => page.locator('[data-testid="activity-row"] [data-testid="outcome"]').allTextContents()).toEqual(['sent']);
    await screenshot('activity-filtered');

    await page.selectOption('#filters select[name="channel"]', 'push');
    await page.selectOption('#filters select[name="outcome"]', 'skipped');
    // No device: skipped no_device.
    await expect.poll(() => page.locator('[data-testid="activity-row"]').textContent()).toContain('no_device');
    await page.selectOption('#filters select[name="channel"]', '');
    await page.selectOption('#filters select[name="outcome"]', '');
    await page.fill('#filters input[name="uid"]', '');
  });

  it('opens an email at its natural height, its text part one click away', async () => {
    const uid = freshUid('mail');
    const email = seedFor('email-one-on-one', uid);
    email.data.to.email = `${uid}@example.com`;
    // Markup in a payload stays text, in the page and in the email.
    const attack = '<img src=x onerror="globalThis.pwned=1">';
    email.data.subject = `Hello ${attack}`;
    await postWebhook(harness.stack.webhookUrls.email, email);
    await tab('previews');
    await page.fill('#filters input[name="uid"]', `${uid}@example.com`);
    const card = page.locator('[data-testid="email-preview"]');
    await expect.poll(() => card.count(), { timeout: 10_000 }).toBe(1);
    const frame = card.locator('[data-testid="email-frame"]');
    expect(await frame.getAttribute('sandbox')).toBe('allow-same-origin');
    expect(await card.locator('.subject').textContent()).toBe(`Hello ${attack}`);
    expect(await card.locator('img[src="x"]').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned)).toBeUndefined();
    // Natural height: the frame grows to its document instead of a fixed box with a scroll bar.
    await expect
      .poll(() => frame.evaluate((element) => (element as unknown as Frame).offsetHeight - ((element as unknown as Frame).contentDocument?.documentElement.scrollHeight ?? 0)))
      .toBeGreaterThanOrEqual(0);
    expect(await frame.evaluate((element) => (element as unknown as Frame).offsetHeight)).toBeGreaterThan(120);
    await screenshot('email');

    await card.locator('[data-testid="email-text-toggle"]').click();
    const text = card.locator('[data-testid="email-text"]');
    expect(await text.isVisible()).toBe(true);
    expect(await text.textContent()).toContain(email.data.messages[0].message);
    expect(await frame.isVisible()).toBe(false);
    await screenshot('email-text');
    await page.fill('#filters input[name="uid"]', '');
  });

  it('shows the directory with masked tokens', async () => {
    const uid = freshUid('dir');
    const token = fcmToken();
    await harness.api.registerDevice(uid, 'pixel', 'fcm', token);
    await harness.api.putContact(uid, { phone: '+14155550100', email: 'dir@example.com' });
    await tab('directory');
    const row = page.locator('[data-testid="directory-user"]', { hasText: uid });
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
    expect(await row.textContent()).toContain(`${token.slice(0, 4)}…${token.slice(-4)}`);
    expect(await page.content()).not.toContain(token);
    await screenshot('directory');
  });

  it('lists a dead letter and redrives it', async () => {
    const uid = freshUid('dead');
    await parkDeadPush(harness, uid);
    await tab('dlq');
    const message = page.locator('[data-testid="dlq-push"] [data-testid="dlq-message"]', { hasText: `dead-${uid}` });
    await expect.poll(() => message.count(), { timeout: 10_000 }).toBe(1);
    await screenshot('dead-letters');

    await page.click('[data-testid="redrive-push"]');
    await expect.poll(() => message.count(), { timeout: 10_000 }).toBe(0);
    await tab('activity');
    const delivered = page.locator('[data-testid="activity-row"]', { hasText: `dead-${uid}` });
    await expect.poll(() => delivered.locator('[data-testid="outcome"]').allTextContents(), { timeout: 10_000 }).toEqual(['sent']);
  });

  it('sends an edited sample with the running credentials', async () => {
    const uid = freshUid('panel');
    await tab('send');
    await expect.poll(() => page.locator('#sample option').count()).toBeGreaterThan(5);
    const index = await page.locator('#sample option', { hasText: 'sms-one-on-one' }).getAttribute('value');
    await page.selectOption('#sample', index ?? '');
    const payload = JSON.parse(await page.inputValue('#sample-payload'));
    payload.data.to.uid = uid;
    payload.data.smsContent = 'Sent from the console';
    await page.fill('#sample-payload', JSON.stringify(payload, null, 2));
    await page.click('#send-sample');
    await expect.poll(() => page.textContent('#send-answer'), { timeout: 10_000 }).toContain('"status": "accepted"');
    await screenshot('send-a-sample');
    await tab('previews');
    await expect
      .poll(() => page.locator('[data-testid="sms-preview"]', { hasText: 'Sent from the console' }).count(), { timeout: 10_000 })
      .toBe(1);
  });

  it('pages through 5,000 entries keeping one page on screen', async () => {
    const uid = freshUid('bulk');
    for (let index = 0; index < 5_000; index += 1) {
      harness.stack.activity.record({
        kind: 'delivery',
        channel: 'push',
        target: `device:bulk-${index}`,
        outcome: index % 10 === 0 ? 'skipped' : 'sent',
        ...(index % 10 === 0 ? { reason: 'duplicate' } : {}),
        correlationId: `bulk-${index}`,
        messageId: `m-${index}`,
        receiveCount: 1,
        uid,
      });
    }
    await tab('activity');
    const started = Date.now();
    await page.fill('#filters input[name="uid"]', uid);
    await expect.poll(() => page.locator('[data-testid="activity-row"]').first().textContent(), { timeout: 10_000 }).toContain('bulk-4999');
    const firstPageMs = Date.now() - started;
    const pagingStarted = Date.now();
    for (let pageIndex = 0; pageIndex < 10; pageIndex += 1) await page.click('#activity-older');
    await expect.poll(() => page.locator('[data-testid="activity-row"]').first().textContent(), { timeout: 10_000 }).toContain('bulk-4499');
    console.log(`5,000 entries: first page in ${firstPageMs} ms, 10 pages older in ${Date.now() - pagingStarted} ms`);
    expect(await page.locator('[data-testid="activity-row"]').count()).toBe(50);
    await page.selectOption('#filters select[name="outcome"]', 'skipped');
    await expect.poll(() => page.locator('[data-testid="activity-row"]').first().textContent()).toContain('bulk-4990');
    expect(await page.textContent('#activity-page')).toContain('page 1');
    await screenshot('activity-5000');
  });
});
