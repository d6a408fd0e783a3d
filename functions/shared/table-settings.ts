/**
 * DynamoDB table definitions shared by the CDK stack and the local stack (one
 * source of truth for keys and indexes).
 *
 * Directory (single table):
 *   pk = USER#<uid>, sk = DEVICE#<deviceId>   one item per registered device
 *   pk = USER#<uid>, sk = CONTACT             phone / email of the user
 *   GSI byToken: tokenKey = TOKEN#<platform>#<sha256(token)>  → the device that owns a token
 *
 * Deliveries (idempotency records):
 *   pk = <idempotency key>#<target>, expiresAt = TTL (epoch seconds)
 */
export const DIRECTORY_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  tokenIndex: { indexName: 'byToken', partitionKey: 'tokenKey' },
} as const;

export const DELIVERY_TABLE = {
  partitionKey: 'pk',
  timeToLiveAttribute: 'expiresAt',
} as const;

export type TableRole = 'directory' | 'deliveries';

export const tableName = (prefix: string, role: TableRole): string => `${prefix}-${role}`;
