import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerResult } from 'aws-lambda';
import { HttpError } from '../shared/errors.ts';
import type { CredentialStore } from '../shared/ports/credential-store.ts';
import { logger } from '../shared/powertools.ts';
import { authenticateWebhook, describeCause } from '../shared/webhook-request.ts';

export type WebhookAuthorizer = (event: APIGatewayRequestAuthorizerEventV2) => Promise<APIGatewaySimpleAuthorizerResult>;

/**
 * The Lambda REQUEST authorizer of `ingest: "direct"` (HTTP API, simple
 * responses): the same Basic Auth check as the ingest function, answered as
 * `isAuthorized`. API Gateway caches the answer per `Authorization` header,
 * so a burst with one set of credentials runs it once. A secret that cannot
 * be read throws instead of denying: API Gateway answers that request 500
 * and caches nothing, where a denial would lock CometChat out for the
 * cache's lifetime.
 */
export const createWebhookAuthorizer =
  (options: { readonly credentials: CredentialStore }): WebhookAuthorizer =>
  async (event) => {
    try {
      // The event carries the same `headers` as a proxy event; only `authorization` is read.
      await authenticateWebhook({ headers: event.headers ?? {} } as Parameters<typeof authenticateWebhook>[0], options.credentials);
      return { isAuthorized: true };
    } catch (error) {
      if (error instanceof HttpError && error.status === 401) {
        logger.warn('webhook refused', { status: 403, error: error.code, route: event.routeKey, requestId: event.requestContext?.requestId });
        return { isAuthorized: false };
      }
      logger.error('webhook authorizer failed', { route: event.routeKey, cause: describeCause(error instanceof HttpError ? error.cause : error) });
      throw error;
    }
  };
