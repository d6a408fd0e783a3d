import { createHash } from 'node:crypto';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { DIRECTORY_TABLE } from './table-settings.ts';
import {
  type Contact,
  type ContactDetails,
  canonicalUid,
  type Device,
  type DirectoryAdmin,
  PLATFORMS,
  type Platform,
} from './ports/directory.ts';
import { logger } from './powertools.ts';

/**
 * Item layout (lib/table-settings.ts):
 *   device:  pk USER#<uid>, sk DEVICE#<deviceId>, tokenKey TOKEN#<platform>#<sha256(token)>
 *   contact: pk USER#<uid>, sk CONTACT
 * The token is hashed in the index key because a raw token may be up to 4 KB,
 * longer than a DynamoDB key may be; the item keeps it in clear because SNS
 * needs nothing else but the endpoint, and a refresh compares tokens.
 */
const PK = DIRECTORY_TABLE.partitionKey;
const SK = DIRECTORY_TABLE.sortKey;
const TOKEN_KEY = DIRECTORY_TABLE.tokenIndex.partitionKey;
const DEVICE_PREFIX = 'DEVICE#';
const CONTACT_SORT_KEY = 'CONTACT';

export const userPartitionKey = (uid: string): string => `USER#${canonicalUid(uid)}`;
export const deviceSortKey = (deviceId: string): string => `${DEVICE_PREFIX}${deviceId}`;
export const tokenKey = (platform: Platform, token: string): string =>
  `TOKEN#${platform}#${createHash('sha256').update(token, 'utf8').digest('hex')}`;

const DeviceItemSchema = z.object({
  uid: z.string(),
  deviceId: z.string(),
  platform: z.enum(PLATFORMS),
  token: z.string(),
  endpointArn: z.string(),
  updatedAt: z.string(),
});

const ContactItemSchema = z.object({
  uid: z.string(),
  phone: z.string().optional(),
  email: z.string().optional(),
  emailUndeliverable: z.object({ reason: z.enum(['bounce', 'complaint']), at: z.string() }).optional(),
  updatedAt: z.string(),
});

export interface DynamoDbDirectoryOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

/**
 * The recipient directory in one DynamoDB table, read by the consumers and
 * maintained by the directory API. Every write is a single-item operation
 * (dynalite has no transactions); the directory API orders them.
 */
export class DynamoDbDirectory implements DirectoryAdmin {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor({ client, tableName }: DynamoDbDirectoryOptions) {
    this.client = client;
    this.tableName = tableName;
  }

  // What the consumers use

  /**
   * Eventually consistent first (half the read units of a consistent read, on
   * every push); only when that finds no device is the read repeated
   * consistently, so a device registered a moment before its first push is
   * still found. A user who already had a device and added another within the
   * last second or so may miss that one push on the new device.
   */
  async devicesOf(uid: string): Promise<readonly Device[]> {
    const devices = await this.readDevices(uid, { consistent: false });
    return devices.length > 0 ? devices : this.readDevices(uid, { consistent: true });
  }

  /** Eventually consistent first, like `devicesOf`; consistently again when nothing is found, unless `recheckAbsent` is false. */
  async contactOf(
    uid: string,
    { recheckAbsent = true }: { readonly recheckAbsent?: boolean } = {},
  ): Promise<Contact | undefined> {
    const contact = await this.readContact(uid, { consistent: false });
    return contact !== undefined || !recheckAbsent ? contact : this.readContact(uid, { consistent: true });
  }

  /**
   * Removes a device whose endpoint SNS reported disabled or unknown. With
   * `endpointArn`, only while the item still points at that endpoint: a device
   * re-registered meanwhile (new token, new endpoint) is left alone.
   */
  async removeDevice(uid: string, deviceId: string, options: { readonly endpointArn?: string } = {}): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: this.deviceKey(uid, deviceId),
          ...(options.endpointArn === undefined
            ? {}
            : {
                ConditionExpression: 'endpointArn = :endpointArn',
                ExpressionAttributeValues: { ':endpointArn': options.endpointArn },
              }),
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  // What the directory API uses

