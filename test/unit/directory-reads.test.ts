import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { deliverEmail } from '../../functions/delivery/deliver-email.ts';
import { DynamoDbDirectory } from '../../functions/shared/dynamodb-directory.ts';
import type { DeliveryLedger } from '../../functions/shared/ports/delivery-ledger.ts';
import type { Contact, RecipientDirectory } from '../../functions/shared/ports/directory.ts';
import { EmailPayloadSchema } from '../../functions/shared/schemas/email.ts';
import { seed } from '../fixtures/seeds.ts';

// What the consumers read: eventually consistent first (half a read unit), consistently again only when that finds
// nothing. Here against a client that answers like a replica that has not yet seen a write; the same reads against
// dynalite are in test/integration/directory.test.ts.

const DEVICE = {
  pk: 'USER#u1',
  sk: 'DEVICE#d1',
  uid: 'u1',
  deviceId: 'd1',
  platform: 'fcm',
  token: 'fcm-token',
  endpointArn: 'arn:aws:sns:eu-west-1:123456789012:endpoint/GCM/app/1',
  updatedAt: '2026-11-30T05:00:00.000Z',
};
const CONTACT = { pk: 'USER#u1', sk: 'contact', uid: 'u1', email: 'jane@example.com', updatedAt: '2026-11-30T05:00:00.000Z' };

/** A client whose eventually consistent reads have not seen the item yet (`lagging`) or have; consistent reads have. */
const replicaClient = ({ lagging }: { readonly lagging: boolean }) => {
  const reads: string[] = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: { ConsistentRead?: boolean; Key?: { sk?: string } } }) => {
      const consistent = command.input.ConsistentRead === true;
      reads.push(`${command.constructor.name.replace(/Command$/, '')} ${consistent ? 'consistent' : 'eventual'}`);
      const seen = consistent || !lagging;
      if (command.constructor.name === 'QueryCommand') return { Items: seen ? [DEVICE] : [] };
      return { Item: seen ? CONTACT : undefined };
    },
  } as unknown as DynamoDBDocumentClient;
  return { directory: new DynamoDbDirectory({ client, tableName: 'directory' }), reads };
};

describe('the consumers’ directory reads', () => {
  it('take one eventually consistent query when it finds the devices', async () => {
    const { directory, reads } = replicaClient({ lagging: false });
    expect((await directory.devicesOf('u1')).map((device) => device.deviceId)).toEqual(['d1']);
    expect(reads).toEqual(['Query eventual']);
  });

  it('find a device registered a moment ago that the eventually consistent query has not seen yet', async () => {
    const { directory, reads } = replicaClient({ lagging: true });
    expect((await directory.devicesOf('u1')).map((device) => device.deviceId)).toEqual(['d1']);
    expect(reads).toEqual(['Query eventual', 'Query consistent']);
  });

  it('find a contact saved a moment ago, unless the caller accepts "none" from the first read', async () => {
    const { directory, reads } = replicaClient({ lagging: true });
    expect((await directory.contactOf('u1'))?.email).toBe('jane@example.com');
    expect(reads.splice(0)).toEqual(['Get eventual', 'Get consistent']);
    expect(await directory.contactOf('u1', { recheckAbsent: false })).toBeUndefined();
    expect(reads).toEqual(['Get eventual']);
  });

  it('stay consistent for the directory API, which reads back what it has just written', async () => {
    const { directory, reads } = replicaClient({ lagging: false });
    await directory.listDevices('u1');
    await directory.getContact('u1');
    expect(reads).toEqual(['Query consistent', 'Get consistent']);
  });
});

describe('the email delivery’s contact read', () => {
  const ledger: DeliveryLedger = { claim: async () => 'claimed', markSent: async () => {}, release: async () => {} };
  const context = { idempotencyKey: 'email:key', correlationId: 'c1', messageId: 'm1', receiveCount: 1 };
  const withContact = (contact: Contact | undefined) => {
    const asked: Array<{ readonly recheckAbsent?: boolean } | undefined> = [];
    const directory = {
      contactOf: async (_uid: string, options?: { readonly recheckAbsent?: boolean }) => {
        asked.push(options);
        return contact;
      },
    } as unknown as RecipientDirectory;
    return { directory, asked };
  };
  const payloadTo = (email: string | undefined) => {
    const payload = seed('email-one-on-one');
    if (email === undefined) delete payload.data.to.email;
    else payload.data.to.email = email;
    return EmailPayloadSchema.parse(payload);
  };
  const sender = { sendEmail: async () => ({ messageId: 'ses-1' }) };

  it('does not read again when the payload has the address (the contact is then only for its bounce mark)', async () => {
    const { directory, asked } = withContact(undefined);
    const outcomes = await deliverEmail({ directory, sender, ledger })(payloadTo('reader@example.com'), context);
    expect(outcomes.map(({ outcome }) => outcome.kind)).toEqual(['sent']);
    expect(asked).toEqual([{ recheckAbsent: false }]);
  });

  it('reads again when the address must come from the directory', async () => {
    const { directory, asked } = withContact(undefined);
    const outcomes = await deliverEmail({ directory, sender, ledger })(payloadTo(undefined), context);
    expect(outcomes).toEqual([{ target: 'email', outcome: { kind: 'skipped', reason: 'no_contact' } }]);
    expect(asked).toEqual([{ recheckAbsent: true }]);
  });

  it('still skips an address marked undeliverable', async () => {
    const { directory } = withContact({
      uid: 'u1',
      email: 'reader@example.com',
      emailUndeliverable: { reason: 'bounce', at: '2026-11-30T05:00:00.000Z' },
      updatedAt: '2026-11-30T05:00:00.000Z',
    });
    const outcomes = await deliverEmail({ directory, sender, ledger })(payloadTo('Reader@example.com'), context);
    expect(outcomes).toEqual([{ target: 'email', outcome: { kind: 'skipped', reason: 'undeliverable' } }]);
  });
});
