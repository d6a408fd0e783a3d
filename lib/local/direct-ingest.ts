import type { IncomingMessage, ServerResponse } from 'node:http';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import type { WebhookAuthorizer } from '../../functions/ingest/webhook-authorizer.ts';
import { CHANNEL_ROUTES, type DeliveryChannel } from '../../functions/shared/channels.ts';
import { AUTHORIZER_CACHE_TTL_SECONDS, directMessageAttributes } from '../direct-ingest-settings.ts';
import { toApiGatewayEvent } from './api-gateway-event.ts';
import { INTEGRATION_FAILURE, type LambdaConcurrency } from './lambda-concurrency.ts';
import type { LocalRoute } from './local-server.ts';

export interface DirectIngestRoutesOptions {
  readonly channels: readonly DeliveryChannel[];
  /** Each channel's queue URL. */
  readonly queueUrls: Readonly<Record<DeliveryChannel, string>>;
  /** The SQS client the integration sends with (API Gateway's own call: the default SDK client settings). */
  readonly sqs: SQSClient;
  /** The authorizer function's handler (functions/ingest/webhook-authorizer.ts). */
  readonly authorizer: WebhookAuthorizer;
  /** Seconds an authorizer answer is reused per Authorization header. Default: as deployed (300). */
  readonly cacheTtlSeconds?: number;
  /** The simulated Lambda concurrency quota the authorizer's invocations count against. */
  readonly lambdaConcurrency?: LambdaConcurrency;
  readonly now?: () => number;
}

/** Counts of what the emulated API Gateway did, for the bench and the tests. */
export interface DirectIngestStats {
  authorizerInvocations: number;
  cacheHits: number;
}

/**
 * `ingest: "direct"` as API Gateway runs it, in front of the local stack's
 * queues: no Lambda per request. The route's REQUEST authorizer (identity
 * source `$request.header.Authorization`, simple responses) is invoked only
 * when its answer for that header is not cached; then the SQS-SendMessage
 * integration sends the body as it came with the route's static attributes,
 * and the SQS answer is the HTTP answer. API Gateway's own answers are
 * reproduced: no Authorization header 401 `{"message":"Unauthorized"}` (the
 * authorizer is not invoked), a denial 403 `{"message":"Forbidden"}`, an
 * authorizer that fails or is throttled 500, and so is a refused SendMessage.
 */
export const directIngestRoutes = (options: DirectIngestRoutesOptions): { routes: LocalRoute[]; stats: DirectIngestStats } => {
  const { sqs, authorizer, lambdaConcurrency, now = Date.now } = options;
  const ttlMs = (options.cacheTtlSeconds ?? AUTHORIZER_CACHE_TTL_SECONDS) * 1000;
  const cache = new Map<string, { readonly allowed: boolean; readonly expires: number }>();
  const stats: DirectIngestStats = { authorizerInvocations: 0, cacheHits: 0 };

  const authorize = async (event: APIGatewayRequestAuthorizerEventV2, header: string): Promise<boolean> => {
    const cached = cache.get(header);
    if (cached && cached.expires > now()) {
      stats.cacheHits += 1;
      return cached.allowed;
    }
    stats.authorizerInvocations += 1;
    const call = () => authorizer(event);
    const { isAuthorized } = await (lambdaConcurrency ? lambdaConcurrency.invoke(call) : call());
    cache.set(header, { allowed: isAuthorized, expires: now() + ttlMs });
    return isAuthorized;
  };

  const serve =
    (channel: DeliveryChannel) =>
    async (request: IncomingMessage, response: ServerResponse, body: Buffer): Promise<void> => {
      const routeKey = `POST ${CHANNEL_ROUTES[channel]}`;
      const proxyEvent = toApiGatewayEvent({ request, body, routeKey });
      const header = proxyEvent.headers.authorization;
      if (!header) return write(response, 401, { message: 'Unauthorized' });
      const event = {
        ...proxyEvent,
        type: 'REQUEST',
        routeArn: `arn:aws:execute-api:us-east-1:000000000000:local/$default/POST${CHANNEL_ROUTES[channel]}`,
        identitySource: [header],
      } as unknown as APIGatewayRequestAuthorizerEventV2;
      let allowed: boolean;
      try {
        allowed = await authorize(event, header);
      } catch {
        return write(response, INTEGRATION_FAILURE.statusCode, JSON.parse(INTEGRATION_FAILURE.body));
      }
      if (!allowed) return write(response, 403, { message: 'Forbidden' });
      try {
        const sent = await sqs.send(
          new SendMessageCommand({
            QueueUrl: options.queueUrls[channel],
            // `$request.body`: the text as it came (a binary body would arrive base64-encoded).
            MessageBody: proxyEvent.body ?? '',
            MessageAttributes: directMessageAttributes(channel),
          }),
        );
        return write(response, 200, {
          SendMessageResponse: {
            ResponseMetadata: { RequestId: sent.$metadata.requestId ?? proxyEvent.requestContext.requestId },
            SendMessageResult: {
              MD5OfMessageAttributes: sent.MD5OfMessageAttributes ?? null,
              MD5OfMessageBody: sent.MD5OfMessageBody ?? null,
              MD5OfMessageSystemAttributes: null,
              MessageId: sent.MessageId ?? null,
              SequenceNumber: null,
            },
          },
        });
      } catch {
        return write(response, INTEGRATION_FAILURE.statusCode, JSON.parse(INTEGRATION_FAILURE.body));
      }
    };

  return {
    routes: options.channels.map((channel) => ({ method: 'POST', path: CHANNEL_ROUTES[channel], serve: serve(channel) })),
    stats,
  };
};

const write = (response: ServerResponse, statusCode: number, body: unknown): void => {
  response.writeHead(statusCode, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
};
