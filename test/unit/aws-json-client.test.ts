import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SourceData } from '@smithy/types';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AwsServiceError, createAwsJsonClient, SQS_JSON } from '../../functions/shared/clients/aws-json-client.ts';
import { createIngestSqsClient } from '../../functions/shared/clients/sqs.ts';
import { UnavailableError } from '../../functions/shared/errors.ts';
import { sqsNotificationQueue } from '../../functions/shared/sqs-notification-queue.ts';

// A scripted JSON-protocol service on a local socket: each request gets the next planned answer.

interface Received {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

type Answer = { status: number; body: unknown; headers?: Record<string, string> } | 'hang';

const CREDENTIALS = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret', sessionToken: 'local-session' };
let server: Server;
let endpoint: string;
let received: Received[] = [];
let plan: Answer[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, body });
      const answer = plan.shift() ?? { status: 200, body: {} };
      if (answer === 'hang') return;
      response.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0', ...answer.headers });
      response.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  received = [];
  plan = [];
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const client = (options: { maxAttempts?: number; endpoint?: string | undefined } = {}) =>
  createAwsJsonClient({ service: SQS_JSON, region: 'eu-west-1', credentials: CREDENTIALS, endpoint, ...options });

/** Signs the request the service received again with the SDK's signer, at its own x-amz-date, and returns that Authorization. */
const resign = async ({ method, path, headers, body }: Received): Promise<string> => {
  const amzDate = String(headers['x-amz-date']);
  const signingDate = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  const signed =
    String(headers.authorization)
      .match(/SignedHeaders=([^,]+)/)?.[1]
      ?.split(';') ?? [];
  const request = new HttpRequest({
    method,
    protocol: 'http:',
    hostname: '127.0.0.1',
    path,
    headers: Object.fromEntries(signed.filter((name) => name !== 'x-amz-date').map((name) => [name, String(headers[name])])),
    body,
  });
  const signer = new SignatureV4({
    service: 'sqs',
    region: 'eu-west-1',
    credentials: CREDENTIALS,
    sha256: class {
      private readonly hash;
      constructor(secret?: SourceData) {
        this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', secret as Uint8Array | string);
      }
      update(data: Uint8Array | string) {
        this.hash.update(data);
      }
      async digest() {
        return new Uint8Array(this.hash.digest());
      }
    },
  });
  const again = await signer.sign(request, { signingDate });
  return String(again.headers.authorization);
};

