import { type MessageAttributeValue, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { EventPublisher } from './ports/event-publisher.ts';

export interface SnsEventPublisherOptions {
  readonly client: SNSClient;
  readonly topicArn: string;
}

/** Publishes events to an SNS topic, attributes as `String` message attributes (what subscription filter policies match). */
export const snsEventPublisher = ({ client, topicArn }: SnsEventPublisherOptions): EventPublisher => ({
  target: topicArn,
  async publish({ message, attributes }) {
    const result = await client.send(
      new PublishCommand({ TopicArn: topicArn, Message: message, MessageAttributes: toSnsAttributes(attributes) }),
    );
    if (!result.MessageId) throw new Error('SNS answered Publish without a MessageId');
    return { messageId: result.MessageId };
  },
});

/** SNS refuses an attribute with an empty value: such an attribute is left out, as if absent. */
const toSnsAttributes = (attributes: Readonly<Record<string, string>>): Record<string, MessageAttributeValue> =>
  Object.fromEntries(
    Object.entries(attributes)
      .filter(([, value]) => value !== '')
      .map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
  );
