import { Duration, Validations } from 'aws-cdk-lib';
import { type HttpApi, HttpMethod, type HttpRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { DIRECTORY_ROUTES } from '../../functions/directory/directory-routes.ts';
import { PLATFORMS } from '../../functions/shared/ports/directory.ts';
import { DIRECTORY_TABLE } from '../table-settings.ts';
import {
  checkPlatformApplicationArns,
  configuredApplicationArns,
  endpointArnPattern,
  nagResource,
  type PlatformApplicationArns,
} from './platform-arns.ts';
import { RelayFunction } from './relay-function.ts';

const DIRECTORY_ENTRY = 'functions/directory/handler.ts';

/** The actions the directory function uses on its table (devices, contacts, erasing a user). */
export const DIRECTORY_TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
] as const;

/** Length of the generated admin token: long enough to make guessing pointless, no punctuation so it pastes into any header. */
export const ADMIN_TOKEN_LENGTH = 48;

/**
 * A registration is a handful of sequential DynamoDB and SNS calls, each with
 * its own short SDK timeout and retries; 20 s lets those retries finish and
 * still answers before the HTTP API gives up on the integration (30 s).
 */
const DIRECTORY_TIMEOUT = Duration.seconds(20);
const DEFAULT_DIRECTORY_MEMORY_MB = 512;

export interface DirectoryApiProps {
  /** The HTTP API the routes are added to: the same API as the webhooks, so that the relay has one base URL. */
  readonly httpApi: HttpApi;
  /** The directory table (keys and `byToken` index from `lib/table-settings.ts`). */
  readonly directoryTable: ITable;
  /**
   * The SNS platform application of each platform devices may register for.
   *
   * @default - none: every device registration is refused until one is configured
   */
  readonly platformApplicationArns?: PlatformApplicationArns;
  /**
   * Memory of the directory function, in MB.
   *
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * How long the function's logs are kept.
   *
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
}

/**
 * The directory API (SPEC §3): the user's own backend registers devices and
 * contact details with `Authorization: Bearer <admin token>`. One function
 * serves every route; it keeps the directory table and each device's SNS
 * platform endpoint in step (create on register, delete on unregister).
 *
 * HTTP APIs have no authorizer that compares a bearer token with a secret
 * without another Lambda in front, so the function checks the token itself,
 * before reading the body.
 */
export class DirectoryApi extends Construct {
  /**
   * `{"token":"<48 letters and digits>"}`: the Bearer token the user's backend sends, plus an optional
   * `secondaryToken` that operators add while rotating.
   */
  readonly adminTokenSecret: Secret;
  /** The function behind every directory route. */
  readonly directoryFunction: RelayFunction;
  /** The directory routes, in the order of the function's `DIRECTORY_ROUTES`. */
  readonly routes: readonly HttpRoute[];
  /** The base URL the routes hang off (the API's `$default` stage). */
  readonly apiUrl: string;

  constructor(scope: Construct, id: string, props: DirectoryApiProps) {
    super(scope, id);
    validateProps(props);
    const {
      httpApi,
      directoryTable,
      platformApplicationArns = {},
      memorySize = DEFAULT_DIRECTORY_MEMORY_MB,
      logRetention = RetentionDays.ONE_MONTH,
    } = props;

    this.adminTokenSecret = new Secret(this, 'AdminTokenSecret', {
      description: 'Bearer token of the cometchat-relay directory API (/users/...): {"token"}',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({}),
        generateStringKey: 'token',
        excludePunctuation: true,
        includeSpace: false,
        passwordLength: ADMIN_TOKEN_LENGTH,
      },
    });
    Validations.of(this.adminTokenSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        "The admin token is also configured in the operator's own backend, which a rotation Lambda cannot update, so automatic " +
        'rotation would lock that backend out. Rotation is the two-token procedure the function supports: add secondaryToken, ' +
        'switch the backend to it, then promote it to token.',
    });

