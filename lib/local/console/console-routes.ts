import { readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { maskToken } from '../../../functions/directory/token-mask.ts';
import type { BasicCredentials } from '../../../functions/shared/basic-auth.ts';
import { type HttpError, InvalidRequestError, NotFoundError } from '../../../functions/shared/errors.ts';
import { toErrorResponse } from '../../../functions/shared/http.ts';
import { moveDeadLetters } from '../../../scripts/redrive.ts';
import { type ActivityLog, ActivityQuerySchema } from '../activity.ts';
import type { ChannelQueueUrls } from '../channel-queues.ts';
import { forgetDeliveries } from '../forget-deliveries.ts';
import { type LocalRoute, writeJson } from '../local-server.ts';
import { inspectQueue, queueNameOf } from '../queue-snapshot.ts';

/**
 * The routes of the local console (SPEC §7): the page at `/` and `/_local/`,
 * its assets, and the JSON it reads. Everything here is local-only and reads
 * the emulators and the activity feed; none of it is deployed.
 */

export interface ConsoleRoutesOptions {
  readonly activity: ActivityLog;
  readonly dynamodb: DynamoDBDocumentClient;
  readonly tables: { readonly directory: string; readonly deliveries: string };
  readonly sqs: SQSClient;
  readonly sqsEndpoint: string;
  /** Each queue and its DLQ, by name as the console shows it (push, sms, email, events, ses-feedback, ...). */
  readonly queues: Readonly<Record<string, ChannelQueueUrls>>;
  /** The webhook credentials the relay runs with: the "send a sample" panel posts with the first pair. */
  readonly webhookCredentials: readonly BasicCredentials[];
  /** Folders of sample payloads (`*.json`): CometChat's seeds and the events samples. */
  readonly sampleFolders?: readonly string[];
}

const ASSETS: Readonly<Record<string, string>> = {
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
  'sms-segments.js': 'text/javascript; charset=utf-8',
};

const assetFolder = import.meta.dirname;
const REPO_ROOT = join(import.meta.dirname, '../../..');
const DEFAULT_SAMPLE_FOLDERS = [join(REPO_ROOT, 'test/fixtures/seeds'), join(REPO_ROOT, 'test/fixtures/events')];

/** How long an SSE connection may stay quiet before a comment keeps proxies and browsers from closing it. */
const HEARTBEAT_MS = 15_000;

const SAMPLE_ROUTES: Readonly<Record<string, string>> = {
  push: '/cometchat/push',
  sms: '/cometchat/sms',
  email: '/cometchat/email',
  events: '/cometchat/events',
  'before-message': '/cometchat/before-message',
};

const SendSampleSchema = z.object({
  route: z.enum(Object.keys(SAMPLE_ROUTES) as [string, ...string[]], {
    error: `route is one of ${Object.keys(SAMPLE_ROUTES).join(', ')}`,
  }),
  payload: z.unknown().refine((value) => value !== undefined, 'payload is the JSON to post'),
});

export const consoleRoutes = (options: ConsoleRoutesOptions): LocalRoute[] => {
  const { activity } = options;
  const page = (): string => readFileSync(join(assetFolder, 'index.html'), 'utf8');
  const servePage = (_request: IncomingMessage, response: ServerResponse) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(page());
  };
  return [
    { method: 'GET', path: '/', serve: servePage },
    { method: 'GET', path: '/_local/', serve: servePage },
    { method: 'GET', path: '/_local', serve: servePage },
    ...Object.entries(ASSETS).map(
      ([file, contentType]): LocalRoute => ({
        method: 'GET',
        path: `/_local/console/${file}`,
        serve: (_request, response) => {
          response.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
          response.end(readFileSync(join(assetFolder, file)));
        },
      }),
    ),
    {
      method: 'GET',
      path: '/_local/activity',
      serve: (request, response) => {
        const query = ActivityQuerySchema.safeParse(Object.fromEntries(searchParams(request)));
        if (!query.success) return writeError(response, invalidRequest(query.error));
        writeJson(response, 200, activity.list(query.data));
      },
    },
    {
      // Server-sent events: one `activity` event per new entry, so the console never reloads.
      method: 'GET',
      path: '/_local/activity/stream',
      serve: (request, response) => {
        response.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          connection: 'keep-alive',
        });
        response.write('retry: 1000\n\n');
        const unsubscribe = activity.subscribe((entry) => {
          response.write(`id: ${entry.seq}\nevent: activity\ndata: ${JSON.stringify(entry)}\n\n`);
        });
        const heartbeat = setInterval(() => response.write(': heartbeat\n\n'), HEARTBEAT_MS);
        heartbeat.unref();
        const stop = () => {
          clearInterval(heartbeat);
          unsubscribe();
        };
        request.on('close', stop);
        response.on('close', stop);
      },
    },
    {
      method: 'DELETE',
      path: '/_local/activity',
      serve: (_request, response) => {
        activity.clear();
        response.writeHead(204).end();
      },
    },
    {
      method: 'DELETE',
      path: '/_local/deliveries',
      serve: async (_request, response) => {
        const forgotten = await forgetDeliveries(options.dynamodb, options.tables.deliveries);
        writeJson(response, 200, { forgotten });
      },
    },
    {
      method: 'GET',
      path: '/_local/directory',
      serve: async (_request, response) => writeJson(response, 200, { users: await readDirectory(options) }),
    },
    {
      method: 'GET',
      path: '/_local/dlq',
      serve: async (_request, response) => writeJson(response, 200, { queues: await readDeadLetters(options) }),
    },
    {
      method: 'POST',
      path: '/_local/dlq/{queue}/redrive',
      serve: async (request, response) => {
        const name = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname.split('/')[3] ?? '');
        const pair = options.queues[name];
        if (!pair) {
          return writeError(
            response,
            new NotFoundError(`No queue named "${name}": one of ${Object.keys(options.queues).join(', ')}.`),
          );
        }
        const result = await moveDeadLetters({ sqs: options.sqs, queueUrl: pair.url, deadLetterUrl: pair.deadLetterUrl });
        writeJson(response, 200, { queue: name, moved: result.moved, failed: result.failed });
      },
    },
    {
      method: 'GET',
      path: '/_local/samples',
      serve: (_request, response) => writeJson(response, 200, { samples: readSamples(options.sampleFolders ?? DEFAULT_SAMPLE_FOLDERS) }),
    },
    {
      // Posts a sample to the relay's own webhook route over HTTP, with the credentials it runs with:
      // the browser never holds them, and the request takes the same path as CometChat's.
      method: 'POST',
      path: '/_local/samples/send',
      serve: async (request, response, body) => {
        let json: unknown;
        try {
          json = JSON.parse(body.toString('utf8'));
        } catch {
          return writeError(response, new InvalidRequestError([{ path: '', message: 'the body is not JSON: send {"route": ..., "payload": {...}}' }]));
        }
        const parsed = SendSampleSchema.safeParse(json);
        if (!parsed.success) return writeError(response, invalidRequest(parsed.error));
        const credentials = options.webhookCredentials[0];
        const self = `http://${request.socket.localAddress}:${request.socket.localPort}`;
        const answer = await fetch(`${self}${SAMPLE_ROUTES[parsed.data.route]}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(credentials
              ? { authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` }
              : {}),
          },
          body: JSON.stringify(parsed.data.payload),
        });
        const text = await answer.text();
        writeJson(response, 200, { status: answer.status, answer: parseJson(text) });
      },
    },
  ];
};

