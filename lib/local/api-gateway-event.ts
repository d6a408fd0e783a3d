import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** Content types API Gateway HTTP APIs pass as text; anything else arrives base64-encoded. */
const TEXT_CONTENT_TYPE = /^(?:text\/|application\/(?:[\w.+-]+\+)?(?:json|xml|javascript|x-www-form-urlencoded))/i;

export interface ApiGatewayEventInput {
  readonly request: IncomingMessage;
  readonly body: Buffer;
  /** The matched route, e.g. `POST /cometchat/push` or `PUT /users/{uid}/contact`. */
  readonly routeKey: string;
  readonly pathParameters?: Record<string, string>;
}

/**
 * Builds the event an API Gateway HTTP API (payload format 2.0) hands a Lambda
 * integration, so the local server runs handlers exactly as deployed: header
 * names lowercased and repeated headers joined with commas, cookies apart,
 * query string parsed, binary bodies base64-encoded.
 */
export const toApiGatewayEvent = ({ request, body, routeKey, pathParameters }: ApiGatewayEventInput): APIGatewayProxyEventV2 => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const name = (request.rawHeaders[i] ?? '').toLowerCase();
    const value = request.rawHeaders[i + 1] ?? '';
    if (name === 'cookie') cookies.push(...value.split(/;\s*/).filter(Boolean));
    else headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  const queryStringParameters: Record<string, string> = {};
  for (const [key, value] of url.searchParams) {
    queryStringParameters[key] = queryStringParameters[key] === undefined ? value : `${queryStringParameters[key]},${value}`;
  }
  const now = new Date();
  // A "text" body that is not UTF-8 cannot travel as a JSON string without being altered: hand it over
  // base64-encoded, so the handler sees the bytes it was sent (and refuses them) instead of U+FFFDs.
  const isText = body.length === 0 || (TEXT_CONTENT_TYPE.test(headers['content-type'] ?? '') && isUtf8(body));
  const method = request.method ?? 'GET';
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    ...(cookies.length ? { cookies } : {}),
    ...(url.search ? { queryStringParameters } : {}),
    ...(pathParameters && Object.keys(pathParameters).length ? { pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0] ?? 'localhost',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    body: body.length === 0 ? undefined : isText ? body.toString('utf8') : body.toString('base64'),
    isBase64Encoded: body.length > 0 && !isText,
  } as APIGatewayProxyEventV2;
};
