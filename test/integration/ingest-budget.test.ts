import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AwsJsonClient } from '../../functions/shared/clients/aws-json-client.ts';
import { createIngestSqsClient } from '../../functions/shared/clients/sqs.ts';
import { WEBHOOK_HTTP_TIMEOUTS } from '../../functions/shared/clients/webhook-budget.ts';
import { UnavailableError } from '../../functions/shared/errors.ts';
import { sqsNotificationQueue } from '../../functions/shared/sqs-notification-queue.ts';
import { localClientConfig } from '../../lib/local/local-aws.ts';
import { waitFor } from '../support/polling.ts';
import { drainQueue, sqsClientFor } from '../support/queues.ts';

// The deployed ingest budget (300 ms to connect, 500 ms per SendMessage attempt, 3 attempts, 1.2 s in all),
// proven against a fake SQS that the test controls: it holds the attempts it is told to and forwards the
// others to the SQS emulator. The assertions are on what happened and in which order, and on lower bounds
// of time (a timer never fires early), never on how soon a busy machine got round to something, so they
// hold however loaded the machine is. Every other test that asserts outcomes gives its local stack a
// budget that fits a busy machine (test/support/ingest-budget.ts).

const emulators = inject('emulators');
const sqs = sqsClientFor(emulators.sqs);
const ATTEMPT_MS = WEBHOOK_HTTP_TIMEOUTS.requestTimeout;

/** One SendMessage attempt as the fake SQS saw it (epoch ms). */
interface Attempt {
  readonly arrivedAt: number;
  /** When the client closed the connection, if it did. */
  closedAt?: number;
  /** When the fake answered, if it did. */
  answeredAt?: number;
}

/**
 * What the fake does with attempt number `n` (from 1): `hang` never answers and forwards nothing;
 * `forward-then-hang` hands it to the emulator (so it is queued) and never answers the client;
 * `forward` hands it over and answers with the emulator's answer.
 */
type Behaviour = 'hang' | 'forward-then-hang' | 'forward';

interface FakeSqs {
  readonly url: string;
  readonly attempts: Attempt[];
  behave(plan: (attempt: number) => Behaviour): void;
  stop(): Promise<void>;
}

/** Headers of the connection, not of the request: fetch sets its own. */
const HOP_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

