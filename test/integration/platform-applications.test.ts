import { randomUUID } from 'node:crypto';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  CreatePlatformApplicationCommand,
  CreatePlatformEndpointCommand,
  GetPlatformApplicationAttributesCommand,
  ListPlatformApplicationsCommand,
  PublishCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createPlatformApplicationHandler,
  type PlatformApplicationProperties,
} from '../../functions/platform-applications/platform-application.ts';
import { localClientConfig } from '../../lib/local/local-aws.ts';
import { apnsCredential, serviceAccountJson } from '../fixtures/push-credentials.ts';

/**
 * The platform-application custom resource's handler against the SNS and
 * Secrets Manager emulators, with the real SDK clients: what CloudFormation
 * would see on create, update (rotation) and delete, and the reasons it would
 * show when something is wrong.
 */
const emulators = inject('emulators');
const RUN = randomUUID().slice(0, 8);
let sns: SNSClient;
let secrets: SecretsManagerClient;
let onEvent: ReturnType<typeof createPlatformApplicationHandler>;

beforeAll(() => {
  sns = new SNSClient(localClientConfig(emulators.sns));
  secrets = new SecretsManagerClient(localClientConfig(emulators.secretsmanager));
  onEvent = createPlatformApplicationHandler({ sns, secrets });
});
afterAll(() => {
  sns.destroy();
  secrets.destroy();
});

const FEEDBACK_TOPIC = 'arn:aws:sns:us-east-1:000000000000:relay-push-feedback';
const ROLE = 'arn:aws:iam::000000000000:role/relay-delivery-status';

const properties = (platform: 'fcm' | 'apns', secretId: string, name = `relay-${RUN}-${platform}`): PlatformApplicationProperties => ({
  Name: name,
  RelayPlatform: platform,
  Platform: platform === 'fcm' ? 'GCM' : 'APNS',
  CredentialsSecretId: secretId,
  EventTopicArn: FEEDBACK_TOPIC,
  DeliveryStatusRoleArn: ROLE,
  SuccessFeedbackSampleRate: '10',
});

const base = { ServiceToken: 'token', ResponseURL: 'http://127.0.0.1/response', StackId: 'stack', RequestId: 'request', LogicalResourceId: 'App', ResourceType: 'Custom::SnsPlatformApplication' };
const create = (props: PlatformApplicationProperties): CloudFormationCustomResourceEvent => ({
  ...base,
  RequestType: 'Create',
  ResourceProperties: { ServiceToken: 'token', ...props },
});
const update = (arn: string, props: PlatformApplicationProperties, old: PlatformApplicationProperties): CloudFormationCustomResourceEvent => ({
  ...base,
  RequestType: 'Update',
  PhysicalResourceId: arn,
  ResourceProperties: { ServiceToken: 'token', ...props },
  OldResourceProperties: { ServiceToken: 'token', ...old },
});
const remove = (arn: string, props: PlatformApplicationProperties): CloudFormationCustomResourceEvent => ({
  ...base,
  RequestType: 'Delete',
  PhysicalResourceId: arn,
  ResourceProperties: { ServiceToken: 'token', ...props },
});

const storeSecret = async (text: string) => {
  const name = `relay-${RUN}/push/${randomUUID().slice(0, 6)}`;
  await secrets.send(new CreateSecretCommand({ Name: name, SecretString: text }));
  return name;
};

const attributesOf = async (arn: string) =>
  (await sns.send(new GetPlatformApplicationAttributesCommand({ PlatformApplicationArn: arn }))).Attributes ?? {};

const listed = async () =>
  ((await sns.send(new ListPlatformApplicationsCommand({}))).PlatformApplications ?? []).map((application) => application.PlatformApplicationArn);

