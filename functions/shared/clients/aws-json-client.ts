import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { HttpRequest } from '@smithy/core/protocols';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, Checksum, SourceData } from '@smithy/types';
import { defaultProvider } from './env-credentials.ts';
import { WEBHOOK_HTTP_TIMEOUTS } from './webhook-budget.ts';

/** What distinguishes one AWS JSON-protocol service from another on the wire. */
export interface AwsJsonService {
  /** SigV4 signing name and endpoint prefix: `sqs`, `secretsmanager`. */
  readonly name: string;
  /** The `X-Amz-Target` prefix: `AmazonSQS`, `secretsmanager`. */
  readonly targetPrefix: string;
  /** `application/x-amz-json-<version>`: SQS speaks 1.0, Secrets Manager 1.1. */
  readonly jsonVersion: '1.0' | '1.1';
  /** The SDK's per-service endpoint variable, `AWS_ENDPOINT_URL_<id>`: `SQS`, `SECRETS_MANAGER`. */
  readonly endpointId: string;
}

export const SQS_JSON: AwsJsonService = { name: 'sqs', targetPrefix: 'AmazonSQS', jsonVersion: '1.0', endpointId: 'SQS' };
export const SECRETS_MANAGER_JSON: AwsJsonService = {
  name: 'secretsmanager',
  targetPrefix: 'secretsmanager',
  jsonVersion: '1.1',
  endpointId: 'SECRETS_MANAGER',
};

export interface AwsJsonClientOptions {
  readonly service: AwsJsonService;
  /** Default: `AWS_REGION`, as Lambda sets it. */
  readonly region?: string | undefined;
  /** Default: as the SDK, `AWS_ENDPOINT_URL_<id>`, then `AWS_ENDPOINT_URL`, then the service's public endpoint in the region. Set for an emulator. */
  readonly endpoint?: string | undefined;
  /** Default: the environment's credentials, which is where Lambda puts the execution role's. */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider | undefined;
  /** Default: a keep-alive handler with the webhook budget's timeouts (300 ms to connect, 500 ms per attempt). Share one between clients to share its connections. */
  readonly requestHandler?: NodeHttpHandler | undefined;
  /** Attempts per call, retries of retryable failures included. Default 3, as the SDK's standard retry mode. */
  readonly maxAttempts?: number | undefined;
}

export interface AwsJsonCallOptions {
  /** Ends the call, retries and backoff included (the caller's overall deadline). */
  readonly abortSignal?: AbortSignal | undefined;
  /**
   * Where to send this call when the client has no endpoint of its own, before the region's public one
   * (SQS: the queue URL's origin, as the SDK's `useQueueUrlAsEndpoint`). A configured endpoint (an
   * emulator) wins.
   */
  readonly fallbackEndpoint?: string | undefined;
}

/** One AWS JSON-protocol client: signed calls with the SDK's retry rules, and nothing else of an SDK client. */
export interface AwsJsonClient {
  call(operation: string, input: object, options?: AwsJsonCallOptions): Promise<Record<string, unknown>>;
  /** Closes the handler's sockets (tests and the local stack; a Lambda never does). */
  destroy(): void;
}

/** Error types that mean "slow down": retried, as the SDK does, after a longer backoff. */
const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'ProvisionedThroughputExceededException',
  'SlowDown',
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'PriorRequestNotComplete',
  'TransactionInProgressException',
]);
/** Error types the SDK's standard retry mode treats as transient whatever their status. */
const TRANSIENT = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'InternalError', 'ServiceUnavailable']);
/** Network failures of an attempt (a reused socket the far end closed, a refused or reset connection). */
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

/**
 * The service answered with an error. Only its type and HTTP status are kept: AWS error messages can
 * quote what was sent (a secret's name, a queue URL, parts of a message), and this error ends up in logs.
 */
export class AwsServiceError extends Error {
  override readonly name = 'AwsServiceError';
  /** "Slow down": retried after the longer backoff. */
  readonly throttled: boolean;
  /** Worth another attempt: throttling, a 5xx or a transient type. */
  readonly retryable: boolean;
  constructor(
    readonly code: string,
    readonly statusCode: number,
    operation: string,
  ) {
    super(`${operation} failed with HTTP ${statusCode} (${code})`);
    // A query-compatible code carries a prefix (`AWS.SimpleQueueService.NonExistentQueue`): its last part is the type.
    const type = code.slice(code.lastIndexOf('.') + 1);
    this.throttled = THROTTLING.has(type) || statusCode === 429;
    this.retryable = this.throttled || statusCode >= 500 || TRANSIENT.has(type);
  }
}

/** The standard retry mode's backoff: full jitter over 100 ms × 2^(attempt − 1), 500 ms for throttling, capped at 20 s. */
const backoffMs = (attempt: number, throttled: boolean): number =>
  Math.random() * Math.min(20_000, (throttled ? 500 : 100) * 2 ** (attempt - 1));