  async getDevice(uid: string, deviceId: string): Promise<Device | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: this.deviceKey(uid, deviceId), ConsistentRead: true }),
    );
    return Item ? toDevice(Item) : undefined;
  }

  async putDevice(device: Device): Promise<void> {
    const uid = canonicalUid(device.uid);
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...this.deviceKey(uid, device.deviceId),
          [TOKEN_KEY]: tokenKey(device.platform, device.token),
          kind: 'device',
          uid,
          deviceId: device.deviceId,
          platform: device.platform,
          token: device.token,
          endpointArn: device.endpointArn,
          updatedAt: device.updatedAt,
        },
      }),
    );
  }

  async deleteDevice(uid: string, deviceId: string): Promise<Device | undefined> {
    const { Attributes } = await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: this.deviceKey(uid, deviceId), ReturnValues: 'ALL_OLD' }),
    );
    return Attributes ? toDevice(Attributes) : undefined;
  }

  /** Consistent: the directory API lists what it has just written. */
  async listDevices(uid: string): Promise<readonly Device[]> {
    return this.readDevices(uid, { consistent: true });
  }

  async devicesByToken(platform: Platform, token: string): Promise<readonly Device[]> {
    const key = tokenKey(platform, token);
    const hits = await this.queryAll({
      IndexName: DIRECTORY_TABLE.tokenIndex.indexName,
      KeyConditionExpression: '#tokenKey = :tokenKey',
      ExpressionAttributeNames: { '#tokenKey': TOKEN_KEY },
      ExpressionAttributeValues: { ':tokenKey': key },
    });
    // The index is eventually consistent and may project keys only: read each item back
    // consistently and keep those that still hold the token.
    const items = await Promise.all(
      hits.map(async (hit) => {
        const { Item } = await this.client.send(
          new GetCommand({ TableName: this.tableName, Key: { [PK]: hit[PK], [SK]: hit[SK] }, ConsistentRead: true }),
        );
        return Item?.[TOKEN_KEY] === key ? toDevice(Item) : undefined;
      }),
    );
    return items.filter((device): device is Device => device !== undefined);
  }

  /** Consistent: the directory API answers with what it has just written. */
  async getContact(uid: string): Promise<Contact | undefined> {
    return this.readContact(uid, { consistent: true });
  }

  async putContact(uid: string, details: ContactDetails, updatedAt: string): Promise<Contact> {
    const names: Record<string, string> = { '#uid': 'uid', '#kind': 'kind', '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':uid': canonicalUid(uid), ':kind': 'contact', ':updatedAt': updatedAt };
    const set = ['#uid = :uid', '#kind = :kind', '#updatedAt = :updatedAt'];
    const remove: string[] = [];
    const field = (name: 'phone' | 'email', value: string | undefined) => {
      names[`#${name}`] = name;
      if (value === undefined) remove.push(`#${name}`);
      else {
        set.push(`#${name} = :${name}`);
        values[`:${name}`] = value;
      }
    };
    field('phone', details.phone);
    field('email', details.email);
    names['#mark'] = 'emailUndeliverable';
    // Without an email there is nothing the mark could refer to.
    if (details.email === undefined) remove.push('#mark');

    const update = (clearMark: boolean, keepMarkCondition: boolean) =>
      new UpdateCommand({
        TableName: this.tableName,
        Key: this.contactKey(uid),
        UpdateExpression: `SET ${set.join(', ')}${removeClause([...remove, ...(clearMark ? ['#mark'] : [])])}`,
        ...(keepMarkCondition ? { ConditionExpression: 'attribute_not_exists(#mark) OR #email = :email' } : {}),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      });

    if (details.email === undefined) return this.contactFrom(await this.client.send(update(false, false)));
    try {
      // The mark belongs to an address: it survives only if the email is unchanged (checked in the write itself, so a
      // bounce recorded concurrently is not lost and a changed address never inherits it).
      return this.contactFrom(await this.client.send(update(false, true)));
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return this.contactFrom(await this.client.send(update(true, false)));
    }
  }

  async eraseUser(uid: string): Promise<number> {
    const items = await this.queryAll({
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
      ExpressionAttributeValues: { ':pk': userPartitionKey(uid) },
      ProjectionExpression: '#pk, #sk',
      ConsistentRead: true,
    });
    await Promise.all(
      items.map((item) =>
        this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { [PK]: item[PK], [SK]: item[SK] } })),
      ),
    );
    return items.length;
  }

  async markEmailUndeliverable(
    uid: string,
    email: string,
    reason: 'bounce' | 'complaint',
    at: string = new Date().toISOString(),
  ): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.contactKey(uid),
          UpdateExpression: 'SET #mark = :mark',
          ConditionExpression: '#email = :email',
          ExpressionAttributeNames: { '#mark': 'emailUndeliverable', '#email': 'email' },
          ExpressionAttributeValues: { ':mark': { reason, at }, ':email': email },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  private async readDevices(uid: string, { consistent }: { readonly consistent: boolean }): Promise<readonly Device[]> {
    const items = await this.queryAll({
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :device)',
      ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
      ExpressionAttributeValues: { ':pk': userPartitionKey(uid), ':device': DEVICE_PREFIX },
      ConsistentRead: consistent,
    });
    return items.flatMap((item) => toDevice(item) ?? []);
  }

  private async readContact(uid: string, { consistent }: { readonly consistent: boolean }): Promise<Contact | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: this.contactKey(uid), ConsistentRead: consistent }),
    );
    return Item ? toContact(Item) : undefined;
  }

  private deviceKey(uid: string, deviceId: string) {
    return { [PK]: userPartitionKey(uid), [SK]: deviceSortKey(deviceId) };
  }

  private contactKey(uid: string) {
    return { [PK]: userPartitionKey(uid), [SK]: CONTACT_SORT_KEY };
  }

  private contactFrom({ Attributes }: { Attributes?: Record<string, unknown> | undefined }): Contact {
    const contact = Attributes ? toContact(Attributes) : undefined;
    if (!contact) throw new Error('DynamoDB answered an update of the contact without a readable item');
    return contact;
  }

  private async queryAll(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          ...input,
          TableName: this.tableName,
          ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}),
        }),
      );
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  }
}

const removeClause = (names: readonly string[]): string => (names.length ? ` REMOVE ${names.join(', ')}` : '');

/** A corrupt item is skipped (and reported) rather than failing every delivery to the user. */
const toDevice = (item: Record<string, unknown>): Device | undefined => {
  const parsed = DeviceItemSchema.safeParse(item);
  if (parsed.success) return parsed.data;
  logger.warn('directory item is not a device', {
    sk: String(item[SK]),
    issues: parsed.error.issues.map((i) => i.path.join('.')),
  });
  return undefined;
};

const toContact = (item: Record<string, unknown>): Contact | undefined => {
  const parsed = ContactItemSchema.safeParse(item);
  if (parsed.success) {
    const { uid, phone, email, emailUndeliverable, updatedAt } = parsed.data;
    return {
      uid,
      ...(phone === undefined ? {} : { phone }),
      ...(email === undefined ? {} : { email }),
      ...(emailUndeliverable === undefined ? {} : { emailUndeliverable }),
      updatedAt,
    };
  }
  logger.warn('directory item is not a contact', { issues: parsed.error.issues.map((i) => i.path.join('.')) });
  return undefined;
};

const isConditionFailure = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';
