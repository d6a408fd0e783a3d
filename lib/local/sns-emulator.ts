import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isKnownAction, runAction } from './sns-emulator/actions.ts';
import { CONTROL_PREFIX, type EmulatorControls, handleControlRequest } from './sns-emulator/control.ts';
import { InvalidActionError, InvalidParameterError, MissingActionError, RequestTooLargeError, toErrorReply } from './sns-emulator/errors.ts';
import { FaultQueue, type FaultSpec } from './sns-emulator/faults.ts';
import { emptySnapshot } from './sns-emulator/model.ts';
import { loadSnapshot, SnapshotWriter } from './sns-emulator/persistence.ts';
import { actionResponseXml, QueryParams } from './sns-emulator/query.ts';
import { type EndpointSelector, SnsState } from './sns-emulator/state.ts';
import { checkSmsRate } from './sns-emulator/sms-rate.ts';
import type { SendRateGate } from './send-rate-gate.ts';

export type { EmulatorControls } from './sns-emulator/control.ts';
export type { FaultSpec } from './sns-emulator/faults.ts';
export type { Platform, PublishedMessage } from './sns-emulator/model.ts';
export type { EndpointSelector } from './sns-emulator/state.ts';

export interface SnsEmulatorOptions {
  /** Loopback by default; wildcard addresses are refused. */
  readonly host?: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /** Region used in the ARNs (default `us-east-1`). */
  readonly region?: string;
  /**
   * JSON file holding applications, endpoints, opt-outs and published messages, loaded at
   * start and saved shortly after each change, so a local directory survives a restart.
   * In memory when absent.
   */
  readonly dataFile?: string;
  /** SMS Publish calls above this gate's rate are answered with `Throttling`, as SNS does. Unlimited when absent. */
  readonly smsRate?: SendRateGate;
}

/**
 * SNS mobile push (platform applications and endpoints) and SMS, spoken to by the real
 * `@aws-sdk/client-sns` over the query protocol, plus controls for tests and the outbox.
 */
export interface SnsEmulator extends EmulatorControls {
  /** Base URL to give `SNSClient` as `endpoint`, e.g. `http://127.0.0.1:12345`. */
  readonly endpoint: string;
  readonly region: string;
  /** Undoes `optOut` (as SNS's `OptInPhoneNumber` does). */
  optIn(phoneNumber: string): void;
  /** Saves pending state, closes the server and its keep-alive sockets. Safe to call twice. */
  stop(): Promise<void>;
}

/** A publish is at most 256 KiB; form encoding can triple it. */
const MAX_BODY_BYTES = 1024 * 1024;
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

export async function startSnsEmulator(options: SnsEmulatorOptions = {}): Promise<SnsEmulator> {
  const { host = '127.0.0.1', port = 0, region = 'us-east-1', dataFile } = options;
  if (WILDCARD_HOSTS.has(host)) throw new Error(`The SNS emulator must listen on one interface (e.g. 127.0.0.1), not "${host}"`);

  let writer: SnapshotWriter | undefined;
  const state = new SnsState(region, dataFile ? loadSnapshot(dataFile) : emptySnapshot(), () => writer?.schedule());
  if (dataFile) writer = new SnapshotWriter(dataFile, () => state.snapshot());
  const faults = new FaultQueue();

  const controls: EmulatorControls = {
    published: () => state.published(),
    clearPublished: () => state.clearPublished(),
    disableEndpoint: (selector: EndpointSelector) => state.disableEndpoints(selector),
    optOut: (phoneNumber: string) => state.optOut(phoneNumber),
    injectFault: (fault: FaultSpec) => {
      // A misspelt action would otherwise wait forever and the test would pass for the wrong reason.
      if (fault.action !== undefined && !isKnownAction(fault.action)) throw new InvalidParameterError(`No emulated action is called ${fault.action}`);
      faults.inject(fault);
    },
    clearFaults: () => faults.clear(),
  };

  const server = createServer((request, response) => {
    serve(request, response, { state, faults, controls, smsRate: options.smsRate }).catch((error: unknown) => {
      // Only reading the request can fail here (the client went away): nothing left to answer.
      response.destroy(error instanceof Error ? error : undefined);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  // A stack stopped without `stop()` (process.exit) still keeps its last changes.
  const flushOnExit = () => writer?.flush();
  process.on('exit', flushOnExit);

  let stopping: Promise<void> | undefined;
  const { port: boundPort } = server.address() as AddressInfo;
  return {
    ...controls,
    endpoint: `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`,
    region,
    optIn: (phoneNumber: string) => state.optIn(phoneNumber),
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        process.off('exit', flushOnExit);
        writer?.flush();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopping;
    },
  };
}

interface ServeContext {
  readonly state: SnsState;
  readonly faults: FaultQueue;
  readonly controls: EmulatorControls;
  readonly smsRate: SendRateGate | undefined;
}

const serve = async (request: IncomingMessage, response: ServerResponse, context: ServeContext): Promise<void> => {
  const url = new URL(request.url ?? '/', 'http://emulator');
  const method = request.method ?? 'GET';
  const requestId = randomUUID();
  let body: string;
  try {
    body = await readBody(request);
  } catch (error) {
    if (!(error instanceof RequestTooLargeError)) throw error;
    const reply = toErrorReply(error, requestId);
    sendXml(response, reply.status, reply.body, requestId);
    return;
  }

  if (url.pathname.startsWith(CONTROL_PREFIX)) {
    const reply = handleControlRequest(context.controls, method, url.pathname, body);
    response.writeHead(reply.status, reply.body === undefined ? {} : { 'content-type': 'application/json' });
    response.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
    return;
  }

  const { status, xml } = answerQuery(url, method, body, requestId, context);
  sendXml(response, status, xml, requestId);
};

/** One query-protocol call: parameters from the form body (POST, as the SDK sends) or the URL (GET). */
const answerQuery = (url: URL, method: string, body: string, requestId: string, { state, faults, smsRate }: ServeContext) => {
  try {
    const params = new URLSearchParams(url.search);
    if (method === 'POST') for (const [name, value] of new URLSearchParams(body)) params.append(name, value);
    const action = params.get('Action');
    if (action === null) throw new MissingActionError();
    if (!isKnownAction(action)) throw new InvalidActionError(action);
    const fault = faults.take(action);
    if (fault) throw fault;
    checkSmsRate(action, params, smsRate);
    return { status: 200, xml: actionResponseXml(action, runAction(action, new QueryParams(params), state), requestId) };
  } catch (error) {
    const reply = toErrorReply(error, requestId);
    return { status: reply.status, xml: reply.body };
  }
};

const sendXml = (response: ServerResponse, status: number, xml: string, requestId: string): void => {
  // The SDK reads `$metadata.requestId` from this header, as with real SNS.
  response.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
  response.end(xml);
};

const readBody = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Keep reading (and dropping) so the client gets an answer instead of a reset.
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => (size > MAX_BODY_BYTES ? reject(new RequestTooLargeError(MAX_BODY_BYTES)) : resolve(Buffer.concat(chunks).toString('utf8'))));
    request.on('error', reject);
  });
