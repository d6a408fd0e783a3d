import { Duration, Validations } from 'aws-cdk-lib';
import { type HttpApi, HttpMethod, ParameterMapping } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpSqsIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { CHANNEL_ROUTES, type Channel } from '../../functions/shared/channels.ts';
import { AUTHORIZER_CACHE_TTL_SECONDS, directMessageAttributes } from '../direct-ingest-settings.ts';
import { RelayFunction } from './relay-function.ts';

const AUTHORIZER_ENTRY = 'functions/ingest/authorizer-handler.ts';

/**
 * How long API Gateway reuses an authorizer answer for one `Authorization`
 * header: a burst with CometChat's one set of credentials runs the
 * authorizer about once per this period.
 */
export const AUTHORIZER_CACHE_TTL = Duration.seconds(AUTHORIZER_CACHE_TTL_SECONDS);

/** The Basic Auth authorizer of `ingest: "direct"` and its function. */
export const createWebhookAuthorizer = (
  scope: Construct,
  { webhookSecret, logRetention }: { readonly webhookSecret: Secret; readonly logRetention: RetentionDays },
) => {
  const fn = new RelayFunction(scope, 'WebhookAuthorizerFunction', {
    description: 'cometchat-relay: checks the webhooks\' HTTP Basic credentials for the direct (SQS) ingest routes',
    roleDescription: 'cometchat-relay webhook authorizer: read the webhook secret, write its own logs',
    entry: AUTHORIZER_ENTRY,
    memorySize: 512,
    timeout: Duration.seconds(5),
    logRetention,
    environment: { WEBHOOK_SECRET_ARN: webhookSecret.secretArn },
  });
  webhookSecret.grantRead(fn);
  const authorizer = new HttpLambdaAuthorizer('WebhookAuthorizer', fn, {
    authorizerName: 'webhook-basic-auth',
    responseTypes: [HttpLambdaResponseType.SIMPLE],
    identitySource: ['$request.header.Authorization'],
    resultsCacheTtl: AUTHORIZER_CACHE_TTL,
  });
  return { function: fn, authorizer };
};

/**
 * A webhook route that API Gateway sends straight to its channel's queue
 * (SQS-SendMessage integration): the body as it came, and static message
 * attributes saying the channel and that nothing checked it yet
 * (`ingest=direct`); the consumer validates it and derives the idempotency key
 * and correlation id from the payload (functions/consumers/direct-admission.ts).
 */
export const addDirectIngestRoute = (
  options: { readonly httpApi: HttpApi; readonly channel: Channel; readonly queue: IQueue; readonly authorizer: HttpLambdaAuthorizer },
): void => {
  const { httpApi, channel, queue, authorizer } = options;
  const name = `${channel.charAt(0).toUpperCase()}${channel.slice(1)}`;
  const [route] = httpApi.addRoutes({
    path: CHANNEL_ROUTES[channel],
    methods: [HttpMethod.POST],
    authorizer,
    integration: new HttpSqsIntegration(`${name}DirectIntegration`, {
      queue,
      parameterMapping: new ParameterMapping()
        .custom('QueueUrl', queue.queueUrl)
        .custom('MessageBody', '$request.body')
        .custom('MessageAttributes', JSON.stringify(directMessageAttributes(channel))),
    }),
  });
  if (route) {
    Validations.of(route).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'The route has a Lambda REQUEST authorizer that checks HTTP Basic credentials against the webhook secret.',
    });
  }
};

/** The consumer's part: where it parks refused payloads (the channel's DLQ) and the app id ingest would have enforced. */
export const enableDirectIngestConsumer = (
  consumer: RelayFunction,
  { deadLetterQueue, appId }: { readonly deadLetterQueue: IQueue; readonly appId: string | undefined },
): void => {
  consumer.addEnvironment('DEAD_LETTER_QUEUE_URL', deadLetterQueue.queueUrl);
  if (appId) consumer.addEnvironment('COMETCHAT_APP_ID', appId);
  deadLetterQueue.grantSendMessages(consumer);
};
