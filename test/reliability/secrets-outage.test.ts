import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestHandler } from '../../functions/ingest/ingest-webhook.ts';
import { webhookRoute } from '../../functions/ingest/webhook-routes.ts';
import type { AwsJsonClient } from '../../functions/shared/clients/aws-json-client.ts';
import { createSecretsManagerClient } from '../../functions/shared/clients/secrets-manager.ts';
import { createIngestSqsClient } from '../../functions/shared/clients/sqs.ts';
import { secretCredentialStore } from '../../functions/shared/secret-credential-store.ts';
import { signedSecretSource } from '../../functions/shared/signed-secret-source.ts';
import { sqsNotificationQueue } from '../../functions/shared/sqs-notification-queue.ts';
import { type RunningEmulators, startEmulators } from '../../lib/local/emulators.ts';
import { localClientConfig } from '../../lib/local/local-aws.ts';
import { seed } from '../fixtures/seeds.ts';
import { apiEvent } from '../support/api-event.ts';
import { TEST_CREDENTIALS } from '../support/http.ts';
import { queueCounts, sqsClientFor } from '../support/queues.ts';

// Secrets Manager unreachable for ten minutes (SPEC §5, issue 10 point 5). The ingest handler as deployed: the real
// SDK client with the webhook timeouts, the credential store's cache, a real SQS queue (fauxqs). Secrets Manager is a
// small JSON 1.1 server that can refuse connections or stop answering; the cache's clock is simulated, so ten
// minutes (twice its 5-minute age) pass in seconds. Every valid webhook is accepted all along, wrong credentials are
// still refused with 401, and once the last good value is older than the staleness bound, valid ones get 503.

type Mode = 'answer' | 'refuse' | 'hang';
let mode: Mode = 'answer';
let secretsCalls = 0;
let server: Server;
let secrets: AwsJsonClient;
let secretsEndpoint: string;
let emulators: RunningEmulators;
let sqs: AwsJsonClient;
let admin: SQSClient;
let queueUrl: string;
let simulatedNow = Date.now();

beforeAll(async () => {
  server = createServer((request, response) => {
    secretsCalls += 1;
    if (mode === 'refuse') {
      request.socket.destroy();
      return;
    }
    if (mode === 'hang') return;
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(
        JSON.stringify({ ARN: 'webhook', Name: 'webhook', SecretString: JSON.stringify(TEST_CREDENTIALS), VersionId: 'v1' }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  secretsEndpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  secrets = createSecretsManagerClient(localClientConfig(secretsEndpoint));
  emulators = await startEmulators();
  sqs = createIngestSqsClient(localClientConfig(emulators.endpoints.sqs));
  admin = sqsClientFor(emulators.endpoints.sqs);
  queueUrl = (await admin.send(new CreateQueueCommand({ QueueName: `secrets-outage-${Date.now()}` }))).QueueUrl ?? '';
});

afterAll(async () => {
  secrets?.destroy();
  sqs?.destroy();
  admin?.destroy();
  server?.closeAllConnections();
  server?.close();
  await emulators?.stop();
});

const handler = () =>
  createIngestHandler({
    route: webhookRoute('push'),
    credentials: secretCredentialStore({
      // As deployed: one signed GetSecretValue (signed-secret-source.ts).
      source: signedSecretSource({ client: secrets }),
      secretId: 'webhook',
      now: () => simulatedNow,
    }),
    queue: sqsNotificationQueue({ client: sqs, queueUrl }),
    maxBodyBytes: 262_144,
  });

const basic = ({ username, password }: { username: string; password: string }) =>
  `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

const webhook = (credentials: { username: string; password: string }) =>
  apiEvent({
    headers: { authorization: basic(credentials), 'content-type': 'application/json' },
    body: JSON.stringify(seed('push-chat')),
  });

const WRONG = { username: TEST_CREDENTIALS.username, password: 'not-the-password' };

describe('Secrets Manager unreachable for ten minutes', () => {
  it.each(['refuse', 'hang'] as const)(
    '(%s) refuses 0 valid webhooks and still refuses wrong credentials with 401',
    async (outage) => {
      // Prepare: a warm instance that has read the secret once.
      const ingest = handler();
      mode = 'answer';
      expect((await ingest(webhook(TEST_CREDENTIALS))).statusCode).toBe(200);
      const { visible: before } = await queueCounts(admin, queueUrl);
      secretsCalls = 0;

      // Act: Secrets Manager goes away; ten minutes pass, a valid and a wrong webhook every 15 seconds.
      mode = outage;
      const statuses = { valid: [] as number[], wrong: [] as number[] };
      for (let step = 0; step < 40; step += 1) {
        simulatedNow += 15_000;
        statuses.valid.push((await ingest(webhook(TEST_CREDENTIALS))).statusCode);
        statuses.wrong.push((await ingest(webhook(WRONG))).statusCode);
      }

      // Assess: every valid webhook was enqueued, every wrong one refused; Secrets Manager was tried, not hammered.
      expect(statuses.valid.filter((status) => status !== 200)).toEqual([]);
      expect(statuses.wrong.filter((status) => status !== 401)).toEqual([]);
      expect((await queueCounts(admin, queueUrl)).visible - before).toBe(40);
      expect(secretsCalls).toBeGreaterThan(0);
      expect(secretsCalls).toBeLessThanOrEqual(2 * 2 * 40);

      // Secrets Manager is back: the next read after the retry interval refreshes the value.
      mode = 'answer';
      simulatedNow += 15_000;
      expect((await ingest(webhook(TEST_CREDENTIALS))).statusCode).toBe(200);
    },
  );

  it('stops using the last good value after the staleness bound (5 minutes of age plus 1 hour)', async () => {
    const ingest = handler();
    mode = 'answer';
    expect((await ingest(webhook(TEST_CREDENTIALS))).statusCode).toBe(200);

    mode = 'refuse';
    simulatedNow += (300 + 3600 - 60) * 1000;
    expect((await ingest(webhook(TEST_CREDENTIALS))).statusCode).toBe(200);
    simulatedNow += 120_000;
    const answer = await ingest(webhook(TEST_CREDENTIALS));
    expect(answer.statusCode).toBe(503);
    expect(JSON.parse(answer.body ?? '{}')).toMatchObject({ error: 'unavailable' });
  });
});
