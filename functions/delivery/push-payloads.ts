import { createHash } from 'node:crypto';
import { type Platform, SNS_PLATFORM_OF } from '../shared/ports/directory.ts';
import type { NotificationDetails } from '../shared/schemas/push.ts';
import { PermanentDeliveryError } from './outcome.ts';

/**
 * What SNS mobile push publishes for a CometChat `notificationDetails`, per platform.
 *
 * Formats chosen:
 * - FCM: the HTTP v1 message under SNS's `GCM` key, as `{"fcmV1Message":{"message":{...}}}` (a string
 *   inside the SNS JSON). SNS documents this shape for FCM platform applications that use token
 *   (service-account) credentials, the only kind Google still accepts since the legacy API was shut
 *   down, and it is the only shape that reaches `android.priority`, `android.ttl` and
 *   `android.notification.tag`.
 * - APNs: the Apple payload under `APNS` / `APNS_SANDBOX` / `APNS_VOIP` / `APNS_VOIP_SANDBOX`, with the
 *   APNs headers given as SNS message attributes (`AWS.SNS.MOBILE.APNS.*`). The TTL attribute is named
 *   per platform (`AWS.SNS.MOBILE.APNS_VOIP.TTL`, ...), as SNS's TTL table lists it.
 *
 * The bulky `message` object and any field CometChat adds later are never copied: only the fields
 * named here reach a device.
 */

export type PushAttributes = Record<string, { DataType: 'String'; StringValue: string }>;

/** What was shortened or dropped to fit the provider's size limit. */
export type TrimmedField = 'body' | 'custom' | 'title' | 'senderAvatar';

export interface PushMessage {
  /** The SNS Publish `Message` for `MessageStructure: 'json'`: `default` plus the platform's key. */
  readonly message: string;
  readonly messageAttributes: PushAttributes;
  /** Empty when the notification fitted as it was. */
  readonly trimmed: readonly TrimmedField[];
}

export interface PushTarget {
  readonly platform: Platform;
}

/** The key of each platform's entry in an SNS `MessageStructure: 'json'` message. */
export const SNS_PLATFORM_KEYS = SNS_PLATFORM_OF;

/**
 * Byte limits of the platform payload (the string under the platform key).
 * APNs refuses more than 4096 bytes (VoIP allows 5120, but the relay keeps one budget);
 * FCM caps data at 4000 bytes and a whole message at 4 KB, so the whole FCM message stays under 4000.
 */
export const PUSH_PAYLOAD_LIMIT_BYTES = {
  fcm: 4000,
  apns: 4096,
  apns_sandbox: 4096,
  apns_voip: 4096,
  apns_voip_sandbox: 4096,
} as const satisfies Record<Platform, number>;

/**
 * Seconds a call push may wait for an offline device. A ring is pointless once CometChat would have
 * given up on the call; a dismissal (`cancelled`, `ended`, ...) only matters to devices that were
 * ringing a moment ago, and a late one would make iOS report a call over VoIP for nothing.
 */
export const CALL_TTL_SECONDS = { ring: 60, update: 30 } as const;

export const callTtlSeconds = (callAction: NotificationDetails['callAction']): number =>
  callAction === 'initiated' ? CALL_TTL_SECONDS.ring : CALL_TTL_SECONDS.update;

/** APNs refuses an `apns-collapse-id` longer than 64 bytes. */
const APNS_COLLAPSE_ID_MAX_BYTES = 64;

/** A lock screen shows a few lines: below this, dropping `custom` is better than cutting the body further. */
const MIN_USEFUL_BODY_BYTES = 256;

/** Only for the last resort, when even without `custom` the notification does not fit. */
const LAST_RESORT_TITLE_GRAPHEMES = 64;

const DEFAULT_ENTRY_MAX_BYTES = 256;

const REGULAR_PLATFORMS: ReadonlySet<Platform> = new Set(['fcm', 'apns', 'apns_sandbox']);
const VOIP_PLATFORMS: ReadonlySet<Platform> = new Set(['apns_voip', 'apns_voip_sandbox']);
const REGULAR_APNS_PLATFORMS: ReadonlySet<Platform> = new Set(['apns', 'apns_sandbox']);

/**
 * The devices of one user that a notification goes to (SPEC §4): chat to regular tokens only;
 * a call to every FCM device (as a data message) and, on iOS, to the VoIP devices when the user has
 * any, otherwise to the regular APNs devices. Keeps the order of `devices`.
 */
