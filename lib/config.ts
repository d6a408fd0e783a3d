import { Construct, type IConstruct } from 'constructs';
import * as z from 'zod';
import { CHANNELS, type Channel, DELIVERY_CHANNELS, type DeliveryChannel } from '../functions/shared/channels.ts';
import { closestKey } from '../functions/shared/closest-key.ts';
import { PLATFORMS, type Platform, SNS_PLATFORM_OF } from '../functions/shared/ports/directory.ts';
import { QUEUE_SETTINGS } from './queue-settings.ts';

/**
 * The relay's deploy-time configuration (SPEC §6): one typed object read from
 * the CDK context key `cometchat-relay` (in cdk.json, or `-c`), validated at
 * synth time so that a mistake fails `cdk synth` with the key to fix instead
 * of failing a deployment, or worse, a delivery.
 *
 * To add a setting: add a field to `RelayConfigSchema` (with its default and
 * an error message that says what to write), and it is available everywhere as
 * `RelayConfig[field]` and settable with `-c cometchat-relay.<field>=value`
 * (an object setting also with `-c cometchat-relay.<field>.<key>=value`, once
 * its keys are listed in `NESTED_KEYS`). Optional text settings treat `""` as
 * unset, so that cdk.json can show every key empty and still deploy.
 */
export const CONFIG_CONTEXT_KEY = 'cometchat-relay';

/** Body limit used when none is configured (SPEC §3: 256 KiB). */
export const DEFAULT_MAX_BODY_BYTES = 262_144;
/** Ingest function memory when none is configured; more memory is also more CPU, which shortens cold starts. */
export const DEFAULT_INGEST_MEMORY_MB = 1024;
/** Log retention when none is configured. */
export const DEFAULT_LOG_RETENTION_DAYS = 30;

/** The values CloudWatch Logs accepts for a log group's retention (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
export type LogRetentionDays = (typeof LOG_RETENTION_DAYS)[number];

/**
 * Largest body the ingest path may accept: the body is enqueued whole, an SQS
 * message holds at most 1 MiB, and its message attributes need some room too.
 */
const MAX_BODY_BYTES_LIMIT = 1_000_000;

/** `-c key=value` always hands the app strings: accept "1024" where a whole number is expected. */
const wholeNumber = (schema: z.ZodInt) =>
  z.preprocess((value) => (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value), schema);

/** An optional text setting: cdk.json may show it as `""`, which means "not set". */
const optionalText = <Schema extends z.ZodType<string>>(schema: Schema) =>
  z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), schema.optional());

export { SNS_PLATFORM_OF };

/** `arn:<partition>:sns:<region>:<account>:app/<PLATFORM>/<name>`; names are what SNS allows (1-256 of `A-Za-z0-9_-.`). */
const PLATFORM_APPLICATION_ARN =
  /^arn:(aws|aws-cn|aws-us-gov):sns:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):app\/([A-Z_]+)\/([A-Za-z0-9_.-]{1,256})$/;

/** The parts of a platform application ARN that the IAM policies are built from. */
export interface PlatformApplicationArnParts {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly platform: string;
  readonly name: string;
}

/** Splits a platform application ARN, or answers undefined when it is not one. */
export const parsePlatformApplicationArn = (arn: string): PlatformApplicationArnParts | undefined => {
  const match = PLATFORM_APPLICATION_ARN.exec(arn);
  if (!match) return undefined;
  const [, partition = '', region = '', account = '', platform = '', name = ''] = match;
  return { partition, region, account, platform, name };
};

const platformApplicationArn = (platform: Platform) => {
  const snsPlatform = SNS_PLATFORM_OF[platform];
  const expected = `arn:aws:sns:<region>:<account>:app/${snsPlatform}/<name>, the ARN the SNS console shows for the platform application`;
  return optionalText(
    z
      .string({ error: `must be the ARN of an SNS platform application, ${expected}` })
      .trim()
      .superRefine((arn, context) => {
        const parts = parsePlatformApplicationArn(arn);
        if (!parts) {
          context.addIssue({ code: 'custom', message: `is not an SNS platform application ARN: expected ${expected}` });
        } else if (parts.platform !== snsPlatform) {
          context.addIssue({
            code: 'custom',
            message: `has platform ${parts.platform}, but ${platform} needs platform ${snsPlatform}: expected ${expected}`,
          });
        }
      }),
  );
};

const PlatformApplicationArnsSchema = z
  .strictObject(
    Object.fromEntries(PLATFORMS.map((platform) => [platform, platformApplicationArn(platform)])) as {
      [P in Platform]: ReturnType<typeof platformApplicationArn>;
    },
    {
      error: `must be an object of ARNs by platform (${PLATFORMS.join(', ')}), such as {"fcm": "arn:aws:sns:<region>:<account>:app/GCM/<name>"}`,
    },
  )
  .superRefine((arns, context) => {
    // The functions call SNS in the region they run in, and platform applications cannot be shared across accounts.
    const located = Object.entries(arns).flatMap(([platform, arn]) => {
      const parts = arn === undefined ? undefined : parsePlatformApplicationArn(arn);
      return parts ? [{ platform, where: `${parts.partition}:${parts.region}:${parts.account}` }] : [];
    });
    const first = located[0];
    for (const other of located.slice(1)) {
      if (first && other.where !== first.where) {
        context.addIssue({
          code: 'custom',
          path: [other.platform],
          message:
            `is in ${other.where.replaceAll(':', ' ')} but ${first.platform} is in ${first.where.replaceAll(':', ' ')}: ` +
            'every platform application must be in the account and region the relay is deployed to',
        });
      }
    }
  });

