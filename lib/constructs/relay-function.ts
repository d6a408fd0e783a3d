import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Duration, Token, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../functions/shared/metric-names.ts';

/** The repository root: entries are given relative to it, and esbuild resolves `package.json` imports from it. */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The service name every function logs and counts under (Powertools); metrics carry it as the `service` dimension. */
export const SERVICE_NAME = 'cometchat-relay';

/** The SDK's default credential provider chain, and what the bundles get instead (see `env-credentials.ts`). */
export const CREDENTIAL_CHAIN_MODULE = '@aws-sdk/credential-provider-node';
export const ENV_CREDENTIALS_MODULE = './functions/shared/clients/env-credentials.ts';

/** The longest a Lambda function may run. */
const MAX_TIMEOUT_SECONDS = 900;

export interface RelayFunctionProps {
  /** The handler file, relative to the repository root (for example `functions/ingest/handler.ts`); it exports `handler`. */
  readonly entry: string;
  /** What the function does, shown in the Lambda console. */
  readonly description: string;
  /** What the function's role may do, shown in the IAM console. */
  readonly roleDescription: string;
  /** Memory in MB (128 to 10240); more memory is also more CPU. */
  readonly memorySize: number;
  /** How long one invocation may run (at most 15 minutes). */
  readonly timeout: Duration;
  /**
   * The function's own settings. `POWERTOOLS_SERVICE_NAME`, `POWERTOOLS_LOG_LEVEL`,
   * `POWERTOOLS_METRICS_NAMESPACE` and `NODE_OPTIONS` are added to every function and may not be given here.
   */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * How long the function's logs are kept.
   *
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * Files copied into the bundle beside the handler, as `{ <name in the bundle>: <absolute source path> }`;
   * the function finds them under `LAMBDA_TASK_ROOT`. The asset hash is computed on the bundle output, so
   * editing a file deploys a new version of the function.
   *
   * @default - none
   */
  readonly bundledFiles?: Readonly<Record<string, string>>;
}

/**
 * A Lambda function of the relay, built the same way everywhere: Node.js 24 on
 * arm64, bundled by esbuild as minified ESM with the AWS SDK inside (pinned
 * versions, faster cold starts) and a source map, so that a stack trace in the
 * logs names the TypeScript file and line (README, Performance), a role of its own that may write to its own
 * log group and nothing else until a grant says so, and the Powertools
 * settings every handler reads (one service name and one metrics namespace,
 * which the alarms and the dashboard of `Observability` read).
 *
 * The log group and role are created beside the function (ids `<id>Logs` and
 * `<id>Role` in the same scope), so that the functions that existed before this
 * construct keep their logical ids.
 */
export class RelayFunction extends NodejsFunction {
  /** The function's execution role: grants and policies are added to it. */
  readonly executionRole: Role;
  /** Where the function logs; the role may write here only. */
  readonly functionLogGroup: LogGroup;

  constructor(scope: Construct, id: string, props: RelayFunctionProps) {
    validateProps(props);
    const {
      entry,
      description,
      roleDescription,
      memorySize,
      timeout,
      environment,
      logRetention = RetentionDays.ONE_MONTH,
      bundledFiles = {},
    } = props;
    const logGroup = new LogGroup(scope, `${id}Logs`, { retention: logRetention });
    // A role of its own instead of AWSLambdaBasicExecutionRole: it may write to this log group only.
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: roleDescription,
    });
    logGroup.grantWrite(role);

    super(scope, id, {
      description,
      entry: join(PROJECT_ROOT, entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize,
      timeout,
      role,
      logGroup,
      environment: {
        ...environment,
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        // One namespace for every function: the alarms and the dashboard read the metrics from it.
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        // Node maps stack traces through the bundle's source map (index.mjs.map) only when asked to.
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        minify: true,
        format: OutputFormat.ESM,
        target: 'node24',
        // Mappings only: a stack trace needs file and line, not the sources, and a smaller map loads faster.
        sourceMap: true,
        sourcesContent: false,
        // The SDK v3 is bundled (pinned versions, faster cold start); its ESM build needs `module` first.
        mainFields: ['module', 'main'],
        externalModules: [],
        // CommonJS dependencies inside an ESM bundle may still call require().
        banner: "import { createRequire } from 'module';const require = createRequire(import.meta.url);",
        // Lambda always gives credentials in the environment: the default chain's other providers are ~95 KB of cold start.
        esbuildArgs: { [`--alias:${CREDENTIAL_CHAIN_MODULE}`]: ENV_CREDENTIALS_MODULE },
        ...bundledFilesOptions(bundledFiles),
      },
    });
    this.executionRole = role;
    this.functionLogGroup = logGroup;

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'The runtime is pinned to Node.js 24 on purpose (bundles target node24 and are tested on it); ' +
        'moving to a newer runtime is a deliberate, tested upgrade rather than a side effect of a CDK release.',
    });
  }
}

