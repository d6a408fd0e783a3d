import { Token } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  ConfigurationSet,
  ConfigurationSetEventDestination,
  EmailSendingEvent,
  EventDestination,
  type IConfigurationSet,
} from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { SES_CONFIGURATION_SET_NAME } from '../config.ts';
import { EncryptedTopic } from './encrypted-topic.ts';
import { FeedbackPipeline } from './feedback-pipeline.ts';

/** The actions the SES feedback consumer uses on the directory: read a contact, mark its address undeliverable. */
export const SES_FEEDBACK_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:UpdateItem'] as const;

/** The SES events that mark an address undeliverable. */
export const SES_FEEDBACK_EVENTS = [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT] as const;

/** The configuration set the stack creates when none is configured: `<prefix>-email`. */
export const relayConfigurationSetName = (prefix: string): string => `${prefix}-email`;
/** The event destination added to the configuration set in use: `<prefix>-feedback`. */
export const feedbackDestinationName = (prefix: string): string => `${prefix}-feedback`;
/** The topic SES publishes bounces and complaints to: `<prefix>-ses-feedback`. */
export const sesFeedbackTopicName = (prefix: string): string => `${prefix}-ses-feedback`;

/** SES event destination names follow the configuration set rules: 1 to 64 letters, digits, `_` and `-`. */
const DESTINATION_NAME_PATTERN = SES_CONFIGURATION_SET_NAME;

const SES_FEEDBACK_ENTRY = 'functions/feedback/ses-feedback-handler.ts';

export interface SesFeedbackProps {
  /**
   * Prefix of the physical names: the configuration set `<prefix>-email` (when the stack creates it), the event
   * destination `<prefix>-feedback`, the topic `<prefix>-ses-feedback` and its queues. The stack passes its stack name.
   */
  readonly namePrefix: string;
  /** The directory whose contacts are marked undeliverable. */
  readonly directoryTable: ITable;
  /**
   * The user's own SES configuration set (it must exist in the account and Region of the stack). The event
   * destination is added to it; everything else on it stays the user's.
   *
   * @default - the stack creates a configuration set named `<prefix>-email`
   */
  readonly configurationSetName?: string | undefined;
  /**
   * How long the consumer's logs are kept.
   *
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
}

/**
 * The email feedback loop (SPEC §4: bounces and complaints mark the contact
 * undeliverable): the SES configuration set every email is sent with, an event
 * destination on it that publishes `bounce` and `complaint` events to an
 * encrypted SNS topic, and the feedback pipeline (queue, DLQ, consumer) that
 * marks the contact in the directory.
 *
 * The destination is added to the configuration set in use, whether the stack
 * created it or the user named their own: a loop that depends on a manual step
 * after every deployment is a loop that is eventually missing. On the user's
 * own set only the destination `<prefix>-feedback` is the stack's; deleting the
 * stack removes that destination and nothing else.
 */
export class SesFeedback extends Construct {
  /** The configuration set every email is sent with. */
  readonly configurationSet: IConfigurationSet;
  /**
   * Its name, for the email consumer's `SES_CONFIGURATION_SET` and `ses:SendEmail` permission. For a set the stack
   * creates, it is a reference, so the email consumer is only created once the set exists.
   */
  readonly configurationSetName: string;
  /** Whether the stack created the configuration set (false: the user's own). */
  readonly createsConfigurationSet: boolean;
  /** The encrypted topic SES publishes bounces and complaints to. */
  readonly topic: EncryptedTopic;
  /** The destination on the configuration set that publishes to `topic`. */
  readonly eventDestination: ConfigurationSetEventDestination;
  /** The queue, DLQ and consumer behind the topic. */
  readonly pipeline: FeedbackPipeline;

  constructor(scope: Construct, id: string, props: SesFeedbackProps) {
    super(scope, id);
    validateProps(props);
    const { namePrefix, directoryTable, configurationSetName, logRetention } = props;

    this.createsConfigurationSet = configurationSetName === undefined;
    this.configurationSet =
      configurationSetName === undefined
        ? new ConfigurationSet(this, 'ConfigurationSet', { configurationSetName: relayConfigurationSetName(namePrefix) })
        : ConfigurationSet.fromConfigurationSetName(this, 'ConfigurationSet', configurationSetName);
    this.configurationSetName = this.configurationSet.configurationSetName;

    this.topic = new EncryptedTopic(this, 'Topic', {
      topicName: sesFeedbackTopicName(namePrefix),
      displayName: 'cometchat-relay SES bounces and complaints',
      keyDescription: 'cometchat-relay: encrypts the SES feedback (bounces and complaints) topic at rest',
      publisherService: 'ses.amazonaws.com',
    });
    // Also lets SES publish, through the topic policy, for this configuration set only.
    this.eventDestination = new ConfigurationSetEventDestination(this, 'EventDestination', {
      configurationSet: this.configurationSet,
      configurationSetEventDestinationName: feedbackDestinationName(namePrefix),
      destination: EventDestination.snsTopic(this.topic.topic),
      events: [...SES_FEEDBACK_EVENTS],
    });

    this.pipeline = new FeedbackPipeline(this, 'Pipeline', {
      source: 'ses',
      topic: this.topic.topic,
      queueNamePrefix: namePrefix,
      entry: SES_FEEDBACK_ENTRY,
      description: 'cometchat-relay: marks contacts whose email bounced or complained as undeliverable',
      roleDescription: 'cometchat-relay SES feedback: its queue, read and mark contacts in the directory table, its own logs',
      environment: { DIRECTORY_TABLE: directoryTable.tableName },
      logRetention,
    });
    this.pipeline.consumer.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: [...SES_FEEDBACK_TABLE_ACTIONS],
        resources: [directoryTable.tableArn],
      }),
    );
  }
}

const validateProps = ({ namePrefix, directoryTable, configurationSetName }: SesFeedbackProps): void => {
  if (directoryTable === undefined) throw new Error('SesFeedback: directoryTable is required');
  if (configurationSetName !== undefined && !SES_CONFIGURATION_SET_NAME.test(configurationSetName)) {
    throw new Error(
      `SesFeedback: configurationSetName must be an SES configuration set name (1 to 64 letters, digits, "_" and "-"), ` +
        `got ${JSON.stringify(configurationSetName)}`,
    );
  }
  // A token (an unresolved stack name) is checked by CloudFormation at deploy time instead.
  if (Token.isUnresolved(namePrefix)) return;
  const names = [
    feedbackDestinationName(namePrefix),
    ...(configurationSetName === undefined ? [relayConfigurationSetName(namePrefix)] : []),
  ];
  for (const name of names) {
    if (!DESTINATION_NAME_PATTERN.test(name)) {
      throw new Error(
        `SesFeedback: namePrefix ${JSON.stringify(namePrefix)} gives the SES name "${name}", ` +
          'but SES names allow only letters, digits, "_" and "-", at most 64 characters',
      );
    }
  }
};
