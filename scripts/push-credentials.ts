import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ListPlatformApplicationsCommand, SNSClient } from '@aws-sdk/client-sns';
import { setApplicationAttributes } from '../functions/platform-applications/platform-application.ts';
import {
  checkApnsCredential,
  checkServiceAccount,
  credentialAttributes,
  PushCredentialError,
} from '../functions/platform-applications/push-credentials.ts';
import { PLATFORMS, type Platform, SNS_PLATFORM_OF } from '../functions/shared/ports/directory.ts';
import { CONFIG_CONTEXT_KEY } from '../lib/config.ts';
import { localClientConfig } from '../lib/local/local-aws.ts';
import { LOCAL_DEFAULTS } from '../lib/local/local-defaults.ts';
import { DEFAULT_STACK, readLocalInfo } from './redrive.ts';
import { consoleIo, parseOnePositional, type ScriptIo, UsageError } from './script-io.ts';

/**
 * `npm run push-credentials -- <platform> ...`: checks a Firebase service
 * account or an APNs key on this machine, stores it in Secrets Manager, and
 * prints the `-c` line that makes the stack create the platform application
 * from it. Run again with new credentials, it also updates the deployed (or
 * local) application in place, so a rotation needs no redeploy and every
 * registered endpoint stays valid. Nothing it prints holds key material.
 */

export const PUSH_CREDENTIALS_USAGE = `Usage: npm run push-credentials -- <platform> [options]

Checks the credentials, stores them in a Secrets Manager secret, and prints the -c line to deploy with.
If the stack already has the platform's application, it is updated in place (rotation, no redeploy).

<platform>: ${PLATFORMS.join(', ')}

fcm (Firebase console › Project settings › Service accounts › Generate new private key):
  --service-account <file>   the service-account JSON, exactly as downloaded

apns, apns_sandbox, apns_voip, apns_voip_sandbox (token authentication; one key serves them all):
  --p8 <file>                AuthKey_XXXXXXXXXX.p8 from the Apple developer portal (Keys)
  --key-id <id>              the key's 10-character id
  --team-id <id>             your 10-character team id (Membership)
  --bundle-id <id>           the app's bundle id, such as com.example.app

Where (AWS credentials from the usual chain: AWS_PROFILE, environment, SSO):
  --secret-name <name>       the secret to create or update (default <stack>/push/<platform>)
  --stack <name>             the stack whose application is updated in place (default ${DEFAULT_STACK})
  --region <region>          the stack's region (default: AWS_REGION or the profile's)
  --local                    the running local stack (npm start) instead of AWS
  --url <url>                the local relay (default http://127.0.0.1:${LOCAL_DEFAULTS.port}, or PORT)
  --help                     this text

Examples:
  npm run push-credentials -- fcm --service-account ./service-account.json
  npm run push-credentials -- apns --p8 ./AuthKey_ABC123DEFG.p8 --key-id ABC123DEFG --team-id TEAM123456 --bundle-id com.example.app
`;

export type PushCredentialsLocation =
  | { readonly kind: 'aws'; readonly stack: string; readonly region?: string }
  | { readonly kind: 'local'; readonly url: string };

export interface PushCredentialsOptions {
  readonly platform: Platform;
  /** The secret's text: the service-account JSON, or the APNs credential as JSON. Checked. */
  readonly secretText: string;
  /** Undefined: `<stack or local prefix>/push/<platform>`. */
  readonly secretName?: string;
  readonly location: PushCredentialsLocation;
}

/** A file that is not what the platform takes: one line, exit 2, nothing written. */
export class CredentialFileError extends Error {
  override readonly name = 'CredentialFileError';
}

const readText = (file: string, flag: string): string => {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CredentialFileError(`${flag} ${file}: cannot be read (${code === 'ENOENT' ? 'no such file' : code ?? 'error'})`);
  }
};

const flags = (argv: readonly string[]) =>
  parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      'service-account': { type: 'string' },
      p8: { type: 'string' },
      'key-id': { type: 'string' },
      'team-id': { type: 'string' },
      'bundle-id': { type: 'string' },
      'secret-name': { type: 'string' },
      stack: { type: 'string' },
      region: { type: 'string' },
      local: { type: 'boolean' },
      url: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });

const isPlatform = (value: string): value is Platform => (PLATFORMS as readonly string[]).includes(value);