    // Only the configured platforms, in a stable order: the function refuses registrations for the others.
    const configured = Object.fromEntries(
      PLATFORMS.flatMap((platform) => {
        const arn = platformApplicationArns[platform];
        return arn === undefined ? [] : [[platform, arn]];
      }),
    );
    this.directoryFunction = new RelayFunction(this, 'Function', {
      description: 'cometchat-relay: directory API (devices and contact details of CometChat users)',
      roleDescription:
        'cometchat-relay directory: the directory table, platform endpoints of the configured applications, the admin token, its own logs',
      entry: DIRECTORY_ENTRY,
      memorySize,
      timeout: DIRECTORY_TIMEOUT,
      logRetention,
      environment: {
        DIRECTORY_TABLE: directoryTable.tableName,
        ADMIN_SECRET_ARN: this.adminTokenSecret.secretArn,
        PLATFORM_APPLICATION_ARNS: JSON.stringify(configured),
      },
    });
    const fn = this.directoryFunction;

    fn.addToRolePolicy(
      new PolicyStatement({ effect: Effect.ALLOW, actions: [...DIRECTORY_TABLE_ACTIONS], resources: [directoryTable.tableArn] }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        // An index answers Query only; it finds the device that holds a token when the token moves to another uid.
        actions: ['dynamodb:Query'],
        resources: [`${directoryTable.tableArn}/index/${DIRECTORY_TABLE.tokenIndex.indexName}`],
      }),
    );
    this.adminTokenSecret.grantRead(fn);

    const applicationArns = configuredApplicationArns(platformApplicationArns);
    if (applicationArns.length > 0) {
      fn.addToRolePolicy(
        new PolicyStatement({ effect: Effect.ALLOW, actions: ['sns:CreatePlatformEndpoint'], resources: applicationArns }),
      );
      const endpointPatterns = applicationArns.map(endpointArnPattern);
      // A policy of its own, so that the wildcard acknowledgement covers these statements and nothing else.
      const endpointPolicy = new Policy(this, 'EndpointPolicy', {
        roles: [fn.executionRole],
        statements: [
          new PolicyStatement({
            effect: Effect.ALLOW,
            actions: ['sns:GetEndpointAttributes', 'sns:SetEndpointAttributes', 'sns:DeleteEndpoint'],
            resources: endpointPatterns,
          }),
        ],
      });
      fn.node.addDependency(endpointPolicy);
      Validations.of(endpointPolicy).acknowledge(
        ...endpointPatterns.map((pattern) => ({
          id: `AwsSolutions-IAM5[Resource::${nagResource(pattern)}]`,
          reason:
            'SNS generates each platform endpoint id when a device registers, so the endpoints cannot be named in advance; ' +
            'the wildcard covers only endpoints under one configured platform application.',
        })),
      );
    }

    const integration = new HttpLambdaIntegration('DirectoryIntegration', fn);
    // The function's own route list (shared with the local stack), so API Gateway forwards exactly what it dispatches.
    this.routes = DIRECTORY_ROUTES.flatMap(({ method, path }) =>
      httpApi.addRoutes({ path, methods: [HttpMethod[method]], integration }),
    );
    for (const route of this.routes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'The directory API is called by the operator\'s own backend with "Authorization: Bearer <admin token>"; HTTP APIs ' +
          'cannot compare a bearer token with a secret without a Lambda authorizer, so the directory function checks it in ' +
          'constant time against the admin token secret before reading the body, and answers 401 otherwise.',
      });
    }
    this.apiUrl = httpApi.apiEndpoint;
  }
}

const validateProps = ({ httpApi, directoryTable, platformApplicationArns, memorySize }: DirectoryApiProps): void => {
  if (httpApi === undefined) throw new Error('DirectoryApi: httpApi is required (the API the webhooks are served by)');
  if (directoryTable === undefined) throw new Error('DirectoryApi: directoryTable is required');
  checkPlatformApplicationArns('DirectoryApi', platformApplicationArns ?? {});
  if (memorySize !== undefined && !(Number.isInteger(memorySize) && memorySize >= 128 && memorySize <= 10_240)) {
    throw new Error(`DirectoryApi: memorySize must be a whole number of MB from 128 to 10240, got ${memorySize}`);
  }
};
