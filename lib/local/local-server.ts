import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { MethodNotAllowedError, NotFoundError, PayloadTooLargeError, type HttpError } from '../../functions/shared/errors.ts';
import { toErrorResponse } from '../../functions/shared/http.ts';
import { toApiGatewayEvent } from './api-gateway-event.ts';
import type { LambdaRoute } from '../../functions/shared/lambda-route.ts';
import { INTEGRATION_FAILURE, type LambdaConcurrency, LambdaThrottledError } from './lambda-concurrency.ts';
import { FRONT_DOOR_CONNECTIONS, type FrontDoorOptions, startFrontDoor } from './front-door.ts';

// A route served like an API Gateway route with a Lambda integration: declared by the functions, adapted here.
export type { LambdaHttpHandler, LambdaRoute } from '../../functions/shared/lambda-route.ts';

/** A route of the local stack itself (the outbox), served directly. */
export interface LocalRoute {
  readonly method: string;
  readonly path: string;
  readonly serve: (request: IncomingMessage, response: ServerResponse, body: Buffer) => Promise<void> | void;
}

export interface LocalServerOptions {
  readonly host?: string;
  readonly port?: number;
  readonly lambdaRoutes: readonly LambdaRoute[];
  readonly localRoutes?: readonly LocalRoute[];
  /** API Gateway refuses bodies over 10 MB before any Lambda runs; so does this server. */
  readonly maxRequestBytes?: number;
  readonly onHandlerCrash?: (error: unknown) => void;
  /** A simulated Lambda concurrency quota every Lambda route counts against. Default: none. */
  readonly lambdaConcurrency?: LambdaConcurrency;
  /**
   * Connections the front door (front-door.ts) opens to this server in advance, so that a burst of new
   * connections is accepted on a thread of its own. Default FRONT_DOOR_CONNECTIONS; 0: clients connect
   * to this server directly.
   */
  readonly frontDoorConnections?: number;
}

export interface LocalServer {
  /** Where clients connect: the front door's port, unless it is switched off. */
  readonly url: string;
  /** The server itself; behind a front door it listens on a loopback port of its own. */
  readonly server: Server;
  close(): Promise<void>;
}

interface CompiledRoute {
  readonly method: string;
  readonly path: string;
  readonly pattern: RegExp;
  readonly params: readonly string[];
  readonly route: LambdaRoute | LocalRoute;
}

const compile = (route: LambdaRoute | LocalRoute): CompiledRoute => {
  const params: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment);
      if (!param?.[1]) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      params.push(param[1]);
      return '([^/]+)';
    })
    .join('/');
  return { method: route.method.toUpperCase(), path: route.path, pattern: new RegExp(`^${source}$`), params, route };
};

/**
 * One HTTP server for every route of the local stack: Lambda routes get a real
 * API Gateway v2 event and their structured result is written back as API
 * Gateway would; local routes are plain Node handlers.
 */
export const startLocalServer = async ({
  host = '127.0.0.1',
  port = 0,
  lambdaRoutes,
  localRoutes = [],
  maxRequestBytes = 10 * 1024 * 1024,
  onHandlerCrash = () => {},
  lambdaConcurrency,
  frontDoorConnections = FRONT_DOOR_CONNECTIONS,
}: LocalServerOptions): Promise<LocalServer> => {
  const routes = [...lambdaRoutes, ...localRoutes].map(compile);

  const server = createServer(async (request, response) => {
    try {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const matching = routes
        .map((compiled) => ({ compiled, match: compiled.pattern.exec(url.pathname) }))
        .filter((candidate) => candidate.match !== null);
      if (matching.length === 0) {
        return writeError(response, new NotFoundError(`No route for ${request.method} ${url.pathname}.`), request);
      }
      const method = (request.method ?? 'GET').toUpperCase();
      const found = matching.find(({ compiled }) => compiled.method === method);
      if (!found) {
        return writeError(response, new MethodNotAllowedError(matching.map(({ compiled }) => compiled.method)), request);
      }
      const body = await readBody(request, maxRequestBytes);
      if (body === undefined) return writeError(response, new PayloadTooLargeError(maxRequestBytes), request);
      const { compiled, match } = found;
      if ('serve' in compiled.route) return await compiled.route.serve(request, response, body);
      const pathParameters = Object.fromEntries(
        compiled.params.map((name, index) => [name, decodeURIComponent(match?.[index + 1] ?? '')]),
      );
      const event = toApiGatewayEvent({ request, body, routeKey: `${method} ${compiled.path}`, pathParameters });
      const { handler } = compiled.route;
      writeResult(response, await (lambdaConcurrency ? lambdaConcurrency.invoke(() => handler(event)) : handler(event)));
    } catch (error) {
      // A throttled invocation: API Gateway answers it as an integration failure, and nothing crashed.
      if (error instanceof LambdaThrottledError) return writeResult(response, INTEGRATION_FAILURE);
      // What API Gateway answers when an integration throws.
      onHandlerCrash(error);
      if (!response.headersSent) writeResult(response, { statusCode: 500, body: '{"message":"Internal Server Error"}' });
      else response.destroy();
    }
  });
  server.keepAliveTimeout = 65_000;

  // Behind a front door, this server listens on a loopback port of its own and only the front door connects to it.
  const frontDoor = frontDoorConnections > 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(frontDoor ? 0 : port, frontDoor ? '127.0.0.1' : host, () => resolve());
  });
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  const serverPort = (server.address() as AddressInfo).port;
  const front = frontDoor
    ? await startFrontDoorOf(server, { host, port, backendPort: serverPort, connections: frontDoorConnections }).catch(
        async (error: unknown) => {
          await close();
          throw error;
        },
      )
    : undefined;
  return {
    url: `http://${host}:${front?.port ?? serverPort}`,
    server,
    async close() {
      await front?.stop();
      await close();
    },
  };
};

/** Starts a front door to `server`, ready once the server has accepted its connections, not merely once the kernel queued them. */
const startFrontDoorOf = async (server: Server, options: FrontDoorOptions & { readonly connections: number }) => {
  let accepted = 0;
  const allAccepted = new Promise<void>((resolve) => {
    const onConnection = () => {
      accepted += 1;
      if (accepted < options.connections) return;
      server.off('connection', onConnection);
      resolve();
    };
    server.on('connection', onConnection);
  });
  const front = await startFrontDoor(options);
  await allAccepted;
  return front;
};

/** Reads the whole body, or answers `undefined` as soon as it passes the limit. */
const readBody = (request: IncomingMessage, limit: number): Promise<Buffer | undefined> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });

const writeResult = (response: ServerResponse, result: APIGatewayProxyStructuredResultV2): void => {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  const body = result.body === undefined ? '' : result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body;
  response.writeHead(result.statusCode ?? 200, headers);
  response.end(body);
};

const writeError = (response: ServerResponse, error: HttpError, request: IncomingMessage): void => {
  // Drain what the client is still sending so the connection can be reused.
  request.resume();
  writeResult(response, toErrorResponse(error));
};

/** Writes a JSON answer from a local route. */
export const writeJson = (response: ServerResponse, statusCode: number, body: unknown): void => {
  response.writeHead(statusCode, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
};