export const pushTargetsFor = <Device extends PushTarget>(
  details: Pick<NotificationDetails, 'type'>,
  devices: readonly Device[],
): Device[] => {
  if (details.type === 'chat') return devices.filter((device) => REGULAR_PLATFORMS.has(device.platform));
  const hasVoip = devices.some((device) => VOIP_PLATFORMS.has(device.platform));
  const iosPlatforms = hasVoip ? VOIP_PLATFORMS : REGULAR_APNS_PLATFORMS;
  return devices.filter((device) => device.platform === 'fcm' || iosPlatforms.has(device.platform));
};

/** The parts of a notification that may be shortened or dropped to fit. */
interface PushContent {
  readonly title: string;
  readonly body: string;
  readonly custom: Record<string, unknown> | undefined;
  readonly senderAvatar: string | undefined;
}

type PlatformPayload = Record<string, unknown>;

/**
 * Turns a notification into the SNS message for one device platform, within the provider's size
 * limit: first the body is shortened (whole graphemes, with an ellipsis), then `custom` is dropped if
 * shortening would leave too little body, and as a last resort the title is shortened and the avatar
 * dropped. Throws `PermanentDeliveryError` if even that does not fit, or for a chat over VoIP.
 */
export const buildPushMessage = (details: NotificationDetails, target: PushTarget): PushMessage => {
  const { platform } = target;
  const isVoip = VOIP_PLATFORMS.has(platform);
  if (isVoip && details.type !== 'call') {
    // Apple terminates apps that receive VoIP pushes without reporting a call.
    throw new PermanentDeliveryError(`A ${details.type} notification cannot go to a VoIP endpoint`);
  }

  const render = (content: PushContent): PlatformPayload =>
    platform === 'fcm'
      ? fcmPayload(details, content)
      : isVoip
        ? apnsVoipPayload(details, content)
        : apnsAlertPayload(details, content);

  const original: PushContent = {
    title: details.title,
    body: details.body,
    custom: details.custom,
    senderAvatar: details.senderAvatar,
  };
  const { entry, content } = fitWithinLimit((content) => JSON.stringify(render(content)), original, PUSH_PAYLOAD_LIMIT_BYTES[platform]);

  const message = JSON.stringify({ default: defaultText(content), [SNS_PLATFORM_KEYS[platform]]: entry });
  return {
    message,
    messageAttributes: platform === 'fcm' ? {} : apnsAttributes(details, platform),
    trimmed: trimmedFields(original, content),
  };
};

/** The fields CometChat documents, as strings, kept so that the app can route a tap. */
const cometChatFields = (details: NotificationDetails, content: PushContent): Record<string, string> =>
  definedStrings({
    type: details.type,
    tag: details.tag,
    conversationId: details.conversationId,
    sender: details.sender,
    senderName: details.senderName,
    senderAvatar: content.senderAvatar,
    receiver: details.receiver,
    receiverType: details.receiverType,
    sentAt: details.sentAt,
  });

const callFields = (details: NotificationDetails): Record<string, string> =>
  details.type === 'call'
    ? definedStrings({ callAction: details.callAction, sessionId: details.sessionId, callType: details.callType })
    : {};

/** The notification id for replacing a shown notification: the message id for chat, the session for a call. */
const replaceKey = (details: NotificationDetails): string | undefined => {
  const key = details.type === 'call' ? (details.sessionId ?? details.tag) : details.tag;
  return key === undefined || key === '' ? undefined : String(key);
};

const fcmPayload = (details: NotificationDetails, content: PushContent): PlatformPayload => {
  const custom = content.custom === undefined ? {} : { custom: JSON.stringify(content.custom) };
  const key = replaceKey(details);
  if (details.type === 'call') {
    // Data only, so that the app's handler runs even in the background and can show a ringing screen.
    return {
      fcmV1Message: {
        message: {
          data: { ...cometChatFields(details, content), ...callFields(details), title: content.title, body: content.body, ...custom },
          android: {
            priority: 'high',
            ttl: `${callTtlSeconds(details.callAction)}s`,
            // An offline device gets only the latest state of a call, not a ring followed by its cancellation.
            ...(key === undefined ? {} : { collapse_key: key }),
          },
        },
      },
    };
  }
  // No `collapse_key` here: FCM keeps at most four collapse keys per device, so a key per message would
  // drop stored messages of an offline device; `android.notification.tag` replaces an edited message on screen.
  const androidNotification = {
    ...(key === undefined ? {} : { tag: key }),
    ...(details.unreadMessageCount === undefined ? {} : { notification_count: details.unreadMessageCount }),
  };
  return {
    fcmV1Message: {
      message: {
        notification: { title: content.title, body: content.body },
        android: {
          priority: 'high',
          ...(Object.keys(androidNotification).length === 0 ? {} : { notification: androidNotification }),
        },
        data: { ...cometChatFields(details, content), ...custom },
      },
    },
  };
};

