/** A message the consumer refused for good, parked with the reason a person needs to act on it. */
export interface DeadLetter {
  readonly body: string;
  /** Why it was refused: an error code and message, never the payload's values. */
  readonly reason: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** A channel's dead-letter queue, written directly (SQS in AWS and locally). */
export interface DeadLetters {
  /** Resolves once the message is stored; rejects otherwise (the original is then retried, not lost). */
  park(message: DeadLetter): Promise<void>;
}