const startFakeSqs = async (target: string): Promise<FakeSqs> => {
  let plan: (attempt: number) => Behaviour = () => 'forward';
  const attempts: Attempt[] = [];
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const attempt: Attempt = { arrivedAt: Date.now() };
    attempts.push(attempt);
    const behaviour = plan(attempts.length);
    request.socket.once('close', () => {
      attempt.closedAt ??= Date.now();
    });
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      if (behaviour === 'hang') return;
      const answer = await fetch(`${target}${request.url ?? '/'}`, {
        method: request.method ?? 'POST',
        headers: Object.fromEntries(
          Object.entries(request.headers).filter(([name, value]) => typeof value === 'string' && !HOP_HEADERS.has(name)),
        ) as Record<string, string>,
        body: Buffer.concat(chunks),
      });
      const body = Buffer.from(await answer.arrayBuffer());
      if (behaviour === 'forward-then-hang') return;
      attempt.answeredAt = Date.now();
      response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    attempts,
    behave(next) {
      plan = next;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};

let fake: FakeSqs;
let queueUrl: string;
let client: AwsJsonClient;

beforeAll(async () => {
  fake = await startFakeSqs(emulators.sqs);
  ({ QueueUrl: queueUrl = '' } = await sqs.send(new CreateQueueCommand({ QueueName: `budget-${randomUUID().slice(0, 8)}` })));
});

afterEach(async () => {
  client?.destroy();
  fake.attempts.length = 0;
  await drainQueue(sqs, queueUrl);
});

afterAll(async () => {
  await fake.stop();
  sqs.destroy();
});

/** Waits until the fake has seen the client close the connection of every hung attempt (it sees it a little after the client). */
const closed = (attempts: readonly Attempt[]) =>
  waitFor(() => attempts.every((attempt) => attempt.answeredAt !== undefined || attempt.closedAt !== undefined), {
    timeoutMs: 10_000,
    what: 'the client to close every hung attempt',
  });

/** The ingest SQS client exactly as deployed (functions/shared/clients/sqs.ts), pointed at the fake. */
const deployedClient = (): AwsJsonClient => {
  client = createIngestSqsClient(localClientConfig(fake.url));
  return client;
};

describe('the deployed ingest budget against an SQS that hangs', () => {
  it('abandons a hung attempt at its 500 ms timeout and retries it, and the retry is what is answered', async () => {
    // Prepare
    fake.behave((attempt) => (attempt === 1 ? 'hang' : 'forward'));
    const started = Date.now();

    // Act
    const result = await deployedClient().call('SendMessage', { QueueUrl: queueUrl, MessageBody: 'retried' });

    // Assess: two attempts; the first closed by the client, the second started no sooner than the first's timeout.
    expect(result.MessageId).toEqual(expect.any(String));
    expect(fake.attempts).toHaveLength(2);
    await closed(fake.attempts);
    const [first, second] = fake.attempts as [Attempt, Attempt];
    expect(first.answeredAt).toBeUndefined();
    expect((first.closedAt as number) - started).toBeGreaterThanOrEqual(ATTEMPT_MS - 1);
    expect(second.arrivedAt - started).toBeGreaterThanOrEqual(ATTEMPT_MS - 1);
    expect(second.answeredAt).toBeDefined();
    expect((await drainQueue(sqs, queueUrl)).map((message) => message.Body)).toEqual(['retried']);
  });

  it('gives up after its third attempt, each abandoned at its timeout', async () => {
    // Prepare
    fake.behave(() => 'hang');
    const started = Date.now();

    // Act
    const failure = await deployedClient()
      .call('SendMessage', { QueueUrl: queueUrl, MessageBody: 'never' })
      .catch((error: unknown) => error);

    // Assess: exactly three attempts, one after the other, and the client's timeout error.
    expect(failure).toMatchObject({ name: 'TimeoutError' });
    expect(fake.attempts).toHaveLength(3);
    await closed(fake.attempts);
    for (const [index, attempt] of fake.attempts.entries()) {
      expect(attempt.answeredAt).toBeUndefined();
      expect(attempt.arrivedAt - started).toBeGreaterThanOrEqual(index * ATTEMPT_MS - 1);
    }
    expect((fake.attempts[2]?.closedAt as number) - started).toBeGreaterThanOrEqual(3 * ATTEMPT_MS - 1);
    expect(await drainQueue(sqs, queueUrl)).toEqual([]);
  });

  it('ends the enqueue at its 1.2 s deadline with UnavailableError, before the attempts run out', async () => {
    // Prepare: the ingest path's queue with its default deadline.
    fake.behave(() => 'hang');
    const queue = sqsNotificationQueue({ client: deployedClient(), queueUrl });
    const started = Date.now();

    // Act
    const failure = await queue.enqueue({ body: '{}', attributes: {} }).catch((error: unknown) => error);
    const ended = Date.now();

    // Assess: the deadline's abort, not the third attempt's timeout (500 + 500 + 500 ms and backoff > 1.2 s).
    expect(failure).toBeInstanceOf(UnavailableError);
    expect((failure as UnavailableError).cause).toMatchObject({ name: 'AbortError' });
    expect(ended - started).toBeGreaterThanOrEqual(1200 - 1);
    expect(fake.attempts.length).toBeGreaterThanOrEqual(1);
    expect(fake.attempts.length).toBeLessThanOrEqual(3);
    expect(await drainQueue(sqs, queueUrl)).toEqual([]);
  });

  it('can queue an attempt it gave up on: SQS had it, only the answer was late (the delivery ledger dedups it)', async () => {
    // Prepare: the first attempt reaches SQS but its answer never comes back.
    fake.behave((attempt) => (attempt === 1 ? 'forward-then-hang' : 'forward'));

    // Act
    const result = await deployedClient().call('SendMessage', { QueueUrl: queueUrl, MessageBody: 'twice' });

    // Assess: answered once, queued twice; at-most-once delivery rests on the ledger, not on the enqueue.
    expect(result.MessageId).toEqual(expect.any(String));
    expect(fake.attempts).toHaveLength(2);
    const queued: string[] = [];
    await waitFor(async () => {
      queued.push(...(await drainQueue(sqs, queueUrl)).map((message) => message.Body ?? ''));
      return queued.length >= 2;
    }, { timeoutMs: 10_000, what: 'both copies in the queue' });
    expect(queued).toEqual(['twice', 'twice']);
  });
});
