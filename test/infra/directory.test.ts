import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { CHANNEL_ROUTES } from '../../functions/shared/channels.ts';
import { DIRECTORY_ROUTES } from '../../functions/directory/directory-routes.ts';
import { DELIVERY_TABLE, DIRECTORY_TABLE } from '../../lib/table-settings.ts';
import { APNS_ARN, ENDPOINT_PATTERNS, FCM_ARN, FULL_CONFIG, VOIP_ARN } from './fixtures.ts';
import {
  allow,
  buildRelayStack,
  cleanupAssemblies,
  envOf,
  findOne,
  getAtt,
  grantsOf,
  isRelayTable,
  sortGrants,
} from './relay-app.ts';

afterAll(cleanupAssemblies);

const { template: defaults } = buildRelayStack();
const { template: configured } = buildRelayStack({ 'cometchat-relay': FULL_CONFIG });

const tableOf = (template: Template, role: 'directory' | 'deliveries') => {
  const { id } = findOne(template, 'AWS::DynamoDB::Table', isRelayTable(role));
  return {
    id,
    resource: template.findResources('AWS::DynamoDB::Table')[id] as Record<string, unknown> & {
      Properties: Record<string, unknown>;
    },
  };
};
const adminSecret = (template: Template) =>
  findOne(
    template,
    'AWS::SecretsManager::Secret',
    (p) => (p.GenerateSecretString as { GenerateStringKey?: string }).GenerateStringKey === 'token',
  );
/** The directory function: the one that is handed the admin secret. */
const directoryFunction = (template: Template) =>
  findOne(
    template,
    'AWS::Lambda::Function',
    (p) => JSON.stringify(envOf(p).ADMIN_SECRET_ARN) === JSON.stringify({ Ref: adminSecret(template).id }),
  );
const routeOf = (template: Template, routeKey: string) =>
  findOne(template, 'AWS::ApiGatewayV2::Route', (p) => p.RouteKey === routeKey);
const integrationOf = (template: Template, routeKey: string) => {
  const integrationId = JSON.stringify(routeOf(template, routeKey).properties.Target).match(/"Ref":"([^"]+)"/)?.[1] ?? '';
  return (template.findResources('AWS::ApiGatewayV2::Integration')[integrationId] as { Properties: Record<string, unknown> })
    .Properties;
};

describe('directory table', () => {
  it('keys devices and contacts on pk/sk, with the byToken index on tokenKey', () => {
    const { Properties } = tableOf(defaults, 'directory').resource;

    expect(Properties.KeySchema).toEqual([
      { AttributeName: DIRECTORY_TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: DIRECTORY_TABLE.sortKey, KeyType: 'RANGE' },
    ]);
    expect(Properties.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: DIRECTORY_TABLE.tokenIndex.indexName,
        KeySchema: [{ AttributeName: DIRECTORY_TABLE.tokenIndex.partitionKey, KeyType: 'HASH' }],
        Projection: { ProjectionType: 'ALL' },
      },
    ]);
    expect(Properties.AttributeDefinitions).toEqual(
      expect.arrayContaining([
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'tokenKey', AttributeType: 'S' },
      ]),
    );
  });

  it('is on demand, encrypted with the AWS-managed key, point-in-time recoverable, and retained', () => {
    const { resource } = tableOf(defaults, 'directory');

    expect(resource.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    expect((resource.Properties.SSESpecification as Record<string, unknown>).KMSMasterKeyId).toBeUndefined();
    expect(resource).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('deliveries table', () => {
  it('keys idempotency records on pk and expires them at expiresAt', () => {
    const { Properties } = tableOf(defaults, 'deliveries').resource;

    expect(Properties.KeySchema).toEqual([{ AttributeName: DELIVERY_TABLE.partitionKey, KeyType: 'HASH' }]);
    expect(Properties.TimeToLiveSpecification).toEqual({ AttributeName: DELIVERY_TABLE.timeToLiveAttribute, Enabled: true });
  });

  it('is on demand, encrypted and point-in-time recoverable', () => {
    expect(tableOf(defaults, 'deliveries').resource.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });
});

describe('admin token secret', () => {
  it('generates {"token":<48 letters and digits>}', () => {
    expect(adminSecret(defaults).properties.GenerateSecretString).toEqual({
      SecretStringTemplate: '{}',
      GenerateStringKey: 'token',
      ExcludePunctuation: true,
      IncludeSpace: false,
      PasswordLength: 48,
    });
  });
});

describe('directory routes', () => {
  it.each(DIRECTORY_ROUTES.map(({ method, path }) => `${method} ${path}`))('routes %s to the directory function', (routeKey) => {
    expect(integrationOf(defaults, routeKey)).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: getAtt(directoryFunction(defaults).id),
    });
  });

  it('covers every directory operation of the contract', () => {
    expect(DIRECTORY_ROUTES.map(({ method, path }) => `${method} ${path}`).sort()).toEqual([
      'DELETE /users/{uid}',
      'DELETE /users/{uid}/devices/{deviceId}',
      'GET /users/{uid}/contact',
      'GET /users/{uid}/devices',
      'PUT /users/{uid}/contact',
      'PUT /users/{uid}/devices/{deviceId}',
    ]);
  });

  it('is served by the same HTTP API as the webhooks', () => {
    const webhookApi = routeOf(defaults, `POST ${CHANNEL_ROUTES.push}`).properties.ApiId;

    for (const { method, path } of DIRECTORY_ROUTES)
      expect(routeOf(defaults, `${method} ${path}`).properties.ApiId).toEqual(webhookApi);
  });

  it('outputs the API base URL and the admin secret name', () => {
    defaults.hasOutput('DirectoryApiUrl', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('HttpApi'), 'ApiEndpoint'] } });
    defaults.hasOutput('AdminTokenSecretName', {
      Value: Match.objectLike({
        'Fn::Join': Match.arrayWith([Match.arrayWith([Match.objectLike({ 'Fn::Select': Match.anyValue() })])]),
      }),
    });
    expect(JSON.stringify(defaults.findOutputs('AdminTokenSecretName'))).toContain(adminSecret(defaults).id);
  });
});

