import type { IncomingMessage, ServerResponse } from 'node:http';
import { CreateTopicCommand, PublishCommand, type SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import {
  type FeedbackSource,
  feedbackDeadLetterQueueName,
  feedbackQueueName,
} from '../../functions/feedback/feedback-sources.ts';
import { createPushFeedbackConsumer } from '../../functions/feedback/push-feedback-consumer.ts';
import { createSesFeedbackConsumer } from '../../functions/feedback/ses-feedback-consumer.ts';
import type { RelayMetrics } from '../../functions/shared/metrics.ts';
import type { DirectoryAdmin } from '../../functions/shared/ports/directory.ts';
import type { PlatformEndpoints } from '../../functions/shared/ports/platform-endpoints.ts';
import { QUEUE_SETTINGS } from '../queue-settings.ts';
import type { ChannelQueueUrls } from './channel-queues.ts';
import { type BounceType, endpointUpdatedEvent, sesBounceEvent, sesComplaintEvent } from './feedback-events.ts';
import { type LocalRoute, writeJson } from './local-server.ts';
import type { SnsEmulatorControls } from './sns-emulator-client.ts';
import { type SqsPoller, startSqsPoller } from './sqs-poller.ts';

/**
 * The feedback loops on this machine, wired as in AWS: an SNS topic per
 * source (SES configuration set events, platform-application events), an SQS
 * queue with a DLQ subscribed to it, and the same feedback consumers fed by
 * pollers. Neither emulator publishes such events by itself, so local routes
 * publish them on request:
 *
 *   POST /_local/ses/bounce              {"email": "...", "uid": "...", "bounceType"?: "Permanent" | "Transient"}
 *   POST /_local/ses/complaint           {"email": "...", "uid": "..."}
 *   POST /_local/push/endpoint-disabled  {"token": "..."} or {"endpointArn": "..."}
 */

export interface LocalFeedback {
  readonly topicArns: Readonly<Record<FeedbackSource, string>>;
  readonly queues: Readonly<Record<FeedbackSource, ChannelQueueUrls>>;
  readonly routes: readonly LocalRoute[];
  readonly pollers: readonly SqsPoller[];
}

export interface LocalFeedbackOptions {
  readonly sqs: SQSClient;
  /** SNS topics (fauxqs). */
  readonly topics: SNSClient;
  readonly prefix: string;
  readonly visibilityTimeoutSeconds: number;
  readonly directory: DirectoryAdmin;
  readonly endpoints: PlatformEndpoints;
  /** The SNS emulator, whose endpoints the push route disables. */
  readonly sns: SnsEmulatorControls;
  /** aws-ses-v2-local's base URL: the bounce route looks up the email's SES message id there. */
  readonly sesEndpoint: string;
  readonly senderEmail: string;
  /** Run the consumers (default true). */
  readonly consumers?: boolean;
  readonly metrics?: RelayMetrics;
  readonly onError?: (source: FeedbackSource, error: unknown) => void;
}

export const startLocalFeedback = async (options: LocalFeedbackOptions): Promise<LocalFeedback> => {
  const { sqs, topics, prefix } = options;
  const [ses, push] = await Promise.all(
    (['ses', 'push'] as const).map((source) =>
      createSubscribedQueue(
        sqs,
        topics,
        feedbackQueueName(prefix, source),
        feedbackDeadLetterQueueName(prefix, source),
        options.visibilityTimeoutSeconds,
      ),
    ),
  );
  if (!ses || !push) throw new Error('The feedback queues were not created');

  const pollers: SqsPoller[] = [];
  if (options.consumers !== false) {
    const metrics = options.metrics ? { metrics: options.metrics } : {};
    pollers.push(
      startSqsPoller({
        sqs,
        queueUrl: ses.queue.url,
        queueArn: ses.queueArn,
        handler: createSesFeedbackConsumer({ directory: options.directory, ...metrics }),
        onError: (error) => options.onError?.('ses', error),
      }),
      startSqsPoller({
        sqs,
        queueUrl: push.queue.url,
        queueArn: push.queueArn,
        handler: createPushFeedbackConsumer({ directory: options.directory, endpoints: options.endpoints, ...metrics }),
        onError: (error) => options.onError?.('push', error),
      }),
    );
  }

  const publish = async (topicArn: string, subject: string, event: unknown): Promise<string> => {
    const { MessageId } = await topics.send(
      new PublishCommand({ TopicArn: topicArn, Subject: subject, Message: JSON.stringify(event) }),
    );
    return MessageId ?? '';
  };

  const sesRoute = (
    path: string,
    build: (input: SesRouteInput, sesMessageId: string | undefined) => unknown,
    subject: string,
  ): LocalRoute => ({
    method: 'POST',
    path,
    serve: async (_request: IncomingMessage, response: ServerResponse, body: Buffer) => {
      const input = readInput(SesRouteInputSchema, body, response);
      if (!input) return;
      const sesMessageId = await latestSesMessageId(options.sesEndpoint, input.email);
      const published = await publish(ses.topicArn, subject, build(input, sesMessageId));
      writeJson(response, 202, { published, topicArn: ses.topicArn, ...(sesMessageId ? { sesMessageId } : {}) });
    },
  });

  const routes: LocalRoute[] = [
    sesRoute(
      '/_local/ses/bounce',
      (input, sesMessageId) =>
        sesBounceEvent({
          ...input,
          from: options.senderEmail,
          ...(sesMessageId ? { sesMessageId } : {}),
          bounceType: input.bounceType,
        }),
      'Amazon SES Email Event Notification',
    ),
    sesRoute(
      '/_local/ses/complaint',
      (input, sesMessageId) =>
        sesComplaintEvent({ ...input, from: options.senderEmail, ...(sesMessageId ? { sesMessageId } : {}) }),
      'Amazon SES Email Event Notification',
    ),
    {
      method: 'POST',
      path: '/_local/push/endpoint-disabled',
      serve: async (_request, response, body) => {
        const input = readInput(EndpointSelectorSchema, body, response);
        if (!input) return;
        let disabled: string[];
        try {
          disabled = await options.sns.disableEndpoint(
            'endpointArn' in input ? { endpointArn: input.endpointArn } : { token: input.token },
          );
        } catch {
          writeJson(response, 404, { error: 'not_found', message: 'No SNS endpoint has that token or ARN.' });
          return;
        }
        // What SNS does once APNs or FCM reports the token dead: the endpoint is disabled and the event published.
        const published = await Promise.all(
          disabled.map((endpointArn) => publish(push.topicArn, 'EndpointUpdated event', endpointUpdatedEvent(endpointArn))),
        );
        writeJson(response, 202, { disabled, published, topicArn: push.topicArn });
      },
    },
  ];

  return {
    topicArns: { ses: ses.topicArn, push: push.topicArn },
    queues: { ses: ses.queue, push: push.queue },
    routes,
    pollers,
  };
};

const SesRouteInputSchema = z.object({
  email: z.email('must be the email address that bounced or complained'),
  uid: z.string().trim().min(1, 'must be the uid whose contact holds the address'),
  bounceType: z.enum(['Permanent', 'Transient', 'Undetermined'] satisfies BounceType[]).default('Permanent'),
});
type SesRouteInput = z.infer<typeof SesRouteInputSchema>;

const EndpointSelectorSchema = z.union([
  z.object({ endpointArn: z.string().min(1) }),
  z.object({ token: z.string().min(1, 'give "token" or "endpointArn"') }),
]);

/** The route's JSON body, or a 400 answer (and undefined) when it does not fit. */
const readInput = <T>(schema: z.ZodType<T>, body: Buffer, response: ServerResponse): T | undefined => {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8') || '{}');
  } catch {
    writeJson(response, 400, { error: 'invalid_json', message: 'Body is not valid JSON.' });
    return undefined;
  }
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  writeJson(response, 400, { error: 'invalid_request', message: 'The body does not fit this route.', issues });
  return undefined;
};

