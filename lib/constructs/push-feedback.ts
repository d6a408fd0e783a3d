import { Token, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DIRECTORY_TABLE } from '../table-settings.ts';
import { FeedbackPipeline } from './feedback-pipeline.ts';
import {
  checkPlatformApplicationArns,
  configuredApplicationArns,
  endpointArnPattern,
  nagResource,
  type PlatformApplicationArns,
} from './platform-arns.ts';

/** The actions the push feedback consumer uses on the directory table: read a device back, remove a dead one. */
export const PUSH_FEEDBACK_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:DeleteItem'] as const;

/** The platform application attributes the operator points at the topic (docs/feedback.md). */
export const PUSH_FEEDBACK_EVENT_ATTRIBUTES = ['EventEndpointUpdated', 'EventDeliveryFailure'] as const;

/** The topic SNS publishes the platform applications' events to: `<prefix>-push-feedback`. */
export const pushFeedbackTopicName = (prefix: string): string => `${prefix}-push-feedback`;

/** SNS topic names: letters, digits, hyphens and underscores, at most 256 characters. */
const TOPIC_NAME_PATTERN = /^[A-Za-z0-9_-]{1,256}$/;

const PUSH_FEEDBACK_ENTRY = 'functions/feedback/push-feedback-handler.ts';

export interface PushFeedbackProps {
  /** Prefix of the physical names: the topic `<prefix>-push-feedback` and its queues. The stack passes its stack name. */
  readonly namePrefix: string;
  /** The directory whose dead devices are removed (found through its `byToken` index). */
  readonly directoryTable: ITable;
  /**
   * The configured SNS platform applications: the consumer may read the endpoints under them, and no others.
   *
   * @default - none: the consumer may read no endpoint (no device can be registered either)
   */
  readonly platformApplicationArns?: PlatformApplicationArns;
  /**
   * How long the consumer's logs are kept.
   *
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
}

/**
 * The push feedback loop (SPEC §4: stale tokens clean themselves up): a topic
 * for the platform applications' `EventEndpointUpdated` and
 * `EventDeliveryFailure` events, and the feedback pipeline whose consumer reads
 * the endpoint's live state and removes the devices that publish through a
 * disabled endpoint.
 *
 * The applications the stack creates from `pushCredentials`
 * (PlatformApplications) point their events here themselves. Those configured
 * by ARN are the operator's: pointing their event attributes at this topic is
 * one documented command per application (docs/feedback.md, output
 * `PushFeedbackTopicArn`). The stack does not change those: each attribute holds one topic, so
 * it would silently take the events away from whatever the operator already
 * sends them to, and it would put a provider function with AWS-managed
 * policies and its own runtime into every deployment for a one-time setting.
 *
 * The topic keeps SNS's default access policy and is not KMS-encrypted. SNS
 * publishes these events itself, and AWS documents neither an encrypted event
 * topic nor one whose default policy was replaced (which `enforceSSL` does)
 * for it; if either stopped SNS, every event would be dropped with nothing but
 * an empty queue to show for it. The events hold endpoint ARNs and failure
 * types only, and the queue behind the topic is encrypted and refuses plain HTTP.
 */
export class PushFeedback extends Construct {
  /** The topic to set as the platform applications' EventEndpointUpdated and EventDeliveryFailure. */
  readonly topic: Topic;
  /** The queue, DLQ and consumer behind the topic. */
  readonly pipeline: FeedbackPipeline;

  constructor(scope: Construct, id: string, props: PushFeedbackProps) {
    super(scope, id);
    validateProps(props);
    const { namePrefix, directoryTable, platformApplicationArns = {}, logRetention } = props;

    this.topic = new Topic(this, 'Topic', {
      topicName: pushFeedbackTopicName(namePrefix),
      displayName: 'cometchat-relay push endpoint events',
    });
    const reason =
      "SNS publishes the platform applications' endpoint events to this topic itself: it is not documented to publish them " +
      'to a KMS-encrypted topic, nor under a topic policy that replaces the default one (as enforceSSL does), and either ' +
      'could make it drop every event silently. The events carry endpoint ARNs and failure types, ' +
      'no message content or personal data; the relay never publishes to the topic, and the queue behind it is encrypted and refuses plain HTTP.';
    Validations.of(this.topic).acknowledge({ id: 'AwsSolutions-SNS2', reason }, { id: 'AwsSolutions-SNS3', reason });

    this.pipeline = new FeedbackPipeline(this, 'Pipeline', {
      source: 'push',
      topic: this.topic,
      queueNamePrefix: namePrefix,
      entry: PUSH_FEEDBACK_ENTRY,
      description: 'cometchat-relay: removes devices whose SNS platform endpoint was disabled (push endpoint events)',
      roleDescription:
        'cometchat-relay push feedback: its queue, find and remove devices in the directory table, read endpoints of the configured applications, its own logs',
      environment: { DIRECTORY_TABLE: directoryTable.tableName },
      logRetention,
    });
    const consumer = this.pipeline.consumer;
    consumer.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: [...PUSH_FEEDBACK_TABLE_ACTIONS],
        resources: [directoryTable.tableArn],
      }),
    );
    consumer.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        // An index answers Query only; it finds the devices that hold the endpoint's token.
        actions: ['dynamodb:Query'],
        resources: [`${directoryTable.tableArn}/index/${DIRECTORY_TABLE.tokenIndex.indexName}`],
      }),
    );

    const applicationArns = configuredApplicationArns(platformApplicationArns);
    if (applicationArns.length === 0) return;
    const endpointPatterns = applicationArns.map(endpointArnPattern);
    // A policy of its own, so that the wildcard acknowledgement covers this statement and nothing else.
    const endpointPolicy = new Policy(this, 'EndpointPolicy', {
      roles: [consumer.executionRole],
      statements: [
        new PolicyStatement({ effect: Effect.ALLOW, actions: ['sns:GetEndpointAttributes'], resources: endpointPatterns }),
      ],
    });
    // The consumer must not start polling before it may read the endpoints.
    consumer.node.addDependency(endpointPolicy);
    Validations.of(endpointPolicy).acknowledge(
      ...endpointPatterns.map((pattern) => ({
        id: `AwsSolutions-IAM5[Resource::${nagResource(pattern)}]`,
        reason:
          'SNS generates each platform endpoint id when a device registers, so the endpoints cannot be named in advance; ' +
          'the wildcard covers only endpoints under one configured platform application, and only to read their state.',
      })),
    );
  }
}

const validateProps = ({ namePrefix, directoryTable, platformApplicationArns }: PushFeedbackProps): void => {
  if (directoryTable === undefined) throw new Error('PushFeedback: directoryTable is required');
  checkPlatformApplicationArns('PushFeedback', platformApplicationArns ?? {});
  // A token (an unresolved stack name) is checked by CloudFormation at deploy time instead.
  if (!Token.isUnresolved(namePrefix) && !TOPIC_NAME_PATTERN.test(pushFeedbackTopicName(namePrefix))) {
    throw new Error(
      `PushFeedback: namePrefix ${JSON.stringify(namePrefix)} gives the topic name "${pushFeedbackTopicName(namePrefix)}", ` +
        'but SNS names allow only letters, digits, "-" and "_", at most 256 characters',
    );
  }
};