/** A visible alert: every chat, and calls to an iPhone that registered no VoIP token. */
const apnsAlertPayload = (details: NotificationDetails, content: PushContent): PlatformPayload => {
  // A call's later states replace its ring silently: only a new message or a ring should sound.
  const audible = details.type === 'chat' || details.callAction === 'initiated';
  return {
    aps: {
      alert: { title: content.title, body: content.body },
      ...(audible ? { sound: 'default' } : {}),
      ...(details.conversationId ? { 'thread-id': details.conversationId } : {}),
      // Lets a notification service extension fetch the avatar or rewrite the text.
      'mutable-content': 1,
      ...(details.unreadMessageCount === undefined ? {} : { badge: details.unreadMessageCount }),
    },
    ...cometChatFields(details, content),
    ...callFields(details),
    ...(content.custom === undefined ? {} : { custom: content.custom }),
  };
};

/** PushKit: no alert, the app reports the call to CallKit from these fields. */
const apnsVoipPayload = (details: NotificationDetails, content: PushContent): PlatformPayload => ({
  aps: {},
  ...cometChatFields(details, content),
  ...callFields(details),
  title: content.title,
  body: content.body,
  ...(content.custom === undefined ? {} : { custom: content.custom }),
});

const apnsAttributes = (details: NotificationDetails, platform: Platform): PushAttributes => {
  const isVoip = VOIP_PLATFORMS.has(platform);
  const attributes: PushAttributes = {
    'AWS.SNS.MOBILE.APNS.PUSH_TYPE': stringAttribute(isVoip ? 'voip' : 'alert'),
    'AWS.SNS.MOBILE.APNS.PRIORITY': stringAttribute('10'),
  };
  const key = replaceKey(details);
  if (!isVoip && key !== undefined) attributes['AWS.SNS.MOBILE.APNS.COLLAPSE_ID'] = stringAttribute(apnsCollapseId(key));
  if (details.type === 'call') {
    attributes[`AWS.SNS.MOBILE.${SNS_PLATFORM_KEYS[platform]}.TTL`] = stringAttribute(String(callTtlSeconds(details.callAction)));
  }
  return attributes;
};

/**
 * The key itself when it fits APNs' 64 bytes, else its SHA-256 in hex (exactly 64 bytes): stable, so an
 * edit still replaces the original, and never a cut through a multi-byte character.
 */
export const apnsCollapseId = (key: string): string =>
  byteLength(key) <= APNS_COLLAPSE_ID_MAX_BYTES ? key : createHash('sha256').update(key, 'utf8').digest('hex');

const stringAttribute = (value: string) => ({ DataType: 'String' as const, StringValue: value });

const defaultText = ({ title, body }: PushContent): string =>
  truncateToBytes(title && body ? `${title}: ${body}` : title || body, DEFAULT_ENTRY_MAX_BYTES);

const fitWithinLimit = (
  serialise: (content: PushContent) => string,
  original: PushContent,
  limitBytes: number,
): { entry: string; content: PushContent } => {
  const fits = (content: PushContent) => byteLength(serialise(content)) <= limitBytes;
  const done = (content: PushContent) => ({ entry: serialise(content), content });
  const withBodyFitted = (content: PushContent): PushContent | undefined => {
    const body = truncateToFit(content.body, (candidate) => fits({ ...content, body: candidate }));
    return body === undefined ? undefined : { ...content, body };
  };

  if (fits(original)) return done(original);

  const shortened = withBodyFitted(original);
  if (original.custom === undefined) {
    if (shortened) return done(shortened);
  } else {
    if (shortened && byteLength(shortened.body) >= Math.min(MIN_USEFUL_BODY_BYTES, byteLength(original.body))) {
      return done(shortened);
    }
    const withoutCustom = { ...original, custom: undefined };
    const shortenedWithoutCustom = fits(withoutCustom) ? withoutCustom : withBodyFitted(withoutCustom);
    if (shortenedWithoutCustom) return done(shortenedWithoutCustom);
  }

  const bare = withBodyFitted({
    title: truncateToGraphemes(original.title, LAST_RESORT_TITLE_GRAPHEMES),
    body: original.body,
    custom: undefined,
    senderAvatar: undefined,
  });
  if (bare) return done(bare);
  throw new PermanentDeliveryError(`The notification does not fit in ${limitBytes} bytes even without its body and custom data`);
};