/** A Secrets Manager secret name (letters, digits and /_+=.@-) or ARN. */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const SECRET_ARN = /^arn:(aws|aws-cn|aws-us-gov):secretsmanager:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:secret:[A-Za-z0-9/_+=.@-]{1,512}$/;

const pushCredentialSecret = (platform: Platform) =>
  optionalText(
    z
      .string({ error: `must be the name or ARN of the Secrets Manager secret with the ${platform} credentials, such as "relay/${platform}"` })
      .trim()
      .refine((secret) => SECRET_ARN.test(secret) || (!secret.startsWith('arn:') && SECRET_NAME.test(secret)), {
        error:
          `must be a Secrets Manager secret name (letters, digits and /_+=.@-) or secret ARN, such as "relay/${platform}": ` +
          `the name "npm run push-credentials -- ${platform} ..." prints`,
      }),
  );

/** The secret of each platform whose SNS platform application the stack creates (README: Push credentials). */
const PushCredentialsSchema = z.strictObject(
  Object.fromEntries(PLATFORMS.map((platform) => [platform, pushCredentialSecret(platform)])) as {
    [P in Platform]: ReturnType<typeof pushCredentialSecret>;
  },
  {
    error: `must be an object of Secrets Manager secret names by platform (${PLATFORMS.join(', ')}), such as {"fcm": "relay/fcm"}`,
  },
);

/** Default percentage of successful push deliveries SNS logs for the stack's own platform applications. */
export const DEFAULT_PUSH_SUCCESS_SAMPLE_RATE = 10;

/** A platform takes an existing application or credentials for one the stack creates, never both. */
const pushCredentialConflicts = (config: { platformApplicationArns: object; pushCredentials: object }): string[] =>
  PLATFORMS.flatMap((platform) =>
    (config.platformApplicationArns as Record<string, unknown>)[platform] !== undefined &&
    (config.pushCredentials as Record<string, unknown>)[platform] !== undefined
      ? [
          `pushCredentials.${platform}: ${platform} also has platformApplicationArns.${platform}: a platform takes an existing ` +
            'platform application ARN or credentials for the stack to create one, not both; remove one of them',
        ]
      : [],
  );

/** SMS sender id: 1-11 letters and digits, at least one letter (what SNS and the carriers accept). */
export const SMS_SENDER_ID = /^(?=.*[A-Za-z])[A-Za-z0-9]{1,11}$/;
/** E.164: a plus sign, a country code that does not start with 0, at most 15 digits in all. */
export const E164 = /^\+[1-9]\d{1,14}$/;
/** A price in US dollars such as "0.50": SNS's `AWS.SNS.SMS.MaxPrice` attribute. */
export const USD_PRICE = /^\d{1,4}(\.\d{1,5})?$/;

const SmsSchema = z.strictObject(
  {
    /** Alphanumeric sender id shown instead of a number, where the destination country allows it. */
    senderId: optionalText(
      z.string({ error: 'must be a string such as "MyApp"' }).trim().regex(SMS_SENDER_ID, {
        error: 'must be 1 to 11 letters and digits with at least one letter, no spaces, such as "MyApp"',
      }),
    ),
    /** Origination number (a phone number registered in AWS End User Messaging SMS), E.164. */
    originationNumber: optionalText(
      z.string({ error: 'must be a phone number in E.164 form such as "+14155550100"' }).trim().regex(E164, {
        error: 'must be a phone number in E.164 form: "+", country code and number, digits only, such as "+14155550100"',
      }),
    ),
    /** Most the relay may pay for one SMS, in USD; SNS refuses to send a message that would cost more. */
    maxPrice: optionalText(
      z.preprocess(
        (value) => (typeof value === 'number' ? String(value) : value),
        z
          .string({ error: 'must be a price in USD such as "0.50"' })
          .trim()
          .regex(USD_PRICE, { error: 'must be a price in USD written as a decimal number such as "0.50"' })
          .refine((price) => Number(price) > 0, { error: 'must be more than 0 USD: at 0 no message could be sent' }),
      ),
    ),
  },
  {
    error: 'must be an object such as {"senderId": "MyApp", "originationNumber": "+14155550100", "maxPrice": "0.50"}',
  },
);

/**
 * Default `maxConcurrency` per queued channel: what each provider's default rate limits take comfortably (SMS is
 * the tightest). `events` publishes to one SNS topic, whose publish quota is far above what five consumers send.
 */
export const DEFAULT_MAX_CONCURRENCY = { push: 20, sms: 2, email: 5, events: 5 } as const satisfies Record<Channel, number>;

