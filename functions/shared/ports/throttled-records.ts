/** A record as the consumer received it, with what a copy of it needs. */
export interface ReceivedRecord {
  readonly receiptHandle: string;
  readonly body: string;
  /** The message attributes ingest set (string values only: that is all the relay sends). */
  readonly attributes: Readonly<Record<string, string>>;
}

/**
 * Where a consumer puts back a record the provider throttled (throttle-deferral.ts):
 * the channel's own queue, through the SQS API the event source uses too.
 */
export interface ThrottledRecords {
  /** Makes the received record visible again after `seconds` (SQS ChangeMessageVisibility). */
  delay(record: ReceivedRecord, seconds: number): Promise<void>;
  /** Sends a copy that becomes visible after `seconds` (SQS SendMessage with DelaySeconds), with a fresh receive count. */
  requeue(record: ReceivedRecord, seconds: number): Promise<void>;
}
