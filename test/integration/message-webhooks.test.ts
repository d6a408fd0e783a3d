import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadPolicyFile } from '../../functions/policy/policy-schema.ts';
import { type LocalStack, startLocalStack } from '../../lib/local/local-stack.ts';
import { readOutbox } from '../../lib/local/outbox.ts';
import { BEFORE_MESSAGE_POLICY_FILE, eventFixture } from '../fixtures/events/events.ts';
import { TEST_CREDENTIALS, postWebhook } from '../support/http.ts';
import { LOADED_MACHINE_INGEST_BUDGET } from '../support/ingest-budget.ts';

// The two message webhooks through the whole local stack: before_message answered
// from a policy file, events fanned out to the topic and read back from the outbox.
let stack: LocalStack;
const emulators = inject('emulators');

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    emulators,
    resourcePrefix: `webhooks-${randomUUID().slice(0, 8)}`,
    webhookCredentials: [TEST_CREDENTIALS],
    policy: loadPolicyFile(fileURLToPath(BEFORE_MESSAGE_POLICY_FILE)),
    visibilityTimeoutSeconds: 1,
    ingestBudget: LOADED_MACHINE_INGEST_BUDGET,
  });
});

afterAll(() => stack.stop());

const beforeMessage = (text: string) => {
  const payload = eventFixture('after-message');
  payload.trigger = 'before_message';
  delete payload.data.id;
  payload.data.data.text = text;
  return payload;
};

const eventsOfThisStack = async () =>
  (await readOutbox(stack.outbox)).filter((entry) => entry.channel === 'event' && entry.to === stack.eventsTopicArn);

const waitForEvents = async (count: number, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = await eventsOfThisStack();
    if (events.length >= count || Date.now() > deadline) return events;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('before_message through the local stack', () => {
  it.each([
    ['a blocked word is dropped', 'this is a BADWORD here', '{"action":"do_not_propagate"}'],
    ['a clean message passes unchanged', 'see you at noon', '{}'],
  ])('%s', async (_name, text, answer) => {
    const response = await postWebhook(stack.beforeMessageUrl, beforeMessage(text));
    expect(response.status).toBe(200);
    expect(response.text).toBe(answer);
  });

  it('a link gets its flag injected under the webhook id', async () => {
    const payload = beforeMessage('read https://example.com/docs');
    const response = await postWebhook(stack.beforeMessageUrl, payload);
    expect(response.status).toBe(200);
    expect(Object.keys(response.json['@injected'].webhooks)).toEqual([payload.webhook]);
    expect(response.json['@injected'].webhooks[payload.webhook].flags.contains_link).toBe(true);
  });
});

describe('events through the local stack', () => {
  it('after_message and message_sent each appear once in the outbox, even when CometChat retries them', async () => {
    // Act: each payload twice, as CometChat's retry after 10 s would send it.
    for (const name of ['after-message', 'message-sent'] as const) {
      for (let attempt = 0; attempt < 2; attempt++) {
        expect((await postWebhook(stack.webhookUrls.events, eventFixture(name))).status).toBe(200);
      }
    }

    // Assess
    await waitForEvents(2);
    await stack.idle();
    const events = await waitForEvents(3, 1500);
    const triggers = events.map((entry) => (entry.payload as { attributes: Record<string, string> }).attributes.trigger);
    expect(triggers.sort()).toEqual(['after_message', 'message_sent']);
  });
});
