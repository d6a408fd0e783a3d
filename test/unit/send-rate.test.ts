import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  deferThrottled,
  EARLIER_RECEIVES_ATTRIBUTE,
  THROTTLE_BACKOFF,
  throttleBackoffSeconds,
} from '../../functions/consumers/throttle-deferral.ts';
import { outcomeOfProviderError } from '../../functions/delivery/provider-errors.ts';
import type { ReceivedRecord, ThrottledRecords } from '../../functions/shared/ports/throttled-records.ts';
import { createSendPacer, type PacerClock, planSendRate } from '../../functions/shared/send-rate.ts';
import { createSendRateGate, peakPerSecond } from '../../lib/local/send-rate-gate.ts';

describe('planSendRate', () => {
  it('splits the rate into whole shares that add up to the most of it, within maxConcurrency', () => {
    expect(planSendRate({ ratePerSecond: 14, maxInstances: 5, timeoutSeconds: 30 })).toEqual({
      instances: 2,
      limit: 7,
      windowMs: 1000,
      batchSize: 10,
    });
    expect(planSendRate({ ratePerSecond: 20, maxInstances: 2, timeoutSeconds: 30 })).toMatchObject({ instances: 2, limit: 10 });
    expect(planSendRate({ ratePerSecond: 1000, maxInstances: 20, timeoutSeconds: 30 })).toMatchObject({
      instances: 20,
      limit: 50,
    });
  });

  it('never lets the instances together exceed the rate', () => {
    for (const rate of [1, 3, 7, 14, 20, 33.5, 100, 1000]) {
      for (const max of [2, 3, 5, 20]) {
        const plan = planSendRate({ ratePerSecond: rate, maxInstances: max, timeoutSeconds: 30 });
        expect(plan.instances).toBeLessThanOrEqual(max);
        // Average rate: every instance sends `limit` per window.
        expect((plan.instances * plan.limit * 1000) / plan.windowMs).toBeLessThanOrEqual(rate + 1e-9);
      }
    }
  });

  it('below one send per second per instance, spaces the sends and shrinks the batch to fit the timeout', () => {
    const plan = planSendRate({ ratePerSecond: 1, maxInstances: 5, timeoutSeconds: 30 });
    expect(plan).toEqual({ instances: 2, limit: 1, windowMs: 2000, batchSize: 7 });
    expect(planSendRate({ ratePerSecond: 0.05, maxInstances: 2, timeoutSeconds: 30 }).batchSize).toBe(1);
  });

  it('refuses a rate that is not a positive number', () => {
    expect(() => planSendRate({ ratePerSecond: 0, maxInstances: 2, timeoutSeconds: 30 })).toThrow(RangeError);
  });
});

/** A clock that only moves when the pacer sleeps, or when a send takes time. */
const fakeClock = () => {
  let now = 0;
  const clock: PacerClock & { advance(ms: number): void } = {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
    advance: (ms) => {
      now += ms;
    },
  };
  return clock;
};

describe('createSendPacer', () => {
  it('starts at most `limit` sends in any window, counting each until a window after it answered', async () => {
    // Prepare: 7 per second, each send taking 30 ms.
    const clock = fakeClock();
    const pacer = createSendPacer({ limit: 7, windowMs: 1000 }, clock);
    const starts: number[] = [];
    const answers: number[] = [];

    // Act: 50 sends asked for at once.
    await Promise.all(
      Array.from({ length: 50 }, () =>
        pacer.run(async () => {
          starts.push(clock.now());
          clock.advance(30);
          answers.push(clock.now());
        }),
      ),
    );

    // Assess: the send `limit` places later starts a full window after the earlier one answered.
    expect(starts).toHaveLength(50);
    for (let index = 7; index < starts.length; index += 1) {
      expect((starts[index] ?? 0) - (answers[index - 7] ?? 0)).toBeGreaterThanOrEqual(1000);
    }
    expect(peakPerSecond(starts)).toBeLessThanOrEqual(7);
  });

  it('frees the slot of a send that failed', async () => {
    const clock = fakeClock();
    const pacer = createSendPacer({ limit: 1, windowMs: 100 }, clock);
    await expect(pacer.run(async () => Promise.reject(new Error('Throttling')))).rejects.toThrow('Throttling');
    await expect(pacer.run(async () => 'sent')).resolves.toBe('sent');
    expect(clock.now()).toBe(100);
  });
});

