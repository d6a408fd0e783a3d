import { connect, createServer, type Socket } from 'node:net';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { startTsThread, threadQuestions } from './ts-thread.ts';

/**
 * How many connections to the relay's server the front door keeps open in advance: as many new
 * connections as can arrive at once without one of them waiting for the relay's event loop to accept
 * it. The burst benchmark opens 100 at once (bench/burst-worker.ts); beyond this, a connection is
 * opened on demand and waits as it would without a front door.
 */
export const FRONT_DOOR_CONNECTIONS = 128;

/**
 * An idle pre-opened connection is replaced before the relay's server would time it out: Node's HTTP
 * server ends a connection that sent no request headers within `headersTimeout` (60 s) with a 408.
 * Spread over 30 to 45 s, so that the pool is not replaced all at once.
 */
const retireIdleAfterMs = () => 30_000 + Math.random() * 15_000;

export interface FrontDoorOptions {
  readonly host: string;
  /** Port clients connect to; 0 picks a free one. */
  readonly port: number;
  /** The relay's own HTTP server, on this machine's loopback. */
  readonly backendPort: number;
  /** Connections to the backend opened in advance. Default FRONT_DOOR_CONNECTIONS. */
  readonly connections?: number;
}

export interface FrontDoor {
  readonly port: number;
  /** Closes the listener and every connection, pooled or in use. Safe to call twice. */
  stop(): Promise<void>;
}

/** Marks the thread's workerData, so that only the front door's own thread runs it. */
const FRONT_DOOR_ROLE = 'front-door';

type Reply = { readonly ok: true; readonly port?: number } | { readonly ok: false; readonly error: string };

/**
 * API Gateway's side of the local stack: accepts webhook connections on a thread of its own and hands
 * each to a connection to the relay's HTTP server that was opened in advance, byte for byte.
 *
 * Why: since libuv 1.45 (Node 20), a server accepts one connection per event-loop turn. While the
 * relay's loop is busy with a burst (every request's handler, SDK calls and the consumers share it),
 * a turn takes 50 to 150 ms, so of 100 connections opened at once the last ones waited seconds in the
 * kernel's accept queue before their first request was even read: measured, the first burst on a
 * freshly started stack answered its slowest 1 % in 1.7 to 3.5 s while no handler took over 140 ms.
 * API Gateway holds its clients' connections on its own fleet, and a function never accepts one; here
 * the relay's loop accepts the front door's connections ahead of time, when it is idle.
 */
export const startFrontDoor = async (options: FrontDoorOptions): Promise<FrontDoor> => {
  const worker = startTsThread(import.meta.url, { ...options, role: FRONT_DOOR_ROLE });
  const ask = threadQuestions<Reply>(worker, 'front door');
  const started = await ask();
  if (!started.ok || started.port === undefined) {
    await worker.terminate();
    throw new Error(`The front door did not start: ${started.ok ? 'no port' : started.error}`);
  }
  let stopped = false;
  return {
    port: started.port,
    async stop() {
      if (stopped) return;
      stopped = true;
      await ask('stop');
      await worker.terminate();
    },
  };
};

/** The thread: a listener, a pool of open connections to the backend, and a pipe per client. */
const runFrontDoor = ({ host, port, backendPort, connections = FRONT_DOOR_CONNECTIONS }: FrontDoorOptions): void => {
  if (!parentPort) return;
  const parent = parentPort;
  const idle = new Map<Socket, () => void>();
  const inUse = new Set<Socket>();
  let opening = 0;
  let stopping = false;
  let listening = false;
  let announced = false;

  const announce = () => {
    // Ready once listening with a full pool: the first burst finds every connection open.
    if (announced || !listening || idle.size < connections) return;
    announced = true;
    parent.postMessage({ ok: true, port: (server.address() as { port: number }).port } satisfies Reply);
  };

  const openBackend = (): Socket => connect({ host: '127.0.0.1', port: backendPort, noDelay: true, allowHalfOpen: true });

  const refill = () => {
    while (!stopping && idle.size + opening < connections) {
      opening += 1;
      const socket = openBackend();
      let connected = false;
      socket.on('error', () => {
        socket.destroy();
        if (connected) return; // its 'close' follows, and whoever holds it handles that
        opening -= 1;
        if (!announced) {
          announced = true;
          parent.postMessage({
            ok: false,
            error: `the relay's server on port ${backendPort} refused a connection`,
          } satisfies Reply);
          return;
        }
        // The relay's server is gone or refusing: try again shortly, not in a tight loop.
        if (!stopping) setTimeout(refill, 250).unref();
      });
      socket.once('connect', () => {
        connected = true;
        opening -= 1;
        // Unused for a while, or answered (a 408) or closed by the server: not reusable, replaced.
        const retire = setTimeout(() => drop(), retireIdleAfterMs());
        const drop = () => {
          clearTimeout(retire);
          idle.delete(socket);
          socket.destroy();
          refill();
        };
        socket.once('data', drop).once('close', drop);
        idle.set(socket, () => {
          clearTimeout(retire);
          socket.off('data', drop).off('close', drop);
        });
        announce();
      });
    }
  };

  const take = (): Socket => {
    const first = idle.entries().next();
    if (first.done) return openBackend();
    const [socket, release] = first.value;
    idle.delete(socket);
    release();
    return socket;
  };

  const server = createServer({ noDelay: true, allowHalfOpen: true }, (client) => {
    const backend = take();
    inUse.add(client).add(backend);
    const close = () => {
      client.destroy();
      backend.destroy();
      inUse.delete(client);
      inUse.delete(backend);
    };
    client.on('error', close).once('close', close);
    backend.on('error', close).once('close', close);
    client.pipe(backend);
    backend.pipe(client);
    refill();
  });
  server.once('error', (error) => parent.postMessage({ ok: false, error: error.message } satisfies Reply));
  server.listen(port, host, () => {
    listening = true;
    announce();
  });
  refill();

  parent.on('message', () => {
    stopping = true;
    for (const socket of [...idle.keys(), ...inUse]) socket.destroy();
    server.close(() => parent.postMessage({ ok: true } satisfies Reply));
  });
};

if (!isMainThread && (workerData as { role?: unknown } | undefined)?.role === FRONT_DOOR_ROLE) {
  runFrontDoor(workerData as FrontDoorOptions);
}