/**
 * Parses the command line and checks the credentials it names.
 *
 * @throws UsageError for a wrong command line, CredentialFileError for a file that is not the platform's credentials.
 */
export const parsePushCredentialsArgs = (
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): PushCredentialsOptions | 'help' => {
  const parsed = parseOnePositional(() => flags(argv), { noun: 'platform', verb: 'store credentials for' });
  if (parsed === 'help') return 'help';
  const { values, positional } = parsed;
  if (!isPlatform(positional)) throw new UsageError(`Unknown platform "${positional}": use one of ${PLATFORMS.join(', ')}.`);
  const platform = positional;
  const local = values.local === true || values.url !== undefined;
  if (local && (values.stack !== undefined || values.region !== undefined)) {
    throw new UsageError('--stack and --region are for AWS; the local stack is found with --local or --url.');
  }
  const apnsFlags = (['p8', 'key-id', 'team-id', 'bundle-id'] as const).filter((flag) => values[flag] !== undefined);

  let secretText: string;
  if (platform === 'fcm') {
    if (apnsFlags.length > 0) throw new UsageError(`fcm takes --service-account, not ${apnsFlags.map((flag) => `--${flag}`).join(', ')}.`);
    const file = values['service-account'];
    if (file === undefined) throw new UsageError('fcm needs --service-account <file>: the service-account JSON from the Firebase console.');
    const text = readText(file, '--service-account');
    try {
      secretText = checkServiceAccount(text);
    } catch (error) {
      if (error instanceof PushCredentialError) throw new CredentialFileError(`--service-account ${file}: ${error.message}`);
      throw error;
    }
  } else {
    if (values['service-account'] !== undefined) throw new UsageError(`${platform} takes --p8, --key-id, --team-id and --bundle-id, not --service-account.`);
    const missing = (['p8', 'key-id', 'team-id', 'bundle-id'] as const).filter((flag) => values[flag] === undefined);
    if (missing.length > 0) throw new UsageError(`${platform} needs ${missing.map((flag) => `--${flag}`).join(', ')}.`);
    const file = values.p8 as string;
    const credential = {
      keyId: values['key-id'],
      teamId: values['team-id'],
      bundleId: values['bundle-id'],
      signingKey: readText(file, '--p8'),
    };
    try {
      secretText = JSON.stringify(checkApnsCredential(credential));
    } catch (error) {
      if (error instanceof PushCredentialError) {
        // Name the flags as the user typed them, not the stored JSON's fields.
        const message = error.message
          .replace('"signingKey" must be', `--p8 ${file}: must be`)
          .replace('"keyId"', '--key-id')
          .replace('"teamId"', '--team-id')
          .replace('"bundleId"', '--bundle-id');
        throw new CredentialFileError(message);
      }
      throw error;
    }
  }
  const location: PushCredentialsLocation = local
    ? { kind: 'local', url: checkedUrl(values.url ?? `http://127.0.0.1:${env.PORT || LOCAL_DEFAULTS.port}`) }
    : { kind: 'aws', stack: values.stack ?? DEFAULT_STACK, ...(values.region ? { region: values.region } : {}) };
  return { platform, secretText, location, ...(values['secret-name'] ? { secretName: values['secret-name'] } : {}) };
};

const checkedUrl = (value: string): string => {
  try {
    return new URL(value).toString().replace(/\/$/, '');
  } catch {
    throw new UsageError(`--url must be a URL such as http://127.0.0.1:3000, got "${value}".`);
  }
};

/** Creates the secret, or puts a new version when it exists. */
export const storeSecret = async (secrets: SecretsManagerClient, name: string, text: string): Promise<'created' | 'updated'> => {
  try {
    await secrets.send(
      new CreateSecretCommand({ Name: name, SecretString: text, Description: 'cometchat-relay push credentials (npm run push-credentials)' }),
    );
    return 'created';
  } catch (error) {
    if (!(error instanceof Error && error.name === 'ResourceExistsException')) throw error;
    await secrets.send(new PutSecretValueCommand({ SecretId: name, SecretString: text }));
    return 'updated';
  }
};

