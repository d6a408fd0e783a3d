import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { LambdaRoute } from '../shared/lambda-route.ts';
import { type Decision, decideSafely, toAnswer } from '../policy/decide.ts';
import { type BeforeMessagePayload, BeforeMessagePayloadSchema } from '../policy/message-schema.ts';
import type { CompiledPolicy } from '../policy/policy-schema.ts';
import {
  type ErrorCode,
  HttpError,
  InvalidPayloadError,
  UnavailableError,
  WrongAppError,
  WrongTriggerError,
} from '../shared/errors.ts';
import { type HttpResult, jsonResponse, toErrorResponse } from '../shared/http.ts';
import type { CredentialStore } from '../shared/ports/credential-store.ts';
import { emfMetrics, type RelayMetrics, safely } from '../shared/metrics.ts';
import { logger } from '../shared/powertools.ts';
import {
  authenticateWebhook,
  describeCause,
  expectJsonObject,
  parseWebhookJson,
  readWebhookBody,
  toPayloadIssues,
} from '../shared/webhook-request.ts';

/** The route CometChat's before_message webhook is pointed at (SPEC §3). */
export const BEFORE_MESSAGE_PATH = '/cometchat/before-message';
export const BEFORE_MESSAGE_TRIGGER = 'before_message';

export interface BeforeMessageWebhookOptions {
  readonly credentials: CredentialStore;
  /** Compiled once at cold start (or local start): evaluating it is all a request costs. */
  readonly policy: CompiledPolicy;
  /** Largest accepted body in bytes (decoded). */
  readonly maxBodyBytes: number;
  /** When set, payloads from any other CometChat app are refused with 403. */
  readonly appId?: string | undefined;
  /** Hears about every policy evaluation that threw (after it is logged): the Lambda counts them. */
  readonly onPolicyError?: (error: unknown) => void;
  /** Hears about every decision (after it is logged): the Lambda counts them by kind. */
  readonly onDecision?: (decision: Decision) => void;
  /** Where answered and refused requests and their durations are counted. Default: EMF (metric-names.ts). */
  readonly metrics?: RelayMetrics;
}

export type BeforeMessageHandler = (event: APIGatewayProxyEventV2) => Promise<HttpResult>;

/**
 * The synchronous before_message webhook: authenticate and validate exactly as
 * ingest does, then let the policy decide and answer `{}`, `@injected` or
 * `do_not_propagate` (seed 004). Nothing is enqueued: the answer is the work.
 * The policy fails open, so a broken rule never silences a chat.
 */
export const createBeforeMessageHandler = (options: BeforeMessageWebhookOptions): BeforeMessageHandler => {
  const { policy, onPolicyError, onDecision, metrics = emfMetrics } = options;
  const reportPolicyError = (error: unknown) => {
    // The name only: a message could quote the text the policy was looking at.
    logger.error('before_message policy failed; letting the message through', {
      route: 'before-message',
      errorName: error instanceof Error ? error.name : typeof error,
    });
    onPolicyError?.(error);
  };

  return async (event) => {
    const started = performance.now();
    try {
      await authenticateWebhook(event, options.credentials);
      const payload = validate(parseWebhookJson(readWebhookBody(event, options.maxBodyBytes)));
      if (options.appId && payload.appId !== options.appId) throw new WrongAppError();

      const decision = decideSafely(policy, payload, reportPolicyError);
      logDecision(decision, payload);
      notify(onDecision, decision);
      safely(() => metrics.request('before-message', 'accepted', performance.now() - started));
      return jsonResponse(200, toAnswer(decision, payload.webhook));
    } catch (error) {
      const answer = answerError(error);
      safely(() => metrics.request('before-message', answer.code, performance.now() - started));
      return answer.result;
    }
  };
};

const validate = (body: unknown): BeforeMessagePayload => {
  const { trigger } = expectJsonObject(body);
  if (trigger !== BEFORE_MESSAGE_TRIGGER) throw new WrongTriggerError(`"${BEFORE_MESSAGE_TRIGGER}"`, trigger);
  const result = BeforeMessagePayloadSchema.safeParse(body);
  if (!result.success) throw new InvalidPayloadError(toPayloadIssues(result.error));
  return result.data;
};

/** One line per decision: what was decided and by which rule, never the text or who wrote it. */
const logDecision = (decision: Decision, payload: BeforeMessagePayload): void => {
  const message = payload.data;
  const context = {
    route: 'before-message',
    decision: decision.kind,
    webhook: payload.webhook,
    receiverType: message.receiverType,
    category: message.category,
    type: message.type,
  };
  switch (decision.kind) {
    case 'drop':
      logger.info('before_message decided', { ...context, reason: decision.reason, rule: decision.rule });
      return;
    case 'inject':
      logger.info('before_message decided', { ...context, flags: decision.metadata.flags });
      return;
    case 'pass':
      logger.info('before_message decided', context);
  }
};

/** A metrics hook must not turn an answered message into an error. */
const notify = (listener: ((decision: Decision) => void) | undefined, decision: Decision): void => {
  try {
    listener?.(decision);
  } catch (error) {
    logger.warn('before_message decision listener failed', { route: 'before-message', cause: describeCause(error) });
  }
};

const answerError = (error: unknown): { result: HttpResult; code: ErrorCode } => {
  if (error instanceof HttpError) {
    const log = error.status >= 500 ? logger.error.bind(logger) : logger.warn.bind(logger);
    log('webhook refused', {
      route: 'before-message',
      status: error.status,
      error: error.code,
      ...(error.status >= 500 ? { cause: describeCause(error.cause) } : {}),
    });
    return { result: toErrorResponse(error), code: error.code };
  }
  // A bug outside the policy (the policy itself fails open): 503 like every route, logged loudly.
  logger.error('webhook failed unexpectedly', { route: 'before-message', cause: describeCause(error) });
  const unavailable = new UnavailableError('The relay could not process this request; retry later.');
  return { result: toErrorResponse(unavailable), code: unavailable.code };
};

/**
 * The route as the local server serves it (same path and method as the HTTP API).
 * Here, not in handler.ts, because importing the Lambda adapter reads the Lambda environment.
 */
export const beforeMessageLambdaRoute = (handler: BeforeMessageHandler): LambdaRoute => ({
  method: 'POST',
  path: BEFORE_MESSAGE_PATH,
  handler,
});
