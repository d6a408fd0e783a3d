/**
 * The one place that decides what of a log line may be read in clear (SPEC §5:
 * no phone number, email address, device token, credential or message text
 * appears in logs). Used by the shared Logger's formatter on every line, and by
 * anything else that prints (the local stack, the scripts).
 *
 * Two layers, because neither is enough alone:
 * - by key: a field whose name says it holds a contact, a token, a credential
 *   or message content is masked whatever its value looks like (a message text
 *   has no recognisable shape);
 * - by value: every other string is scanned for things that look like an email
 *   address, an E.164 phone number, a device token or an Authorization header,
 *   so an error message that quotes one is masked too.
 *
 * Pure: no I/O, no clock.
 */

export const REDACTED = '[redacted]';

/**
 * Field names (compared lowercase, without `_` and `-`) whose value is masked
 * whole. Contact details, device tokens, credentials, and message content as
 * CometChat and the providers name it.
 */
const MASKED_KEYS: ReadonlySet<string> = new Set([
  // Contacts
  'phone',
  'phno',
  'phonenumber',
  'mobile',
  'msisdn',
  'email',
  'emailaddress',
  'toaddresses',
  'destination',
  'to',
  // Device tokens
  'token',
  'devicetoken',
  'pushtoken',
  'registrationid',
  // Credentials
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'password',
  'passwd',
  'secret',
  'secretstring',
  'clientsecret',
  'apikey',
  'xapikey',
  'accesstoken',
  'admintoken',
  'sessiontoken',
  'secretaccesskey',
  'privatekey',
  'platformcredential',
  'credentials',
  'username',
  // Message content
  'text',
  'body',
  'html',
  'messages',
  'smscontent',
  'subject',
  'title',
  'content',
  'deliveredmessage',
]);

/**
 * `message` is both CometChat's message object (content: masked) and the
 * message of an error (useful: scanned). Its value decides which one it is.
 */
const MESSAGE_KEY = 'message';

/**
 * Identifiers the relay generates itself (hashes, queue and provider ids):
 * long hex runs in them are not tokens, so the token rule skips them. The
 * other rules still apply.
 */
const OPAQUE_ID_KEYS: ReadonlySet<string> = new Set([
  'idempotencykey',
  'deliverykey',
  'eventid',
  'messageid',
  'snsmessageid',
  'providermessageid',
  'correlationid',
  'requestid',
  'functionrequestid',
  'xraytraceid',
]);

/** Field names repeat on every line: normalised once each (bounded, in case a caller logs user-made keys). */
const normalisedKeys = new Map<string, string>();
const normaliseKey = (key: string): string => {
  let normalised = normalisedKeys.get(key);
  if (normalised === undefined) {
    normalised = key.toLowerCase().replace(/[_-]/g, '');
    if (normalisedKeys.size < 1000) normalisedKeys.set(key, normalised);
  }
  return normalised;
};

/** Whether a field of this name is masked whole. */
export const isMaskedKey = (key: string): boolean => MASKED_KEYS.has(normaliseKey(key));

// Value rules, applied in this order (credentials first: a Basic header is also a long base64 run).
/** `Basic <base64(user:password)>`: masked when the run decodes to a pair, so prose ("Basic scheme") stays readable. */
const BASIC_CREDENTIALS = /\bBasic\s+([A-Za-z0-9+/]{4,}={0,2})/gi;
/** `Bearer <token>`: tokens are long; the words that follow "Bearer" in prose are not. */
const BEARER_TOKEN = /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/gi;
/** `password=...`, `"secret": "..."` inside text (a URL, a config dump); Authorization values are the scheme rules' job. */
const KEY_VALUE_SECRET = /\b(password|passwd|secret|api[_-]?key|token)(["']?\s*[:=]\s*["']?)(?!\[redacted\])[^\s"',;&}]+/gi;
const EMAIL = /[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})/g;
const PHONE = /(?<![\w+])\+\d(?:[\s().-]{0,2}\d){6,16}(?!\d)/g;
/** FCM registration tokens: `<instance id>:APA91b<base64url>`. */
const FCM_TOKEN = /[A-Za-z0-9_-]{6,}:APA91[A-Za-z0-9_-]{20,}/g;
/**
 * APNs tokens (64 hex), other providers' tokens, keys: long opaque runs that
 * hold both letters and digits and a long unbroken stretch. Names
 * (`cometchat-relay-local-message-events`) have no digits; UUIDs
 * (`79f27350-9dfe-433b-83ff-fd3245bd3c50`) break every 12 characters at most.
 */
const OPAQUE_RUN = /[A-Za-z0-9_+=-]{32,}/g;

/** What is shown of an email address: the domain only (which provider bounces is useful; who is not). */
export const maskEmail = (_address: string, domain: string): string => `***@${domain}`;

/** What is shown of a phone number: the first two digits (country) and the last two. */
export const maskPhone = (phone: string): string => {
  const digits = phone.replace(/\D/g, '');
  return `+${digits.slice(0, 2)}***${digits.slice(-2)}`;
};

/** What is shown of a token: at most four characters at each end, never enough to use it. */
export const maskOpaque = (run: string): string => {
  const visible = Math.min(4, Math.floor(run.length / 8));
  return visible === 0 ? REDACTED : `${run.slice(0, visible)}…${run.slice(-visible)}`;
};