describe('createSendRateGate', () => {
  it('accepts at most the rate in any one-second window and counts what it refused', () => {
    const gate = createSendRateGate(3);
    const verdicts = [0, 100, 200, 300, 999, 1000, 1100, 1150, 1200].map((at) => gate.admit(at));
    expect(verdicts).toEqual([true, true, true, false, false, true, true, false, true]);
    expect(gate.throttled()).toBe(3);
    expect(peakPerSecond(gate.accepted())).toBe(3);
  });
});

describe('throttled provider errors', () => {
  it('are a retry marked throttled; other transient errors are not', () => {
    const throttled = Object.assign(new Error('Maximum sending rate exceeded.'), {
      name: 'TooManyRequestsException',
      $metadata: { httpStatusCode: 429 },
    });
    const snsThrottling = Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } });
    const unavailable = Object.assign(new Error('x'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } });
    expect(outcomeOfProviderError(throttled)).toMatchObject({ kind: 'retry', throttled: true });
    expect(outcomeOfProviderError(snsThrottling)).toMatchObject({ kind: 'retry', throttled: true });
    expect(outcomeOfProviderError(unavailable)).not.toHaveProperty('throttled');
  });
});

const recordWith = (receiveCount: number, attributes: Record<string, string> = {}): SQSRecord =>
  ({
    messageId: 'm-1',
    receiptHandle: 'handle-1',
    body: '{"trigger":"x"}',
    attributes: { ApproximateReceiveCount: String(receiveCount) },
    messageAttributes: Object.fromEntries(
      Object.entries(attributes).map(([name, value]) => [name, { dataType: 'String', stringValue: value }]),
    ),
  }) as unknown as SQSRecord;

const recordingPort = () => {
  const calls: Array<{ how: 'delay' | 'requeue'; record: ReceivedRecord; seconds: number }> = [];
  const port: ThrottledRecords = {
    delay: async (record, seconds) => {
      calls.push({ how: 'delay', record, seconds });
    },
    requeue: async (record, seconds) => {
      calls.push({ how: 'requeue', record, seconds });
    },
  };
  return { port, calls };
};

describe('deferThrottled', () => {
  it('shortens the visibility of a record with receives left, with a backoff of seconds', async () => {
    const { port, calls } = recordingPort();
    await expect(deferThrottled(port, recordWith(2), { maxReceiveCount: 5, random: () => 0.5 })).resolves.toBe('delayed');
    expect(calls).toEqual([{ how: 'delay', record: expect.objectContaining({ receiptHandle: 'handle-1' }), seconds: 2 }]);
  });

  it('on the last receive, sends a delayed copy with the same body and attributes instead of letting it reach the DLQ', async () => {
    const { port, calls } = recordingPort();
    const record = recordWith(5, { idempotencyKey: 'email:abc', correlationId: 'c-1' });
    await expect(deferThrottled(port, record, { maxReceiveCount: 5, random: () => 1 })).resolves.toBe('requeued');
    expect(calls).toEqual([
      {
        how: 'requeue',
        record: {
          receiptHandle: 'handle-1',
          body: '{"trigger":"x"}',
          attributes: { idempotencyKey: 'email:abc', correlationId: 'c-1', [EARLIER_RECEIVES_ATTRIBUTE]: '5' },
        },
        seconds: 16,
      },
    ]);
  });

  it('keeps the backoff growing across copies, up to its cap, with jitter in the upper half', () => {
    expect(throttleBackoffSeconds(1, () => 0)).toBe(1);
    expect(throttleBackoffSeconds(4, () => 0)).toBe(4);
    expect(throttleBackoffSeconds(4, () => 1)).toBe(8);
    expect(throttleBackoffSeconds(30, () => 1)).toBe(THROTTLE_BACKOFF.capSeconds);
    expect(throttleBackoffSeconds(30, () => 0)).toBe(THROTTLE_BACKOFF.capSeconds / 2);
  });
});
