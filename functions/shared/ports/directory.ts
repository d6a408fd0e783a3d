/** The platforms a device can register for, and the SNS platform application each one uses. */
export const PLATFORMS = ['fcm', 'apns', 'apns_sandbox', 'apns_voip', 'apns_voip_sandbox'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** The SNS platform behind each device platform: the `app/<PLATFORM>/` segment of an application ARN and the key of a push message. */
export const SNS_PLATFORM_OF = {
  fcm: 'GCM',
  apns: 'APNS',
  apns_sandbox: 'APNS_SANDBOX',
  apns_voip: 'APNS_VOIP',
  apns_voip_sandbox: 'APNS_VOIP_SANDBOX',
} as const satisfies Record<Platform, string>;

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
  /**
   * The user's devices. May read eventually consistent as long as a device registered a moment ago is not missed when
   * it is the only one (DynamoDbDirectory re-reads consistently when it finds none).
   */
  devicesOf(uid: string): Promise<readonly Device[]>;
  /**
   * The user's contact, read like `devicesOf`. `recheckAbsent: false` (default true) accepts "none" from an eventually
   * consistent read: for a caller that only needs the contact if it exists (email with the address in the payload).
   */
  contactOf(uid: string, options?: { readonly recheckAbsent?: boolean }): Promise<Contact | undefined>;
  /** Removes a device whose endpoint the provider reported disabled or unknown. */
  /** With `endpointArn`, only if the device still publishes there (it may have re-registered meanwhile). */
  removeDevice(uid: string, deviceId: string, options?: { readonly endpointArn?: string }): Promise<void>;
}

/** What the directory API stores for a user's contact: replaced as a whole on every PUT. */
export interface ContactDetails {
  /** E.164. */
  readonly phone?: string;
  readonly email?: string;
}

/**
 * The directory as the admin API (functions/directory) maintains it. No
 * transactions (dynalite has none): each method is one conditional or plain
 * write, and the use cases order them so that a crash leaves at worst a stale
 * device item that the next delivery removes.
 */
export interface DirectoryAdmin extends RecipientDirectory {
  getDevice(uid: string, deviceId: string): Promise<Device | undefined>;
  /** Creates or replaces the device item. */
  putDevice(device: Device): Promise<void>;
  /** Deletes the device item; answers what was deleted, or undefined when there was nothing. */
  deleteDevice(uid: string, deviceId: string): Promise<Device | undefined>;
  /** Every device of the user, read consistently. */
  listDevices(uid: string): Promise<readonly Device[]>;
  /** The devices, of any user, that hold `token` on `platform` (normally at most one). */
  devicesByToken(platform: Platform, token: string): Promise<readonly Device[]>;
  getContact(uid: string): Promise<Contact | undefined>;
  /**
   * Replaces the contact: an omitted field is removed. The undeliverable mark is
   * kept only while the email stays the same address.
   */
  putContact(uid: string, details: ContactDetails, updatedAt: string): Promise<Contact>;
  /** Deletes every item stored under the user; answers how many there were. */
  eraseUser(uid: string): Promise<number>;
  /**
   * Marks the contact's email undeliverable (SES bounce or complaint), only if the
   * stored email still is `email`: a bounce for an address the user has since
   * replaced changes nothing. Answers whether the mark was set.
   */
  markEmailUndeliverable(uid: string, email: string, reason: 'bounce' | 'complaint', at?: string): Promise<boolean>;
}

/**
 * The form of a uid the directory stores and looks up. CometChat converts uids
 * to lowercase when it creates a user, so webhooks always carry the lowercase
 * form; the app's backend may register "User-1" for the same person.
 */
export const canonicalUid = (uid: string): string => uid.toLowerCase();
