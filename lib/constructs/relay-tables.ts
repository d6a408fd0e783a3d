import { RemovalPolicy, Token } from 'aws-cdk-lib';
import { AttributeType, BillingMode, type ITable, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { DELIVERY_TABLE, DIRECTORY_TABLE, tableName } from '../table-settings.ts';

/** DynamoDB table names: letters, digits, `_`, `-` and `.`, 3 to 255 characters. */
const TABLE_NAME_PATTERN = /^[A-Za-z0-9_.-]{3,255}$/;

export interface RelayTablesProps {
  /**
   * Prefix of the delivery table's physical name, `<prefix>-deliveries`
   * (`lib/table-settings.ts`, shared with the local stack). The stack passes its
   * stack name so that two deployments in one account do not collide.
   */
  readonly tableNamePrefix: string;
  /**
   * An existing directory table to use instead of creating one: the table a
   * destroyed stack retained, or one named `<prefix>-directory` by an earlier
   * version of this construct. It must have the directory's keys and index.
   *
   * @default - a new table, named by CloudFormation (`<stack>-TablesDirectoryTable<hash>-<suffix>`)
   */
  readonly existingDirectoryTableName?: string | undefined;
}

/**
 * The relay's state (SPEC §3, §5), apart from the queues: the directory of
 * users' devices and contact details, and the idempotency records that make
 * each notification go out at most once. Keys come from `lib/table-settings.ts`,
 * which the local stack shares. Both tables are on-demand (CometChat traffic
 * comes in bursts), encrypted with the AWS-managed key and recoverable to any
 * second of the last 35 days.
 */
export class RelayTables extends Construct {
  /**
   * Devices (`pk=USER#<uid>`, `sk=DEVICE#<deviceId>`) and contacts (`sk=CONTACT`),
   * with the `byToken` index that finds the device holding a token. Retained when
   * the stack is deleted: it is the users' registrations, which no one can recreate.
   * Its name is CloudFormation's, not a fixed one, so that deploying again after
   * `cdk destroy` cannot collide with the retained table; `existingDirectoryTableName`
   * adopts the retained table instead.
   */
  readonly directoryTable: ITable;
  /**
   * Idempotency records (`pk`), expired by DynamoDB at `expiresAt`. Deleted with
   * the stack: they only matter while the queues they deduplicate exist.
   */
  readonly deliveryTable: Table;

  constructor(scope: Construct, id: string, props: RelayTablesProps) {
    super(scope, id);
    validateProps(props);
    const { tableNamePrefix, existingDirectoryTableName } = props;

    this.directoryTable =
      existingDirectoryTableName === undefined
        ? newDirectoryTable(this)
        : Table.fromTableAttributes(this, 'DirectoryTable', {
            tableName: existingDirectoryTableName,
            globalIndexes: [DIRECTORY_TABLE.tokenIndex.indexName],
          });

    this.deliveryTable = new Table(this, 'DeliveryTable', {
      tableName: tableName(tableNamePrefix, 'deliveries'),
      partitionKey: { name: DELIVERY_TABLE.partitionKey, type: AttributeType.STRING },
      timeToLiveAttribute: DELIVERY_TABLE.timeToLiveAttribute,
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }

  /** The ARN of the directory's `byToken` index, for policies that query it. */
  get tokenIndexArn(): string {
    return `${this.directoryTable.tableArn}/index/${DIRECTORY_TABLE.tokenIndex.indexName}`;
  }
}

const newDirectoryTable = (scope: Construct): Table => {
  const table = new Table(scope, 'DirectoryTable', {
    partitionKey: { name: DIRECTORY_TABLE.partitionKey, type: AttributeType.STRING },
    sortKey: { name: DIRECTORY_TABLE.sortKey, type: AttributeType.STRING },
    billingMode: BillingMode.PAY_PER_REQUEST,
    encryption: TableEncryption.AWS_MANAGED,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    removalPolicy: RemovalPolicy.RETAIN,
  });
  table.addGlobalSecondaryIndex({
    indexName: DIRECTORY_TABLE.tokenIndex.indexName,
    partitionKey: { name: DIRECTORY_TABLE.tokenIndex.partitionKey, type: AttributeType.STRING },
    // The whole device item: moving a token to another uid needs its endpoint too, without a second read.
    projectionType: ProjectionType.ALL,
  });
  return table;
};

const validateProps = ({ tableNamePrefix, existingDirectoryTableName }: RelayTablesProps): void => {
  if (existingDirectoryTableName !== undefined && !TABLE_NAME_PATTERN.test(existingDirectoryTableName)) {
    throw new Error(
      `RelayTables: existingDirectoryTableName ${JSON.stringify(existingDirectoryTableName)} is not a DynamoDB table name ` +
        '(letters, digits, "_", "-" and ".", 3 to 255 characters)',
    );
  }
  // A token (an unresolved stack name) is checked by CloudFormation at deploy time instead.
  if (Token.isUnresolved(tableNamePrefix)) return;
  for (const name of [tableName(tableNamePrefix, 'deliveries')]) {
    if (!TABLE_NAME_PATTERN.test(name)) {
      throw new Error(
        `RelayTables: tableNamePrefix ${JSON.stringify(tableNamePrefix)} gives the table name "${name}", ` +
          'but DynamoDB names allow only letters, digits, "_", "-" and ".", 3 to 255 characters',
      );
    }
  }
};