/** Lambda's bounds for an SQS event source's maximum concurrency. */
export const MAX_CONCURRENCY_MIN = 2;
export const MAX_CONCURRENCY_MAX = 1000;

const maxConcurrencyOf = (channel: Channel) =>
  wholeNumber(
    z
      .int({
        error: `must be a whole number of concurrent ${channel} consumers, for example ${DEFAULT_MAX_CONCURRENCY[channel]}`,
      })
      .min(MAX_CONCURRENCY_MIN, {
        error: `must be at least ${MAX_CONCURRENCY_MIN}: Lambda's SQS maximum concurrency starts at 2`,
      })
      .max(MAX_CONCURRENCY_MAX, {
        error: `must be at most ${MAX_CONCURRENCY_MAX}: the most Lambda allows for an SQS event source`,
      }),
  ).default(DEFAULT_MAX_CONCURRENCY[channel]);

/** One key per channel that has a queue and a consumer (CHANNELS), so a new channel cannot be left unconfigurable. */
const MaxConcurrencySchema = z.strictObject(
  Object.fromEntries(CHANNELS.map((channel) => [channel, maxConcurrencyOf(channel)])) as {
    [C in Channel]: ReturnType<typeof maxConcurrencyOf>;
  },
  { error: `must be an object such as ${JSON.stringify(DEFAULT_MAX_CONCURRENCY)}` },
);

/** SES configuration set names: up to 64 letters, digits, `_` and `-`. */
export const SES_CONFIGURATION_SET_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Default age of the oldest message, per channel queue, above which the queue
 * is "not keeping up" (docs/alarms.md). A failed receive comes back after the
 * queue's visibility timeout (180 s), so a threshold below about three of them
 * would fire for one message retrying a transient error; SMS and email get
 * more room because their providers' rate limits (and maxConcurrency) drain a
 * 1,000-member group burst more slowly.
 */
export const DEFAULT_OLDEST_MESSAGE_AGE_SECONDS = { push: 600, sms: 900, email: 900, events: 600 } as const satisfies Record<
  Channel,
  number
>;
/** Default SMS spend of the account, this calendar month, in USD, above which the spend alarm fires. */
export const DEFAULT_SMS_MONTHLY_SPEND_USD = 50;
/** Default p99 of the webhook latency, in ms, above which the latency alarm fires: CometChat gives up at about 2 s. */
export const DEFAULT_INGEST_LATENCY_P99_MS = 1500;
/**
 * Default HTTP API stage throttling: steady requests per second, and the burst
 * (token bucket size) on top. A 1,000-member group is 1,000 requests within a
 * second or two; the burst takes it whole, the rate refills it.
 */
export const DEFAULT_THROTTLE_RATE_LIMIT = 1000;
export const DEFAULT_THROTTLE_BURST_LIMIT = 2000;
/** Default throttling of each directory route: the operator's backend registering devices, never a burst of 1,000. */
export const DEFAULT_DIRECTORY_THROTTLE_RATE_LIMIT = 50;
export const DEFAULT_DIRECTORY_THROTTLE_BURST_LIMIT = 100;

/** The longest a message waits in a channel queue (its retention): an age threshold above it could never fire. */
const MAX_MESSAGE_AGE_SECONDS = QUEUE_SETTINGS.retentionPeriodDays * 86_400;

/** `-c key=value` hands the app strings: accept "12.5" where a number is expected. */
const decimalNumber = (schema: z.ZodNumber) =>
  z.preprocess((value) => (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value), schema);

/** `-c key=true` hands the app the string "true". */
const flag = (error: string) =>
  z.preprocess((value) => (value === 'true' ? true : value === 'false' ? false : value), z.boolean({ error }));

/**
 * Default provider send rate per delivery channel, per second (SPEC §5): SES's production default sending rate (14;
 * the SES sandbox allows 1), SNS's default SMS rate (20; toll-free numbers allow 3, 10DLC numbers what their campaign
 * was registered for, short codes 100: see the README), and for push a rate far below SNS's regional Publish quota
 * (thousands per second) that still drains a 1,000-member group in about a second.
 */
export const DEFAULT_SEND_RATES = { push: 1000, sms: 20, email: 14 } as const satisfies Record<DeliveryChannel, number>;
/** Above this, no provider here accepts more from one account: a typo rather than a rate. */
export const SEND_RATE_MAX = 100_000;

const sendRateOf = (channel: DeliveryChannel) =>
  decimalNumber(
    z
      .number({ error: `must be the provider's rate in sends per second, for example ${DEFAULT_SEND_RATES[channel]}` })
      .min(0.01, { error: 'must be at least 0.01 sends per second (one every 100 s)' })
      .max(SEND_RATE_MAX, { error: `must be at most ${SEND_RATE_MAX} sends per second` }),
  ).default(DEFAULT_SEND_RATES[channel]);

/** One key per delivery channel (events publish to the relay's own topic and have no provider rate). */
const SendRatesSchema = z.strictObject(
  Object.fromEntries(DELIVERY_CHANNELS.map((channel) => [channel, sendRateOf(channel)])) as {
    [C in DeliveryChannel]: ReturnType<typeof sendRateOf>;
  },
  { error: `must be an object of sends per second by channel, such as ${JSON.stringify(DEFAULT_SEND_RATES)}` },
);

