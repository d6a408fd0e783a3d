import { randomUUID } from 'node:crypto';
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
}: DynamoDbDeliveryLedgerOptions): DeliveryLedger => {
  // Which claims this worker holds, by key: a claim is given back only by its holder. A worker whose lease lapsed
  // while it was still trying (a slow provider, retries) must not delete the claim another worker has taken over
  // since, or a third could claim and send beside the second.
  const held = new Map<string, string>();
  return {
    async claim(key): Promise<ClaimResult> {
      const at = now();
      const claimId = randomUUID();
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: { pk: key, status: 'in_progress', claimId, leaseUntil: at + leaseSeconds, expiresAt: at + retentionSeconds },
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now OR (#status = :inProgress AND leaseUntil < :now)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':now': at, ':inProgress': 'in_progress' },
          }),
        );
        held.set(key, claimId);
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
      held.delete(key);
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: key },
          UpdateExpression: 'SET #status = :sent, sentAt = :now REMOVE leaseUntil, claimId',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':sent': 'sent', ':now': now() },
        }),
      );
    },

    async release(key) {
      const claimId = held.get(key);
      held.delete(key);
      if (claimId === undefined) return;
      try {
        await client.send(
          new DeleteCommand({
            TableName: tableName,
            Key: { pk: key },
            ConditionExpression: '#status = :inProgress AND claimId = :mine',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':inProgress': 'in_progress', ':mine': claimId },
          }),
        );
      } catch (error) {
        // Already sent, already gone, or taken over after this worker's lease lapsed: nothing of ours to give back.
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      }
    },
  };
};