/** Quotes one argument for the POSIX shell the bundling hooks run in. */
const shellQuote = (value: string): string => `'${value.replaceAll("'", `'\\''`)}'`;

/**
 * Copies `files` into the bundle after esbuild. The content digest goes into
 * the bundling environment (esbuild ignores it) because CDK caches bundles
 * within one synth by their bundling options: without it, two functions, or
 * two synths in one process, given different contents at the same path would
 * share one bundle.
 */
const bundledFilesOptions = (files: Readonly<Record<string, string>>) => {
  const entries = Object.entries(files).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return {};
  const digest = createHash('sha256');
  for (const [name, source] of entries) digest.update(`${name}\0`).update(readFileSync(source)).update('\0');
  return {
    environment: { RELAY_BUNDLED_FILES_SHA256: digest.digest('hex') },
    commandHooks: {
      beforeBundling: (): string[] => [],
      beforeInstall: (): string[] => [],
      afterBundling: (_inputDir: string, outputDir: string): string[] =>
        entries.map(([name, source]) => `cp ${shellQuote(source)} ${shellQuote(join(outputDir, name))}`),
    },
  };
};

const RESERVED_VARIABLES = ['POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_LOG_LEVEL', 'POWERTOOLS_METRICS_NAMESPACE', 'NODE_OPTIONS'];

/** A file name inside the bundle's root: no folders, nothing hidden, nothing esbuild writes. */
const BUNDLED_FILE_NAME = /^(?!\.)[A-Za-z0-9._-]{1,100}$/;
const BUNDLE_OUTPUTS = ['index.mjs', 'index.js', 'index.mjs.map', 'index.js.map', 'package.json'];

const validateProps = ({ entry, memorySize, timeout, environment, bundledFiles = {} }: RelayFunctionProps): void => {
  if (entry === '' || isAbsolute(entry) || entry.split(/[\\/]/).includes('..')) {
    throw new Error(
      `RelayFunction: entry must be a path inside the repository, relative to its root, got ${JSON.stringify(entry)}`,
    );
  }
  if (!(Number.isInteger(memorySize) && memorySize >= 128 && memorySize <= 10_240)) {
    throw new Error(`RelayFunction: memorySize must be a whole number of MB from 128 to 10240, got ${memorySize}`);
  }
  if (!Token.isUnresolved(timeout.toSeconds()) && (timeout.toSeconds() < 1 || timeout.toSeconds() > MAX_TIMEOUT_SECONDS)) {
    throw new Error(`RelayFunction: timeout must be from 1 to ${MAX_TIMEOUT_SECONDS} seconds, got ${timeout.toHumanString()}`);
  }
  const reserved = RESERVED_VARIABLES.filter((name) => name in environment);
  if (reserved.length > 0) {
    throw new Error(`RelayFunction: ${reserved.join(', ')} are set for every function and may not be given in environment`);
  }
  for (const [name, source] of Object.entries(bundledFiles)) {
    if (!BUNDLED_FILE_NAME.test(name) || BUNDLE_OUTPUTS.includes(name)) {
      throw new Error(
        `RelayFunction: bundledFiles name ${JSON.stringify(name)} must be a plain file name in the bundle root ` +
          `(letters, digits, ".", "_", "-"; not ${BUNDLE_OUTPUTS.join(', ')})`,
      );
    }
    if (!isAbsolute(source) || !existsSync(source)) {
      throw new Error(
        `RelayFunction: bundledFiles.${name} must be the absolute path of an existing file, got ${JSON.stringify(source)}`,
      );
    }
  }
};