const oldestMessageAgeOf = (channel: Channel) =>
  wholeNumber(
    z
      .int({ error: `must be a whole number of seconds, for example ${DEFAULT_OLDEST_MESSAGE_AGE_SECONDS[channel]}` })
      .min(60, { error: 'must be at least 60 seconds: SQS reports the age once a minute' })
      .max(MAX_MESSAGE_AGE_SECONDS, {
        error: `must be at most ${MAX_MESSAGE_AGE_SECONDS} seconds: messages leave the queue after ${QUEUE_SETTINGS.retentionPeriodDays} days`,
      }),
  ).default(DEFAULT_OLDEST_MESSAGE_AGE_SECONDS[channel]);

const OldestMessageAgeSchema = z.strictObject(
  Object.fromEntries(CHANNELS.map((channel) => [channel, oldestMessageAgeOf(channel)])) as {
    [C in Channel]: ReturnType<typeof oldestMessageAgeOf>;
  },
  { error: `must be an object of seconds by channel, such as ${JSON.stringify(DEFAULT_OLDEST_MESSAGE_AGE_SECONDS)}` },
);

const AlarmsSchema = z.strictObject(
  {
    /** Where alarm notifications are emailed (SNS sends a confirmation link first). Unset: subscribe to AlarmTopicArn yourself. */
    email: optionalText(
      z
        .string({ error: 'must be an email address such as "oncall@example.com"' })
        .trim()
        .pipe(z.email({ error: 'must be an email address such as "oncall@example.com"' })),
    ),
    /** The account's SMS spend this calendar month, in USD, above which the spend alarm fires. */
    smsMonthlySpendUsd: decimalNumber(
      z
        .number({ error: `must be an amount in USD such as ${DEFAULT_SMS_MONTHLY_SPEND_USD}` })
        .positive({ error: 'must be more than 0 USD: at 0 the alarm would fire with the first SMS of every month' }),
    ).default(DEFAULT_SMS_MONTHLY_SPEND_USD),
    /** p99 of the webhook latency, in ms, above which the latency alarm fires. */
    ingestLatencyP99Ms: wholeNumber(
      z
        .int({ error: `must be a whole number of milliseconds, for example ${DEFAULT_INGEST_LATENCY_P99_MS}` })
        .min(100, { error: 'must be at least 100 ms' })
        .max(30_000, { error: 'must be at most 30000 ms: API Gateway gives up on an integration after 30 s' }),
    ).default(DEFAULT_INGEST_LATENCY_P99_MS),
    /** Age of the oldest message, per channel queue, above which the queue-age alarm fires. */
    oldestMessageAgeSeconds: OldestMessageAgeSchema.prefault({}),
  },
  {
    error: 'must be an object such as {"email": "oncall@example.com", "smsMonthlySpendUsd": 50}',
  },
);

const ApiSchema = z.strictObject(
  {
    /** Steady requests per second the HTTP API stage accepts before answering 429. */
    throttleRateLimit: wholeNumber(
      z
        .int({ error: `must be a whole number of requests per second, for example ${DEFAULT_THROTTLE_RATE_LIMIT}` })
        .min(1, { error: 'must be at least 1 request per second' }),
    ).default(DEFAULT_THROTTLE_RATE_LIMIT),
    /** Requests the stage accepts at once above the steady rate. */
    throttleBurstLimit: wholeNumber(
      z
        .int({ error: `must be a whole number of requests, for example ${DEFAULT_THROTTLE_BURST_LIMIT}` })
        .min(1, { error: 'must be at least 1 request' }),
    ).default(DEFAULT_THROTTLE_BURST_LIMIT),
    /** Steady requests per second each directory route accepts: far below the webhook routes (README "Abuse limits"). */
    directoryThrottleRateLimit: wholeNumber(
      z
        .int({ error: `must be a whole number of requests per second, for example ${DEFAULT_DIRECTORY_THROTTLE_RATE_LIMIT}` })
        .min(1, { error: 'must be at least 1 request per second' }),
    ).default(DEFAULT_DIRECTORY_THROTTLE_RATE_LIMIT),
    /** Requests each directory route accepts at once above its steady rate. */
    directoryThrottleBurstLimit: wholeNumber(
      z
        .int({ error: `must be a whole number of requests, for example ${DEFAULT_DIRECTORY_THROTTLE_BURST_LIMIT}` })
        .min(1, { error: 'must be at least 1 request' }),
    ).default(DEFAULT_DIRECTORY_THROTTLE_BURST_LIMIT),
  },
  {
    error: `must be an object such as {"throttleRateLimit": ${DEFAULT_THROTTLE_RATE_LIMIT}, "throttleBurstLimit": ${DEFAULT_THROTTLE_BURST_LIMIT}}`,
  },
);

/** The stack name when none is configured: what a single deployment has always been called. */
export const DEFAULT_STACK_NAME = 'cometchat-relay';

