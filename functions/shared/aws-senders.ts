import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { CheckIfPhoneNumberIsOptedOutCommand, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { EmailSender, PushSender, SmsSender } from './ports/senders.ts';
import { uidEmailTag } from './ses-uid-tag.ts';

export const snsPushSender = (sns: SNSClient): PushSender => ({
  async publishToEndpoint({ endpointArn, message, messageAttributes }) {
    const result = await sns.send(
      new PublishCommand({
        TargetArn: endpointArn,
        Message: message,
        MessageStructure: 'json',
        MessageAttributes: { ...messageAttributes },
      }),
    );
    return { messageId: result.MessageId ?? '' };
  },
});

export const snsSmsSender = (sns: SNSClient): SmsSender => ({
  async isOptedOut(phoneNumber) {
    const result = await sns.send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber }));
    return result.isOptedOut === true;
  },
  async publishSms({ phoneNumber, message, messageAttributes }) {
    const result = await sns.send(
      new PublishCommand({ PhoneNumber: phoneNumber, Message: message, MessageAttributes: { ...messageAttributes } }),
    );
    return { messageId: result.MessageId ?? '' };
  },
});

export interface SesEmailSenderOptions {
  readonly ses: SESv2Client;
  /** A verified SES identity (address or an address at a verified domain). */
  readonly from: string;
  readonly configurationSetName?: string | undefined;
}

export const sesEmailSender = ({ ses, from, configurationSetName }: SesEmailSenderOptions): EmailSender => ({
  async sendEmail({ to, subject, html, text, recipientUid }) {
    const result = await ses.send(
      new SendEmailCommand({
        FromEmailAddress: from,
        Destination: { ToAddresses: [to] },
        Content: {
          Simple: {
            Subject: { Data: subject, Charset: 'UTF-8' },
            Body: { Html: { Data: html, Charset: 'UTF-8' }, Text: { Data: text, Charset: 'UTF-8' } },
          },
        },
        ...(configurationSetName ? { ConfigurationSetName: configurationSetName } : {}),
        // SES copies message tags into its bounce and complaint events: the feedback consumer reads the uid back.
        ...(recipientUid ? { EmailTags: [uidEmailTag(recipientUid)] } : {}),
      }),
    );
    return { messageId: result.MessageId ?? '' };
  },
});
