import { readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import * as fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBasicAuth } from '../../functions/shared/basic-auth.ts';
import { CHANNELS } from '../../functions/shared/channels.ts';
import { eventFixture } from '../fixtures/events/events.ts';
import { seed } from '../fixtures/seeds.ts';
import { TEST_CREDENTIALS } from '../support/http.ts';
import { queueCounts, type Relay, startRelay } from './support/relay.ts';

// Property: whatever is wrong with a request (credentials, content type, JSON, shape, size, nesting,
// UTF-8), the relay answers it with a 4xx and the JSON error body of SPEC §3, never a 5xx, and
// enqueues nothing. At least 10,000 generated requests over keep-alive connections against the local
// HTTP server, the local stack's consumers off so that anything accepted would stay in its queue.
//
// Each generated request has exactly one kind of defect on an otherwise valid request for its route,
// so the expected status is known (credentials are checked first, then the content type, the size,
// the JSON, the shape). Unicode oddities (lone surrogates, U+FFFE, BOM, NUL, bidi overrides, emoji)
// ride along in the strings the generators put into payloads.

type RouteName = 'push' | 'sms' | 'email' | 'events' | 'before-message';

const ROUTES: Readonly<Record<RouteName, string>> = {
  push: '/cometchat/push',
  sms: '/cometchat/sms',
  email: '/cometchat/email',
  events: '/cometchat/events',
  'before-message': '/cometchat/before-message',
};
const ROUTE_NAMES = Object.keys(ROUTES) as RouteName[];

/** A valid payload of each route: the seeds and fixtures the other tests accept. */
const validPayload = (route: RouteName): Record<string, any> => {
  switch (route) {
    case 'push':
      return seed('push-chat');
    case 'sms':
      return seed('sms-one-on-one');
    case 'email':
      return seed('email-one-on-one');
    case 'events':
      return eventFixture('message-sent');
    case 'before-message':
      return JSON.parse(readFileSync(new URL('../fixtures/policy/before-message-text-user.json', import.meta.url), 'utf8'));
  }
};

interface BadRequest {
  readonly route: RouteName;
  /** What is wrong, for the failure message. */
  readonly defect: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly expected: readonly number[];
  readonly [fc.toStringMethod]: () => string;
}

const AUTHORIZATION = encodeBasicAuth(TEST_CREDENTIALS);
const JSON_HEADERS = { authorization: AUTHORIZATION, 'content-type': 'application/json' };

const request = (
  route: RouteName,
  defect: string,
  body: string | Buffer,
  expected: readonly number[],
  headers: Record<string, string> = JSON_HEADERS,
): BadRequest => ({
  route,
  defect,
  headers,
  body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
  expected,
  // What fast-check prints for a counterexample: the defect, not kilobytes of body.
  [fc.toStringMethod]: () => `${route}: ${defect} (${typeof body === 'string' ? Buffer.byteLength(body) : body.length} bytes)`,
});

// ── Strings and values ─────────────────────────────────────────────────────────────────────────────

/** Text with the characters that break naive code: lone surrogates, non-characters, BOM, NUL, bidi override, astral. */
const oddText = fc.string({
  unit: fc.oneof(
    { weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '\ud800',
        '\udbff',
        '\udc00',
        '\udfff',
        '\ufffe',
        '\uffff',
        '\ufeff',
        '\u0000',
        '\u202e',
        '\u{1F600}',
        '"',
        '\\',
      ),
    },
  ),
  maxLength: 30,
});

/** Printable ASCII: what an HTTP header value may hold. */
const headerText = fc.string({ unit: 'grapheme-ascii', maxLength: 60 });

/** A JSON value that is not a non-empty string (for fields that must be one). */
const notAString = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }),
);
const blankString = fc.constantFrom('', ' ', '\t', '\n  ');

const setPath = (payload: Record<string, any>, path: readonly string[], value: unknown): Record<string, any> => {
  let target: any = payload;
  for (const key of path.slice(0, -1)) target = target[key];
  const last = path.at(-1) as string;
  if (value === undefined) delete target[last];
  else target[last] = value;
  return payload;
};

/** A change that makes a valid payload of `route` invalid: [what, path, arbitrary of the new value (undefined deletes)]. */
type Mutation = readonly [string, readonly string[], fc.Arbitrary<unknown>];
const REMOVE = fc.constant(undefined);

