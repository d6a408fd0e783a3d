/** One normalised event, ready to publish: the JSON document and the attributes subscribers filter on. */
export interface PublishableEvent {
  readonly message: string;
  /** String message attributes (`trigger`, `receiverType`, ...); empty values are not sent. */
  readonly attributes: Readonly<Record<string, string>>;
}

/** Where message events fan out to the user's own subscribers (an SNS topic in AWS and locally). */
export interface EventPublisher {
  /** What the events go to (the topic ARN): part of the delivery record, so a new topic is a new target. */
  readonly target: string;
  publish(event: PublishableEvent): Promise<{ readonly messageId: string }>;
}