const isRetryableFailure = (error: unknown): boolean => {
  if (error instanceof AwsServiceError) return error.retryable;
  const { name, code } = (error ?? {}) as { name?: string; code?: string };
  return TRANSIENT.has(name ?? '') || NETWORK.has(code ?? '');
};

/** What the SDK throws when a call's abort signal fires: an `AbortError`, whatever the signal's reason. */
const abortError = (): Error => Object.assign(new Error('Request aborted'), { name: 'AbortError' });

const sleep = (ms: number, signal: AbortSignal | undefined) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** SHA-256 and HMAC-SHA-256 for the signer, from node:crypto (what `@smithy/hash-node` wraps). */
class NodeSha256 implements Checksum {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.create();
  }
  private create(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(this.secret));
  }
  update(data: Uint8Array | string): void {
    this.hash.update(toBuffer(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.create();
  }
}

const toBuffer = (data: SourceData): Buffer =>
  typeof data === 'string'
    ? Buffer.from(data, 'utf8')
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);

const publicEndpoint = (service: string, region: string): string =>
  `https://${service}.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`;

const readBody = async (body: unknown): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer | string>)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
};

/**
 * An AWS JSON-protocol client in one module: a SigV4-signed POST per attempt through the SDK's own
 * signer and Node.js HTTP handler, the standard retry mode's rules (3 attempts; throttling, 5xx,
 * timeouts and network errors retried after a jittered backoff) and an abort signal over the whole
 * call. The ingest path has one SendMessage and one GetSecretValue to make: a full SDK client
 * (middleware stack, schema serde, endpoint rules) is most of its bundle and its import time at every
 * cold start, and none of it changes the bytes that go over the wire.
 */
export const createAwsJsonClient = ({
  service,
  region,
  endpoint,
  credentials = defaultProvider(),
  requestHandler = new NodeHttpHandler(WEBHOOK_HTTP_TIMEOUTS),
  maxAttempts = 3,
}: AwsJsonClientOptions): AwsJsonClient => {
  // Resolved at the first call, as the SDK's clients do, so that a module can build its clients at load.
  const resolveRegion = (): string => {
    const resolved = region ?? process.env.AWS_REGION;
    if (!resolved) throw new Error(`No region for ${service.name}: set AWS_REGION (Lambda sets it)`);
    return resolved;
  };
  const signer = new SignatureV4({ service: service.name, region: async () => resolveRegion(), credentials, sha256: NodeSha256 });
  const configuredEndpoint = endpoint ?? process.env[`AWS_ENDPOINT_URL_${service.endpointId}`] ?? process.env.AWS_ENDPOINT_URL;
  const contentType = `application/x-amz-json-${service.jsonVersion}`;

  const attempt = async (operation: string, body: string, url: URL, abortSignal: AbortSignal | undefined) => {
    const request = new HttpRequest({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      headers: {
        host: url.host,
        'content-type': contentType,
        'x-amz-target': `${service.targetPrefix}.${operation}`,
        'content-length': String(Buffer.byteLength(body)),
      },
      body,
    });
    const signed = (await signer.sign(request)) as HttpRequest;
    const { response } = await requestHandler.handle(signed, abortSignal ? { abortSignal } : {});
    const text = await readBody(response.body);
    if (response.statusCode >= 200 && response.statusCode < 300) return text ? (JSON.parse(text) as Record<string, unknown>) : {};
    throw new AwsServiceError(errorCode(text, response.headers) ?? `HTTP ${response.statusCode}`, response.statusCode, operation);
  };

  return {
    async call(operation, input, options = {}) {
      const url = new URL(configuredEndpoint ?? options.fallbackEndpoint ?? publicEndpoint(service.name, resolveRegion()));
      const body = JSON.stringify(input);
      for (let attemptNumber = 1; ; attemptNumber++) {
        try {
          return await attempt(operation, body, url, options.abortSignal);
        } catch (error) {
          if (options.abortSignal?.aborted) throw (error as Error)?.name === 'AbortError' ? error : abortError();
          if (attemptNumber >= maxAttempts || !isRetryableFailure(error)) throw error;
          await sleep(backoffMs(attemptNumber, error instanceof AwsServiceError && error.throttled), options.abortSignal);
        }
      }
    },
    destroy: () => requestHandler.destroy(),
  };
};

/** The error's type from the `x-amzn-query-error` or `x-amzn-errortype` header or the body's `__type`, without its namespace. */
const errorCode = (text: string, headers: Record<string, string | undefined>): string | undefined => {
  const raw =
    headers['x-amzn-query-error']?.split(';')[0] ??
    headers['x-amzn-errortype']?.split(':')[0] ??
    /"(?:__type|code)"\s*:\s*"([^"]*)"/.exec(text)?.[1];
  return raw?.replace(/^.*#/, '');
};