describe('directory function', () => {
  it('runs Node.js 24 on arm64 and answers before the HTTP API gives up (30 s)', () => {
    const { properties } = directoryFunction(defaults);

    expect(properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler' });
    expect(properties.Timeout).toBeLessThan(30);
  });

  it('gets the table, the admin secret and the configured platform applications', () => {
    expect(envOf(directoryFunction(defaults).properties)).toEqual({
      DIRECTORY_TABLE: { Ref: tableOf(defaults, 'directory').id },
      ADMIN_SECRET_ARN: { Ref: adminSecret(defaults).id },
      PLATFORM_APPLICATION_ARNS: '{}',
      POWERTOOLS_SERVICE_NAME: 'cometchat-relay',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      POWERTOOLS_METRICS_NAMESPACE: 'CometChatRelay',
      NODE_OPTIONS: '--enable-source-maps',
    });
    expect(JSON.parse(envOf(directoryFunction(configured).properties).PLATFORM_APPLICATION_ARNS as string)).toEqual({
      fcm: FCM_ARN,
      apns: APNS_ARN,
      apns_voip: VOIP_ARN,
    });
  });

  const commonGrants = (template: Template) => {
    const { id, properties } = directoryFunction(template);
    const tableArn = getAtt(tableOf(template, 'directory').id);
    const logGroupId = (properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    return {
      id,
      grants: [
        ...allow(['logs:CreateLogStream', 'logs:PutLogEvents'], [getAtt(logGroupId)]),
        ...allow(
          [
            'dynamodb:GetItem',
            'dynamodb:PutItem',
            'dynamodb:UpdateItem',
            'dynamodb:DeleteItem',
            'dynamodb:Query',
          ],
          [tableArn],
        ),
        ...allow(['dynamodb:Query'], [{ 'Fn::Join': ['', [tableArn, '/index/byToken']] }]),
        ...allow(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], [{ Ref: adminSecret(template).id }]),
      ],
    };
  };

  it('may use the directory table and its index, and read the admin secret, and no SNS while no application is configured', () => {
    const { id, grants } = commonGrants(defaults);
    const { managedPolicyArns, grants: actual, denies } = grantsOf(defaults, id);

    expect(managedPolicyArns).toEqual([]);
    expect(denies).toBe(0);
    expect(actual).toEqual(sortGrants(grants));
  });

  it('may create endpoints in the configured applications, and manage the endpoints under them only', () => {
    const { id, grants } = commonGrants(configured);

    expect(grantsOf(configured, id).grants).toEqual(
      sortGrants([
        ...grants,
        ...allow(['sns:CreatePlatformEndpoint'], [FCM_ARN, APNS_ARN, VOIP_ARN]),
        ...allow(['sns:GetEndpointAttributes', 'sns:SetEndpointAttributes', 'sns:DeleteEndpoint'], ENDPOINT_PATTERNS),
      ]),
    );
  });
});
