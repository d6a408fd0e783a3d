import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import { sesEmailSender } from '../../functions/shared/aws-senders.ts';

// The SES sender tags each email with the recipient's uid, which SES copies into its bounce and complaint events.
const recordingSes = () => {
  const inputs: Array<Record<string, any>> = [];
  const ses = {
    send: async (command: { input: Record<string, any> }) => {
      inputs.push(command.input);
      return { MessageId: 'ses-1' };
    },
  } as unknown as SESv2Client;
  return { ses, inputs };
};

const EMAIL = { to: 'andrew-joseph@example.com', subject: 'New messages', html: '<p>Hi</p>', text: 'Hi' };

describe('sesEmailSender', () => {
  it('tags the email with the uid, as it is when it fits the SES tag charset', async () => {
    const { ses, inputs } = recordingSes();
    await sesEmailSender({ ses, from: 'relay@example.com', configurationSetName: 'relay' }).sendEmail({
      ...EMAIL,
      recipientUid: 'cometchat-uid-1',
    });
    expect(inputs[0]).toMatchObject({ ConfigurationSetName: 'relay', EmailTags: [{ Name: 'uid', Value: 'cometchat-uid-1' }] });
  });

  it('encodes a uid SES would refuse as a tag value', async () => {
    const { ses, inputs } = recordingSes();
    await sesEmailSender({ ses, from: 'relay@example.com' }).sendEmail({ ...EMAIL, recipientUid: 'andrew@example.com' });
    expect(inputs[0]?.EmailTags).toEqual([{ Name: 'uid_b64', Value: Buffer.from('andrew@example.com').toString('base64url') }]);
  });

  it('sends no tag when there is no uid', async () => {
    const { ses, inputs } = recordingSes();
    await sesEmailSender({ ses, from: 'relay@example.com' }).sendEmail(EMAIL);
    expect(inputs[0]?.EmailTags).toBeUndefined();
  });
});
