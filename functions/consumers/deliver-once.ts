import type { DeliveryLedger } from '../shared/ports/delivery-ledger.ts';
import { type DeliveryOutcome, skippedOutcome, throttledOutcome } from '../delivery/outcome.ts';

/**
 * Runs one delivery at most once per idempotency key (SPEC §5): claim the
 * key, attempt, then mark it sent or give the claim back. A key delivered
 * before is skipped as a duplicate; a key another worker holds is retried
 * later, when that worker has either sent it or let its lease lapse. Like a
 * throttled send, that wait is not a failure of the record: it is put back
 * for seconds and never counts towards the DLQ (throttle-deferral.ts).
 *
 * The one window left: the provider accepted the message and this process
 * died before `markSent`. The lease then lapses and a redelivery sends again;
 * no provider here offers a deduplication id to close it.
 */
export const deliverOnce = async (
  ledger: DeliveryLedger,
  key: string,
  attempt: () => Promise<DeliveryOutcome>,
): Promise<DeliveryOutcome> => {
  const claim = await ledger.claim(key);
  if (claim === 'already_sent') return skippedOutcome('duplicate');
  if (claim === 'in_progress') return throttledOutcome('another delivery of this notification is in progress');
  let outcome: DeliveryOutcome;
  try {
    outcome = await attempt();
  } catch (error) {
    await ledger.release(key);
    throw error;
  }
  if (outcome.kind === 'sent') await ledger.markSent(key);
  else await ledger.release(key);
  return outcome;
};
