import { Duration, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, type HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IngestMode } from '../config.ts';
import { addDirectIngestRoute, createWebhookAuthorizer } from './direct-ingest.ts';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CHANNEL_ROUTES, CHANNELS, type Channel } from '../../functions/shared/channels.ts';
import {
  DEFAULT_INGEST_MEMORY_MB,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_THROTTLE_BURST_LIMIT,
  DEFAULT_THROTTLE_RATE_LIMIT,
} from '../config.ts';
import { RelayFunction } from './relay-function.ts';

const INGEST_ENTRY = 'functions/ingest/handler.ts';

/** Username of the generated webhook credentials: CometChat wants it alphanumeric, at most 50 characters. */
export const WEBHOOK_USERNAME = 'cometchatrelay';

/** Ingest must answer CometChat within about 2 s; 5 s only bounds a stuck invocation. */
const INGEST_TIMEOUT = Duration.seconds(5);
const MIN_INGEST_MEMORY_MB = 512;

export interface IngestApiProps {
  /** The queue of each channel; each channel's ingest function may send to its own queue only. */
  readonly queues: Readonly<Record<Channel, IQueue>>;
  /**
   * CometChat app id; when set, the ingest functions refuse payloads from any other app (403 `wrong_app`).
   *
   * @default - payloads from any app are accepted
   */
  readonly appId?: string | undefined;
  /**
   * Largest accepted webhook body, in bytes (decoded); larger bodies are answered 413.
   *
   * @default 262144 (256 KiB)
   */
  readonly maxBodyBytes?: number;
  /**
   * Memory of each ingest function, in MB (at least 512).
   *
   * @default 1024
   */
  readonly memorySize?: number;
  /**
   * How long the function and access logs are kept.
   *
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * Throttling of every route of the stage (webhooks and the directory routes added later): steady requests per
   * second, and the burst above it. Requests above it are answered 429 by API Gateway, before any function runs.
   * The account's own limit (10,000 requests per second and a burst of 5,000 per Region by default) still applies.
   *
   * @default - 1000 requests per second, burst 2000: a 1,000-member group burst passes whole
   */
  readonly throttle?: IngestApiThrottle;
  /**
   * How the custom-provider webhooks (push, SMS, email) reach their queues: `lambda`, an ingest function that
   * authenticates, validates and enqueues; or `direct`, API Gateway's own SQS integration behind a cached Basic
   * Auth authorizer, with validation moved to the consumers (README, "Direct ingest"). The events route always
   * has its ingest function.
   *
   * @default 'lambda'
   */
  readonly ingest?: IngestMode;
}

/** HTTP API stage throttling. */
export interface IngestApiThrottle {
  /** Steady requests per second. */
  readonly rateLimit: number;
  /** Requests accepted at once above the steady rate (the token bucket's size). */
  readonly burstLimit: number;
}

/**
 * The webhook side of the relay (SPEC §2, §3): an HTTP API with one route per
 * queued channel (`POST /cometchat/push|sms|email` for the custom providers,
 * `POST /cometchat/events` for after_message and the newer Webhooks events),
 * each served by a thin ingest function (one bundle, told its channel by
 * `CHANNEL`) that checks HTTP Basic credentials against the generated webhook
 * secret, validates the payload and enqueues it on its channel's queue. API
 * Gateway has no Basic authorizer, so authentication is the function's first
 * step; access logs carry no headers or bodies.
 */
export class IngestApi extends Construct {
  /** The HTTP API; later routes (events, before-message, directory) are added to it. */
  readonly httpApi: HttpApi;
  /** The `$default` stage, with access logging and throttling. */
  readonly stage: HttpStage;
  /** Where API Gateway writes one JSON access-log line per request. */
  readonly accessLogGroup: LogGroup;
  /**
   * The webhook credentials: `{"username":"cometchatrelay","password":"<40 alphanumerics>"}`, plus
   * optional `secondaryUsername`/`secondaryPassword` that operators add while rotating.
   */
  readonly webhookSecret: Secret;
  /** The ingest function of each channel that has one (with `ingest: "direct"`, the events route only). */
  readonly functions: Readonly<Partial<Record<Channel, RelayFunction>>>;
  /** With `ingest: "direct"`: the Basic Auth authorizer of the routes API Gateway sends straight to SQS. */
  readonly authorizerFunction?: RelayFunction;
  /** The full https URL of each channel's webhook, as pasted into the CometChat dashboard. */
  readonly webhookUrls: Readonly<Record<Channel, string>>;

