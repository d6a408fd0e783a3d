import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { build } from 'esbuild';
import { buildApp } from 'fauxqs';
import { encodeBasicAuth } from '../functions/shared/basic-auth.ts';
import { localClientConfig } from '../lib/local/local-aws.ts';
import { seed } from '../test/fixtures/seeds.ts';
import { CDK_BUNDLING, INGEST_ENTRY, INGEST_ENV, SQS_ONLY_SOURCE } from './bundles.ts';
import { type Summary, summarise } from './stats.ts';

export const COLD_START_TARGET_RATIO = 1.2;

export interface ColdStartResult {
  readonly runs: number;
  readonly ingestBytes: number;
  readonly sqsOnlyBytes: number;
  /** ms from spawning `node` to the ingest handler's first answer (import, env, secret read, SendMessage). */
  readonly ingest: Summary;
  /** ms from spawning `node` to the SQS-only bundle's first SendMessage answered. */
  readonly sqsOnly: Summary;
  /** median(ingest) / median(sqsOnly). */
  readonly ratio: number;
  /** Secret reads the Secrets Manager emulator answered (one per ingest run: no run reused another's). */
  readonly secretReads: number;
}

const CREDENTIALS = { username: 'cometchat', password: 'bench-cold-start-0123' };

/**
 * A Secrets Manager that answers `GetSecretValue` (JSON 1.1) with the webhook
 * secret, and checks the request is SigV4-signed for `secretsmanager` as the
 * real service would refuse it otherwise.
 */
const startSecretsManager = async (secretString: string) => {
  let reads = 0;
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const signed = /^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[^/]+\/secretsmanager\/aws4_request/.test(
        request.headers.authorization ?? '',
      );
      if (!signed || request.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify({ __type: 'InvalidSignatureException', message: 'not a signed GetSecretValue' }));
        return;
      }
      reads += 1;
      const { SecretId } = JSON.parse(body) as { SecretId: string };
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify({ ARN: SecretId, Name: 'webhook', SecretString: secretString, VersionId: 'v1' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    reads: () => reads,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

/**
 * Preloaded into both children alike: fauxqs's queue URLs name `sqs.<region>.localhost`,
 * which this machine does not resolve, and SQS clients send to the queue URL's host.
 */
const LOCALHOST_DNS = `import dns from 'node:dns';
const lookup = dns.lookup;
dns.lookup = (hostname, options, callback) =>
  lookup(hostname.endsWith('.localhost') ? '127.0.0.1' : hostname, options, callback);
`;

/** Runs in the child: the first webhook through the ingest bundle's `handler`, as Lambda's first invocation would. */
const INGEST_SCRIPT = `
const { handler } = await import(process.argv[1]);
const answer = await handler(JSON.parse(process.env.BENCH_EVENT));
(await import('node:fs')).writeSync(3, String(answer.statusCode));
`;

/** Runs in the child: the SQS client alone, one SendMessage of the same body. */
const SQS_ONLY_SCRIPT = `
const { client, SendMessageCommand } = await import(process.argv[1]);
await client.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: process.env.BENCH_BODY }));
(await import('node:fs')).writeSync(3, '200');
`;

/**
 * Spawns node on a script and resolves with the ms from spawn to the child's
 * answer on file descriptor 3 (then it exits). The handler's logs and EMF go
 * to stdout, which is discarded as in the other benchmarks.
 */
const timeChild = (script: string, bundle: string, env: Record<string, string>, preload: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(
      process.execPath,
      ['--import', pathToFileURL(preload).href, '--input-type=module', '-e', script, pathToFileURL(bundle).href],
      {
        env,
        stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      },
    );
    const answers = child.stdio[3] as Readable;
    let out = '';
    let err = '';
    let answeredAt: bigint | undefined;
    answers.on('data', (chunk: Buffer) => {
      answeredAt ??= process.hrtime.bigint();
      out += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0 || out !== '200' || answeredAt === undefined) {
        reject(new Error(`Cold start of ${bundle} answered ${JSON.stringify(out)} (exit ${code}): ${err.slice(0, 500)}`));
      } else {
        resolve(Number(answeredAt - start) / 1e6);
      }
    });
  });

