/** SNS-style message attributes as the senders pass them on. */
export type MessageAttributes = Readonly<Record<string, { readonly DataType: 'String' | 'Number'; readonly StringValue: string }>>;

/** Mobile push through an SNS platform endpoint. */
export interface PushSender {
  publishToEndpoint(input: {
    readonly endpointArn: string;
    /** The SNS `MessageStructure: 'json'` document. */
    readonly message: string;
    readonly messageAttributes: MessageAttributes;
  }): Promise<{ readonly messageId: string }>;
}

/** SMS through SNS. */
export interface SmsSender {
  isOptedOut(phoneNumber: string): Promise<boolean>;
  publishSms(input: {
    readonly phoneNumber: string;
    readonly message: string;
    readonly messageAttributes: MessageAttributes;
  }): Promise<{ readonly messageId: string }>;
}

/** Email through SES v2. */
export interface EmailSender {
  sendEmail(input: {
    readonly to: string;
    readonly subject: string;
    readonly html: string;
    readonly text: string;
    /** Tagged on the message so that SES bounce and complaint events name the contact (ses-uid-tag.ts). */
    readonly recipientUid?: string;
  }): Promise<{ readonly messageId: string }>;
}
