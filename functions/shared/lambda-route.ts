import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** A Lambda function behind an API Gateway HTTP API (payload format 2.0). */
export type LambdaHttpHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * A route as API Gateway declares it for a Lambda integration. The functions
 * say which routes they serve; the CDK stack and the local server both read
 * them, so the type lives here, beside the handlers, not in either consumer.
 */
export interface LambdaRoute {
  readonly method: string;
  /** API Gateway path syntax: `/users/{uid}/devices/{deviceId}`. */
  readonly path: string;
  readonly handler: LambdaHttpHandler;
}