/**
 * The whole cold start, from process spawn to the first answered webhook, of
 * the ingest bundle as CDK builds it (init, the signed secret read, the first
 * SendMessage) against fauxqs and a Secrets Manager emulator, next to a
 * process that only imports the SQS client and sends one message. Runs
 * alternate, so the machine's drift hits both alike.
 */
export const measureColdStart = async ({ runs = 20 } = {}): Promise<ColdStartResult> => {
  const outDir = join(tmpdir(), `cometchat-relay-cold-start-${process.pid}`);
  mkdirSync(outDir, { recursive: true });
  const sqsServer = buildApp({ logger: false });
  await sqsServer.listen({ host: '127.0.0.1', port: 0 });
  const sqsEndpoint = `http://127.0.0.1:${(sqsServer.server.address() as AddressInfo).port}`;
  const secrets = await startSecretsManager(JSON.stringify(CREDENTIALS));
  const admin = new SQSClient({ ...localClientConfig(sqsEndpoint), useQueueUrlAsEndpoint: false });
  try {
    const ingestFile = join(outDir, 'ingest', 'index.mjs');
    const sqsOnlyFile = join(outDir, 'sqs-only', 'index.mjs');
    await build({ ...CDK_BUNDLING, entryPoints: [INGEST_ENTRY], outfile: ingestFile });
    await build({
      ...CDK_BUNDLING,
      stdin: { contents: SQS_ONLY_SOURCE, resolveDir: CDK_BUNDLING.absWorkingDir, loader: 'ts', sourcefile: 'sqs-only.ts' },
      outfile: sqsOnlyFile,
    });
    const { QueueUrl } = await admin.send(new CreateQueueCommand({ QueueName: `bench-cold-${randomUUID().slice(0, 8)}` }));
    if (!QueueUrl) throw new Error('fauxqs answered CreateQueue without a QueueUrl');
    const queueUrl = QueueUrl;
    const preload = join(outDir, 'localhost-dns.mjs');
    writeFileSync(preload, LOCALHOST_DNS);
    const body = JSON.stringify(seed('push-chat'));
    const event = {
      version: '2.0',
      routeKey: 'POST /webhooks/push',
      rawPath: '/webhooks/push',
      headers: { authorization: encodeBasicAuth(CREDENTIALS), 'content-type': 'application/json' },
      body,
      isBase64Encoded: false,
      requestContext: { requestId: 'cold-start', http: { method: 'POST', path: '/webhooks/push' } },
    };
    const env = {
      PATH: process.env.PATH ?? '',
      ...INGEST_ENV,
      QUEUE_URL: queueUrl,
      // Lambda gives the role's credentials in the environment; the bundles read nothing else.
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_SESSION_TOKEN: 'local',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
      BENCH_EVENT: JSON.stringify(event),
      BENCH_BODY: body,
    };
    // One of each first, unmeasured: the file system cache, as a warm Lambda host would have it.
    await timeChild(INGEST_SCRIPT, ingestFile, env, preload);
    await timeChild(SQS_ONLY_SCRIPT, sqsOnlyFile, env, preload);
    const readsBefore = secrets.reads();
    const ingest: number[] = [];
    const sqsOnly: number[] = [];
    for (let run = 0; run < runs; run++) {
      if (run % 2 === 0) {
        ingest.push(await timeChild(INGEST_SCRIPT, ingestFile, env, preload));
        sqsOnly.push(await timeChild(SQS_ONLY_SCRIPT, sqsOnlyFile, env, preload));
      } else {
        sqsOnly.push(await timeChild(SQS_ONLY_SCRIPT, sqsOnlyFile, env, preload));
        ingest.push(await timeChild(INGEST_SCRIPT, ingestFile, env, preload));
      }
    }
    const ingestSummary = summarise(ingest);
    const sqsOnlySummary = summarise(sqsOnly);
    return {
      runs,
      ingestBytes: statSync(ingestFile).size,
      sqsOnlyBytes: statSync(sqsOnlyFile).size,
      ingest: ingestSummary,
      sqsOnly: sqsOnlySummary,
      ratio: ingestSummary.median / sqsOnlySummary.median,
      secretReads: secrets.reads() - readsBefore,
    };
  } finally {
    admin.destroy();
    await sqsServer.close();
    await secrets.close();
    rmSync(outDir, { recursive: true, force: true });
  }
};

/** For a quick look: `tsx bench/cold-start.ts`. */
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await measureColdStart({ runs: 6 });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