  constructor(scope: Construct, id: string, props: IngestApiProps) {
    super(scope, id);
    validateProps(props);
    const {
      queues,
      appId,
      maxBodyBytes = DEFAULT_MAX_BODY_BYTES,
      memorySize = DEFAULT_INGEST_MEMORY_MB,
      logRetention = RetentionDays.ONE_MONTH,
      throttle = { rateLimit: DEFAULT_THROTTLE_RATE_LIMIT, burstLimit: DEFAULT_THROTTLE_BURST_LIMIT },
      ingest = 'lambda',
    } = props;

    this.webhookSecret = new Secret(this, 'WebhookSecret', {
      description:
        'HTTP Basic credentials CometChat sends to the cometchat-relay webhooks: {"username","password"}, ' +
        'plus secondaryUsername/secondaryPassword while rotating',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: WEBHOOK_USERNAME }),
        generateStringKey: 'password',
        // CometChat's dashboard takes alphanumeric credentials only (password at most 100 characters).
        excludePunctuation: true,
        includeSpace: false,
        passwordLength: 40,
      },
    });
    Validations.of(this.webhookSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The credentials also live in the CometChat dashboard, which no Lambda can update, so automatic rotation would lock CometChat out. ' +
        'Rotation is the documented manual two-pair procedure: add secondaryUsername/secondaryPassword, switch the dashboard, then promote them.',
    });

    this.accessLogGroup = new LogGroup(this, 'AccessLogs', { retention: logRetention });
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'CometChat webhooks (push, SMS, email, message events, before_message) and directory API for cometchat-relay',
      // The stage is created below with access logging, which the default stage cannot have.
      createDefaultStage: false,
    });
    this.stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      // A runaway caller is answered 429 by API Gateway, before it can exhaust the account's Lambda concurrency.
      throttle: { rateLimit: throttle.rateLimit, burstLimit: throttle.burstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogGroup),
        // Request metadata only: never headers (Authorization holds the credentials) nor bodies.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            latency: '$context.responseLatency',
            integrationLatency: '$context.integrationLatency',
            integrationStatus: '$context.integrationStatus',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    const functions: Partial<Record<Channel, RelayFunction>> = {};
    const webhookUrls = {} as Record<Channel, string>;
    const authorizer =
      ingest === 'direct' ? createWebhookAuthorizer(this, { webhookSecret: this.webhookSecret, logRetention }) : undefined;
    this.authorizerFunction = authorizer?.function;
    for (const channel of CHANNELS) {
      webhookUrls[channel] = `${this.httpApi.apiEndpoint}${CHANNEL_ROUTES[channel]}`;
      if (authorizer && channel !== 'events') {
        addDirectIngestRoute({ httpApi: this.httpApi, channel, queue: queues[channel], authorizer: authorizer.authorizer });
        continue;
      }
      functions[channel] = this.addIngestFunction(channel, {
        queue: queues[channel],
        appId,
        maxBodyBytes,
        memorySize,
        logRetention,
      });
    }
    this.functions = functions;
    this.webhookUrls = webhookUrls;
  }

  private addIngestFunction(
    channel: Channel,
    options: { queue: IQueue; appId: string | undefined; maxBodyBytes: number; memorySize: number; logRetention: RetentionDays },
  ): RelayFunction {
    const name = `${channel.charAt(0).toUpperCase()}${channel.slice(1)}`;
    const fn = new RelayFunction(this, `${name}Function`, {
      description: `cometchat-relay: authenticates, validates and enqueues CometChat ${channel} webhooks`,
      roleDescription: `cometchat-relay ${channel} ingest: send to the ${channel} queue, read the webhook secret, write its own logs`,
      entry: INGEST_ENTRY,
      memorySize: options.memorySize,
      timeout: INGEST_TIMEOUT,
      logRetention: options.logRetention,
      environment: {
        CHANNEL: channel,
        QUEUE_URL: options.queue.queueUrl,
        WEBHOOK_SECRET_ARN: this.webhookSecret.secretArn,
        COMETCHAT_APP_ID: options.appId ?? '',
        MAX_BODY_BYTES: String(options.maxBodyBytes),
      },
    });

    options.queue.grantSendMessages(fn);
    this.webhookSecret.grantRead(fn);

    const [route] = this.httpApi.addRoutes({
      path: CHANNEL_ROUTES[channel],
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration(`${name}Integration`, fn),
    });
    if (route) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'CometChat authenticates webhooks with HTTP Basic only, which API Gateway HTTP APIs cannot check; ' +
          'the ingest function verifies them in constant time against the webhook secret before reading the body, ' +
          'and answers 401 otherwise.',
      });
    }
    return fn;
  }
}

const validateProps = ({ queues, maxBodyBytes, memorySize, throttle }: IngestApiProps): void => {
  const missing = CHANNELS.filter((channel) => queues[channel] === undefined);
  if (missing.length > 0) throw new Error(`IngestApi: queues is missing the channel(s) ${missing.join(', ')}`);
  if (maxBodyBytes !== undefined && !(Number.isInteger(maxBodyBytes) && maxBodyBytes > 0)) {
    throw new Error(`IngestApi: maxBodyBytes must be a positive whole number of bytes, got ${maxBodyBytes}`);
  }
  if (memorySize !== undefined && !(Number.isInteger(memorySize) && memorySize >= MIN_INGEST_MEMORY_MB && memorySize <= 10_240)) {
    throw new Error(
      `IngestApi: memorySize must be a whole number of MB from ${MIN_INGEST_MEMORY_MB} to 10240, got ${memorySize}`,
    );
  }
  if (throttle !== undefined) {
    for (const key of ['rateLimit', 'burstLimit'] as const) {
      const value = throttle[key];
      if (!(Number.isInteger(value) && value >= 1)) {
        throw new Error(`IngestApi: throttle.${key} must be a whole number of at least 1, got ${value}`);
      }
    }
  }
};
