import { canonicalUid } from './ports/directory.ts';

/**
 * How an email carries the recipient's uid to SES and back: a message tag,
 * which SES copies into every event of the message (`mail.tags`), so a bounce
 * or complaint names the contact to mark without any lookup by address.
 *
 * SES tag values may hold only ASCII letters, digits, `_` and `-` (at most 256
 * characters). CometChat uids are made of exactly those, so they travel as
 * they are, readable in the SES console (tag `uid`). Anything else (a uid that
 * is an email address, say) travels base64url-encoded under another name
 * (`uid_b64`), so the two forms can never be confused.
 */
export const UID_TAG = 'uid';
export const UID_BASE64_TAG = 'uid_b64';

const SES_TAG_VALUE = /^[A-Za-z0-9_-]{1,256}$/;

export const uidEmailTag = (uid: string): { Name: string; Value: string } => {
  const canonical = canonicalUid(uid);
  if (SES_TAG_VALUE.test(canonical)) return { Name: UID_TAG, Value: canonical };
  return { Name: UID_BASE64_TAG, Value: Buffer.from(canonical, 'utf8').toString('base64url').slice(0, 256) };
};

/** The uid from an SES event's `mail.tags` (each tag is a list of values), if the email carried one. */
export const uidFromEmailTags = (
  tags: Readonly<Record<string, readonly string[] | undefined>> | undefined,
): string | undefined => {
  const encoded = tags?.[UID_BASE64_TAG]?.[0];
  if (encoded) {
    const decoded = Buffer.from(encoded, 'base64url').toString('utf8');
    return decoded === '' ? undefined : decoded;
  }
  const plain = tags?.[UID_TAG]?.[0];
  return plain ? plain : undefined;
};
