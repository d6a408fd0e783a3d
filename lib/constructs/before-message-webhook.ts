import { isAbsolute } from 'node:path';
import { Annotations, Duration, Validations } from 'aws-cdk-lib';
import { type HttpApi, HttpMethod, type HttpRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { BEFORE_MESSAGE_PATH } from '../../functions/before-message/before-message-webhook.ts';
import { DEFAULT_INGEST_MEMORY_MB, DEFAULT_MAX_BODY_BYTES } from '../config.ts';
import type { SynthPolicyFile } from '../policy-file.ts';
import { RelayFunction } from './relay-function.ts';

const BEFORE_MESSAGE_ENTRY = 'functions/before-message/handler.ts';

/** Name of the policy inside the bundle; the handler resolves `POLICY_FILE` against `LAMBDA_TASK_ROOT`. */
export const BUNDLED_POLICY_FILE = 'policy.json';

/** Id of the synth warnings that carry the policy's own warnings (risky but valid rules). */
export const POLICY_WARNING = 'cometchat-relay:policyWarning';

/** CometChat waits for this answer while the message is in flight; 5 s only bounds a stuck invocation. */
const BEFORE_MESSAGE_TIMEOUT = Duration.seconds(5);
const MIN_MEMORY_MB = 512;

export interface BeforeMessageWebhookProps {
  /** The HTTP API the route is added to: the same API as the other webhooks. */
  readonly httpApi: HttpApi;
  /** The webhook credentials CometChat sends (HTTP Basic); the function may read this secret and nothing else. */
  readonly webhookSecret: ISecret;
  /**
   * The before_message policy file, as `loadPolicyForSynth` (lib/policy-file.ts) read and validated it with the
   * code the function runs: copied into the bundle as `policy.json`. Taking the validated file rather than a path
   * means a policy that does not validate cannot get here.
   *
   * @default - none: the function uses the default policy, which lets every message through
   */
  readonly policy?: SynthPolicyFile | undefined;
  /**
   * CometChat app id; when set, the function refuses payloads from any other app (403 `wrong_app`).
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
   * Memory of the function, in MB (at least 512: CPU comes with memory, and CometChat is waiting).
   *
   * @default 1024
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
 * CometChat's synchronous `before_message` webhook (SPEC §3, §4,
 * docs/policy.md): `POST /cometchat/before-message` on the relay's HTTP API,
 * answered by a function that checks the webhook's HTTP Basic credentials and
 * decides from the configured policy (drop, inject metadata, or pass).
 *
 * The policy is part of the deployment, not of the runtime: it is validated
 * when the stack is synthesized (`loadPolicyForSynth`) and bundled beside the
 * handler, so a broken policy never reaches Lambda, and because the asset hash
 * is computed on the bundle, a policy edit deploys a new version of the function.
 */
export class BeforeMessageWebhook extends Construct {
  /** The function behind the route. */
  readonly handlerFunction: RelayFunction;
  /** `POST /cometchat/before-message`. */
  readonly route: HttpRoute;
  /** The full https URL, as pasted into the CometChat dashboard. */
  readonly webhookUrl: string;
  /** The validated policy file that is bundled, if one is configured. */
  readonly policy: SynthPolicyFile | undefined;

  constructor(scope: Construct, id: string, props: BeforeMessageWebhookProps) {
    super(scope, id);
    validateProps(props);
    const {
      httpApi,
      webhookSecret,
      policy,
      appId,
      maxBodyBytes = DEFAULT_MAX_BODY_BYTES,
      memorySize = DEFAULT_INGEST_MEMORY_MB,
      logRetention = RetentionDays.ONE_MONTH,
    } = props;
    this.policy = policy;

    this.handlerFunction = new RelayFunction(this, 'Function', {
      description: 'cometchat-relay: answers CometChat before_message webhooks from the configured policy',
      roleDescription: 'cometchat-relay before_message: read the webhook secret, write its own logs',
      entry: BEFORE_MESSAGE_ENTRY,
      memorySize,
      timeout: BEFORE_MESSAGE_TIMEOUT,
      logRetention,
      environment: {
        WEBHOOK_SECRET_ARN: webhookSecret.secretArn,
        COMETCHAT_APP_ID: appId ?? '',
        MAX_BODY_BYTES: String(maxBodyBytes),
        // Without POLICY_FILE the handler uses the default policy; an empty value would be a mistake, not "none".
        ...(policy === undefined ? {} : { POLICY_FILE: BUNDLED_POLICY_FILE }),
      },
      bundledFiles: policy === undefined ? {} : { [BUNDLED_POLICY_FILE]: policy.absolutePath },
    });
    webhookSecret.grantRead(this.handlerFunction);

    // Valid but risky rules: shown at every synth, as the function logs them at every cold start.
    for (const warning of policy?.policy.warnings ?? []) {
      Annotations.of(this).addWarningV2(POLICY_WARNING, `policyFile ${policy?.configuredPath}: ${warning}`);
    }

    const [route] = httpApi.addRoutes({
      path: BEFORE_MESSAGE_PATH,
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('BeforeMessageIntegration', this.handlerFunction),
    });
    if (route === undefined) throw new Error('BeforeMessageWebhook: the HTTP API created no route');
    this.route = route;
    Validations.of(route).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'CometChat authenticates webhooks with HTTP Basic only, which API Gateway HTTP APIs cannot check; ' +
        'the before_message function verifies them in constant time against the webhook secret before reading the body, ' +
        'and answers 401 otherwise.',
    });
    this.webhookUrl = `${httpApi.apiEndpoint}${BEFORE_MESSAGE_PATH}`;
  }
}

const validateProps = ({ httpApi, webhookSecret, policy, maxBodyBytes, memorySize }: BeforeMessageWebhookProps): void => {
  if (httpApi === undefined) throw new Error('BeforeMessageWebhook: httpApi is required (the API the webhooks are served by)');
  if (webhookSecret === undefined) throw new Error('BeforeMessageWebhook: webhookSecret is required');
  if (policy !== undefined && !isAbsolute(policy.absolutePath)) {
    throw new Error(`BeforeMessageWebhook: policy.absolutePath must be absolute, got ${JSON.stringify(policy.absolutePath)}`);
  }
  if (maxBodyBytes !== undefined && !(Number.isInteger(maxBodyBytes) && maxBodyBytes > 0)) {
    throw new Error(`BeforeMessageWebhook: maxBodyBytes must be a positive whole number of bytes, got ${maxBodyBytes}`);
  }
  if (memorySize !== undefined && !(Number.isInteger(memorySize) && memorySize >= MIN_MEMORY_MB && memorySize <= 10_240)) {
    throw new Error(
      `BeforeMessageWebhook: memorySize must be a whole number of MB from ${MIN_MEMORY_MB} to 10240, got ${memorySize}`,
    );
  }
};
