import { credentialAttributes } from '../../functions/platform-applications/push-credentials.ts';
import { localPushCredential } from './local-push-credentials.ts';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { CreatePlatformApplicationCommand, type SNSClient } from '@aws-sdk/client-sns';
import { PLATFORMS, type Platform, SNS_PLATFORM_OF } from '../../functions/shared/ports/directory.ts';
import { DELIVERY_TABLE, DIRECTORY_TABLE, type TableRole, tableName } from '../table-settings.ts';

export type LocalTableNames = Readonly<Record<TableRole, string>>;

export interface CreateTablesOptions {
  readonly dynamodb: DynamoDBClient;
  /** Table names are `<prefix>-directory` and `<prefix>-deliveries`, as `tableName` builds them. */
  readonly prefix: string;
  /** How long to wait for the tables to become ACTIVE, in ms. Default 10 000. */
  readonly timeoutMs?: number;
}

/**
 * Creates the directory table (with its byToken index) and the deliveries
 * table from the definitions the CDK stack deploys (lib/table-settings.ts).
 * Idempotent: on a restart with kept data the existing tables are reused.
 * The index projects keys only, as little as the directory needs (it reads
 * each hit back consistently), so the local stack exercises the tightest choice.
 */
export const createTables = async ({ dynamodb, prefix, timeoutMs = 10_000 }: CreateTablesOptions): Promise<LocalTableNames> => {
  const names: LocalTableNames = { directory: tableName(prefix, 'directory'), deliveries: tableName(prefix, 'deliveries') };
  await Promise.all([
    createIfMissing(dynamodb, {
      TableName: names.directory,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: DIRECTORY_TABLE.partitionKey, AttributeType: 'S' },
        { AttributeName: DIRECTORY_TABLE.sortKey, AttributeType: 'S' },
        { AttributeName: DIRECTORY_TABLE.tokenIndex.partitionKey, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: DIRECTORY_TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: DIRECTORY_TABLE.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: DIRECTORY_TABLE.tokenIndex.indexName,
          KeySchema: [{ AttributeName: DIRECTORY_TABLE.tokenIndex.partitionKey, KeyType: 'HASH' }],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    }),
    // dynalite has no UpdateTimeToLive: expired delivery records are treated as absent by the ledger instead.
    createIfMissing(dynamodb, {
      TableName: names.deliveries,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: DELIVERY_TABLE.partitionKey, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: DELIVERY_TABLE.partitionKey, KeyType: 'HASH' }],
    }),
  ]);
  await Promise.all(Object.values(names).map((name) => waitUntilActive(dynamodb, name, timeoutMs)));
  return names;
};

const createIfMissing = async (dynamodb: DynamoDBClient, input: CreateTableCommandInput): Promise<void> => {
  try {
    await dynamodb.send(new CreateTableCommand(input));
  } catch (error) {
    if (!(error instanceof Error && error.name === 'ResourceInUseException')) throw error;
  }
};

/** Polls with a deadline: dynalite answers CREATING for a moment even with `createTableMs: 0`. */
const waitUntilActive = async (dynamodb: DynamoDBClient, name: string, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: name }));
    const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE');
    if (Table?.TableStatus === 'ACTIVE' && indexesActive) return;
    if (Date.now() > deadline) throw new Error(`Table ${name} is not ACTIVE after ${timeoutMs} ms (status ${Table?.TableStatus})`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};


export interface CreatePlatformApplicationsOptions {
  /** Application names are `<namePrefix>-<platform>`. Default `cometchat-relay-local`. */
  readonly namePrefix?: string;
}

/**
 * One platform application per platform on the local SNS emulator, as an
 * operator creates them in the SNS console. Creating an existing application
 * returns the same ARN, so this runs at every start.
 */
export const createPlatformApplications = async (
  sns: SNSClient,
  { namePrefix = 'cometchat-relay-local' }: CreatePlatformApplicationsOptions = {},
): Promise<Record<Platform, string>> => {
  const entries = await Promise.all(
    PLATFORMS.map(async (platform) => {
      const { PlatformApplicationArn } = await sns.send(
        new CreatePlatformApplicationCommand({
          Name: `${namePrefix}-${platform}`,
          Platform: SNS_PLATFORM_OF[platform],
          // Well-formed stand-ins made of throwaway keys: the emulator checks credential shapes as SNS does.
          Attributes: { ...credentialAttributes(platform, localPushCredential(platform)) },
        }),
      );
      if (!PlatformApplicationArn) throw new Error(`CreatePlatformApplication for ${platform} answered without an ARN`);
      return [platform, PlatformApplicationArn] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<Platform, string>;
};
