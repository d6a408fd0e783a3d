import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  CreatePlatformApplicationCommand,
  DeletePlatformApplicationCommand,
  SetPlatformApplicationAttributesCommand,
  type SNSClient,
} from '@aws-sdk/client-sns';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import * as z from 'zod';
import { PLATFORMS, type Platform } from '../shared/ports/directory.ts';
import { credentialAttributes, PushCredentialError, withoutKeyMaterial } from './push-credentials.ts';

/**
 * The SNS platform application of one push platform, created from the
 * credentials in a Secrets Manager secret: the custom resource the stack
 * declares per platform (CloudFormation has no resource type for it), and the
 * same operations the local stack runs against the SNS emulator at start.
 */

/** The event attributes pointed at the stack's push feedback topic. */
export const FEEDBACK_EVENT_ATTRIBUTES = ['EventEndpointUpdated', 'EventDeliveryFailure'] as const;

/** What the stack gives each custom resource (CloudFormation hands every value over as a string). */
export const PlatformApplicationPropertiesSchema = z.object({
  /** The application's name: `<stack name>-<platform>`. */
  Name: z.string().regex(/^[A-Za-z0-9_.-]{1,256}$/),
  /** The relay's platform (fcm, apns, ...), which decides the credential's shape and the SNS platform. */
  RelayPlatform: z.enum(PLATFORMS),
  /** The SNS platform (GCM, APNS, ...). */
  Platform: z.string().min(1),
  /** Name or ARN of the secret that holds the credentials. */
  CredentialsSecretId: z.string().min(1),
  /** The push feedback topic; empty when the stack has no push feedback loop. */
  EventTopicArn: z.string().default(''),
  /** The role SNS assumes to write delivery-status logs. */
  DeliveryStatusRoleArn: z.string().min(1),
  /** Percentage of successful deliveries logged (failures are always logged). */
  SuccessFeedbackSampleRate: z.string().regex(/^(100|[1-9]?\d)$/),
});
export type PlatformApplicationProperties = z.infer<typeof PlatformApplicationPropertiesSchema>;

export interface PlatformApplicationDeps {
  readonly sns: SNSClient;
  readonly secrets: SecretsManagerClient;
  /** Waits between attempts while a new delivery-status role propagates (default: a real timer). */
  readonly pause?: (milliseconds: number) => Promise<void>;
}

/**
 * IAM is eventually consistent: in the first seconds after the stack creates
 * the delivery-status role, SNS may refuse it as a feedback role. Those
 * refusals are retried (8 attempts, 5 s apart, inside the function's timeout);
 * any other refusal fails at once.
 */
export const ROLE_PROPAGATION_ATTEMPTS = 8;
const ROLE_PROPAGATION_DELAY_MS = 5000;
const isRolePropagation = (error: unknown): boolean =>
  error instanceof Error && error.name === 'InvalidParameterException' && /FeedbackRoleArn|\brole\b/i.test(error.message);

const whileRolePropagates = async <T>(pause: PlatformApplicationDeps['pause'], call: () => Promise<T>): Promise<T> => {
  const wait = pause ?? ((milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds)));
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= ROLE_PROPAGATION_ATTEMPTS || !isRolePropagation(error)) throw error;
      await wait(ROLE_PROPAGATION_DELAY_MS);
    }
  }
};

/** The application could not be created, updated or deleted: the message goes to the CloudFormation event as is. */
export class PlatformApplicationError extends Error {
  override readonly name = 'PlatformApplicationError';
}

const pushCredentialsHint = (platform: Platform) =>
  `store them with "npm run push-credentials -- ${platform} ..." (README: Push credentials)`;

/** Reads a platform's secret and turns it into the credential attributes. */
export const readCredentialAttributes = async (
  secrets: SecretsManagerClient,
  secretId: string,
  platform: Platform,
): Promise<Record<string, string>> => {
  let text: string | undefined;
  try {
    ({ SecretString: text } = await secrets.send(new GetSecretValueCommand({ SecretId: secretId })));
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (name === 'ResourceNotFoundException') {
      throw new PlatformApplicationError(
        `Secrets Manager secret "${secretId}" (pushCredentials.${platform}) does not exist in this account and region: ${pushCredentialsHint(platform)}`,
      );
    }
    throw new PlatformApplicationError(
      `Could not read Secrets Manager secret "${secretId}" (pushCredentials.${platform}): ${name}: ${withoutKeyMaterial(error instanceof Error ? error.message : String(error))}`,
    );
  }
  if (text === undefined) {
    throw new PlatformApplicationError(`Secrets Manager secret "${secretId}" (pushCredentials.${platform}) holds no text: ${pushCredentialsHint(platform)}`);
  }
  try {
    return { ...credentialAttributes(platform, text) };
  } catch (error) {
    if (!(error instanceof PushCredentialError)) throw error;
    throw new PlatformApplicationError(
      `Secrets Manager secret "${secretId}" (pushCredentials.${platform}) does not hold ${platform} credentials: ${error.message}`,
    );
  }
};

/** Every attribute the stack sets: the credentials, the feedback events and delivery-status logging. */
export const applicationAttributes = (
  properties: PlatformApplicationProperties,
  credentials: Readonly<Record<string, string>>,
): Record<string, string> => ({
  ...credentials,
  // An empty value clears an attribute, so turning pushFeedback off takes the events away again.
  ...Object.fromEntries(FEEDBACK_EVENT_ATTRIBUTES.map((attribute) => [attribute, properties.EventTopicArn])),
  SuccessFeedbackRoleArn: properties.DeliveryStatusRoleArn,
  FailureFeedbackRoleArn: properties.DeliveryStatusRoleArn,
  SuccessFeedbackSampleRate: properties.SuccessFeedbackSampleRate,
});

