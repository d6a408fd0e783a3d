import autocannon from 'autocannon';
import { seed } from '../test/fixtures/seeds.ts';

// The load generator of the burst benchmark, in a process of its own so that
// it does not compete with the relay for the relay's event loop.

export interface BurstLoadRequest {
  readonly url: string;
  readonly authorization: string;
  /** One request per recipient, in this order; a few spares at the end (see `spares`). */
  readonly uids: readonly string[];
  readonly requests: number;
  readonly connections: number;
  /** Makes each run's notifications new ones (a fresh tag and sentAt), so the ledger does not skip them. */
  readonly runTag: string;
}

export interface BurstAnswer {
  readonly uid: string;
  readonly status: number;
  readonly ms: number;
  /** Epoch ms of the answer. */
  readonly at: number;
}

export interface BurstLoadReply {
  /** Epoch ms just before the first request. */
  readonly startedAt: number;
  readonly durationMs: number;
  readonly answers: readonly BurstAnswer[];
  readonly errors: number;
  readonly timeouts: number;
  /** How many request bodies autocannon asked for (it prepares each connection's next request ahead). */
  readonly prepared: number;
}

const run = async ({ url, authorization, uids, requests, connections, runTag }: BurstLoadRequest): Promise<BurstLoadReply> => {
  const bodies = uids.map((uid, index) => {
    const payload = seed('push-chat');
    payload.data.to.uid = uid;
    payload.data.notificationDetails.receiver = uid;
    payload.data.notificationDetails.tag = `${runTag}-${index}`;
    payload.data.notificationDetails.sentAt = String(Date.now());
    return JSON.stringify(payload);
  });
  let prepared = 0;
  let answeredUid = '';
  const answers: BurstAnswer[] = [];
  const startedAt = Date.now();
  const instance = autocannon({
    url,
    connections,
    pipelining: 1,
    amount: requests,
    timeout: 10,
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (request, context) => {
          const index = prepared++;
          const body = bodies[index];
          if (body === undefined) throw new Error(`autocannon asked for more than ${bodies.length} request bodies`);
          context.uid = uids[index];
          return { ...request, body };
        },
        // Called for a response just before the 'response' event below, with the context of the request it answers.
        onResponse: (_status, _body, context) => {
          answeredUid = String(context.uid);
        },
      },
    ],
  });
  instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    answers.push({ uid: answeredUid, status, ms, at: Date.now() });
  });
  const result = await instance;
  return { startedAt, durationMs: Date.now() - startedAt, answers, errors: result.errors, timeouts: result.timeouts, prepared };
};

process.once('message', (request: BurstLoadRequest) => {
  run(request).then(
    (reply) => process.send?.({ ok: true, reply }, () => process.exit(0)),
    (error: unknown) =>
      process.send?.({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () =>
        process.exit(1),
      ),
  );
});
