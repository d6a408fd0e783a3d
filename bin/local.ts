import { resolve } from 'node:path';
import * as z from 'zod';
import { LOCAL_DEFAULTS, startLocalStack } from '../lib/local/local-stack.ts';

/**
 * `npm start`: the relay on this machine with no AWS account. Settings come
 * from the environment; every default is printed so it can be pasted into curl.
 */
const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(LOCAL_DEFAULTS.port),
  WEBHOOK_USERNAME: z
    .string()
    .regex(/^[A-Za-z0-9]{1,50}$/, 'CometChat accepts 1 to 50 letters and digits')
    .default(LOCAL_DEFAULTS.webhookUsername),
  WEBHOOK_PASSWORD: z
    .string()
    .regex(/^[A-Za-z0-9]{1,100}$/, 'CometChat accepts 1 to 100 letters and digits')
    .default(LOCAL_DEFAULTS.webhookPassword),
  COMETCHAT_APP_ID: z.string().optional(),
  RELAY_DATA_DIR: z.string().default('local-data'),
});

const main = async () => {
  // The SDK warns that its releases after early 2027 need Node 22; the lock file pins ones that run here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const parsed = Env.safeParse(process.env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) console.error(`${issue.path.join('.')}: ${issue.message}`);
    process.exit(1);
  }
  const env = parsed.data;
  const stack = await startLocalStack({
    port: env.PORT,
    webhookCredentials: [{ username: env.WEBHOOK_USERNAME, password: env.WEBHOOK_PASSWORD }],
    ...(env.COMETCHAT_APP_ID ? { appId: env.COMETCHAT_APP_ID } : {}),
    dataDir: resolve(env.RELAY_DATA_DIR),
  });

  console.log(`cometchat-relay is running locally at ${stack.url}

Webhook URLs (CometChat custom providers, HTTP Basic Auth):
  push   ${stack.webhookUrls.push}
  sms    ${stack.webhookUrls.sms}
  email  ${stack.webhookUrls.email}

Webhook credentials:
  username  ${env.WEBHOOK_USERNAME}
  password  ${env.WEBHOOK_PASSWORD}

Emulators (point the AWS CLI or SDK here, region us-east-1, any credentials):
  SQS       ${stack.endpoints.sqs}
  DynamoDB  ${stack.endpoints.dynamodb}
  SES v2    ${stack.endpoints.ses}

Data is kept in ${resolve(env.RELAY_DATA_DIR)} (delete it to start fresh). Ctrl-C stops everything.`);

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
