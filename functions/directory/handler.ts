import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import * as z from 'zod';
import { createSecretsManagerClient } from '../shared/clients/secrets-manager.ts';
import { DynamoDbDirectory } from '../shared/dynamodb-directory.ts';
import { readEnv } from '../shared/env.ts';
import { signedSecretSource } from '../shared/signed-secret-source.ts';
import { snsPlatformEndpoints } from '../shared/sns-platform-endpoints.ts';
import { createDirectoryHandler } from './directory-api.ts';
import { PlatformApplicationArnsJsonSchema } from './directory-schemas.ts';
import { secretAdminTokenSource } from './secret-admin-token-source.ts';

const env = readEnv({
  DIRECTORY_TABLE: z.string().min(1),
  ADMIN_SECRET_ARN: z.string().min(1),
  PLATFORM_APPLICATION_ARNS: PlatformApplicationArnsJsonSchema,
});

/**
 * A registration makes a handful of sequential calls; these timeouts keep a
 * stuck connection from eating API Gateway's 30-second integration limit.
 */
const requestHandler = () => new NodeHttpHandler({ connectionTimeout: 1000, requestTimeout: 3000, throwOnRequestTimeout: true });

const dynamodb = DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 3, requestHandler: requestHandler() }));
const sns = new SNSClient({ maxAttempts: 3, requestHandler: requestHandler() });

/** Lambda entry point for every directory route: the directory API wired to DynamoDB, SNS and Secrets Manager. */
export const handler = createDirectoryHandler({
  adminTokens: secretAdminTokenSource({ source: signedSecretSource({ client: createSecretsManagerClient({ requestHandler: requestHandler() }) }), secretId: env.ADMIN_SECRET_ARN }),
  directory: new DynamoDbDirectory({ client: dynamodb, tableName: env.DIRECTORY_TABLE }),
  endpoints: snsPlatformEndpoints(sns),
  platformApplications: env.PLATFORM_APPLICATION_ARNS,
});