/**
 * A CloudFormation stack name (a letter, then letters, digits and hyphens), short enough that every physical
 * name derived from it fits its service's limit: the longest is an SES event destination, `<name>-feedback`,
 * within SES's 64 characters, and `<name>-push-feedback-dlq` within SQS's 80.
 */
export const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,49}$/;
/** A DNS name of at least two labels, lower case: what API Gateway accepts as a custom domain (no wildcard). */
export const DOMAIN_NAME = /^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
/** `arn:<partition>:acm:<region>:<account>:certificate/<uuid>`: a certificate of AWS Certificate Manager. */
export const ACM_CERTIFICATE_ARN =
  /^arn:(aws|aws-cn|aws-us-gov):acm:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):certificate\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A Route 53 hosted zone id, such as `Z0123456789ABCDEFGHIJ`. */
export const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
/** DynamoDB table names: letters, digits, `_`, `-` and `.`, 3 to 255 characters. */
export const DYNAMODB_TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

/** The region of an ACM certificate ARN, or undefined when it is not one. */
export const certificateRegion = (arn: string): string | undefined => ACM_CERTIFICATE_ARN.exec(arn)?.[2];

/** The hosted zone a domain is in when `hostedZoneName` is not given: the domain without its first label. */
export const parentDomain = (domainName: string): string => domainName.slice(domainName.indexOf('.') + 1);

const domainText = (example: string) =>
  optionalText(
    z
      .string({ error: `must be a domain name such as "${example}"` })
      .trim()
      .transform((name) => name.toLowerCase().replace(/\.$/, ''))
      .pipe(
        z.string().regex(DOMAIN_NAME, {
          error: `must be a domain name such as "${example}": labels of letters, digits and "-" separated by dots, no wildcard`,
        }),
      ),
  );

/**
 * The settings that belong together (SPEC §6): a custom domain needs its certificate, a hosted zone only makes
 * sense for a custom domain, and the record can only be created in the zone the domain is in.
 */
const checkCustomDomain = (
  config: {
    domainName?: string | undefined;
    certificateArn?: string | undefined;
    hostedZoneId?: string | undefined;
    hostedZoneName?: string | undefined;
  },
  context: z.core.$RefinementCtx,
): void => {
  const { domainName, certificateArn, hostedZoneId, hostedZoneName } = config;
  const problem = (key: string, message: string) => context.addIssue({ code: 'custom', path: [key], message });
  if (domainName !== undefined && certificateArn === undefined) {
    problem(
      'certificateArn',
      `is required with domainName: the ARN of an ACM certificate for ${domainName}, in the region the stack deploys to`,
    );
  }
  if (domainName === undefined) {
    for (const [key, value] of Object.entries({ certificateArn, hostedZoneId, hostedZoneName })) {
      if (value !== undefined) problem(key, 'is for a custom domain: set domainName too, or remove it');
    }
    return;
  }
  if (hostedZoneName !== undefined && hostedZoneId === undefined) {
    problem('hostedZoneName', 'goes with hostedZoneId: set the id of the hosted zone too, or remove it');
  }
  const zone = hostedZoneName ?? parentDomain(domainName);
  if (hostedZoneId !== undefined && domainName !== zone && !domainName.endsWith(`.${zone}`)) {
    problem(
      'hostedZoneName',
      `${hostedZoneName === undefined ? 'is taken to be' : 'is'} "${zone}", but ${domainName} is not in that zone: ` +
        'set hostedZoneName to the name of the hosted zone hostedZoneId is',
    );
  }
};

/** How webhooks reach their queues (README, "Direct ingest"). */
export const INGEST_MODES = ['lambda', 'direct'] as const;
export type IngestMode = (typeof INGEST_MODES)[number];

/**
 * Reserved concurrency (README "Abuse limits"): unset by default, because Lambda keeps 100 of the account's
 * concurrency unreserved and a new account's quota can be as low as 10, where any reservation fails the deploy.
 */
const reservedConcurrencyOf = (what: string) =>
  z.preprocess(
    // cdk.json may show it as "": not set.
    (value) => (typeof value === 'string' && value.trim() === '' ? undefined : value),
    wholeNumber(
      z
        .int({ error: `must be a whole number of concurrent ${what} invocations, for example 50` })
        .min(1, { error: 'must be at least 1 (0 would stop the function; leave it unset for no reservation)' })
        .max(MAX_CONCURRENCY_MAX, { error: `must be at most ${MAX_CONCURRENCY_MAX}` }),
    ).optional(),
  );

const ReservedConcurrencySchema = z.strictObject(
  {
    /** Each webhook function (push, sms, email, events ingest and before_message) gets this many. */
    webhooks: reservedConcurrencyOf('webhook'),
    /** The directory function gets this many (it also caps it). */
    directory: reservedConcurrencyOf('directory'),
  },
  { error: 'must be an object such as {"webhooks": 50, "directory": 5}' },
);