interface SubscribedQueue {
  readonly topicArn: string;
  readonly queue: ChannelQueueUrls;
  readonly queueArn: string;
}

/** A topic, a queue with a DLQ (the deployed redrive settings), and the queue subscribed to the topic with the SNS envelope. */
const createSubscribedQueue = async (
  sqs: SQSClient,
  topics: SNSClient,
  name: string,
  deadLetterName: string,
  visibilityTimeoutSeconds: number,
): Promise<SubscribedQueue> => {
  const arnOf = async (queueUrl: string): Promise<string> => {
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
    return required(Attributes?.QueueArn, `${name} queue ARN`);
  };
  const days = (count: number) => String(count * 24 * 60 * 60);
  const deadLetterUrl = required(
    (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: deadLetterName,
          Attributes: { MessageRetentionPeriod: days(QUEUE_SETTINGS.dlqRetentionPeriodDays) },
        }),
      )
    ).QueueUrl,
    `${deadLetterName} URL`,
  );
  const url = required(
    (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: name,
          Attributes: {
            MessageRetentionPeriod: days(QUEUE_SETTINGS.retentionPeriodDays),
            VisibilityTimeout: String(visibilityTimeoutSeconds),
            RedrivePolicy: JSON.stringify({
              deadLetterTargetArn: await arnOf(deadLetterUrl),
              maxReceiveCount: QUEUE_SETTINGS.maxReceiveCount,
            }),
          },
        }),
      )
    ).QueueUrl,
    `${name} URL`,
  );
  const queueArn = await arnOf(url);
  const topicArn = required((await topics.send(new CreateTopicCommand({ Name: name }))).TopicArn, `${name} topic ARN`);
  // Not raw: SES and SNS deliver through the SNS envelope unless told otherwise, and the consumers read both.
  await topics.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn }));
  return { topicArn, queue: { url, deadLetterUrl }, queueArn };
};

/** The SES message id of the latest email to `email` in the local SES store, so the event names a real email. */
const latestSesMessageId = async (sesEndpoint: string, email: string): Promise<string | undefined> => {
  try {
    const response = await fetch(`${sesEndpoint}/store`);
    if (!response.ok) return undefined;
    const { emails = [] } = (await response.json()) as {
      emails?: Array<{ messageId?: string; destination?: { to?: string[] } }>;
    };
    const wanted = email.toLowerCase();
    return emails.filter((sent) => sent.destination?.to?.some((to) => to.toLowerCase() === wanted)).at(-1)?.messageId;
  } catch {
    return undefined;
  }
};

const required = (value: string | undefined, what: string): string => {
  if (!value) throw new Error(`The SQS/SNS emulator answered without the ${what}`);
  return value;
};
