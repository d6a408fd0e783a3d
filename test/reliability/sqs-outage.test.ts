import { request as httpRequest } from 'node:http';
import { buildApp } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { postWebhook } from '../support/http.ts';
import { type HttpProxy, type ProxiedRequest, type ProxiedResponse, startHttpProxy } from './support/http-proxy.ts';
import {
  holdsFor,
  notificationFor,
  pushCounts,
  queueCounts,
  type Relay,
  registerMembers,
  startRelay,
  waitFor,
} from './support/relay.ts';

// The SQS emulator stops in the middle of a burst (`stopSqs()`): fauxqs closes every connection at
// once, and its queues, held in memory, are gone with it.
//
// What must hold: every request is answered 200 or 503, nothing else; a 503 is never delivered; each
// notification is delivered at most once; and a 200 goes undelivered only if the emulator itself lost
// it. That last clause needs to know what the emulator held when it stopped, so the stack talks to
// fauxqs through a proxy that records which SendMessage calls SQS acknowledged (message id → member)
// and which messages a ReceiveMessage handed to a consumer. A message acknowledged and never received
// was in the queue when it vanished: that is the emulator losing state, and the only way a 200 may go
// undelivered. Everything a consumer received is delivered (SNS stays up). The consumers run during the
// burst, so most 200s are delivered before the outage.
//
// Then SQS comes back on the same address with its queues and topics, as the stack created them, but
// no messages (the proxy replays the calls that created them), as a restarted in-memory SQS would be:
// CometChat retries what was answered 503, and the relay, never restarted, accepts and delivers each
// retry exactly once.

const MEMBERS = 300;
/** The emulator stops once this many pushes are delivered, or at the latest after `STOP_BY_ANSWER` answers. */
const STOP_AFTER_DELIVERIES = 50;
const STOP_BY_ANSWER = 200;
const CONCURRENCY = 10;
const VISIBILITY_SECONDS = 2;

/** SQS (JSON protocol) and SNS-topic (query protocol) calls that create what the stack runs on. */
const CONTROL_ACTIONS = new Set([
  'AmazonSQS.CreateQueue',
  'AmazonSQS.SetQueueAttributes',
  'CreateTopic',
  'SetTopicAttributes',
  'Subscribe',
  'SetSubscriptionAttributes',
]);

const traffic = {
  /** SendMessage acknowledged by SQS: message id → member. */
  acknowledged: new Map<string, string>(),
  /** Message ids some ReceiveMessage handed out. */
  received: new Set<string>(),
  /** The calls that set the emulator up, in order, to set a restarted one up the same way. */
  control: [] as ProxiedRequest[],
};

const actionOf = (request: ProxiedRequest): string =>
  String(request.headers['x-amz-target'] ?? new URLSearchParams(request.body.toString('utf8')).get('Action') ?? '');

const recordSqs = (request: ProxiedRequest, response: ProxiedResponse): void => {
  if (response.status !== 200) return;
  const action = actionOf(request);
  if (CONTROL_ACTIONS.has(action)) traffic.control.push(request);
  if (action === 'AmazonSQS.SendMessage') {
    const { MessageBody } = JSON.parse(request.body.toString('utf8')) as { MessageBody: string };
    const { MessageId } = JSON.parse(response.body.toString()) as { MessageId: string };
    const uid = (JSON.parse(MessageBody) as { data?: { to?: { uid?: string } } }).data?.to?.uid;
    if (uid) traffic.acknowledged.set(MessageId, uid);
  } else if (action === 'AmazonSQS.ReceiveMessage') {
    const { Messages = [] } = JSON.parse(response.body.toString()) as { Messages?: Array<{ MessageId: string }> };
    for (const message of Messages) traffic.received.add(message.MessageId);
  }
};