export const RelayConfigSchema = z.strictObject({
  /** CometChat app id; when set, ingest answers 403 `wrong_app` to payloads from any other app. Empty means any app. */
  appId: z
    .string({ error: 'must be a string: your CometChat app id (Dashboard → API & Auth Keys)' })
    .trim()
    .regex(/^\S*$/, { error: 'must not contain spaces: paste the app id exactly as the CometChat dashboard shows it' })
    .max(100, { error: 'is longer than a CometChat app id can be (100 characters)' })
    .optional()
    .transform((value) => (value === '' ? undefined : value)),
  /** Largest webhook body accepted, in bytes (decoded); larger bodies get 413. */
  maxBodyBytes: wholeNumber(
    z
      .int({ error: 'must be a whole number of bytes, for example 262144 (256 KiB)' })
      .min(1024, { error: 'must be at least 1024 bytes: CometChat payloads are larger than that' })
      .max(MAX_BODY_BYTES_LIMIT, {
        error: `must be at most ${MAX_BODY_BYTES_LIMIT} bytes: the body is enqueued whole and an SQS message holds at most 1 MiB`,
      }),
  ).default(DEFAULT_MAX_BODY_BYTES),
  /** Memory of each ingest function, in MB. */
  ingestMemoryMb: wholeNumber(
    z
      .int({ error: 'must be a whole number of MB, for example 1024' })
      .min(512, { error: "must be at least 512 MB: less CPU makes cold starts miss CometChat's 2 s budget" })
      .max(10_240, { error: 'must be at most 10240 MB (the Lambda maximum)' }),
  ).default(DEFAULT_INGEST_MEMORY_MB),
  /** Days CloudWatch keeps the relay's logs. */
  logRetentionDays: wholeNumber(
    z
      .int({ error: `must be a number of days, one of ${LOG_RETENTION_DAYS.join(', ')}` })
      .refine((days): days is LogRetentionDays => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
        error: `must be one of the values CloudWatch Logs allows: ${LOG_RETENTION_DAYS.join(', ')}`,
      }),
  )
    .transform((days) => days as LogRetentionDays)
    .default(DEFAULT_LOG_RETENTION_DAYS),
  /**
   * SNS platform application of each device platform (create them in the SNS console with your FCM key or APNs
   * certificate/key). A platform without one cannot register devices.
   */
  platformApplicationArns: PlatformApplicationArnsSchema.prefault({}),
  /**
   * Push credentials as code: for each platform, the Secrets Manager secret (name or ARN) with its credentials
   * (`npm run push-credentials`). The stack creates that platform's SNS platform application from it, wired to
   * the push feedback topic. A platform given here must not also be in platformApplicationArns.
   */
  pushCredentials: PushCredentialsSchema.prefault({}),
  /** Percentage (0 to 100) of successful deliveries the stack's own platform applications log; failures are always logged. */
  pushSuccessSampleRate: wholeNumber(
    z
      .int({ error: `must be a whole percentage from 0 to 100, for example ${DEFAULT_PUSH_SUCCESS_SAMPLE_RATE}` })
      .min(0, { error: 'must be at least 0 (log no successful delivery)' })
      .max(100, { error: 'must be at most 100 (log every successful delivery)' }),
  ).default(DEFAULT_PUSH_SUCCESS_SAMPLE_RATE),
  /** Verified SES identity (address, or an address at a verified domain) that emails are sent from; without it every email goes to the DLQ. */
  senderEmail: optionalText(
    z
      .string({ error: 'must be an email address such as "notifications@example.com", verified in SES' })
      .trim()
      .pipe(z.email({ error: 'must be an email address such as "notifications@example.com", verified in SES' })),
  ),
  /**
   * Your own SES configuration set for every email. The stack adds an event destination for bounces and complaints
   * to it (docs/feedback.md). Unset: the stack creates a configuration set of its own.
   */
  sesConfigurationSet: optionalText(
    z.string({ error: 'must be the name of an SES configuration set' }).trim().regex(SES_CONFIGURATION_SET_NAME, {
      error: 'must be an SES configuration set name: 1 to 64 letters, digits, "_" and "-"',
    }),
  ),
  /** SMS sending options (SNS SMS attributes). */
  sms: SmsSchema.prefault({}),
  /** Largest number of concurrent consumer invocations per channel (Lambda SQS maximum concurrency, 2 to 1000). */
  maxConcurrency: MaxConcurrencySchema.prefault({}),
  /**
   * The provider's send rate per delivery channel, per second: the relay stays at or below it across all consumer
   * instances (README "Send rates"). It decides the event source's concurrency (at most `maxConcurrency`).
   */
  sendRates: SendRatesSchema.prefault({}),
  /**
   * The before_message policy (docs/policy.md): a JSON file, relative to the project root (or absolute). It is
   * validated at synth (the stack fails naming each problem) and bundled with the before-message function. Unset:
   * the default policy, which lets every message through.
   */
  policyFile: optionalText(
    z.string({ error: 'must be the path of a policy JSON file relative to the project root, such as "policy.json"' }).trim(),
  ),
  /** Alarm notifications and thresholds (docs/alarms.md). */
  alarms: AlarmsSchema.prefault({}),
  /** HTTP API stage throttling. */
  api: ApiSchema.prefault({}),
  /** Reserved concurrency of the webhook and directory functions; unset by default (README "Abuse limits"). */
  reservedConcurrency: ReservedConcurrencySchema.prefault({}),
  /**
   * Build the push feedback loop: a topic for the platform applications' EventEndpointUpdated and
   * EventDeliveryFailure events, and the consumer that removes dead devices (docs/feedback.md).
   */
  pushFeedback: flag('must be true or false').default(true),
  /**
   * The CloudFormation stack name, from which every physical name is derived (`<stackName>-push`, ...), so that
   * environments such as `cometchat-relay-staging` and `cometchat-relay-prod` share an account and region.
   * Unset: `cometchat-relay` (DEFAULT_STACK_NAME). Read by bin/app.ts.
   */
  stackName: optionalText(
    z.string({ error: 'must be a stack name such as "cometchat-relay-staging"' }).trim().regex(STACK_NAME, {
      error:
        'must be a stack name of at most 50 letters, digits and "-", starting with a letter, such as "cometchat-relay-staging"',
    }),
  ),
  /** Custom domain of the HTTP API (such as "relay.example.com"), mapped at its root: webhook URLs that survive a replaced API. */
  domainName: domainText('relay.example.com'),
  /** ACM certificate covering domainName, in the region the stack deploys to (HTTP APIs take regional certificates). */
  certificateArn: optionalText(
    z.string({ error: 'must be the ARN of an ACM certificate' }).trim().regex(ACM_CERTIFICATE_ARN, {
      error:
        'must be the ARN of an ACM certificate, arn:aws:acm:<region>:<account>:certificate/<id>, as the ACM console shows it',
    }),
  ),
  /** Route 53 hosted zone in which the stack creates the domain's alias records (A and AAAA). Unset: you create the record. */
  hostedZoneId: optionalText(
    z.string({ error: 'must be a Route 53 hosted zone id such as "Z0123456789ABCDEFGHIJ"' }).trim().regex(HOSTED_ZONE_ID, {
      error: 'must be a Route 53 hosted zone id such as "Z0123456789ABCDEFGHIJ" (the Route 53 console shows it)',
    }),
  ),
  /** Name of the hosted zone hostedZoneId is. Unset: domainName without its first label ("relay.example.com" → "example.com"). */
  hostedZoneName: domainText('example.com'),
  /**
   * An existing directory table to use instead of creating one: the table a destroyed stack retained (README,
   * Tear-down), or the `<stackName>-directory` of a deployment made before the directory's name was generated.
   */
  directoryTableName: optionalText(
    z.string({ error: 'must be a DynamoDB table name' }).trim().regex(DYNAMODB_TABLE_NAME, {
      error: 'must be a DynamoDB table name: 3 to 255 letters, digits, "_", "-" and "."',
    }),
  ),
  /**
   * How the push, SMS and email webhooks reach their queues: "lambda" (an ingest function per request) or
   * "direct" (API Gateway's SQS integration behind a cached Basic Auth authorizer; validation in the consumers).
   */
  ingest: z
    .enum(INGEST_MODES, {
      error: 'must be "lambda" (an ingest function validates each webhook) or "direct" (API Gateway enqueues it; README, "Direct ingest")',
    })
    .default('lambda'),
});

