import { randomUUID } from 'node:crypto';
import { uidEmailTag } from '../../functions/shared/ses-uid-tag.ts';
import { LOCAL_ACCOUNT_ID } from './sns-emulator/state.ts';
import { LOCAL_REGION } from './local-aws.ts';

/**
 * The events SES and SNS would publish, built locally so that a developer (and
 * the tests) can feed a bounce, a complaint or a dead push token through the
 * same feedback consumers as in AWS. Shapes follow SES event publishing
 * (configuration set → SNS) and SNS platform-application events.
 */

export interface SesEventInput {
  /** The address that bounced or complained. */
  readonly email: string;
  /** The uid the relay tagged the email with. */
  readonly uid: string;
  /** The SES message id of the email, when known (the local SES store has it). */
  readonly sesMessageId?: string;
  readonly from?: string;
  readonly configurationSet?: string;
  readonly at?: Date;
}

const mailOf = ({
  email,
  uid,
  sesMessageId,
  from = 'notifications@cometchat-relay.local',
  configurationSet = 'cometchat-relay-local',
  at = new Date(),
}: SesEventInput) => {
  const tag = uidEmailTag(uid);
  const messageId = sesMessageId ?? `0100${Date.now().toString(16)}-${randomUUID()}-000000`;
  return {
    timestamp: new Date(at.getTime() - 1000).toISOString(),
    source: from,
    sourceArn: `arn:aws:ses:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:identity/${from.split('@')[1] ?? from}`,
    sendingAccountId: LOCAL_ACCOUNT_ID,
    messageId,
    destination: [email],
    headersTruncated: false,
    headers: [
      { name: 'From', value: from },
      { name: 'To', value: email },
      { name: 'MIME-Version', value: '1.0' },
    ],
    commonHeaders: { from: [from], to: [email], messageId },
    tags: {
      'ses:configuration-set': [configurationSet],
      'ses:source-ip': ['127.0.0.1'],
      'ses:from-domain': [from.split('@')[1] ?? from],
      'ses:caller-identity': ['cometchat-relay-email-consumer'],
      [tag.Name]: [tag.Value],
    },
  };
};

export type BounceType = 'Permanent' | 'Transient' | 'Undetermined';

/** A configuration-set `Bounce` event for one recipient. */
export const sesBounceEvent = (input: SesEventInput & { readonly bounceType?: BounceType }) => {
  const at = input.at ?? new Date();
  const bounceType = input.bounceType ?? 'Permanent';
  return {
    eventType: 'Bounce',
    bounce: {
      feedbackId: `0100${at.getTime().toString(16)}-${randomUUID()}-000000`,
      bounceType,
      bounceSubType: bounceType === 'Permanent' ? 'General' : 'MailboxFull',
      bouncedRecipients: [
        {
          emailAddress: input.email,
          action: 'failed',
          status: bounceType === 'Permanent' ? '5.1.1' : '4.2.2',
          diagnosticCode: bounceType === 'Permanent' ? 'smtp; 550 5.1.1 user unknown' : 'smtp; 452 4.2.2 mailbox full',
        },
      ],
      timestamp: at.toISOString(),
      reportingMTA: 'dsn; a8-70.smtp-out.amazonses.com',
    },
    mail: mailOf({ ...input, at }),
  };
};

/** A configuration-set `Complaint` event for one recipient. */
export const sesComplaintEvent = (input: SesEventInput) => {
  const at = input.at ?? new Date();
  return {
    eventType: 'Complaint',
    complaint: {
      feedbackId: `0100${at.getTime().toString(16)}-${randomUUID()}-000000`,
      complaintSubType: null,
      complainedRecipients: [{ emailAddress: input.email }],
      timestamp: at.toISOString(),
      userAgent: 'Mozilla/5.0 (local)',
      complaintFeedbackType: 'abuse',
      arrivalDate: at.toISOString(),
    },
    mail: mailOf({ ...input, at }),
  };
};

/** The `EndpointUpdated` event SNS publishes when a provider reports a token dead and the endpoint is disabled. */
export const endpointUpdatedEvent = (endpointArn: string, at: Date = new Date()) => ({
  EndpointArn: endpointArn,
  EventType: 'EndpointUpdated',
  Resource: endpointArn.replace(/:endpoint\/([^/]+)\/([^/]+)\/[^/]+$/, ':app/$1/$2'),
  Service: 'SNS',
  Time: at.toISOString(),
});
