import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type ErrorCode, HttpError, InvalidPayloadError, UnavailableError } from '../shared/errors.ts';
import { type HttpResult, jsonResponse, toErrorResponse } from '../shared/http.ts';
import type { CredentialStore } from '../shared/ports/credential-store.ts';
import type { NotificationQueue } from '../shared/ports/notification-queue.ts';
import { emfMetrics, type RelayMetrics, safely } from '../shared/metrics.ts';
import { logger } from '../shared/powertools.ts';
import { authenticateWebhook, describeCause, parseWebhookJson, readWebhookBody } from '../shared/webhook-request.ts';
import { admitPayload } from './admit-payload.ts';
import type { WebhookRoute } from './webhook-routes.ts';

export interface IngestWebhookOptions {
  readonly route: WebhookRoute;
  readonly credentials: CredentialStore;
  readonly queue: NotificationQueue;
  /** When set, payloads from any other CometChat app are refused with 403. */
  readonly appId?: string | undefined;
  /** Largest accepted body in bytes (decoded). */
  readonly maxBodyBytes: number;
  /**
   * Where refused requests and their durations are counted. Default: EMF (metric-names.ts). An accepted
   * webhook is not: SQS's `NumberOfMessagesSent` per channel queue counts it and Lambda's `Duration` times
   * it, both free and without a byte of log, where an EMF record per request was about 315 bytes, most of
   * a notification's log budget.
   */
  readonly metrics?: RelayMetrics;
}

export type IngestHandler = (event: APIGatewayProxyEventV2) => Promise<HttpResult>;

/**
 * The ingest path of the custom-provider and events routes (SPEC §3):
 * authenticate before touching the body, check type and size, parse,
 * validate, enqueue, answer. Every failure becomes the JSON error of its row
 * in the contract; a 200 is only ever answered once the payload is in the queue.
 */
export const createIngestHandler = (options: IngestWebhookOptions): IngestHandler => {
  const { route, metrics = emfMetrics } = options;
  return async (event) => {
    const started = performance.now();
    const requestId = event.requestContext?.requestId;
    try {
      await authenticateWebhook(event, options.credentials);
      const text = readWebhookBody(event, options.maxBodyBytes);
      const { payload, trigger, idempotencyKey, correlationId } = admitPayload(route, parseWebhookJson(text), options.appId);
      const { id } = await options.queue.enqueue({
        body: serialise(payload),
        attributes: {
          channel: route.channel,
          trigger,
          idempotencyKey,
          ...(correlationId ? { correlationId } : {}),
        },
      });
      // DEBUG, not INFO: at INFO this line was a third of a notification's log bytes, and nothing it holds is lost
      // without it. The queued message carries the correlation id and idempotency key as attributes; the consumer's
      // one outcome line per delivery carries the correlation id (a never-delivered message is in the queue or its DLQ,
      // its `retry`/`failed` lines with it); API Gateway's access log has the request; the queue's `NumberOfMessagesSent` counts it.
      // Without a CometChat id, the queue message id is what the consumer's lines carry too.
      logger.debug('webhook accepted', {
        channel: route.channel,
        status: 200,
        messageId: id,
        idempotencyKey,
        correlationId: correlationId ?? id,
        requestId,
      });
      return jsonResponse(200, { status: 'accepted', id });
    } catch (error) {
      const answer = answerError(route, error, requestId);
      safely(() => metrics.request(route.channel, answer.code, performance.now() - started));
      return answer.result;
    }
  };
};

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

const answerError = (
  route: WebhookRoute,
  error: unknown,
  requestId: string | undefined,
): { result: HttpResult; code: ErrorCode } => {
  if (error instanceof HttpError) {
    const log = error.status >= 500 ? logger.error.bind(logger) : logger.warn.bind(logger);
    log('webhook refused', {
      channel: route.channel,
      status: error.status,
      error: error.code,
      requestId,
      ...(error.status >= 500 ? { cause: describeCause(error.cause) } : {}),
    });
    return { result: toErrorResponse(error), code: error.code };
  }
  // A bug, not bad input: answer 503 so CometChat may retry, and log it loudly.
  logger.error('webhook failed unexpectedly', { channel: route.channel, status: 503, requestId, cause: describeCause(error) });
  const unavailable = new UnavailableError('The relay could not process this request; retry later.');
  return { result: toErrorResponse(unavailable), code: unavailable.code };
};