/** The schema with the checks across keys (the custom domain's settings belong together). */
const CheckedRelayConfigSchema = RelayConfigSchema.superRefine(checkCustomDomain);

export type RelayConfig = z.output<typeof RelayConfigSchema>;
/** What may be written under `cometchat-relay` in cdk.json (every field optional where a default exists). */
export type RelayConfigInput = z.input<typeof RelayConfigSchema>;

/** The configuration is wrong; `problems` lists each failing key with what is expected. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid "${CONFIG_CONTEXT_KEY}" configuration (CDK context: cdk.json "context" › "${CONFIG_CONTEXT_KEY}", ` +
        `or -c ${CONFIG_CONTEXT_KEY}.<key>=<value>):\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
    );
  }
}

const KNOWN_KEYS = Object.keys(RelayConfigSchema.shape);

/** The keys of the settings that are objects themselves, as `-c cometchat-relay.<key>.<sub>=value` may set them. */
const NESTED_KEYS: Readonly<Record<string, readonly string[]>> = {
  platformApplicationArns: Object.keys(PlatformApplicationArnsSchema.shape),
  pushCredentials: Object.keys(PushCredentialsSchema.shape),
  sms: Object.keys(SmsSchema.shape),
  maxConcurrency: Object.keys(MaxConcurrencySchema.shape),
  sendRates: Object.keys(SendRatesSchema.shape),
  alarms: Object.keys(AlarmsSchema.shape),
  'alarms.oldestMessageAgeSeconds': Object.keys(OldestMessageAgeSchema.shape),
  api: Object.keys(ApiSchema.shape),
  reservedConcurrency: Object.keys(ReservedConcurrencySchema.shape),
};