const mutationsFor = (route: RouteName): Mutation[] => {
  const common: Mutation[] = [
    ['no trigger', ['trigger'], REMOVE],
    ['trigger not a string', ['trigger'], notAString],
    ['no data', ['data'], REMOVE],
    [
      'data not an object',
      ['data'],
      fc.oneof(fc.integer(), oddText, fc.constant(null), fc.array(fc.integer(), { maxLength: 2 })),
    ],
    ['no appId', ['appId'], REMOVE],
    ['appId blank or not a string', ['appId'], fc.oneof(fc.constant(''), notAString)],
  ];
  const otherTrigger = (accepted: string) => oddText.filter((trigger) => trigger !== accepted);
  switch (route) {
    case 'push':
    case 'sms':
    case 'email': {
      const trigger = validPayload(route).trigger as string;
      const specific: Record<'push' | 'sms' | 'email', Mutation[]> = {
        push: [
          [
            'type not chat or call',
            ['data', 'notificationDetails', 'type'],
            fc.oneof(
              oddText.filter((type) => type !== 'chat' && type !== 'call'),
              notAString,
            ),
          ],
          [
            'title and body blank',
            ['data', 'notificationDetails'],
            fc.record({ title: blankString, body: blankString, type: fc.constant('chat') }),
          ],
          [
            'call without callAction',
            ['data', 'notificationDetails'],
            fc.record({ title: oddText, body: oddText, type: fc.constant('call') }),
          ],
          ['title not a string', ['data', 'notificationDetails', 'title'], notAString],
          ['no notificationDetails', ['data', 'notificationDetails'], REMOVE],
        ],
        sms: [
          ['smsContent blank', ['data', 'smsContent'], blankString],
          ['smsContent not a string', ['data', 'smsContent'], notAString],
          ['no smsContent', ['data', 'smsContent'], REMOVE],
          ['no messages', ['data', 'messages'], fc.constant([])],
        ],
        email: [
          ['subject blank', ['data', 'subject'], blankString],
          ['subject not a string', ['data', 'subject'], notAString],
          ['no subject', ['data', 'subject'], REMOVE],
          ['messages not an array', ['data', 'messages'], fc.oneof(oddText, fc.integer(), fc.constant({}))],
        ],
      };
      return [
        ...common,
        ['another trigger', ['trigger'], otherTrigger(trigger)],
        [
          'webhook not custom',
          ['webhook'],
          fc.oneof(
            oddText.filter((webhook) => webhook !== 'custom'),
            notAString,
          ),
        ],
        ['no recipient', ['data', 'to'], REMOVE],
        [
          'uid missing, blank, too long or not a string',
          ['data', 'to', 'uid'],
          fc.oneof(REMOVE, blankString, notAString, fc.constant('u'.repeat(257))),
        ],
        ...specific[route],
      ];
    }
    case 'events':
      return [
        ...common,
        [
          'a trigger of another route',
          ['trigger'],
          fc.constantFrom(
            'before_message',
            'push-notification-payload-generated',
            'sms-notification-payload-generated',
            'email-notification-payload-generated',
            '',
          ),
        ],
        ['no webhook id', ['webhook'], fc.oneof(REMOVE, fc.constant(''), notAString)],
        ['message_sent without its message', ['data', 'message'], REMOVE],
        ['message without a receiver', ['data', 'message', 'receiver'], fc.oneof(REMOVE, fc.constant(''), notAString)],
      ];
    case 'before-message':
      return [
        ...common,
        ['another trigger', ['trigger'], otherTrigger('before_message')],
        ['no webhook id', ['webhook'], fc.oneof(REMOVE, fc.constant(''), notAString)],
        ['message without a receiver', ['data', 'receiver'], fc.oneof(REMOVE, fc.constant(''), notAString)],
        [
          'receiverType not user or group',
          ['data', 'receiverType'],
          fc.oneof(
            oddText.filter((type) => type !== 'user' && type !== 'group'),
            notAString,
          ),
        ],
        ['no category', ['data', 'category'], fc.oneof(REMOVE, fc.constant(''))],
      ];
  }
};

// ── One arbitrary per kind of defect ───────────────────────────────────────────────────────────────

const routeArb = fc.constantFrom(...ROUTE_NAMES);

const badCredentials = routeArb.chain((route) =>
  fc
    .oneof(
      fc.constant(undefined),
      fc.constantFrom('Basic', 'Basic ', 'basic', 'Bearer token', 'Digest username="cometchat"', 'Basic ===='),
      headerText.map((text) => `Basic ${text}`),
      headerText,
      headerText.map((password) => encodeBasicAuth({ username: TEST_CREDENTIALS.username, password: `${password}x` })),
      headerText.map((username) => encodeBasicAuth({ username: `${username}x`, password: TEST_CREDENTIALS.password })),
      fc.uint8Array({ maxLength: 40 }).map((bytes) => `Basic ${Buffer.from(bytes).toString('base64')}`),
      fc.constant(`Basic ${Buffer.from(TEST_CREDENTIALS.username).toString('base64')}`),
      fc.constant(`Basic ${'A'.repeat(4000)}`),
    )
    .map((authorization) =>
      request(route, `credentials: ${JSON.stringify(authorization)?.slice(0, 60)}`, JSON.stringify(validPayload(route)), [401], {
        'content-type': 'application/json',
        ...(authorization === undefined ? {} : { authorization }),
      }),
    ),
);

