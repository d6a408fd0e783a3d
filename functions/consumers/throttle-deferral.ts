import type { SQSRecord } from 'aws-lambda';
import type { ReceivedRecord, ThrottledRecords } from '../shared/ports/throttled-records.ts';

/**
 * Throttling is not failure (SPEC §5). SQS counts every receive towards the
 * redrive policy's maxReceiveCount, throttled or not, and nothing resets that
 * count on a received message. So a record whose only problem was the
 * provider's rate is put back in one of two ways, both correct on real SQS:
 *
 * - while it has receives left (receive count below maxReceiveCount), its own
 *   visibility is shortened to a backoff of a few seconds with jitter
 *   (ChangeMessageVisibility) and it is reported as a batch item failure;
 * - on its last receive, a copy is sent with the same body and attributes and
 *   the same backoff as DelaySeconds, and the original is reported as done, so
 *   SQS deletes it instead of moving it to the DLQ. The copy starts at receive
 *   count 1; the idempotency key (a message attribute) stays, so the ledger
 *   still sends it at most once, even if the delete is lost and both arrive.
 *
 * A record that fails for any other reason keeps counting receives as before
 * and reaches the DLQ after maxReceiveCount.
 */

/** Message attribute on a copy: how many receives its earlier copies had, so the backoff keeps growing. */
export const EARLIER_RECEIVES_ATTRIBUTE = 'earlierReceives';

export const THROTTLE_BACKOFF = {
  /** The first backoff's ceiling, in seconds; doubled per receive. */
  baseSeconds: 1,
  /** Ceiling of every backoff: a throttled record is back within this many seconds. */
  capSeconds: 20,
} as const;

/** Equal jitter: half the exponential ceiling, plus up to the other half at random, in whole seconds (what SQS takes). */
export const throttleBackoffSeconds = (attempt: number, random: () => number = Math.random): number => {
  const ceiling = Math.min(THROTTLE_BACKOFF.capSeconds, THROTTLE_BACKOFF.baseSeconds * 2 ** Math.max(0, attempt - 1));
  return Math.max(1, Math.round(ceiling / 2 + (random() * ceiling) / 2));
};

export interface DeferThrottledOptions {
  readonly maxReceiveCount: number;
  readonly random?: () => number;
}

/** Puts a throttled record back for a few seconds without using up its receives; says which way it went. */
export const deferThrottled = async (
  records: ThrottledRecords,
  record: SQSRecord,
  { maxReceiveCount, random = Math.random }: DeferThrottledOptions,
): Promise<'delayed' | 'requeued'> => {
  const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? '1') || 1;
  const earlier = Number(record.messageAttributes[EARLIER_RECEIVES_ATTRIBUTE]?.stringValue ?? '0') || 0;
  const seconds = throttleBackoffSeconds(earlier + receiveCount, random);
  const received = receivedRecord(record);
  if (receiveCount < maxReceiveCount) {
    await records.delay(received, seconds);
    return 'delayed';
  }
  await records.requeue(
    { ...received, attributes: { ...received.attributes, [EARLIER_RECEIVES_ATTRIBUTE]: String(earlier + receiveCount) } },
    seconds,
  );
  return 'requeued';
};

const receivedRecord = (record: SQSRecord): ReceivedRecord => ({
  receiptHandle: record.receiptHandle,
  body: record.body,
  attributes: Object.fromEntries(
    Object.entries(record.messageAttributes).flatMap(([name, value]) =>
      value.stringValue === undefined ? [] : [[name, value.stringValue] as const],
    ),
  ),
});