const searchParams = (request: IncomingMessage) => new URL(request.url ?? '/', 'http://localhost').searchParams;

const invalidRequest = (error: z.ZodError) =>
  new InvalidRequestError(error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })));

const writeError = (response: ServerResponse, error: HttpError): void => {
  const result = toErrorResponse(error);
  response.writeHead(result.statusCode ?? 400, { 'content-type': 'application/json' });
  response.end(result.body);
};

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

interface DirectoryUser {
  uid: string;
  devices: Array<{ deviceId: string; platform: string; token: string; endpointArn: string; updatedAt?: string }>;
  contact?: { phone?: string; email?: string; emailUndeliverable?: unknown; updatedAt?: string };
}

/** Every user of the local directory, tokens masked as the directory API shows them. */
const readDirectory = async ({ dynamodb, tables }: ConsoleRoutesOptions): Promise<DirectoryUser[]> => {
  const users = new Map<string, DirectoryUser>();
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamodb.send(
      new ScanCommand({ TableName: tables.directory, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
    );
    for (const item of page.Items ?? []) {
      if (typeof item.uid !== 'string') continue;
      const user = users.get(item.uid) ?? { uid: item.uid, devices: [] };
      users.set(item.uid, user);
      if (typeof item.deviceId === 'string') {
        user.devices.push({
          deviceId: item.deviceId,
          platform: String(item.platform),
          token: maskToken(String(item.token ?? '')),
          endpointArn: String(item.endpointArn ?? ''),
          ...(typeof item.updatedAt === 'string' ? { updatedAt: item.updatedAt } : {}),
        });
      } else {
        user.contact = {
          ...(item.phone ? { phone: String(item.phone) } : {}),
          ...(item.email ? { email: String(item.email) } : {}),
          ...(item.emailUndeliverable ? { emailUndeliverable: item.emailUndeliverable } : {}),
          ...(typeof item.updatedAt === 'string' ? { updatedAt: item.updatedAt } : {}),
        };
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return [...users.values()].sort((a, b) => a.uid.localeCompare(b.uid));
};

/** Each DLQ with the messages in it, read without receiving them (no receive count spent). */
const readDeadLetters = async ({ queues, sqsEndpoint }: ConsoleRoutesOptions) =>
  Promise.all(
    Object.entries(queues).map(async ([name, pair]) => ({
      name,
      deadLetterQueue: queueNameOf(pair.deadLetterUrl),
      messages: (await inspectQueue(sqsEndpoint, pair.deadLetterUrl)).map((message) => ({
        messageId: message.messageId,
        sentAt: new Date(message.sentTimestamp).toISOString(),
        receiveCount: message.approximateReceiveCount,
        attributes: Object.fromEntries(
          Object.entries(message.messageAttributes).map(([key, value]) => [key, value.StringValue ?? value.BinaryValue ?? '']),
        ),
        body: parseJson(message.body),
      })),
    })),
  );

/** The sample payloads: `<folder>/*.json` that carry a CometChat `trigger`, named by file, with the route each belongs to. */
const readSamples = (folders: readonly string[]) =>
  folders.flatMap((folder) => {
    let files: string[];
    try {
      files = readdirSync(folder).filter((file) => file.endsWith('.json'));
    } catch {
      return [];
    }
    return files.sort().flatMap((file) => {
      let payload: unknown;
      try {
        payload = JSON.parse(readFileSync(join(folder, file), 'utf8'));
      } catch {
        return [];
      }
      const route = routeOfTrigger((payload as { trigger?: unknown } | null)?.trigger);
      return route ? [{ name: file.replace(/\.json$/, ''), route, payload }] : [];
    });
  });

/** Which webhook route takes a trigger: the provider routes take their own, before_message its route, every other trigger the events route. */
const routeOfTrigger = (trigger: unknown): string | undefined => {
  if (typeof trigger !== 'string') return undefined;
  const provider = /^(push|sms|email)-notification-payload-generated$/.exec(trigger);
  if (provider) return provider[1];
  return trigger === 'before_message' ? 'before-message' : 'events';
};