const NOT_JSON_MEDIA_TYPES = [
  'text/plain',
  'text/json',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/jsonp',
  'application/json-seq',
  'json',
  'text/html; charset=utf-8',
];
const badContentType = fc
  .tuple(
    routeArb,
    fc.oneof(
      fc.constant(undefined),
      fc.constantFrom(...NOT_JSON_MEDIA_TYPES),
      headerText.filter((type) => !/json/i.test(type)),
    ),
  )
  .map(([route, contentType]) =>
    request(route, `content type ${JSON.stringify(contentType)}`, JSON.stringify(validPayload(route)), [415], {
      authorization: AUTHORIZATION,
      ...(contentType === undefined ? {} : { 'content-type': contentType }),
    }),
  );

const notJson = (text: string): boolean => {
  try {
    JSON.parse(text);
    return false;
  } catch {
    return true;
  }
};

const badJson = routeArb.chain((route) => {
  const text = JSON.stringify(validPayload(route));
  return fc
    .oneof(
      fc.nat({ max: text.length - 1 }).map((end) => text.slice(0, end)),
      fc.constantFrom('}', ',', 'x', '{}', '\u0000').map((tail) => `${text}${tail}`),
      fc.constantFrom("{'trigger': 'x'}", '{"trigger": "x",}', 'NaN', 'undefined', '{"a": 01}', '[1, 2', '"unterminated', '   '),
      oddText.filter(notJson),
    )
    .map((body) => request(route, `invalid JSON ${JSON.stringify(body.slice(0, 40))}`, body, [400]));
});

const wrongShape = routeArb.chain((route) =>
  fc.oneof(
    fc
      .oneof(fc.integer(), oddText, fc.boolean(), fc.constant(null), fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }))
      .map((value) => request(route, `not an object: ${JSON.stringify(value)?.slice(0, 40)}`, JSON.stringify(value), [400])),
    fc
      .constantFrom(...mutationsFor(route))
      .chain(([what, path, value]) =>
        value.map((replacement) => [what, setPath(validPayload(route), path, replacement)] as const),
      )
      .chain(([what, payload]) =>
        oddText.map((extra) => request(route, what, JSON.stringify({ ...payload, note: extra }), [400])),
      ),
    fc
      .constantFrom(...ROUTE_NAMES.filter((other) => other !== route))
      .map((other) => request(route, `a ${other} payload`, JSON.stringify(validPayload(other)), [400])),
  ),
);

const MAX_BODY_BYTES = 256 * 1024;
const tooLarge = fc
  .tuple(routeArb, fc.integer({ min: MAX_BODY_BYTES + 1, max: 1_000_000 }), fc.boolean())
  .map(([route, size, asPayload]) => {
    const body = asPayload ? JSON.stringify({ ...validPayload(route), padding: 'x'.repeat(size) }) : ' '.repeat(size);
    return request(route, `${body.length} bytes`, body, [413]);
  });

const deeplyNested = fc
  .tuple(routeArb, fc.integer({ min: 1_000, max: 200_000 }), fc.constantFrom('root array', 'root object', 'as the app id'))
  .map(([route, depth, where]) => {
    const nested =
      where === 'root object' ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const body =
      where === 'as the app id'
        ? JSON.stringify({ ...validPayload(route), appId: '@nested@' }).replace('"@nested@"', nested)
        : nested;
    // Over the size limit a body is refused before it is parsed.
    return request(route, `nested ${depth} deep ${where}`, body, Buffer.byteLength(body) > MAX_BODY_BYTES ? [413] : [400]);
  });

