import { Construct, type IConstruct } from 'constructs';
import * as z from 'zod';

/**
 * The relay's deploy-time configuration (SPEC §6): one typed object read from
 * the CDK context key `cometchat-relay` (in cdk.json, or `-c`), validated at
 * synth time so that a mistake fails `cdk synth` with the key to fix instead
 * of failing a deployment, or worse, a delivery.
 *
 * To add a setting: add a field to `RelayConfigSchema` (with its default and
 * an error message that says what to write), and it is available everywhere as
 * `RelayConfig[field]` and settable with `-c cometchat-relay.<field>=value`.
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
      .min(512, { error: 'must be at least 512 MB: less CPU makes cold starts miss CometChat\'s 2 s budget' })
      .max(10_240, { error: 'must be at most 10240 MB (the Lambda maximum)' }),
  ).default(DEFAULT_INGEST_MEMORY_MB),
  /** Days CloudWatch keeps the relay's logs. */
  logRetentionDays: wholeNumber(
    z.int({ error: `must be a number of days, one of ${LOG_RETENTION_DAYS.join(', ')}` }).refine(
      (days): days is LogRetentionDays => (LOG_RETENTION_DAYS as readonly number[]).includes(days),
      { error: `must be one of the values CloudWatch Logs allows: ${LOG_RETENTION_DAYS.join(', ')}` },
    ),
  )
    .transform((days) => days as LogRetentionDays)
    .default(DEFAULT_LOG_RETENTION_DAYS),
});

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

const describeIssue = (issue: z.core.$ZodIssue): string => {
  if (issue.code === 'unrecognized_keys') {
    return `${issue.keys.join(', ')}: unknown key${issue.keys.length > 1 ? 's' : ''} (known keys: ${KNOWN_KEYS.join(', ')})`;
  }
  const key = issue.path.length > 0 ? issue.path.map(String).join('.') : CONFIG_CONTEXT_KEY;
  return `${key}: ${issue.message}`;
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
  const result = RelayConfigSchema.safeParse(input);
  if (!result.success) throw new ConfigError(result.error.issues.map(describeIssue));
  return result.data;
};

/** The context value as an object: `-c cometchat-relay='{"appId":"..."}'` arrives as a JSON string. */
const contextObject = (value: unknown): unknown => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    throw new ConfigError([`${CONFIG_CONTEXT_KEY}: is not JSON; write -c ${CONFIG_CONTEXT_KEY}.<key>=<value> for one key`]);
  }
};

/**
 * Reads the configuration from the CDK context of `source` (the key
 * `cometchat-relay`, plus single-key overrides `-c cometchat-relay.<key>=value`),
 * or validates `source` itself when it is a plain object (tests, the local stack).
 *
 * @throws ConfigError naming every failing key.
 */
export const loadConfig = (source: IConstruct | Readonly<Record<string, unknown>> | undefined): RelayConfig => {
  if (!Construct.isConstruct(source)) return parseConfig(source);
  const base = contextObject(source.node.tryGetContext(CONFIG_CONTEXT_KEY)) ?? {};
  if (typeof base !== 'object' || Array.isArray(base)) return parseConfig(base);
  const overrides = Object.fromEntries(
    KNOWN_KEYS.map((key) => [key, source.node.tryGetContext(`${CONFIG_CONTEXT_KEY}.${key}`) as unknown]).filter(
      ([, value]) => value !== undefined,
    ),
  );
  return parseConfig({ ...base, ...overrides });
};
