import { BatchWriteCommand, type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DELIVERY_TABLE } from '../table-settings.ts';

/**
 * Empties the local delivery ledger (`DELETE /_local/deliveries`), so that a
 * demo can be replayed: the same seeds are then delivered again instead of
 * being skipped as `duplicate`. The local stack only; a deployed ledger keeps
 * its records for their retention on purpose (SPEC §5).
 */
export const forgetDeliveries = async (dynamodb: DynamoDBDocumentClient, tableName: string): Promise<number> => {
  let forgotten = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamodb.send(
      new ScanCommand({
        TableName: tableName,
        ProjectionExpression: '#pk',
        ExpressionAttributeNames: { '#pk': DELIVERY_TABLE.partitionKey },
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    const keys = (page.Items ?? []).map((item) => ({ [DELIVERY_TABLE.partitionKey]: item[DELIVERY_TABLE.partitionKey] }));
    for (let index = 0; index < keys.length; index += 25) {
      let requests: Record<string, unknown>[] | undefined = keys
        .slice(index, index + 25)
        .map((Key) => ({ DeleteRequest: { Key } }));
      // BatchWrite may hand some back unprocessed: send those again until none remain.
      while (requests && requests.length > 0) {
        const { UnprocessedItems } = await dynamodb.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
        requests = UnprocessedItems?.[tableName] as Record<string, unknown>[] | undefined;
      }
    }
    forgotten += keys.length;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return forgotten;
};
