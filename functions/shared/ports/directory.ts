/** The platforms a device can register for, and the SNS platform application each one uses. */
export const PLATFORMS = ['fcm', 'apns', 'apns_sandbox', 'apns_voip', 'apns_voip_sandbox'] as const;
export type Platform = (typeof PLATFORMS)[number];

export interface Device {
  readonly uid: string;
  readonly deviceId: string;
  readonly platform: Platform;
  readonly token: string;
  /** The SNS platform endpoint the relay publishes to. */
  readonly endpointArn: string;
  readonly updatedAt: string;
}

export interface Contact {
  readonly uid: string;
  /** E.164. */
  readonly phone?: string;
  readonly email?: string;
  /** Set when SES reported a bounce or complaint for `email`; later emails to it are skipped. */
  readonly emailUndeliverable?: { readonly reason: 'bounce' | 'complaint'; readonly at: string };
  readonly updatedAt: string;
}

/** What the consumers need from the directory (DynamoDB in AWS and locally). */
export interface RecipientDirectory {
  devicesOf(uid: string): Promise<readonly Device[]>;
  contactOf(uid: string): Promise<Contact | undefined>;
  /** Removes a device whose endpoint the provider reported disabled or unknown. */
  removeDevice(uid: string, deviceId: string): Promise<void>;
}