const isBasicPair = (encoded: string): boolean => Buffer.from(encoded, 'base64').toString('utf8').includes(':');

const looksOpaque = (run: string): boolean =>
  /\d/.test(run) && /[A-Za-z]/.test(run) && run.split(/[-_]/).some((stretch) => stretch.length >= 20);

/** Every value rule but the opaque-run one needs one of these characters: most ids and names have none. */
const RULE_CHARACTERS = /[@+\s=:]/;

/** Masks what looks like a credential, an email address, a phone number or a token inside free text. */
export const redactText = (text: string, options: { readonly opaqueId?: boolean } = {}): string => {
  // Fast paths for the ids and names that make up most of a log line (this runs on the ingest path).
  if (!RULE_CHARACTERS.test(text)) {
    if (text.length < 32 || options.opaqueId) return text;
    return text.replace(OPAQUE_RUN, (run) => (looksOpaque(run) ? maskOpaque(run) : run));
  }
  let result = text
    .replace(BASIC_CREDENTIALS, (match, encoded: string) => (isBasicPair(encoded) ? `Basic ${REDACTED}` : match))
    .replace(BEARER_TOKEN, `Bearer ${REDACTED}`)
    .replace(KEY_VALUE_SECRET, (_match, name: string, separator: string) => `${name}${separator}${REDACTED}`)
    .replace(EMAIL, (match, domain: string) => maskEmail(match, domain))
    .replace(PHONE, (match) => maskPhone(match))
    .replace(FCM_TOKEN, (match) => maskOpaque(match));
  if (!options.opaqueId) result = result.replace(OPAQUE_RUN, (run) => (looksOpaque(run) ? maskOpaque(run) : run));
  return result;
};

export interface RedactOptions {
  /** Nesting below this depth is replaced by a marker (logs are not the place for whole documents). Default 8. */
  readonly maxDepth?: number;
}

/**
 * A copy of `value` that is safe to log: masked by key, scanned by value,
 * errors reduced to name, message (scanned) and stack (scanned), cycles cut.
 */
export const redact = (value: unknown, options: RedactOptions = {}): unknown =>
  redactValue(value, undefined, 0, options.maxDepth ?? 8, new WeakSet());

const redactValue = (
  value: unknown,
  key: string | undefined,
  depth: number,
  maxDepth: number,
  seen: WeakSet<object>,
): unknown => {
  if (key !== undefined) {
    const normalised = normaliseKey(key);
    if (MASKED_KEYS.has(normalised)) return value === undefined || value === null || value === '' ? value : REDACTED;
    if (normalised === MESSAGE_KEY && typeof value === 'object' && value !== null) return REDACTED;
  }
  if (typeof value === 'string') return redactString(value, key, depth, maxDepth, seen);
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[circular]';
  if (depth >= maxDepth) return '[truncated]';
  if (value instanceof Date) return value.toISOString();
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return '[binary]';
  // Sockets, streams, SDK responses: walking them would print internals (and is slow); their class says enough.
  if (!(value instanceof Error) && !Array.isArray(value) && !isPlainObject(value))
    return `[${value.constructor?.name ?? 'object'}]`;
  seen.add(value);
  try {
    if (value instanceof Error) return redactValue(errorFields(value), key, depth, maxDepth, seen);
    if (Array.isArray(value)) return value.map((item) => redactValue(item, undefined, depth + 1, maxDepth, seen));
    const copy: Record<string, unknown> = {};
    for (const [name, item] of Object.entries(value)) copy[name] = redactValue(item, name, depth + 1, maxDepth, seen);
    return copy;
  } finally {
    // A value met again on another branch is a repeat, not a cycle.
    seen.delete(value);
  }
};

const isPlainObject = (value: object): boolean => {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

/** A string that is a JSON document (an SNS `Message`, a request body) is redacted as the document it holds. */
const redactString = (value: string, key: string | undefined, depth: number, maxDepth: number, seen: WeakSet<object>): string => {
  const trimmed = value.trimStart();
  if ((trimmed.startsWith('{') || trimmed.startsWith('[')) && value.length <= 256 * 1024) {
    try {
      const parsed: unknown = JSON.parse(value);
      if (typeof parsed === 'object' && parsed !== null)
        return JSON.stringify(redactValue(parsed, undefined, depth, maxDepth, seen));
    } catch {
      // Not JSON after all: scanned as text below.
    }
  }
  return redactText(value, { opaqueId: key !== undefined && OPAQUE_ID_KEYS.has(normaliseKey(key)) });
};

/** The parts of an error worth logging, plus its own fields (SDK errors carry `$metadata`, `code`). */
const errorFields = (error: Error): Record<string, unknown> => {
  const fields: Record<string, unknown> = { name: error.name, message: error.message };
  // `$response` is the raw HTTP response of an SDK error: its body may echo the request.
  for (const [name, item] of Object.entries(error)) if (!(name in fields) && name !== '$response') fields[name] = item;
  if (error.stack) fields.stack = error.stack;
  if (error.cause !== undefined) fields.cause = error.cause;
  return fields;
};
