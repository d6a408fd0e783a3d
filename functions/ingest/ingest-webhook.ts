import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type * as z from 'zod';
import { matchesAnyCredential, parseBasicAuth } from '../shared/basic-auth.ts';
import {
  HttpError,
  InvalidJsonError,
  InvalidPayloadError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnavailableError,
  UnsupportedMediaTypeError,
  WrongAppError,
  WrongTriggerError,
  WrongWebhookError,
} from '../shared/errors.ts';
import { type HttpResult, headerValue, jsonResponse, toErrorResponse } from '../shared/http.ts';
import type { CredentialStore } from '../shared/ports/credential-store.ts';
import type { NotificationQueue } from '../shared/ports/notification-queue.ts';
import { logger } from '../shared/powertools.ts';
import type { WebhookRoute } from './webhook-routes.ts';

export interface IngestWebhookOptions {
  readonly route: WebhookRoute;
  readonly credentials: CredentialStore;
  readonly queue: NotificationQueue;
  /** When set, payloads from any other CometChat app are refused with 403. */
  readonly appId?: string | undefined;
  /** Largest accepted body in bytes (decoded). */
  readonly maxBodyBytes: number;
}

export type IngestHandler = (event: APIGatewayProxyEventV2) => Promise<HttpResult>;

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * The custom-provider ingest path (SPEC §3): authenticate before touching the
 * body, check type and size, parse, validate, enqueue, answer. Every failure
 * becomes the JSON error of its row in the contract; nothing is half-accepted.
 */
export const createIngestHandler = (options: IngestWebhookOptions): IngestHandler => {
  const { route } = options;
  return async (event) => {
    try {
      await authenticate(event, options.credentials);
      const text = readBody(event, options.maxBodyBytes);
      const payload = validate(route, parseJson(text));
      if (options.appId && (payload as { appId?: unknown }).appId !== options.appId) throw new WrongAppError();
      const { trigger, idempotencyKey, correlationId } = route.describe(payload);
      const { id } = await options.queue.enqueue({
        body: serialise(payload),
        attributes: {
          channel: route.channel,
          trigger,
          idempotencyKey,
          ...(correlationId ? { correlationId } : {}),
        },
      });
      logger.info('webhook accepted', { channel: route.channel, status: 200, messageId: id, idempotencyKey, correlationId });
      return jsonResponse(200, { status: 'accepted', id });
    } catch (error) {
      return answerError(route, error);
    }
  };
};

const authenticate = async (event: APIGatewayProxyEventV2, store: CredentialStore): Promise<void> => {
  const given = parseBasicAuth(headerValue(event.headers, 'authorization'));
  let accepted: Awaited<ReturnType<CredentialStore['accepted']>>;
  try {
    accepted = await store.accepted();
    // A miss may mean the pair was just rotated: look once more before refusing.
    if (!matchesAnyCredential(given, accepted)) accepted = await store.accepted({ refresh: true });
  } catch (error) {
    throw new UnavailableError('The webhook credentials could not be read; retry later.', { cause: error });
  }
  if (!matchesAnyCredential(given, accepted)) {
    throw new UnauthorizedError('Username or password is wrong: use the credentials from the relay secret.');
  }
};

const readBody = (event: APIGatewayProxyEventV2, maxBodyBytes: number): string => {
  const contentType = headerValue(event.headers, 'content-type');
  if (!contentType || !JSON_MEDIA_TYPE.test(contentType)) throw new UnsupportedMediaTypeError(contentType);
  const raw = event.body ?? '';
  // Checked before decoding so an oversized body costs nothing more to refuse.
  const size = event.isBase64Encoded ? Math.floor((raw.length * 3) / 4) : Buffer.byteLength(raw, 'utf8');
  if (size > maxBodyBytes) throw new PayloadTooLargeError(maxBodyBytes);
  if (!event.isBase64Encoded) return raw;
  const bytes = Buffer.from(raw, 'base64');
  if (bytes.byteLength > maxBodyBytes) throw new PayloadTooLargeError(maxBodyBytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InvalidJsonError('Body is not valid UTF-8 text.');
  }
};

const parseJson = (text: string): unknown => {
  if (text.trim() === '') throw new InvalidJsonError('Body is empty: send the CometChat webhook JSON.');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidJsonError(`Body is not valid JSON (${(error as Error).message}).`);
  }
};

const validate = (route: WebhookRoute, body: unknown): unknown => {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidPayloadError([{ path: '', message: 'expected a JSON object' }]);
  }
  const { trigger, webhook } = body as { trigger?: unknown; webhook?: unknown };
  if (!route.acceptsTrigger(trigger)) throw new WrongTriggerError(route.expectedTrigger, trigger);
  if (route.requiresCustomWebhook && webhook !== 'custom') throw new WrongWebhookError(webhook);
  const result = route.schema.safeParse(body);
  if (!result.success) throw new InvalidPayloadError(toIssues(result.error));
  return result.data;
};

const toIssues = (error: z.ZodError) =>
  error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));

/**
 * SQS refuses characters outside #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF
 * (and some emulators refuse everything above #xFFFF). Inside a JSON text such
 * characters can only sit in strings, so escaping surrogate halves (emoji and
 * other astral characters) and U+FFFE/U+FFFF as \uXXXX keeps the same JSON value
 * while making every body acceptable to the queue.
 */
const SQS_UNSAFE = /[\uD800-\uDFFF\uFFFE\uFFFF]/g;

const serialise = (payload: unknown): string => {
  try {
    return JSON.stringify(payload).replace(SQS_UNSAFE, (unit) => `\\u${unit.charCodeAt(0).toString(16)}`);
  } catch {
    // JSON.stringify recurses: a pathologically nested extra field overflows the stack.
    throw new InvalidPayloadError([{ path: '', message: 'payload is nested too deeply' }]);
  }
};

const answerError = (route: WebhookRoute, error: unknown): HttpResult => {
  if (error instanceof HttpError) {
    const log = error.status >= 500 ? logger.error.bind(logger) : logger.warn.bind(logger);
    log('webhook refused', {
      channel: route.channel,
      status: error.status,
      error: error.code,
      ...(error.status >= 500 ? { cause: describeCause(error.cause) } : {}),
    });
    return toErrorResponse(error);
  }
  // A bug, not bad input: answer 503 so CometChat may retry, and log it loudly.
  logger.error('webhook failed unexpectedly', { channel: route.channel, cause: describeCause(error) });
  return toErrorResponse(new UnavailableError('The relay could not process this request; retry later.'));
};

/** Error name and message only: an SDK error's own fields may echo request data. */
const describeCause = (cause: unknown) =>
  cause instanceof Error ? { name: cause.name, message: cause.message.slice(0, 300) } : undefined;
