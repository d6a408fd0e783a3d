import { ArnFormat, Aws, CustomResource, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import { Effect, Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { PLATFORMS, type Platform, SNS_PLATFORM_OF } from '../../functions/shared/ports/directory.ts';
import { nagResource } from './platform-arns.ts';
import { RelayFunction } from './relay-function.ts';

const PLATFORM_APPLICATION_ENTRY = 'functions/platform-applications/handler.ts';

/** Percentage of successful deliveries SNS logs when none is configured; failures are always logged. */
export const DEFAULT_SUCCESS_FEEDBACK_SAMPLE_RATE = 10;

/** The Secrets Manager secret (name or ARN) of each platform whose application the stack creates. */
export type PushCredentialSecrets = Readonly<Partial<Record<Platform, string>>>;

/** The name of the application the stack creates for a platform: `<stack name>-<platform>`. */
export const platformApplicationName = (namePrefix: string, platform: Platform): string => `${namePrefix}-${platform}`;

/** The platforms that have credentials, in a stable order. */
export const platformsWithCredentials = (secrets: PushCredentialSecrets): Platform[] =>
  PLATFORMS.filter((platform) => secrets[platform] !== undefined);

/**
 * The ARN of the application the stack creates for a platform. SNS derives it
 * from the account, region, platform and name, so the functions' settings and
 * policies can name it before it exists, exactly as they name a configured one.
 */
export const stackOwnedApplicationArn = (scope: Construct, namePrefix: string, platform: Platform): string =>
  Stack.of(scope).formatArn({
    service: 'sns',
    resource: 'app',
    resourceName: `${SNS_PLATFORM_OF[platform]}/${platformApplicationName(namePrefix, platform)}`,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });

/** The ARNs of every application the stack creates, by platform. */
export const stackOwnedApplicationArns = (
  scope: Construct,
  namePrefix: string,
  secrets: PushCredentialSecrets,
): Partial<Record<Platform, string>> =>
  Object.fromEntries(platformsWithCredentials(secrets).map((platform) => [platform, stackOwnedApplicationArn(scope, namePrefix, platform)]));

/** What an IAM policy names for a secret given by name or ARN (Secrets Manager appends six random characters). */
const secretArnForPolicy = (scope: Construct, secretId: string): string => {
  if (secretId.startsWith('arn:')) return /-[A-Za-z0-9]{6}$/.test(secretId) ? secretId : `${secretId}-??????`;
  return Stack.of(scope).formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${secretId}-??????`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
};

export interface PlatformApplicationsProps {
  /**
   * The secret (name or ARN) holding each platform's credentials, as `npm run push-credentials` writes it.
   * One application is created per platform given.
   */
  readonly credentials: PushCredentialSecrets;
  /**
   * Prefix of the application names (`<prefix>-<platform>`).
   *
   * @default - the stack name
   */
  readonly namePrefix?: string;
  /**
   * The push feedback topic, set as each application's EventEndpointUpdated and EventDeliveryFailure.
   *
   * @default - none: the applications send no events
   */
  readonly eventTopic?: ITopic;
  /**
   * Percentage (0 to 100) of successful deliveries SNS logs to CloudWatch; failures are always logged.
   *
   * @default DEFAULT_SUCCESS_FEEDBACK_SAMPLE_RATE
   */
  readonly successFeedbackSampleRate?: number;
  /**
   * How long the function's logs are kept.
   *
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
}

/**
 * The SNS platform applications the stack owns, created from the push
 * credentials in Secrets Manager (CloudFormation has no resource type for
 * them): one custom resource per platform, served by a function of the relay
 * on CDK's Provider framework. Each application is named after the stack,
 * sends its endpoint events to the push feedback topic, and logs its delivery
 * status through a role SNS assumes. Deleting the stack deletes them.
 *
 * The function may manage these applications and read these secrets, nothing else.
 */
export class PlatformApplications extends Construct {
  /** The ARN of each application created, by platform (known before deployment, see `stackOwnedApplicationArn`). */
  readonly applicationArns: Readonly<Partial<Record<Platform, string>>>;
  /** The role SNS assumes to write the applications' delivery-status logs. */
  readonly deliveryStatusRole: Role;
  /** The function behind the custom resources. */
  readonly handlerFunction: RelayFunction;
  /** One custom resource per platform with credentials. */
  readonly applications: Readonly<Partial<Record<Platform, CustomResource>>>;

  constructor(scope: Construct, id: string, props: PlatformApplicationsProps) {
    super(scope, id);
    validateProps(props);
    const {
      credentials,
      namePrefix = Stack.of(this).stackName,
      eventTopic,
      successFeedbackSampleRate = DEFAULT_SUCCESS_FEEDBACK_SAMPLE_RATE,
      logRetention = RetentionDays.ONE_MONTH,
    } = props;
    const platforms = platformsWithCredentials(credentials);
    const stack = Stack.of(this);
    this.applicationArns = stackOwnedApplicationArns(this, namePrefix, credentials);
    const applicationArns = platforms.map((platform) => stackOwnedApplicationArn(this, namePrefix, platform));

    // SNS writes delivery status to log groups it names sns/<region>/<account>/app/<PLATFORM>/<name>[/Failure].
    const logGroupPatterns = platforms.map(
      (platform) =>
        `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:sns/${Aws.REGION}/${Aws.ACCOUNT_ID}/app/` +
        `${SNS_PLATFORM_OF[platform]}/${platformApplicationName(namePrefix, platform)}*`,
    );
    this.deliveryStatusRole = new Role(this, 'DeliveryStatusRole', {
      assumedBy: new ServicePrincipal('sns.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } } }),
      description: "cometchat-relay: SNS writes the stack's platform applications' delivery status to CloudWatch Logs",
    });
    const deliveryStatusPolicy = new Policy(this, 'DeliveryStatusPolicy', {
      roles: [this.deliveryStatusRole],
      statements: [
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:PutMetricFilter', 'logs:PutRetentionPolicy'],
          resources: logGroupPatterns,
        }),
      ],
    });
    Validations.of(deliveryStatusPolicy).acknowledge(
      ...logGroupPatterns.map((pattern) => ({
        id: `AwsSolutions-IAM5[Resource::${nagResource(pattern)}]`,
        reason:
          'SNS creates the delivery-status log groups and streams itself, named after the application ' +
          "(sns/<region>/<account>/app/<PLATFORM>/<name> and its /Failure twin); the wildcard covers only those of the stack's applications.",
      })),
    );

    this.handlerFunction = new RelayFunction(this, 'Function', {
      description: "cometchat-relay: creates, updates and deletes the stack's SNS platform applications (custom resource)",
      roleDescription:
        "cometchat-relay platform applications: the stack's own platform applications, the push credential secrets, pass the delivery-status role to SNS, its own logs",
      entry: PLATFORM_APPLICATION_ENTRY,
      memorySize: 256,
      // Room for the retries while a new delivery-status role propagates (ROLE_PROPAGATION_ATTEMPTS).
      timeout: Duration.minutes(2),
      logRetention,
      environment: {},
    });
    const secretArns = platforms.map((platform) => secretArnForPolicy(this, credentials[platform] as string));
    const handlerPolicy = new Policy(this, 'FunctionPolicy', {
      roles: [this.handlerFunction.executionRole],
      statements: [
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: [
            'sns:CreatePlatformApplication',
            'sns:SetPlatformApplicationAttributes',
            'sns:GetPlatformApplicationAttributes',
            'sns:DeletePlatformApplication',
          ],
          resources: applicationArns,
        }),
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['secretsmanager:GetSecretValue'],
          resources: secretArns,
        }),
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['iam:PassRole'],
          resources: [this.deliveryStatusRole.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'sns.amazonaws.com' } },
        }),
      ],
    });
    const secretPatterns = secretArns.filter((arn) => arn.includes('*'));
    Validations.of(handlerPolicy).acknowledge(
      ...secretPatterns.map((pattern) => ({
        id: `AwsSolutions-IAM5[Resource::${nagResource(pattern)}]`,
        reason:
          'A secret named without its full ARN is matched with the six characters Secrets Manager appends to every secret ' +
          '(-??????), as IAM documents; the pattern matches only the named secret.',
      })),
    );

    const provider = new Provider(this, 'Provider', {
      onEventHandler: this.handlerFunction,
      logGroup: new LogGroup(this, 'ProviderLogs', { retention: logRetention }),
    });
    const functionLogicalId = stack.resolve(stack.getLogicalId(this.handlerFunction.node.defaultChild as CfnFunction)) as string;
    Validations.of(provider).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: "The Provider framework's own function uses AWSLambdaBasicExecutionRole; CDK builds it and offers no role of ours.",
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${functionLogicalId}.Arn>:*]`,
        reason: "The Provider framework's function may invoke the platform-application function and its versions (CDK's own policy).",
      },
      {
        id: 'AwsSolutions-L1',
        reason: "The Provider framework's function runtime is chosen by the CDK release, not by this project.",
      },
    );

    const applications: Partial<Record<Platform, CustomResource>> = {};
    for (const platform of platforms) {
      const application = new CustomResource(this, `${SNS_PLATFORM_OF[platform]}Application`, {
        serviceToken: provider.serviceToken,
        resourceType: 'Custom::SnsPlatformApplication',
        properties: {
          Name: platformApplicationName(namePrefix, platform),
          RelayPlatform: platform,
          Platform: SNS_PLATFORM_OF[platform],
          CredentialsSecretId: credentials[platform],
          EventTopicArn: eventTopic?.topicArn ?? '',
          DeliveryStatusRoleArn: this.deliveryStatusRole.roleArn,
          SuccessFeedbackSampleRate: String(successFeedbackSampleRate),
        },
      });
      // SNS checks that it may assume the role, and the function needs its grants, before the first request.
      application.node.addDependency(handlerPolicy, deliveryStatusPolicy);
      applications[platform] = application;
    }
    this.applications = applications;
  }
}

const validateProps = ({ credentials, successFeedbackSampleRate }: PlatformApplicationsProps): void => {
  if (credentials === undefined || platformsWithCredentials(credentials).length === 0) {
    throw new Error('PlatformApplications: credentials must name the secret of at least one platform');
  }
  for (const [platform, secret] of Object.entries(credentials)) {
    if (!(PLATFORMS as readonly string[]).includes(platform)) {
      throw new Error(`PlatformApplications: credentials has an unknown platform ${JSON.stringify(platform)} (known: ${PLATFORMS.join(', ')})`);
    }
    if (secret !== undefined && (Token.isUnresolved(secret) || secret.trim() === '')) {
      throw new Error(`PlatformApplications: credentials.${platform} must be a secret name or ARN written out, got ${JSON.stringify(secret)}`);
    }
  }
  if (
    successFeedbackSampleRate !== undefined &&
    !(Number.isInteger(successFeedbackSampleRate) && successFeedbackSampleRate >= 0 && successFeedbackSampleRate <= 100)
  ) {
    throw new Error(`PlatformApplications: successFeedbackSampleRate must be a whole percentage from 0 to 100, got ${successFeedbackSampleRate}`);
  }
};