/** Sends a recorded call again, as it was, to `target`. */
const replay = (target: string, { method, path, headers, body }: ProxiedRequest): Promise<number> =>
  new Promise((resolve, reject) => {
    const { hostname, port, host } = new URL(target);
    const call = httpRequest({ host: hostname, port, method, path, headers: { ...headers, host } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    call.on('error', reject);
    call.end(body);
  });

let relay: Relay;
let proxy: HttpProxy;
let restarted: ReturnType<typeof buildApp> | undefined;

beforeAll(async () => {
  // While SQS is down every poller reports each failed receive on the console: expected here.
  vi.spyOn(console, 'error').mockImplementation(() => {});
  relay = await startRelay({
    stack: { visibilityTimeoutSeconds: VISIBILITY_SECONDS },
    route: async (endpoints) => {
      proxy = await startHttpProxy({ target: endpoints.sqs, observe: recordSqs });
      return { ...endpoints, sqs: proxy.url };
    },
  });
});

afterAll(async () => {
  await relay?.stop();
  await restarted?.close();
  await proxy?.stop();
  vi.restoreAllMocks();
});

interface Answer {
  readonly uid: string;
  readonly status: number;
  readonly json: unknown;
}

/** Posts one push per member, `CONCURRENCY` at a time; `onAnswer` hears how many are answered so far. */
const burst = async (uids: readonly string[], onAnswer: (answered: number) => void = () => {}): Promise<Answer[]> => {
  const answers: Answer[] = [];
  let next = 0;
  const lane = async () => {
    while (next < uids.length) {
      const uid = uids[next++] as string;
      const response = await postWebhook(relay.stack.webhookUrls.push, notificationFor('push-chat', uid, `outage-${uid}`));
      answers.push({ uid, status: response.status, json: response.json });
      onAnswer(answers.length);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  return answers;
};

const uidsAnswered = (answers: readonly Answer[], status: number): Set<string> =>
  new Set(answers.filter((answer) => answer.status === status).map((answer) => answer.uid));

describe('the SQS emulator stopping in the middle of a burst', () => {
  let members: Awaited<ReturnType<typeof registerMembers>>;
  let first: Answer[] = [];

  /** Pushes per member so far, counted at the SNS emulator. */
  const deliveries = async (): Promise<Map<string, number>> => {
    const counts = pushCounts(await relay.sns.published());
    return new Map([...counts].map(([arn, count]) => [members.uidOf.get(arn) ?? arn, count]));
  };

  it('answers 200 or 503, delivers no 503, and leaves a 200 undelivered only when the emulator lost it', async () => {
    // Prepare
    members = await registerMembers(relay.stack, 'outage', MEMBERS);
    let stopping: Promise<void> | undefined;

    let deliveredSoFar = 0;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        deliveredSoFar = (await relay.sns.published()).length;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();

    // Act: the emulator stops in the middle of the burst, once the consumers have delivered a good share of it.
    first = await burst(members.uids, (answered) => {
      if (!stopping && (deliveredSoFar >= STOP_AFTER_DELIVERIES || answered >= STOP_BY_ANSWER))
        stopping = relay.emulators.stopSqs();
    });
    watching = false;
    await watcher;
    await stopping;

    // Assess: 200 with the queue's message id or 503 `unavailable`, nothing else, and the outage was mid-burst.
    for (const answer of first) {
      if (answer.status === 503) expect(answer.json).toEqual({ error: 'unavailable', message: expect.any(String) });
      else expect(answer).toMatchObject({ status: 200, json: { status: 'accepted', id: expect.any(String) } });
    }
    const accepted = uidsAnswered(first, 200);
    const refused = uidsAnswered(first, 503);
    expect(accepted.size).toBeGreaterThan(STOP_AFTER_DELIVERIES);
    expect(refused.size).toBeGreaterThan(0);
    expect(accepted.size + refused.size).toBe(MEMBERS);

    // A 200 means SQS acknowledged the message; SQS acknowledged nothing that was answered otherwise.
    expect(new Set(traffic.acknowledged.values())).toEqual(accepted);

    // Whatever a consumer received gets delivered (SNS is up); then nothing more arrives.
    const receivedUids = [...traffic.received].map((id) => traffic.acknowledged.get(id));
    expect(receivedUids).not.toContain(undefined);
    await waitFor(
      async () => {
        const delivered = await deliveries();
        return receivedUids.every((uid) => delivered.has(uid as string));
      },
      { what: 'every received message to be delivered' },
    );
    const settled = (await deliveries()).size;
    await holdsFor(async () => (await deliveries()).size === settled, {
      forMs: (VISIBILITY_SECONDS + 1) * 1000,
      what: 'the deliveries',
    });

    const delivered = await deliveries();
    expect([...delivered].filter(([, count]) => count !== 1)).toEqual([]);
    expect([...delivered.keys()].filter((uid) => !accepted.has(uid))).toEqual([]);
    // A 200 left undelivered was acknowledged and still in the queue, never received, when the emulator vanished.
    const lostWithTheEmulator = new Set(
      [...traffic.acknowledged].filter(([id]) => !traffic.received.has(id)).map(([, uid]) => uid),
    );
    expect(new Set([...accepted].filter((uid) => !delivered.has(uid)))).toEqual(lostWithTheEmulator);
  });

  it('accepts and delivers CometChat retries of the 503s once SQS is back, without restarting the relay', async () => {
    // Prepare: SQS back where it was, its queues and topics set up again by replaying the stack's calls, no messages.
    const refused = [...uidsAnswered(first, 503)];
    expect(refused.length).toBeGreaterThan(0);
    const { port } = new URL(relay.emulators.endpoints.sqs);
    restarted = buildApp({ logger: false });
    await restarted.listen({ host: '127.0.0.1', port: Number(port) });
    for (const call of traffic.control) expect(await replay(relay.emulators.endpoints.sqs, call), actionOf(call)).toBe(200);
    const before = await deliveries();

    // Act: CometChat retries each request it was answered 503 for.
    const retries = await burst(refused);

    // Assess: every retry accepted and delivered exactly once; nobody else receives anything more.
    expect(retries.filter((answer) => answer.status !== 200)).toEqual([]);
    await waitFor(
      async () => {
        const delivered = await deliveries();
        return refused.every((uid) => delivered.get(uid) === 1);
      },
      { timeoutMs: 30_000, what: 'a push to every member whose request was retried' },
    );
    await relay.stack.idle();
    const after = await deliveries();
    expect([...after].filter(([, count]) => count !== 1)).toEqual([]);
    expect(after.size).toBe(before.size + refused.length);
    expect(await queueCounts(relay.sqs, relay.stack.queues.push.url)).toEqual({ visible: 0, inFlight: 0 });
    expect(await queueCounts(relay.sqs, relay.stack.queues.push.deadLetterUrl)).toEqual({ visible: 0, inFlight: 0 });
  });
});