const trimmedFields = (original: PushContent, final: PushContent): TrimmedField[] => {
  const trimmed: TrimmedField[] = [];
  if (final.body !== original.body) trimmed.push('body');
  if (original.custom !== undefined && final.custom === undefined) trimmed.push('custom');
  if (final.title !== original.title) trimmed.push('title');
  if (original.senderAvatar !== undefined && final.senderAvatar === undefined) trimmed.push('senderAvatar');
  return trimmed;
};

const definedStrings = (fields: Record<string, string | number | undefined>): Record<string, string> => {
  const strings: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined && value !== '') strings[name] = String(value);
  }
  return strings;
};

// Text limits shared by the push, SMS and email builders.

export const ELLIPSIS = '…';

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

export const byteLength = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * Node 20's Intl.Segmenter takes quadratic time (160,000 characters: minutes), and a webhook may carry a
 * text of any length the body limit allows. So every text is first cut, in linear time, to a start no
 * result can outgrow, and only that start is segmented: no provider limit here is above 4 KB of UTF-8
 * (4,096 UTF-16 units at most), and a grapheme of more than 16 units is a pathological one.
 */
const MAX_SEGMENTED_UNITS = 8192;
const MAX_UNITS_PER_GRAPHEME = 16;

/** At most `maxUnits` UTF-16 units of `text`, never ending inside a surrogate pair. Linear time. */
export const linearPrefix = (text: string, maxUnits: number): string => {
  if (text.length <= maxUnits) return text;
  const last = text.charCodeAt(maxUnits - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? maxUnits - 1 : maxUnits);
};

/** String offsets after each grapheme: `ends[k]` is where the first k graphemes end. */
const graphemeEnds = (text: string): number[] => {
  const ends = [0];
  for (const { index, segment } of graphemes.segment(text)) ends.push(index + segment.length);
  return ends;
};

/**
 * The longest start of `text` (whole graphemes, so never half a surrogate pair, an emoji sequence or
 * a letter with its accents) that, followed by an ellipsis, `fits`; `text` itself when it fits as it
 * is; undefined when not even the ellipsis alone fits. `fits` must be monotonic in the length.
 */
export const truncateToFit = (text: string, fits: (candidate: string) => boolean): string | undefined => {
  if (fits(text)) return text;
  // Whatever fits is far shorter than this start: segmenting only it keeps a huge text linear.
  const ends = graphemeEnds(linearPrefix(text, MAX_SEGMENTED_UNITS));
  const candidate = (count: number) => `${text.slice(0, ends[count] ?? 0).trimEnd()}${ELLIPSIS}`;
  let low = 0;
  let high = ends.length - 2;
  if (high < 0 || !fits(candidate(0))) return undefined;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(candidate(middle))) low = middle;
    else high = middle - 1;
  }
  return candidate(low);
};

/** At most `maxBytes` of UTF-8, ellipsis included; empty if not even the ellipsis fits. */
export const truncateToBytes = (text: string, maxBytes: number): string =>
  truncateToFit(text, (candidate) => byteLength(candidate) <= maxBytes) ?? '';

/** At most `maxGraphemes` user-perceived characters, ellipsis included. */
export const truncateToGraphemes = (text: string, maxGraphemes: number): string => {
  const head = linearPrefix(text, Math.max(1, maxGraphemes) * MAX_UNITS_PER_GRAPHEME);
  const ends = graphemeEnds(head);
  if (head === text && ends.length - 1 <= maxGraphemes) return text;
  if (maxGraphemes < 1) return '';
  const keep = Math.min(maxGraphemes - 1, ends.length - 1);
  return `${head.slice(0, ends[keep] ?? 0).trimEnd()}${ELLIPSIS}`;
};
