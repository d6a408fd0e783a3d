/**
 * Remembers which recipient-notifications were delivered, so that SQS
 * redeliveries and CometChat retries deliver at most once (SPEC §5).
 */
export type ClaimResult =
  /** Nobody delivered this yet: the caller owns it until it marks it sent or releases it. */
  | 'claimed'
  /** Delivered before: skip as a duplicate. */
  | 'already_sent'
  /** Another worker holds a live claim: try again later. */
  | 'in_progress';

export interface DeliveryLedger {
  claim(key: string): Promise<ClaimResult>;
  markSent(key: string): Promise<void>;
  /** Gives a claim back after a failed attempt so that the retry can claim it. */
  release(key: string): Promise<void>;
}
