import { Agent, createServer, type IncomingHttpHeaders, type IncomingMessage, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the proxy received it, body read in full. */
export interface ProxiedRequest {
  readonly method: string;
  /** Path and query string. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface ProxiedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | string;
}

export interface HttpProxyOptions {
  /** Base URL of the server behind the proxy (an emulator). */
  readonly target: string;
  /** Answers a request itself when it returns a response (fault injection); forwards it otherwise. */
  readonly intercept?: (request: ProxiedRequest) => ProxiedResponse | undefined;
  /** Sees every forwarded exchange after the target answered and before the client gets the answer. */
  readonly observe?: (request: ProxiedRequest, response: ProxiedResponse) => void;
}

export interface HttpProxy {
  /** Give this to the local stack in place of the emulator's endpoint. */
  readonly url: string;
  /** Points the proxy at another server (a restarted emulator). */
  retarget(target: string): void;
  stop(): Promise<void>;
}

/** Longer than any long poll of the local stack (1 s) and any emulator call. */
const UPSTREAM_TIMEOUT_MS = 5_000;

/**
 * A small HTTP proxy for loopback emulators, for what they cannot do
 * themselves: answer with a fault for a while, or let a test see which
 * messages were acknowledged and received. When the target cannot be reached
 * the client's connection is destroyed, as a crashed or stopped service would
 * leave it, so the SDK sees a network error and not a made-up HTTP status.
 */
export const startHttpProxy = async ({ target, intercept, observe }: HttpProxyOptions): Promise<HttpProxy> => {
  let upstream = new URL(target);
  // A fresh connection per request: a stopped or restarted target is noticed at once.
  const agent = new Agent({ keepAlive: false, maxSockets: 64 });
  const server = createServer((clientRequest, clientResponse) => {
    readAll(clientRequest).then(
      (body) => {
        const proxied: ProxiedRequest = {
          method: clientRequest.method ?? 'GET',
          path: clientRequest.url ?? '/',
          headers: clientRequest.headers,
          body,
        };
        const answer = intercept?.(proxied);
        if (answer) {
          clientResponse.writeHead(answer.status, answer.headers).end(answer.body);
          return;
        }
        const forwarded = httpRequest(
          {
            host: upstream.hostname,
            port: upstream.port,
            method: proxied.method,
            path: proxied.path,
            headers: { ...clientRequest.headers, host: upstream.host },
            agent,
          },
          (targetResponse) => {
            readAll(targetResponse).then(
              (responseBody) => {
                const headers = flatHeaders(targetResponse.headers);
                const response: ProxiedResponse = { status: targetResponse.statusCode ?? 502, headers, body: responseBody };
                observe?.(proxied, response);
                clientResponse.writeHead(response.status, headers).end(responseBody);
              },
              () => clientResponse.destroy(),
            );
          },
        );
        forwarded.on('error', () => clientResponse.destroy());
        // A target that stopped mid-request may never answer: give up as a client with a timeout would.
        forwarded.setTimeout(UPSTREAM_TIMEOUT_MS, () => forwarded.destroy(new Error('the target did not answer in time')));
        forwarded.end(body);
      },
      () => clientResponse.destroy(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    retarget(next) {
      upstream = new URL(next);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};

const readAll = (stream: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });

/** Response headers to pass on; the body is re-sent whole, so the length is recomputed and chunking dropped. */
const flatHeaders = (headers: IncomingHttpHeaders): Record<string, string> => {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (
      value === undefined ||
      name === 'transfer-encoding' ||
      name === 'content-length' ||
      name === 'connection' ||
      name === 'keep-alive'
    )
      continue;
    flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
};
