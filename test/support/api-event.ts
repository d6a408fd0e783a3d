import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** A minimal API Gateway HTTP API v2 event for unit tests of handlers. */
export const apiEvent = (overrides: Partial<APIGatewayProxyEventV2> & { headers?: Record<string, string> } = {}): APIGatewayProxyEventV2 =>
  ({
    version: '2.0',
    routeKey: 'POST /cometchat/push',
    rawPath: '/cometchat/push',
    rawQueryString: '',
    headers: {},
    requestContext: {
      accountId: '000000000000',
      apiId: 'unit',
      domainName: 'unit.local',
      domainPrefix: 'unit',
      http: { method: 'POST', path: '/cometchat/push', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: 'unit-request',
      routeKey: 'POST /cometchat/push',
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
    isBase64Encoded: false,
    ...overrides,
  }) as APIGatewayProxyEventV2;
