import type { Channel } from './channels.ts';
import type { PayloadIssue } from './errors.ts';

/**
 * Bounds on every payload string that becomes an SQS or SNS message
 * attribute, an SES tag or a log field (SPEC §5), checked by ingest after the
 * schema (plain TypeScript: it does not depend on how the schemas are built).
 * SQS and SNS refuse control characters in attributes, so a payload that
 * carried one would be refused on every retry (a 503 forever), and an
 * unbounded `tag` could never be sent at all; outside these bounds a payload
 * is a 400 `invalid_payload` naming the path instead.
 *
 * Text meant for people (titles, bodies, messages, names) is not bounded
 * here: any length the body limit allows is accepted and cut for the provider.
 */
export interface AttributeBound {
  /** Dotted path in the payload; `[]` stands for every element of an array. */
  readonly path: string;
  readonly maxLength: number;
  readonly charset: 'identifier' | 'printable';
  /** What it becomes, for the README table. */
  readonly becomes: string;
}

/** Letters, digits and `_ . : @ / + -`: what CometChat's triggers and app ids are made of. */
const IDENTIFIER = /^[A-Za-z0-9_.:@/+-]*$/;
/** Any character but controls (C0, DEL, C1) and lone surrogates: what SQS and SNS attributes and JSON logs take. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
const PRINTABLE = /^(?:[^\u0000-\u001F\u007F-\u009F\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF])*$/;

const CHARSETS = {
  identifier: { pattern: IDENTIFIER, says: 'letters, digits and _ . : @ / + - only' },
  printable: { pattern: PRINTABLE, says: 'no control characters' },
} as const;

/** Every channel's payload carries these. */
const ENVELOPE: readonly AttributeBound[] = [
  {
    path: 'trigger',
    maxLength: 64,
    charset: 'identifier',
    becomes: 'SQS attribute `trigger`, SNS attribute (events), log field',
  },
  { path: 'appId', maxLength: 128, charset: 'identifier', becomes: 'idempotency key, log field' },
];

const RECIPIENT: AttributeBound = {
  path: 'data.to.uid',
  maxLength: 256,
  charset: 'printable',
  becomes: 'SES tag (email), directory key, idempotency key',
};

const DIGEST_IDS: AttributeBound = {
  path: 'data.messages[].messageObject.id',
  maxLength: 128,
  charset: 'printable',
  becomes: 'SQS attribute `correlationId`, log field',
};

/** The bounds of each channel's payload, as the README documents them. */
export const ATTRIBUTE_BOUNDS: Readonly<Record<Channel, readonly AttributeBound[]>> = {
  push: [
    ...ENVELOPE,
    RECIPIENT,
    {
      path: 'data.notificationDetails.tag',
      maxLength: 128,
      charset: 'printable',
      becomes: 'SQS attribute `correlationId`, log field, collapse id',
    },
    { path: 'data.notificationDetails.sessionId', maxLength: 256, charset: 'printable', becomes: 'push payload field' },
  ],
  sms: [...ENVELOPE, RECIPIENT, DIGEST_IDS],
  email: [...ENVELOPE, RECIPIENT, DIGEST_IDS],
  events: [
    ...ENVELOPE,
    // Legacy after_message: `data` is the message; newer Webhooks events: `data.message`.
    ...['data', 'data.message'].flatMap((message): AttributeBound[] => [
      { path: `${message}.id`, maxLength: 128, charset: 'printable', becomes: 'SQS attribute `correlationId`, log field' },
      { path: `${message}.receiverType`, maxLength: 64, charset: 'printable', becomes: 'SNS attribute `receiverType`' },
      { path: `${message}.category`, maxLength: 64, charset: 'printable', becomes: 'SNS attribute `category`' },
      { path: `${message}.type`, maxLength: 128, charset: 'printable', becomes: 'SNS attribute `type`' },
    ]),
    { path: 'data.reaction.messageId', maxLength: 128, charset: 'printable', becomes: 'SQS attribute `correlationId`' },
    { path: 'data.body.messageId', maxLength: 128, charset: 'printable', becomes: 'SQS attribute `correlationId`' },
  ],
};

/** Each value at `path` (strings and numbers only; anything else is the schema's business), with its concrete path. */
const valuesAt = (value: unknown, path: readonly string[], at: string): Array<{ path: string; value: string }> => {
  if (path.length === 0) {
    if (typeof value === 'string') return [{ path: at, value }];
    if (typeof value === 'number') return [{ path: at, value: String(value) }];
    return [];
  }
  const [head = '', ...rest] = path;
  if (head.endsWith('[]')) {
    const list = fieldOf(value, head.slice(0, -2));
    if (!Array.isArray(list)) return [];
    return list.flatMap((element, index) => valuesAt(element, rest, join(at, `${head.slice(0, -2)}.${index}`)));
  }
  return valuesAt(fieldOf(value, head), rest, join(at, head));
};

const fieldOf = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;

const join = (at: string, key: string): string => (at === '' ? key : `${at}.${key}`);

/** The problems of a schema-valid payload against its channel's bounds; empty when within them. */
export const attributeBoundIssues = (channel: Channel, payload: unknown): PayloadIssue[] =>
  ATTRIBUTE_BOUNDS[channel].flatMap((bound) =>
    valuesAt(payload, bound.path.split('.'), '').flatMap(({ path, value }): PayloadIssue[] => {
      if (value.length > bound.maxLength) {
        return [{ path, message: `is ${value.length} characters long; at most ${bound.maxLength} are accepted` }];
      }
      const charset = CHARSETS[bound.charset];
      return charset.pattern.test(value)
        ? []
        : [{ path, message: `has characters that are not accepted here (${charset.says})` }];
    }),
  );