describe('platform application custom resource', () => {
  it('creates an FCM application from the service account, wired to the feedback topic with delivery-status logging', async () => {
    const secretId = await storeSecret(serviceAccountJson());
    const props = properties('fcm', secretId);

    const response = await onEvent(create(props));

    expect(response.PhysicalResourceId).toBe(`arn:aws:sns:us-east-1:000000000000:app/GCM/${props.Name}`);
    expect(response.Data).toEqual({ PlatformApplicationArn: response.PhysicalResourceId });
    expect(await attributesOf(response.PhysicalResourceId)).toMatchObject({
      EventEndpointUpdated: FEEDBACK_TOPIC,
      EventDeliveryFailure: FEEDBACK_TOPIC,
      SuccessFeedbackRoleArn: ROLE,
      FailureFeedbackRoleArn: ROLE,
      SuccessFeedbackSampleRate: '10',
    });
  });

  it('creates an APNs application with the key id, team id and bundle id as SNS wants them', async () => {
    const secretId = await storeSecret(JSON.stringify(apnsCredential()));

    const { PhysicalResourceId } = await onEvent(create(properties('apns', secretId)));

    expect(await attributesOf(PhysicalResourceId)).toMatchObject({ ApplePlatformTeamID: 'TEAM123456', ApplePlatformBundleID: 'com.example.app' });
  });

  it('rotates the credentials in place on update: same ARN, and a registered endpoint still delivers', async () => {
    const secretId = await storeSecret(JSON.stringify(apnsCredential()));
    const props = properties('apns', secretId, `relay-${RUN}-rotate`);
    const { PhysicalResourceId: arn } = await onEvent(create(props));
    const { EndpointArn } = await sns.send(new CreatePlatformEndpointCommand({ PlatformApplicationArn: arn, Token: 'a'.repeat(64) }));

    await secrets.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: JSON.stringify(apnsCredential({ keyId: 'NEWKEY0001' })) }));
    const response = await onEvent(update(arn, { ...props, SuccessFeedbackSampleRate: '50' }, props));

    expect(response.PhysicalResourceId).toBe(arn);
    expect(await attributesOf(arn)).toMatchObject({ SuccessFeedbackSampleRate: '50' });
    await expect(sns.send(new PublishCommand({ TargetArn: EndpointArn, Message: 'still here' }))).resolves.toHaveProperty('MessageId');
  });

  it('replaces the application when its name changes (CloudFormation then deletes the old one)', async () => {
    const secretId = await storeSecret(serviceAccountJson());
    const old = properties('fcm', secretId, `relay-${RUN}-old`);
    const { PhysicalResourceId: oldArn } = await onEvent(create(old));

    const response = await onEvent(update(oldArn, { ...old, Name: `relay-${RUN}-new` }, old));

    expect(response.PhysicalResourceId).toBe(`arn:aws:sns:us-east-1:000000000000:app/GCM/relay-${RUN}-new`);
  });

  it('deletes the application, and a second delete (or one of a failed create) succeeds', async () => {
    const secretId = await storeSecret(serviceAccountJson());
    const props = properties('fcm', secretId, `relay-${RUN}-delete`);
    const { PhysicalResourceId: arn } = await onEvent(create(props));

    await onEvent(remove(arn, props));
    await onEvent(remove(arn, props));
    await onEvent(remove('not-an-arn-because-create-failed', props));

    expect(await listed()).not.toContain(arn);
  });

  it('fails naming the secret when it does not exist', async () => {
    const props = properties('fcm', `relay-${RUN}/push/missing`);

    await expect(onEvent(create(props))).rejects.toThrow(
      `Secrets Manager secret "relay-${RUN}/push/missing" (pushCredentials.fcm) does not exist in this account and region`,
    );
  });

  it('fails naming the field when the secret does not hold the platform credentials, without quoting the key', async () => {
    const key = apnsCredential().signingKey;
    const secretId = await storeSecret(JSON.stringify(apnsCredential({ teamId: 'short', signingKey: key })));

    const failure = await onEvent(create(properties('apns', secretId))).catch((error: Error) => error);

    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/does not hold apns credentials: "teamId" must be your 10-character Apple team id/);
    expect((failure as Error).message).not.toContain('PRIVATE KEY');
  });

  it("fails with SNS's reason when SNS refuses the request, without the credentials in it", async () => {
    const secretId = await storeSecret(serviceAccountJson());
    // An APNs application given FCM's service account: the shape check passes for fcm, SNS refuses it for APNS.
    const props = { ...properties('fcm', secretId), Platform: 'APNS' };

    const failure = await onEvent(create(props)).catch((error: Error) => error);

    expect((failure as Error).message).toMatch(
      /^SNS refused to create platform application relay-.*: InvalidParameterException: Invalid parameter: Attributes Reason: Platform credentials are invalid$/,
    );
  });
});

describe('SNS emulator credential checks (as SNS)', () => {
  it.each([
    ['a legacy FCM server key', 'AAAAlegacy-server-key'],
    ['JSON that is not a service account', JSON.stringify({ type: 'authorized_user', client_id: 'x' })],
    ['a service account whose private key does not parse', serviceAccountJson({ private_key: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' })],
  ])('refuses an FCM application with %s: InvalidParameter', async (_what, credential) => {
    await expect(
      sns.send(new CreatePlatformApplicationCommand({ Name: `relay-${RUN}-bad`, Platform: 'GCM', Attributes: { PlatformCredential: credential } })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException', message: 'Invalid parameter: Attributes Reason: Platform credentials are invalid' });
  });

  it('refuses an APNs token credential whose signing key is not EC P-256', async () => {
    const { keyId, teamId, bundleId } = apnsCredential();
    await expect(
      sns.send(
        new CreatePlatformApplicationCommand({
          Name: `relay-${RUN}-bad-apns`,
          Platform: 'APNS',
          Attributes: { PlatformCredential: serviceAccountJson(), PlatformPrincipal: keyId, ApplePlatformTeamID: teamId, ApplePlatformBundleID: bundleId },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });
});
