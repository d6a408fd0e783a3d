import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// The events consumer's Lambda adapter reads its environment once, at import.
const importHandler = () => import('../../functions/events/consumer-handler.ts');

describe('events consumer Lambda adapter', () => {
  beforeEach(() => {
    vi.resetModules();
    vi.stubEnv('EVENTS_TOPIC_ARN', 'arn:aws:sns:us-east-1:000000000000:message-events');
    vi.stubEnv('DELIVERY_TABLE', 'cometchat-relay-deliveries');
  });

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('exports the batch handler when the environment is complete', async () => {
    await expect(importHandler()).resolves.toHaveProperty('handler', expect.any(Function));
  });

  it.each([
    ['EVENTS_TOPIC_ARN', 'not-an-arn'],
    ['DELIVERY_TABLE', ''],
  ])('fails the cold start when %s is %j', async (name, value) => {
    vi.stubEnv(name, value);
    await expect(importHandler()).rejects.toThrow(new RegExp(`Invalid function environment: ${name}`));
  });
});
