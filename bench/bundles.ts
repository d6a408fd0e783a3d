import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { CREDENTIAL_CHAIN_MODULE, ENV_CREDENTIALS_MODULE } from '../lib/constructs/relay-function.ts';
import { interleaved, type Summary, summarise } from './stats.ts';

const PROJECT_ROOT = join(import.meta.dirname, '..');

/**
 * esbuild as `lib/constructs/relay-function.ts` has CDK run it: NodejsFunction
 * passes `--bundle --target=node24 --platform=node --format=esm --minify
 * --main-fields=module,main --banner:js=... --alias:...` and no externals. Kept in step by
 * `checkConstructOptions`, which reads the construct's source.
 */
export const CDK_BUNDLING: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  minify: true,
  mainFields: ['module', 'main'],
  external: [],
  banner: { js: "import { createRequire } from 'module';const require = createRequire(import.meta.url);" },
  // The construct's `--alias`: the default credential chain becomes the environment provider.
  alias: { [CREDENTIAL_CHAIN_MODULE]: ENV_CREDENTIALS_MODULE },
  absWorkingDir: PROJECT_ROOT,
  logLevel: 'silent',
};

export interface BundleSize {
  /** The Lambda entry, relative to the repository root. */
  readonly entry: string;
  readonly bytes: number;
}

export interface BundleInput {
  /** A package name, or a folder of this repository. */
  readonly source: string;
  readonly bytes: number;
}

export interface ImportTimes {
  readonly runs: number;
  /** ms from `import()` called to resolved, inside a fresh `node` process. */
  readonly ingest: Summary;
  readonly sqsOnly: Summary;
  /** median(ingest) / median(SQS client only): the SPEC §9 figure. */
  readonly ratio: number;
  /** ms from spawning `node` to its exit, for context. */
  readonly ingestProcess: Summary;
  readonly sqsOnlyProcess: Summary;
}

export interface BundleResult {
  readonly sizes: readonly BundleSize[];
  /** The SQS client alone, bundled the same way: the floor any ingest bundle stands on. */
  readonly sqsOnlyBytes: number;
  /** What the ingest bundle is made of, biggest first. */
  readonly ingestInputs: readonly BundleInput[];
  /** The ingest bundle's biggest single files. */
  readonly ingestTopFiles: readonly BundleInput[];
  readonly importTimes: ImportTimes;
  /** Bundles built to size what would shrink the ingest bundle (see `measureProbes`). */
  readonly probes: Probes;
  /** Differences between these options and what the construct's source says, if any. */
  readonly constructMismatches: readonly string[];
}

/** Every Lambda entry under `functions/`: `handler.ts` and `*-handler.ts` files (new ones, e.g. feedback handlers, are picked up). */
export const lambdaEntries = (): string[] => {
  const found: string[] = [];
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name === 'handler.ts' || name.endsWith('-handler.ts')) found.push(relative(PROJECT_ROOT, path));
    }
  };
  walk(join(PROJECT_ROOT, 'functions'));
  return found.sort();
};

export const INGEST_ENTRY = 'functions/ingest/handler.ts';

