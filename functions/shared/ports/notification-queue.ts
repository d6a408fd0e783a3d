/** A message for a channel queue: the validated payload and the attributes consumers route on. */
export interface QueuedNotification {
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** The channel queue ingest writes to (SQS in AWS and locally). */
export interface NotificationQueue {
  /** Resolves with the queue's message id once the message is durably stored; rejects with `UnavailableError` otherwise. */
  enqueue(notification: QueuedNotification): Promise<{ readonly id: string }>;
}