/** The platform application named `name` for a platform, if it exists. */
export const findPlatformApplication = async (sns: SNSClient, platform: Platform, name: string): Promise<string | undefined> => {
  const suffix = `:app/${SNS_PLATFORM_OF[platform]}/${name}`;
  let nextToken: string | undefined;
  do {
    const page = await sns.send(new ListPlatformApplicationsCommand(nextToken ? { NextToken: nextToken } : {}));
    const found = page.PlatformApplications?.find((application) => application.PlatformApplicationArn?.endsWith(suffix));
    if (found?.PlatformApplicationArn) return found.PlatformApplicationArn;
    nextToken = page.NextToken;
  } while (nextToken);
  return undefined;
};

interface Clients {
  readonly secrets: SecretsManagerClient;
  readonly sns: SNSClient;
  /** The stack name, or the local resource prefix: applications are `<prefix>-<platform>`, secrets `<prefix>/push/<platform>`. */
  readonly prefix: string;
}

const clientsFor = async (location: PushCredentialsLocation): Promise<Clients> => {
  if (location.kind === 'aws') {
    const region = location.region ? { region: location.region } : {};
    return { secrets: new SecretsManagerClient(region), sns: new SNSClient(region), prefix: location.stack };
  }
  const info = (await readLocalInfo(location.url)) as unknown as {
    resourcePrefix: string;
    endpoints: { sns: string; secretsmanager?: string };
  };
  if (!info.endpoints.secretsmanager) throw new Error(`The local relay at ${location.url} has no Secrets Manager emulator: update and restart it.`);
  return {
    secrets: new SecretsManagerClient(localClientConfig(info.endpoints.secretsmanager)),
    sns: new SNSClient(localClientConfig(info.endpoints.sns)),
    prefix: info.resourcePrefix,
  };
};

/** The whole command: answers the exit code (0 done, 1 failed, 2 bad arguments or a bad file) and never throws. */
export const runPushCredentials = async (
  argv: readonly string[],
  io: ScriptIo = consoleIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> => {
  let options: PushCredentialsOptions | 'help';
  try {
    options = parsePushCredentialsArgs(argv, env);
  } catch (error) {
    if (error instanceof CredentialFileError) {
      io.err(`${error.message}. Nothing was written.`);
      return 2;
    }
    io.err(`${error instanceof Error ? error.message : String(error)}\n`);
    io.err(PUSH_CREDENTIALS_USAGE);
    return 2;
  }
  if (options === 'help') {
    io.out(PUSH_CREDENTIALS_USAGE);
    return 0;
  }
  let clients: Clients | undefined;
  try {
    clients = await clientsFor(options.location);
    const { platform } = options;
    const secretName = options.secretName ?? `${clients.prefix}/push/${platform}`;
    const stored = await storeSecret(clients.secrets, secretName, options.secretText);
    io.out(`${stored === 'created' ? 'Created' : 'Updated'} secret ${secretName} with the ${platform} credentials.`);

    const applicationName = `${clients.prefix}-${platform}`;
    const applicationArn = await findPlatformApplication(clients.sns, platform, applicationName);
    if (applicationArn) {
      await setApplicationAttributes(clients.sns, applicationArn, applicationName, credentialAttributes(platform, options.secretText));
      io.out(`Updated platform application ${applicationArn} in place: registered devices keep working, no redeploy needed.`);
    } else if (options.location.kind === 'local') {
      io.out(`The local relay has no application ${applicationName}: restart npm start to create it from the secret.`);
    }
    if (options.location.kind === 'aws') {
      io.out(`Deploy with (or add "pushCredentials": {"${platform}": "${secretName}"} under "${CONFIG_CONTEXT_KEY}" in cdk.json):`);
      io.out(`  npx cdk deploy -c ${CONFIG_CONTEXT_KEY}.pushCredentials.${platform}=${secretName}`);
    }
    return 0;
  } catch (error) {
    io.err(`Storing the ${options.platform} credentials failed: ${describe(error)}`);
    return 1;
  } finally {
    clients?.secrets.destroy();
    clients?.sns.destroy();
  }
};

/** An error as a person needs it: the SDK's name and message, never a stack trace or key material. */
const describe = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'CredentialsProviderError') return 'no AWS credentials found (set AWS_PROFILE or run "aws sso login").';
  if (error.name === 'PlatformApplicationError' || error.name === 'RedriveError' || error.name === 'Error') return error.message;
  return `${error.name}: ${error.message}`;
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  runPushCredentials(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
