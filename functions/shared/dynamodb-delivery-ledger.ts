import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ClaimResult, DeliveryLedger } from './ports/delivery-ledger.ts';

export interface DynamoDbDeliveryLedgerOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /**
   * How long a claim holds before another worker may take it over, in seconds.
   * Shorter than the queue's visibility timeout so a message redelivered after
   * a crash can claim again. Default 60.
   */
  readonly leaseSeconds?: number;
  /**
   * How long a delivery is remembered, in seconds. Default 15 days: longer than
   * the DLQ retention (14 days), so a redriven dead letter is not delivered twice.
   */
  readonly retentionSeconds?: number;
  readonly now?: () => number;
}

/**
 * The idempotency record as conditional writes on one item: no transactions,
 * so it runs on dynalite as on DynamoDB. Expired items are treated as absent
 * because TTL deletion is lazy (and dynalite has none).
 */
export const dynamoDbDeliveryLedger = ({
  client,
  tableName,
  leaseSeconds = 60,
  retentionSeconds = 15 * 24 * 60 * 60,
  now = () => Math.floor(Date.now() / 1000),
}: DynamoDbDeliveryLedgerOptions): DeliveryLedger => ({
  async claim(key): Promise<ClaimResult> {
    const at = now();
    try {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: key, status: 'in_progress', leaseUntil: at + leaseSeconds, expiresAt: at + retentionSeconds },
          ConditionExpression:
            'attribute_not_exists(pk) OR expiresAt < :now OR (#status = :inProgress AND leaseUntil < :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':now': at, ':inProgress': 'in_progress' },
        }),
      );
      return 'claimed';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException) && (error as Error).name !== 'ConditionalCheckFailedException') {
        throw error;
      }
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: { pk: key }, ConsistentRead: true }));
      return Item?.status === 'sent' ? 'already_sent' : 'in_progress';
    }
  },

  async markSent(key) {
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: key },
        UpdateExpression: 'SET #status = :sent, sentAt = :now REMOVE leaseUntil',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':sent': 'sent', ':now': now() },
      }),
    );
  },

  async release(key) {
    try {
      await client.send(
        new DeleteCommand({
          TableName: tableName,
          Key: { pk: key },
          ConditionExpression: '#status = :inProgress',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':inProgress': 'in_progress' },
        }),
      );
    } catch (error) {
      // Already sent or already gone: nothing to give back.
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
  },
});