/** Byte sequences that are not UTF-8: stray bytes, overlong forms, encoded surrogates, beyond U+10FFFF, cut short. */
const INVALID_UTF8 = [
  [0xff],
  [0xfe],
  [0x80],
  [0xc0, 0xaf],
  [0xe0, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xed, 0xbf, 0xbf],
  [0xf4, 0x90, 0x80, 0x80],
  [0xe2, 0x82],
  [0xf0, 0x9f, 0x98],
];
const invalidUtf8 = fc
  .tuple(routeArb, fc.constantFrom(...INVALID_UTF8), headerText, headerText)
  .map(([route, bytes, before, after]) => {
    // An extra field (tolerated) whose text is not UTF-8: nothing else is wrong with the payload.
    const [head, tail] = JSON.stringify({ ...validPayload(route), note: '@@' }).split('@@') as [string, string];
    const body = Buffer.concat([
      Buffer.from(`${head}${before.replace(/["\\]/g, '')}`),
      Buffer.from(bytes),
      Buffer.from(`${after.replace(/["\\]/g, '')}${tail}`),
    ]);
    return request(route, `invalid UTF-8 ${Buffer.from(bytes).toString('hex')}`, body, [400]);
  });

const badRequest: fc.Arbitrary<BadRequest> = fc.oneof(
  { weight: 4, arbitrary: badCredentials },
  { weight: 2, arbitrary: badContentType },
  { weight: 4, arbitrary: badJson },
  { weight: 8, arbitrary: wrongShape },
  { weight: 1, arbitrary: fc.oneof(tooLarge, deeplyNested) },
  { weight: 2, arbitrary: invalidUtf8 },
);

// ── Sending ────────────────────────────────────────────────────────────────────────────────────────

interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 16 });

const send = (baseUrl: string, { route, headers, body }: BadRequest): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const url = new URL(ROUTES[route], baseUrl);
    const call = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent,
        headers: { ...headers, 'content-length': String(body.length) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      },
    );
    call.on('error', reject);
    call.end(body);
  });

/** Why an answer breaks the contract, or undefined when it keeps it. */
const violation = (bad: BadRequest, answer: Answer): string | undefined => {
  if (!bad.expected.includes(answer.status))
    return `answered ${answer.status}, expected ${bad.expected.join(' or ')}: ${answer.text.slice(0, 200)}`;
  if (!String(answer.headers['content-type']).startsWith('application/json'))
    return `content type ${answer.headers['content-type']}`;
  let json: unknown;
  try {
    json = JSON.parse(answer.text);
  } catch {
    return `body is not JSON: ${answer.text.slice(0, 200)}`;
  }
  const { error, message } = (json ?? {}) as { error?: unknown; message?: unknown };
  if (typeof error !== 'string' || typeof message !== 'string')
    return `body is not {error, message}: ${answer.text.slice(0, 200)}`;
  if (!(ERROR_CODES[answer.status] ?? []).includes(error)) return `error code ${error} for a ${answer.status}`;
  if (answer.status === 401 && answer.headers['www-authenticate'] !== 'Basic realm="cometchat-relay"')
    return 'a 401 without its WWW-Authenticate challenge';
  return undefined;
};

/** The error codes of SPEC §3 for each status a bad request may get. */
const ERROR_CODES: Readonly<Record<number, readonly string[]>> = {
  400: ['invalid_json', 'invalid_payload', 'wrong_trigger', 'wrong_webhook'],
  401: ['unauthorized'],
  413: ['payload_too_large'],
  415: ['unsupported_media_type'],
};

const BATCH = 50;
const RUNS = 200;

let relay: Relay;

beforeAll(async () => {
  relay = await startRelay({ stack: { consumers: false, maxBodyBytes: MAX_BODY_BYTES } });
});

afterAll(async () => {
  agent.destroy();
  await relay?.stop();
});

describe('bad input, generated', () => {
  it(`answers ${BATCH * RUNS} bad requests with a 4xx and a JSON error, never a 5xx, and enqueues none`, async () => {
    // Prepare
    let sent = 0;
    const statuses = new Map<number, number>();

    // Act and Assess: each run sends a batch of bad requests at once over the keep-alive pool.
    await fc.assert(
      fc.asyncProperty(fc.array(badRequest, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        const answers = await Promise.all(batch.map((bad) => send(relay.stack.url, bad)));
        sent += batch.length;
        for (const answer of answers) statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        const broken = batch.flatMap((bad, index) => {
          const problem = violation(bad, answers[index] as Answer);
          return problem ? [`${bad.route} with ${bad.defect}: ${problem}`] : [];
        });
        expect(broken).toEqual([]);
      }),
      { numRuns: RUNS },
    );

    // Nothing was accepted, so nothing is queued (the consumers are off).
    expect(sent).toBeGreaterThanOrEqual(BATCH * RUNS);
    expect([...statuses.keys()].every((status) => status >= 400 && status < 500)).toBe(true);
    for (const channel of CHANNELS) {
      expect(await queueCounts(relay.sqs, relay.stack.queues[channel].url), channel).toEqual({ visible: 0, inFlight: 0 });
    }
  });
});