/** One unknown key, the keys known in its place, and the nearest of them (a typo is the usual cause). */
const unknownKeyProblem = (dottedKey: string, known: readonly string[]): string => {
  const nearest = closestKey(dottedKey.slice(dottedKey.lastIndexOf('.') + 1), known);
  const parent = dottedKey.includes('.') ? dottedKey.slice(0, dottedKey.lastIndexOf('.') + 1) : '';
  return (
    `${dottedKey}: unknown key (known keys: ${known.join(', ')})` +
    (nearest === undefined ? '' : `: did you mean "${parent}${nearest}"?`)
  );
};

const describeIssue = (issue: z.core.$ZodIssue): string[] => {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const known = path === '' ? KNOWN_KEYS : (NESTED_KEYS[path] ?? []);
    return issue.keys.map((key) => unknownKeyProblem(path === '' ? key : `${path}.${key}`, known));
  }
  return [`${path === '' ? CONFIG_CONTEXT_KEY : path}: ${issue.message}`];
};

/**
 * Validates a raw configuration object (what cdk.json holds under
 * `cometchat-relay`) and fills in the defaults.
 *
 * @throws ConfigError naming every failing key.
 */
export const parseConfig = (raw: unknown): RelayConfig => {
  const input = raw ?? {};
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new ConfigError([`${CONFIG_CONTEXT_KEY}: must be an object such as {"maxBodyBytes": 262144}`]);
  }
  const result = CheckedRelayConfigSchema.safeParse(input);
  if (!result.success) throw new ConfigError(result.error.issues.flatMap(describeIssue));
  const conflicts = pushCredentialConflicts(result.data);
  if (conflicts.length > 0) throw new ConfigError(conflicts);
  return result.data;
};

/** A context value that should hold an object: `-c key={...}` arrives as a JSON string. */
const contextObject = (value: unknown, key: string): unknown => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    throw new ConfigError([`${key}: is not JSON; write -c ${key}.<key>=<value> for one key`]);
  }
};

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The value at `path` (a dotted key under `cometchat-relay`) with the context's
 * overrides applied: `-c cometchat-relay.<path>=value` replaces it whole (an
 * object setting may be given as JSON), then each sub-key of an object
 * setting may be overridden on its own, at any depth
 * (`-c cometchat-relay.alarms.oldestMessageAgeSeconds.sms=1800`), keeping the others.
 */
const withOverrides = (source: IConstruct, path: string, value: unknown): unknown => {
  const contextKey = `${CONFIG_CONTEXT_KEY}.${path}`;
  const subKeys = NESTED_KEYS[path];
  const whole: unknown = source.node.tryGetContext(contextKey);
  let result = whole === undefined ? value : subKeys ? contextObject(whole, contextKey) : whole;
  for (const subKey of subKeys ?? []) {
    const current = isPlainObject(result) ? result[subKey] : undefined;
    const next = withOverrides(source, `${path}.${subKey}`, current);
    if (next !== current) result = { ...(isPlainObject(result) ? result : {}), [subKey]: next };
  }
  return result;
};

/**
 * The `-c cometchat-relay.<key>=value` overrides (flat context keys) that name
 * no setting. `withOverrides` reads only the keys it knows, so without this
 * check a mistyped key would be silently ignored and its default deployed.
 */
const unknownOverrideProblems = (source: IConstruct): string[] => {
  const prefix = `${CONFIG_CONTEXT_KEY}.`;
  const contextKeys = Object.keys(source.node.getAllContext() as Record<string, unknown>);
  return contextKeys
    .filter((key) => key.startsWith(prefix))
    .flatMap((key) => {
      const segments = key.slice(prefix.length).split('.');
      let known: readonly string[] = KNOWN_KEYS;
      for (const [index, segment] of segments.entries()) {
        const path = segments.slice(0, index + 1).join('.');
        if (!known.includes(segment)) return [unknownKeyProblem(path, known)];
        const subKeys = NESTED_KEYS[path];
        if (subKeys === undefined && index < segments.length - 1) {
          return [`${segments.join('.')}: ${path} is not set key by key: write -c ${prefix}${path}=<value>`];
        }
        known = subKeys ?? [];
      }
      return [];
    });
};

/**
 * Reads the configuration from the CDK context of `source` (the key
 * `cometchat-relay`, plus single-key overrides `-c cometchat-relay.<key>=value`
 * and, for object settings, `-c cometchat-relay.<key>.<sub>=value`), or
 * validates `source` itself when it is a plain object (tests, the local stack).
 *
 * @throws ConfigError naming every failing key.
 */
export const loadConfig = (source: IConstruct | Readonly<Record<string, unknown>> | undefined): RelayConfig => {
  if (!Construct.isConstruct(source)) return parseConfig(source);
  const unknownOverrides = unknownOverrideProblems(source);
  if (unknownOverrides.length > 0) throw new ConfigError(unknownOverrides);
  const base = contextObject(source.node.tryGetContext(CONFIG_CONTEXT_KEY), CONFIG_CONTEXT_KEY) ?? {};
  if (!isPlainObject(base)) return parseConfig(base);
  const merged: Record<string, unknown> = { ...base };
  for (const key of KNOWN_KEYS) {
    const value = withOverrides(source, key, merged[key]);
    if (value !== undefined) merged[key] = value;
  }
  return parseConfig(merged);
};
