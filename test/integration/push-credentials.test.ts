import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  GetPlatformApplicationAttributesCommand,
  ListEndpointsByPlatformApplicationCommand,
  PublishCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { localClientConfig } from '../../lib/local/local-aws.ts';
import { type LocalStack, startLocalStack } from '../../lib/local/local-stack.ts';
import { runPushCredentials } from '../../scripts/push-credentials.ts';
import { apnsCredential, pkcs8Pem, serviceAccountJson } from '../fixtures/push-credentials.ts';
import { ADMIN_TOKEN, directoryApi, fcmToken, freshUid } from '../support/delivery.ts';
import { TEST_CREDENTIALS } from '../support/http.ts';

/**
 * The local rehearsal of the push-credentials flow: `npm start` created its
 * platform applications through the custom resource's handler, and
 * `npm run push-credentials -- ... --url <local relay>` stores new credentials
 * and rotates the running application in place: the device registered before
 * still receives pushes, without a restart.
 */
const emulators = inject('emulators');
const dir = mkdtempSync(join(tmpdir(), 'push-credentials-local-'));
let stack: LocalStack;
let sns: SNSClient;
let secrets: SecretsManagerClient;
let prefix: string;

beforeAll(async () => {
  prefix = `pushcreds-${randomUUID().slice(0, 8)}`;
  stack = await startLocalStack({
    port: 0,
    emulators,
    resourcePrefix: prefix,
    webhookCredentials: [TEST_CREDENTIALS],
    adminTokens: [ADMIN_TOKEN],
    consumers: false,
  });
  sns = new SNSClient(localClientConfig(emulators.sns));
  secrets = new SecretsManagerClient(localClientConfig(emulators.secretsmanager));
});

afterAll(async () => {
  sns?.destroy();
  secrets?.destroy();
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const run = async (argv: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runPushCredentials([...argv, '--url', stack.url], { out: (line) => out.push(line), err: (line) => err.push(line) }, {});
  return { code, out: out.join('\n'), err: err.join('\n') };
};

const secretText = async (name: string) => (await secrets.send(new GetSecretValueCommand({ SecretId: name }))).SecretString;

describe('npm run push-credentials --local', () => {
  it('creates the local applications from secrets at start, one per platform', () => {
    expect(stack.platformApplications.fcm).toBe(`arn:aws:sns:us-east-1:000000000000:app/GCM/${prefix}-fcm`);
    expect(stack.platformApplications.apns_voip).toBe(`arn:aws:sns:us-east-1:000000000000:app/APNS_VOIP/${prefix}-apns_voip`);
  });

  it('rotates the FCM credentials in place: the secret changes, the application keeps its ARN and its devices', async () => {
    const uid = freshUid('rotation');
    await directoryApi(stack.directoryUrl).registerDevice(uid, 'phone', 'fcm', fcmToken());
    const account = serviceAccountJson({ project_id: 'rotated-project' });

    writeFileSync(join(dir, 'sa.json'), account);

    const result = await run(['fcm', '--service-account', join(dir, 'sa.json')]);

    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toContain(`Updated secret ${prefix}/push/fcm with the fcm credentials.`);
    expect(result.out).toContain(`Updated platform application ${stack.platformApplications.fcm} in place`);
    expect(result.out).not.toMatch(/PRIVATE KEY|rotated-project/);
    expect(await secretText(`${prefix}/push/fcm`)).toBe(account);
    const { Endpoints = [] } = await sns.send(new ListEndpointsByPlatformApplicationCommand({ PlatformApplicationArn: stack.platformApplications.fcm }));
    expect(Endpoints).toHaveLength(1);
    expect(Endpoints[0]?.Attributes?.Enabled).toBe('true');
    await expect(sns.send(new PublishCommand({ TargetArn: Endpoints[0]?.EndpointArn, Message: 'after rotation' }))).resolves.toHaveProperty('MessageId');
  });

  it('stores APNs token credentials as {keyId, teamId, bundleId, signingKey}', async () => {
    const key = pkcs8Pem('p256');
    writeFileSync(join(dir, 'AuthKey.p8'), key);

    const result = await run(['apns', '--p8', join(dir, 'AuthKey.p8'), '--key-id', 'ROTATED001', '--team-id', 'TEAM123456', '--bundle-id', 'com.example.app']);

    expect(result.code).toBe(0);
    expect(JSON.parse((await secretText(`${prefix}/push/apns`)) ?? '')).toEqual(apnsCredential({ keyId: 'ROTATED001', signingKey: key }));
  });

  it('writes nothing when the file is refused', async () => {
    const before = await secretText(`${prefix}/push/fcm`);
    writeFileSync(join(dir, 'bad.json'), serviceAccountJson({ type: 'authorized_user' }));

    const result = await run(['fcm', '--service-account', join(dir, 'bad.json')]);

    expect(result.code).toBe(2);
    expect(await secretText(`${prefix}/push/fcm`)).toBe(before);
  });
});

describe('local platform applications', () => {
  it("point their endpoint events at the local push feedback topic, as the stack's do", async () => {
    const { Attributes = {} } = await sns.send(new GetPlatformApplicationAttributesCommand({ PlatformApplicationArn: stack.platformApplications.apns }));
    expect(Attributes.EventEndpointUpdated).toBe(stack.feedback.topicArns.push);
    expect(Attributes.EventDeliveryFailure).toBe(stack.feedback.topicArns.push);
  });
});
