import type { APIGatewayRequestAuthorizerEventV2, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { admitDirectRecord } from '../../functions/consumers/direct-admission.ts';
import { createWebhookAuthorizer } from '../../functions/ingest/webhook-authorizer.ts';
import { webhookRoute } from '../../functions/ingest/webhook-routes.ts';
import { encodeBasicAuth } from '../../functions/shared/basic-auth.ts';
import { noMetrics } from '../../functions/shared/metrics.ts';
import { staticCredentialStore } from '../../functions/shared/ports/credential-store.ts';
import type { DeadLetter } from '../../functions/shared/ports/dead-letters.ts';
import { seed } from '../fixtures/seeds.ts';

const CREDENTIALS = { username: 'cometchat', password: 'unit-password-1' };

const authorizerEvent = (authorization: string | undefined) =>
  ({
    version: '2.0',
    type: 'REQUEST',
    routeArn: 'arn:aws:execute-api:us-east-1:000000000000:api/$default/POST/cometchat/push',
    identitySource: authorization ? [authorization] : [],
    routeKey: 'POST /cometchat/push',
    headers: authorization ? { authorization } : {},
    requestContext: { requestId: 'unit' },
  }) as unknown as APIGatewayRequestAuthorizerEventV2;

describe('createWebhookAuthorizer', () => {
  const authorize = createWebhookAuthorizer({ credentials: staticCredentialStore([CREDENTIALS]) });

  it('allows the configured credentials and denies others', async () => {
    expect(await authorize(authorizerEvent(encodeBasicAuth(CREDENTIALS)))).toEqual({ isAuthorized: true });
    expect(await authorize(authorizerEvent(encodeBasicAuth({ ...CREDENTIALS, password: 'wrong' })))).toEqual({ isAuthorized: false });
    expect(await authorize(authorizerEvent('Bearer token'))).toEqual({ isAuthorized: false });
  });

  it('throws instead of denying when the secret cannot be read, so API Gateway caches no denial', async () => {
    const failing = createWebhookAuthorizer({
      credentials: {
        accepted: async () => {
          throw new Error('Secrets Manager unreachable');
        },
      },
    });
    await expect(failing(authorizerEvent(encodeBasicAuth(CREDENTIALS)))).rejects.toThrow(/could not be read/);
  });
});

const record = (body: string): SQSRecord =>
  ({
    messageId: 'message-1',
    body,
    messageAttributes: {
      channel: { stringValue: 'push', dataType: 'String', stringListValues: [], binaryListValues: [] },
      ingest: { stringValue: 'direct', dataType: 'String', stringListValues: [], binaryListValues: [] },
    },
    attributes: { ApproximateReceiveCount: '1' },
  }) as unknown as SQSRecord;

describe('admitDirectRecord', () => {
  const route = webhookRoute('push');

  it('labels a valid payload as ingest would have', async () => {
    const payload = seed('push-chat');
    const parked: DeadLetter[] = [];
    const admitted = await admitDirectRecord(
      { route, deadLetters: { park: async (message) => void parked.push(message) } },
      record(JSON.stringify(payload)),
      noMetrics,
    );
    const { idempotencyKey, correlationId } = route.describe(payload);
    expect(admitted).toEqual({ ok: true, labels: { idempotencyKey, correlationId } });
    expect(parked).toEqual([]);
  });

  it('parks a body that is not JSON with its reason and the original attributes', async () => {
    const parked: DeadLetter[] = [];
    const admitted = await admitDirectRecord(
      { route, deadLetters: { park: async (message) => void parked.push(message) } },
      record('{not json'),
      noMetrics,
    );
    expect(admitted.ok).toBe(false);
    expect(parked).toEqual([
      {
        body: '{not json',
        reason: expect.stringMatching(/^invalid_json: /),
        attributes: { channel: 'push', ingest: 'direct', messageId: 'message-1' },
      },
    ]);
  });

  it('fails, so the record comes back, when the DLQ cannot be written', async () => {
    await expect(
      admitDirectRecord(
        {
          route,
          deadLetters: {
            park: async () => {
              throw new Error('SQS unavailable');
            },
          },
        },
        record('[]'),
        noMetrics,
      ),
    ).rejects.toThrow('SQS unavailable');
  });
});