/** What the ingest handler needs in its environment to load (it validates it at import). */
export const INGEST_ENV = {
  CHANNEL: 'push',
  QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/cometchat-relay-push',
  WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:cometchat-relay-webhook',
  COMETCHAT_APP_ID: '',
  MAX_BODY_BYTES: '262144',
  AWS_REGION: 'us-east-1',
  POWERTOOLS_SERVICE_NAME: 'cometchat-relay',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** The reference bundle: the SQS client, built and ready, and nothing else. */
export const SQS_ONLY_SOURCE = `import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
export const client = new SQSClient({});
export { SendMessageCommand };
`;

/** SendMessage as ingest sends it: the signed JSON client and the queue port, nothing else. */
const SIGNED_SEND_SOURCE = `import { createIngestSqsClient } from './functions/shared/clients/sqs.ts';
import { sqsNotificationQueue } from './functions/shared/sqs-notification-queue.ts';
export const queue = sqsNotificationQueue({ client: createIngestSqsClient(), queueUrl: process.env.QUEUE_URL ?? '' });
`;

export interface Probes {
  /** The ingest entry with `@aws-sdk/*` and `@smithy/*` left to the Lambda runtime (CDK's default when the SDK is not bundled). */
  readonly ingestRuntimeSdkBytes: number;
  /** A one-object schema with `import * as z from 'zod'` (what the handlers use) ... */
  readonly zodClassicBytes: number;
  /** ... and the same schema with `zod/mini`. */
  readonly zodMiniBytes: number;
  /** Lever 1: the ingest entry and the SQS-only reference without the credential-chain alias (the SDK's default chain). */
  readonly ingestDefaultChainBytes: number;
  readonly sqsOnlyDefaultChainBytes: number;
  /** Lever 3: the SQS client plus a Secrets Manager client read through Powertools Parameters (what ingest read the secret with before). */
  readonly sqsWithSecretsClientBytes: number;
  /** The ingest's signed JSON client and its queue port alone: SendMessage without the SQS client. */
  readonly signedSendBytes: number;
  /** ... plus the signed GetSecretValue over a second JSON client (`signedSecretSource`): ingest's two AWS calls. */
  readonly signedSendAndSecretBytes: number;
}

const probeBytes = async (outDir: string, name: string, contents: string, options: BuildOptions = {}): Promise<number> => {
  const outfile = join(outDir, 'probes', name, 'index.mjs');
  await build({
    ...CDK_BUNDLING,
    ...options,
    stdin: { contents, resolveDir: PROJECT_ROOT, loader: 'ts', sourcefile: `${name}.ts` },
    outfile,
  });
  return statSync(outfile).size;
};

const measureProbes = async (outDir: string): Promise<Probes> => {
  const schema = (module: string) =>
    `import * as z from '${module}';\nexport const schema = z.looseObject({ trigger: z.literal('t'), data: z.looseObject({ uid: z.string() }) });\n`;
  const ingestOutfile = join(outDir, 'probes', 'ingest-runtime-sdk', 'index.mjs');
  await build({ ...CDK_BUNDLING, entryPoints: [INGEST_ENTRY], outfile: ingestOutfile, external: ['@aws-sdk/*', '@smithy/*'] });
  const defaultChain: BuildOptions = { alias: {} };
  const defaultChainOutfile = join(outDir, 'probes', 'ingest-default-chain', 'index.mjs');
  await build({ ...CDK_BUNDLING, ...defaultChain, entryPoints: [INGEST_ENTRY], outfile: defaultChainOutfile });
  return {
    ingestRuntimeSdkBytes: statSync(ingestOutfile).size,
    zodClassicBytes: await probeBytes(outDir, 'zod-classic', schema('zod')),
    zodMiniBytes: await probeBytes(outDir, 'zod-mini', schema('zod/mini')),
    ingestDefaultChainBytes: statSync(defaultChainOutfile).size,
    sqsOnlyDefaultChainBytes: await probeBytes(outDir, 'sqs-only-default-chain', SQS_ONLY_SOURCE, defaultChain),
    sqsWithSecretsClientBytes: await probeBytes(
      outDir,
      'sqs-secrets-client',
      `${SQS_ONLY_SOURCE}import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
export const secrets = new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient({}) });
`,
    ),
    signedSendBytes: await probeBytes(outDir, 'signed-send', SIGNED_SEND_SOURCE),
    signedSendAndSecretBytes: await probeBytes(
      outDir,
      'signed-send-secret',
      `${SIGNED_SEND_SOURCE}import { createSecretsManagerClient } from './functions/shared/clients/secrets-manager.ts';
import { signedSecretSource } from './functions/shared/signed-secret-source.ts';
export const secrets = signedSecretSource({ client: createSecretsManagerClient() });
`,
    ),
  };
};

export const measureBundles = async ({ importRuns = 40 } = {}): Promise<BundleResult> => {
  const outDir = join(tmpdir(), `cometchat-relay-bench-${process.pid}`);
  mkdirSync(outDir, { recursive: true });
  try {
    const sizes: BundleSize[] = [];
    let ingestMetafile: Metafile | undefined;
    for (const entry of lambdaEntries()) {
      const outfile = join(outDir, entry.replaceAll('/', '_').replace(/\.ts$/, ''), 'index.mjs');
      const result = await build({ ...CDK_BUNDLING, entryPoints: [entry], outfile, metafile: true });
      sizes.push({ entry, bytes: statSync(outfile).size });
      if (entry === INGEST_ENTRY) ingestMetafile = result.metafile;
    }
    if (!ingestMetafile) throw new Error(`No ${INGEST_ENTRY} among the Lambda entries`);

    const sqsOnlyFile = join(outDir, 'sqs-only', 'index.mjs');
    await build({
      ...CDK_BUNDLING,
      stdin: { contents: SQS_ONLY_SOURCE, resolveDir: PROJECT_ROOT, loader: 'ts', sourcefile: 'sqs-only.ts' },
      outfile: sqsOnlyFile,
    });

    const ingestFile = join(outDir, INGEST_ENTRY.replaceAll('/', '_').replace(/\.ts$/, ''), 'index.mjs');
    return {
      sizes,
      sqsOnlyBytes: statSync(sqsOnlyFile).size,
      ingestInputs: inputsBySource(ingestMetafile),
      ingestTopFiles: topFiles(ingestMetafile, 12),
      importTimes: measureImportTimes(ingestFile, sqsOnlyFile, importRuns),
      probes: await measureProbes(outDir),
      constructMismatches: checkConstructOptions(),
    };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
};

const outputInputs = (metafile: Metafile) => {
  const [output] = Object.values(metafile.outputs);
  if (!output) throw new Error('esbuild wrote no output');
  return Object.entries(output.inputs);
};

/** Where a bundled file comes from: its package, or its folder in this repository. */
const sourceOf = (path: string): string => {
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (inPackage?.[1]) return inPackage[1];
  return path.split('/').slice(0, 2).join('/');
};

const inputsBySource = (metafile: Metafile): BundleInput[] => {
  const bySource = new Map<string, number>();
  for (const [path, { bytesInOutput }] of outputInputs(metafile)) {
    bySource.set(sourceOf(path), (bySource.get(sourceOf(path)) ?? 0) + bytesInOutput);
  }
  return [...bySource].map(([source, bytes]) => ({ source, bytes })).sort((a, b) => b.bytes - a.bytes);
};

const topFiles = (metafile: Metafile, count: number): BundleInput[] =>
  outputInputs(metafile)
    .map(([path, { bytesInOutput }]) => ({ source: path.replace(/^.*node_modules\//, ''), bytes: bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, count);

/**
 * Imports each bundle in fresh `node` processes, alternating between the two
 * so that drift in the machine's load hits both alike; the time is taken
 * inside the process around `import()`, and around the whole process.
 */
const measureImportTimes = (ingestFile: string, sqsOnlyFile: string, runs: number): ImportTimes => {
  const script =
    'const start = process.hrtime.bigint(); await import(process.argv[1]); ' +
    'process.stdout.write(String(Number(process.hrtime.bigint() - start) / 1e6));';
  const once = (file: string) => {
    const start = process.hrtime.bigint();
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script, pathToFileURL(file).href], {
      env: { PATH: process.env.PATH ?? '', ...INGEST_ENV },
      encoding: 'utf8',
    });
    const processMs = Number(process.hrtime.bigint() - start) / 1e6;
    if (child.status !== 0) throw new Error(`Importing ${file} failed: ${child.stderr}`);
    return { importMs: Number(child.stdout), processMs };
  };
  const [ingest, sqsOnly] = interleaved(
    runs,
    () => once(ingestFile),
    () => once(sqsOnlyFile),
  );
  const ingestImport = summarise(ingest.map((sample) => sample.importMs));
  const sqsImport = summarise(sqsOnly.map((sample) => sample.importMs));
  return {
    runs,
    ingest: ingestImport,
    sqsOnly: sqsImport,
    ratio: ingestImport.median / sqsImport.median,
    ingestProcess: summarise(ingest.map((sample) => sample.processMs)),
    sqsOnlyProcess: summarise(sqsOnly.map((sample) => sample.processMs)),
  };
};

/** The settings above, looked for in the construct's source: a mismatch is reported instead of measuring the wrong thing silently. */
const checkConstructOptions = (): string[] => {
  const source = readFileSync(join(PROJECT_ROOT, 'lib/constructs/relay-function.ts'), 'utf8');
  const expected = [
    'minify: true',
    'format: OutputFormat.ESM',
    "target: 'node24'",
    "mainFields: ['module', 'main']",
    'externalModules: []',
    `banner: "${CDK_BUNDLING.banner?.js ?? ''}"`,
    'esbuildArgs: { [`--alias:',
    ']: ENV_CREDENTIALS_MODULE }',
  ];
  return expected
    .filter((fragment) => !source.includes(fragment))
    .map((fragment) => `relay-function.ts no longer says ${fragment}`);
};

/** For a quick look: `tsx bench/bundles.ts` prints the sizes. */
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await measureBundles({ importRuns: 10 });
  writeFileSync(1, `${JSON.stringify(result, null, 2)}\n`);
}