/** SNS's refusal as the CloudFormation event shows it: its code and reason, never the credentials it was given. */
const snsRefusal = (verb: string, name: string, error: unknown): PlatformApplicationError => {
  const code = error instanceof Error ? error.name : 'Error';
  const reason = withoutKeyMaterial(error instanceof Error ? error.message : String(error));
  return new PlatformApplicationError(`SNS refused to ${verb} platform application ${name}: ${code}: ${reason}`);
};

/** Creates the application (SNS answers the existing one's ARN when it already exists with these attributes). */
export const createPlatformApplication = async (
  { sns, secrets, pause }: PlatformApplicationDeps,
  properties: PlatformApplicationProperties,
): Promise<string> => {
  const credentials = await readCredentialAttributes(secrets, properties.CredentialsSecretId, properties.RelayPlatform);
  try {
    const { PlatformApplicationArn } = await whileRolePropagates(pause, () =>
      sns.send(
        new CreatePlatformApplicationCommand({
          Name: properties.Name,
          Platform: properties.Platform,
          Attributes: applicationAttributes(properties, credentials),
        }),
      ),
    );
    if (!PlatformApplicationArn) throw new PlatformApplicationError(`SNS created ${properties.Name} but answered no ARN`);
    return PlatformApplicationArn;
  } catch (error) {
    if (error instanceof PlatformApplicationError) throw error;
    throw snsRefusal('create', properties.Name, error);
  }
};

/**
 * Sets every attribute of an existing application in place: new credentials
 * (rotation), the feedback topic, logging. Its endpoints stay as they are.
 */
export const updatePlatformApplication = async (
  { sns, secrets, pause }: PlatformApplicationDeps,
  applicationArn: string,
  properties: PlatformApplicationProperties,
): Promise<void> => {
  const credentials = await readCredentialAttributes(secrets, properties.CredentialsSecretId, properties.RelayPlatform);
  await setApplicationAttributes(sns, applicationArn, properties.Name, applicationAttributes(properties, credentials), pause);
};

/** SetPlatformApplicationAttributes with SNS's refusal made readable. */
export const setApplicationAttributes = async (
  sns: SNSClient,
  applicationArn: string,
  name: string,
  attributes: Readonly<Record<string, string>>,
  pause?: PlatformApplicationDeps['pause'],
): Promise<void> => {
  try {
    await whileRolePropagates(pause, () =>
      sns.send(new SetPlatformApplicationAttributesCommand({ PlatformApplicationArn: applicationArn, Attributes: { ...attributes } })),
    );
  } catch (error) {
    throw snsRefusal('update', name, error);
  }
};

/** Deletes the application and, with it, its endpoints. One that is already gone counts as deleted. */
export const deletePlatformApplication = async ({ sns }: Pick<PlatformApplicationDeps, 'sns'>, applicationArn: string): Promise<void> => {
  try {
    await sns.send(new DeletePlatformApplicationCommand({ PlatformApplicationArn: applicationArn }));
  } catch (error) {
    if (error instanceof Error && error.name === 'NotFoundException') return;
    throw snsRefusal('delete', applicationArn, error);
  }
};

/** A platform application ARN: anything else as a physical id means the create never succeeded. */
const APPLICATION_ARN = /^arn:[\w-]+:sns:[\w-]+:\d{12}:app\/[A-Z_]+\/[\w.-]+$/;

/** What the Provider framework expects back from an onEvent handler. */
export interface ProviderResponse {
  readonly PhysicalResourceId: string;
  readonly Data?: Readonly<Record<string, string>>;
}

const propertiesOf = (raw: unknown): PlatformApplicationProperties => {
  const result = PlatformApplicationPropertiesSchema.safeParse(raw);
  if (!result.success) {
    throw new PlatformApplicationError(
      `Invalid platform application properties: ${result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
    );
  }
  return result.data;
};

/**
 * The custom resource's onEvent (CDK Provider framework): create, update in
 * place, replace when the name or platform changes (CloudFormation then
 * deletes the old one), delete.
 */
export const createPlatformApplicationHandler =
  (deps: PlatformApplicationDeps) =>
  async (event: CloudFormationCustomResourceEvent): Promise<ProviderResponse> => {
    switch (event.RequestType) {
      case 'Create': {
        const arn = await createPlatformApplication(deps, propertiesOf(event.ResourceProperties));
        return { PhysicalResourceId: arn, Data: { PlatformApplicationArn: arn } };
      }
      case 'Update': {
        const properties = propertiesOf(event.ResourceProperties);
        const old = event.OldResourceProperties as Partial<PlatformApplicationProperties>;
        const replaced = old.Name !== properties.Name || old.Platform !== properties.Platform;
        if (replaced || !APPLICATION_ARN.test(event.PhysicalResourceId)) {
          const arn = await createPlatformApplication(deps, properties);
          return { PhysicalResourceId: arn, Data: { PlatformApplicationArn: arn } };
        }
        await updatePlatformApplication(deps, event.PhysicalResourceId, properties);
        return { PhysicalResourceId: event.PhysicalResourceId, Data: { PlatformApplicationArn: event.PhysicalResourceId } };
      }
      case 'Delete': {
        if (APPLICATION_ARN.test(event.PhysicalResourceId)) await deletePlatformApplication(deps, event.PhysicalResourceId);
        return { PhysicalResourceId: event.PhysicalResourceId };
      }
    }
  };
