import { resolve } from 'node:path';
import * as z from 'zod';
import { DEFAULT_POLICY, loadPolicyFile } from '../functions/policy/policy-schema.ts';
import { LOCAL_DEFAULTS, startLocalStack } from '../lib/local/local-stack.ts';

/**
 * `npm start`: the relay on this machine with no AWS account. Settings come
 * from the environment; every default is printed so it can be pasted into curl.
 */
const alphanumeric = (max: number) =>
  z.string().regex(new RegExp(`^[A-Za-z0-9]{1,${max}}$`), `CometChat accepts 1 to ${max} letters and digits`);

const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(LOCAL_DEFAULTS.port),
  WEBHOOK_USERNAME: alphanumeric(50).default(LOCAL_DEFAULTS.webhookUsername),
  WEBHOOK_PASSWORD: alphanumeric(100).default(LOCAL_DEFAULTS.webhookPassword),
  ADMIN_TOKEN: z.string().min(8, 'use at least 8 characters').default(LOCAL_DEFAULTS.adminToken),
  COMETCHAT_APP_ID: z.string().optional(),
  SENDER_EMAIL: z.email().default(LOCAL_DEFAULTS.senderEmail),
  POLICY_FILE: z.string().optional(),
  RELAY_DATA_DIR: z.string().default('local-data'),
  /** `direct`: the push, SMS and email routes as API Gateway's SQS integration would serve them (README, "Direct ingest"). */
  INGEST: z.enum(['lambda', 'direct'], 'must be "lambda" or "direct"').default('lambda'),
  /** A simulated Lambda concurrency quota (a new account's can be 10); unset: none. */
  LAMBDA_CONCURRENCY: z.coerce.number().int().min(1, 'use at least 1').optional(),
});

const main = async () => {
  // The SDK warns that its releases after early 2027 need Node 22; the lock file pins ones that run here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // The functions count in EMF, which CloudWatch reads from the logs; here the records would bury the log lines.
  // `POWERTOOLS_METRICS_DISABLED=false npm start` shows them (docs/operations.md).
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const parsed = Env.safeParse(process.env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) console.error(`${issue.path.join('.')}: ${issue.message}`);
    process.exit(1);
  }
  const env = parsed.data;
  // Validated before anything starts: a policy with a typo fails here with the path to fix.
  const policy = env.POLICY_FILE ? loadPolicyFile(resolve(env.POLICY_FILE)) : DEFAULT_POLICY;
  for (const warning of policy.warnings) console.warn(`policy warning: ${warning}`);
  const dataDir = resolve(env.RELAY_DATA_DIR);
  const stack = await startLocalStack({
    port: env.PORT,
    webhookCredentials: [{ username: env.WEBHOOK_USERNAME, password: env.WEBHOOK_PASSWORD }],
    adminTokens: [env.ADMIN_TOKEN],
    ...(env.COMETCHAT_APP_ID ? { appId: env.COMETCHAT_APP_ID } : {}),
    senderEmail: env.SENDER_EMAIL,
    ingest: env.INGEST,
    ...(env.LAMBDA_CONCURRENCY === undefined ? {} : { lambdaConcurrency: env.LAMBDA_CONCURRENCY }),
    policy,
    dataDir,
  });

  console.log(`cometchat-relay is running locally at ${stack.url}

Webhook URLs (CometChat, HTTP Basic Auth):
  push            ${stack.webhookUrls.push}
  sms             ${stack.webhookUrls.sms}
  email           ${stack.webhookUrls.email}
  events          ${stack.webhookUrls.events}   (after_message and Webhooks events → ${stack.eventsTopicArn})
  before_message  ${stack.beforeMessageUrl}   (policy: ${env.POLICY_FILE ?? 'default, lets everything through'})

Webhook credentials:
  username  ${env.WEBHOOK_USERNAME}
  password  ${env.WEBHOOK_PASSWORD}

Directory API (your backend, Authorization: Bearer <admin token>):
  ${stack.directoryUrl}/{uid}/devices/{deviceId}   ${stack.directoryUrl}/{uid}/contact
  admin token  ${env.ADMIN_TOKEN}

Console (live activity, previews, directory, dead letters, samples):
  ${stack.url}/
  GET ${stack.url}/_local/activity      every webhook and delivery outcome, newest first
  GET ${stack.url}/_local/outbox        everything that would have been sent (DELETE clears it)
  DELETE ${stack.url}/_local/deliveries forgets what was delivered, so a demo can be replayed

Feedback (what SES and SNS would report; see docs/operations.md):
  POST ${stack.url}/_local/ses/bounce              {"email": "...", "uid": "..."}
  POST ${stack.url}/_local/ses/complaint           {"email": "...", "uid": "..."}
  POST ${stack.url}/_local/push/endpoint-disabled  {"token": "..."}

Emulators (point the AWS CLI or SDK here, region us-east-1, any credentials):
  SQS and SNS topics  ${stack.endpoints.sqs}
  DynamoDB            ${stack.endpoints.dynamodb}
  SES v2              ${stack.endpoints.ses}
  SNS push and SMS    ${stack.endpoints.sns}
  Secrets Manager     ${stack.endpoints.secretsmanager}   (push credentials: npm run push-credentials -- <platform> ... --local)

Data is kept in ${dataDir} (delete it to start fresh); queues and DLQs are saved there at Ctrl-C, which stops everything.`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the local relay...`);
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
};

main().catch((error: unknown) => {
  console.error('The local relay could not start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