describe('createAwsJsonClient', () => {
  it('sends the JSON-protocol request the SDK sends, signed with SigV4 so that the signature verifies', async () => {
    // Prepare
    plan = [{ status: 200, body: { QueueUrls: [] } }];

    // Act
    const output = await client().call('ListQueues', { QueueNamePrefix: 'relay-' });

    // Assess
    expect(output).toEqual({ QueueUrls: [] });
    const [request] = received as [Received];
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/');
    expect(request.headers['x-amz-target']).toBe('AmazonSQS.ListQueues');
    expect(request.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(request.headers['x-amz-security-token']).toBe('local-session');
    expect(JSON.parse(request.body)).toEqual({ QueueNamePrefix: 'relay-' });
    expect(String(request.headers.authorization)).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDLOCAL\/\d{8}\/eu-west-1\/sqs\/aws4_request, /,
    );
    expect(await resign(request)).toBe(request.headers.authorization);
  });

  it('retries a 5xx and a throttling error, and answers with the attempt that succeeded', async () => {
    // Prepare
    plan = [
      { status: 500, body: { __type: 'com.amazonaws.sqs#InternalError', message: 'boom' } },
      {
        status: 400,
        body: { __type: 'com.amazonaws.sqs#RequestThrottled', message: 'slow down' },
        headers: { 'x-amzn-query-error': 'AWS.SimpleQueueService.RequestThrottled;Sender' },
      },
      { status: 200, body: { MessageId: 'm-1' } },
    ];

    // Act
    const output = await client().call('SendMessage', { QueueUrl: 'q', MessageBody: 'b' });

    // Assess
    expect(output).toEqual({ MessageId: 'm-1' });
    expect(received).toHaveLength(3);
  });

  it('does not retry a client error, and keeps only its type and status, never what the service echoed', async () => {
    // Prepare
    plan = [
      {
        status: 400,
        body: { __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The queue secret-name-from-input does not exist' },
        headers: { 'x-amzn-query-error': 'AWS.SimpleQueueService.NonExistentQueue;Sender' },
      },
    ];

    // Act
    const error = await client()
      .call('SendMessage', { QueueUrl: 'q', MessageBody: 'b' })
      .catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(AwsServiceError);
    expect(error).toMatchObject({ code: 'AWS.SimpleQueueService.NonExistentQueue', statusCode: 400, retryable: false });
    expect((error as Error).message).toBe('SendMessage failed with HTTP 400 (AWS.SimpleQueueService.NonExistentQueue)');
    expect(received).toHaveLength(1);
  });

  it('gives up after its attempts, with the last failure', async () => {
    // Prepare
    plan = [
      { status: 503, body: { __type: 'ServiceUnavailable' } },
      { status: 503, body: { __type: 'ServiceUnavailable' } },
    ];

    // Act
    const error = await client({ maxAttempts: 2 })
      .call('SendMessage', {})
      .catch((caught: unknown) => caught);

    // Assess
    expect(error).toMatchObject({ name: 'AwsServiceError', code: 'ServiceUnavailable', statusCode: 503 });
    expect(received).toHaveLength(2);
  });

  it('ends the call with an AbortError when its signal fires, retries and all', async () => {
    // Prepare
    plan = ['hang', 'hang', 'hang'];

    // Act
    const error = await client()
      .call('SendMessage', {}, { abortSignal: AbortSignal.timeout(100) })
      .catch((caught: unknown) => caught);

    // Assess
    expect(error).toMatchObject({ name: 'AbortError' });
  });

  it('sends to the configured endpoint over a per-call fallback, and to the fallback when none is configured', async () => {
    // Prepare
    const unconfigured = createAwsJsonClient({ service: SQS_JSON, region: 'eu-west-1', credentials: CREDENTIALS });
    const elsewhere = 'http://127.0.0.1:9';

    // Act
    await client().call('ListQueues', {}, { fallbackEndpoint: elsewhere });
    await unconfigured.call('ListQueues', {}, { fallbackEndpoint: endpoint });

    // Assess
    expect(received).toHaveLength(2);
    unconfigured.destroy();
  });

  it('fails its first call without a region, naming the variable, and sends nothing', async () => {
    const saved = process.env.AWS_REGION;
    delete process.env.AWS_REGION;
    try {
      const regionless = createAwsJsonClient({ service: SQS_JSON, credentials: CREDENTIALS });
      await expect(regionless.call('ListQueues', {})).rejects.toThrow(/set AWS_REGION/);
      expect(received).toHaveLength(0);
    } finally {
      if (saved !== undefined) process.env.AWS_REGION = saved;
    }
  });
});

describe('sqsNotificationQueue over the signed client', () => {
  const queueUrl = () => `${endpoint}/000000000000/relay-push`;
  const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

  it('sends SendMessage to the queue URL with string attributes, and answers the MessageId', async () => {
    // Prepare
    plan = [{ status: 200, body: { MessageId: 'm-7', MD5OfMessageBody: md5('{"n":1}') } }];
    const queue = sqsNotificationQueue({
      client: createIngestSqsClient({ region: 'eu-west-1', credentials: CREDENTIALS }),
      queueUrl: queueUrl(),
    });

    // Act
    const result = await queue.enqueue({ body: '{"n":1}', attributes: { channel: 'push' } });

    // Assess: sent to the queue URL's origin (no endpoint configured), as the SDK's useQueueUrlAsEndpoint.
    expect(result).toEqual({ id: 'm-7' });
    expect(JSON.parse((received[0] as Received).body)).toEqual({
      QueueUrl: queueUrl(),
      MessageBody: '{"n":1}',
      MessageAttributes: { channel: { DataType: 'String', StringValue: 'push' } },
    });
  });

  it('refuses an answer whose body MD5 does not match what was sent, as the SDK does', async () => {
    // Prepare
    plan = [{ status: 200, body: { MessageId: 'm-8', MD5OfMessageBody: md5('something else') } }];
    const queue = sqsNotificationQueue({ client: client(), queueUrl: queueUrl() });

    // Act
    const error = await queue.enqueue({ body: '{"n":2}', attributes: {} }).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).cause).toMatchObject({ name: 'SqsIntegrityError' });
  });
});
