import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetEndpointAttributesCommand, PublishCommand, SetEndpointAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { staticAdminTokenSource } from '../../functions/directory/admin-auth.ts';
import { createDirectoryHandler, directoryLambdaRoutes } from '../../functions/directory/directory-api.ts';
import { DynamoDbDirectory } from '../../functions/shared/dynamodb-directory.ts';
import type { Platform } from '../../functions/shared/ports/directory.ts';
import { snsPlatformEndpoints } from '../../functions/shared/sns-platform-endpoints.ts';
import { localClientConfig } from '../../lib/local/local-aws.ts';
import { type LocalServer, startLocalServer } from '../../lib/local/local-server.ts';
import { type SnsEmulator, startSnsEmulator } from '../../lib/local/sns-emulator.ts';
import { createPlatformApplications, createTables, type LocalTableNames } from '../../lib/local/tables.ts';

// The directory API end to end: the real handler behind the local server, the real
// SDK over HTTP to dynalite (shared emulators) and to this file's own SNS emulator.

const emulators = inject('emulators');
const ADMIN_TOKEN = 'integration-admin-token-0123456789';
const RUN = randomUUID().slice(0, 8);
const FCM_TOKEN = `fcmA:APA91b${'F'.repeat(140)}`;
const FCM_TOKEN_2 = `fcmB:APA91b${'G'.repeat(140)}`;
const APNS_TOKEN = 'a1'.repeat(32);
const VOIP_TOKEN = 'b2'.repeat(32);

let sns: SnsEmulator;
let snsClient: SNSClient;
let dynamodb: DynamoDBClient;
let tables: LocalTableNames;
let applications: Record<Platform, string>;
let directory: DynamoDbDirectory;
let server: LocalServer;

/** A uid no other test uses, so tests sharing the table cannot see each other's data. */
const freshUid = (name: string) => `${name}-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  sns = await startSnsEmulator();
  snsClient = new SNSClient(localClientConfig(sns.endpoint));
  dynamodb = new DynamoDBClient(localClientConfig(emulators.dynamodb));
  tables = await createTables({ dynamodb, prefix: `directory-${RUN}` });
  applications = await createPlatformApplications(snsClient, { namePrefix: `directory-${RUN}` });
  directory = new DynamoDbDirectory({ client: DynamoDBDocumentClient.from(dynamodb), tableName: tables.directory });
  // apns_voip_sandbox is left unconfigured on purpose (the 422 test).
  const { apns_voip_sandbox: _unconfigured, ...configured } = applications;
  const handler = createDirectoryHandler({
    adminTokens: staticAdminTokenSource([ADMIN_TOKEN]),
    directory,
    endpoints: snsPlatformEndpoints(snsClient),
    platformApplications: configured,
  });
  server = await startLocalServer({ lambdaRoutes: directoryLambdaRoutes(handler) });
});

afterAll(async () => {
  await server?.close();
  await sns?.stop();
  snsClient?.destroy();
  dynamodb?.destroy();
});

interface CallOptions {
  readonly body?: unknown;
  readonly authorization?: string | null;
  readonly contentType?: string | null;
}

const api = async (method: string, path: string, { body, authorization = `Bearer ${ADMIN_TOKEN}`, contentType = 'application/json' }: CallOptions = {}) => {
  const headers: Record<string, string> = {};
  if (authorization !== null) headers.authorization = authorization;
  if (body !== undefined && contentType !== null) headers['content-type'] = contentType;
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  let json: any;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
};

const registerDevice = (uid: string, deviceId: string, platform: string, token: string) =>
  api('PUT', `/users/${uid}/devices/${deviceId}`, { body: { platform, token } });
const listDevices = async (uid: string) => (await api('GET', `/users/${uid}/devices`)).json;

/** The endpoint as the emulator holds it, or undefined once deleted. */
const endpointOnEmulator = async (endpointArn: string) => {
  try {
    const { Attributes } = await snsClient.send(new GetEndpointAttributesCommand({ EndpointArn: endpointArn }));
    return Attributes;
  } catch (error) {
    if ((error as Error).name === 'NotFoundException') return undefined;
    throw error;
  }
};

const publishTo = (endpointArn: string) =>
  snsClient.send(new PublishCommand({ TargetArn: endpointArn, MessageStructure: 'json', Message: JSON.stringify({ default: 'hello' }) }));

describe('registering devices', () => {
  it('creates an endpoint per device on its platform application, with the device token', async () => {
    // Prepare
    const uid = freshUid('reg');

    // Act
    const fcm = await registerDevice(uid, 'android-1', 'fcm', FCM_TOKEN);
    const apns = await registerDevice(uid, 'iphone-1', 'apns', APNS_TOKEN);
    const voip = await registerDevice(uid, 'iphone-1-voip', 'apns_voip', VOIP_TOKEN);

    // Assess
    for (const [response, platform, token] of [
      [fcm, 'fcm', FCM_TOKEN],
      [apns, 'apns', APNS_TOKEN],
      [voip, 'apns_voip', VOIP_TOKEN],
    ] as const) {
      expect(response.status).toBe(200);
      expect(response.json).toEqual({
        uid,
        deviceId: expect.any(String),
        platform,
        token: `${token.slice(0, 4)}…${token.slice(-4)}`,
        endpointArn: expect.stringContaining(`:endpoint/`),
        enabled: true,
        updatedAt: expect.any(String),
      });
      expect(response.text).not.toContain(token);
      expect(await endpointOnEmulator(response.json.endpointArn)).toEqual({ Enabled: 'true', Token: token });
      expect(response.json.endpointArn).toContain(applications[platform].split(':app/')[1]);
    }
    // The consumers read the full token and the endpoint through the port.
    expect((await directory.devicesOf(uid)).map((device) => [device.deviceId, device.platform, device.token])).toEqual([
      ['android-1', 'fcm', FCM_TOKEN],
      ['iphone-1', 'apns', APNS_TOKEN],
      ['iphone-1-voip', 'apns_voip', VOIP_TOKEN],
    ]);
  });

  it('lists devices with masked tokens only', async () => {
    const uid = freshUid('list');
    await registerDevice(uid, 'android-1', 'fcm', FCM_TOKEN);
    await registerDevice(uid, 'iphone-1', 'apns', APNS_TOKEN);

    const response = await api('GET', `/users/${uid}/devices`);

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.json.devices.map((device: { deviceId: string; token: string; enabled: boolean }) => [device.deviceId, device.token, device.enabled])).toEqual([
      ['android-1', 'fcmA…FFFF', true],
      ['iphone-1', 'a1a1…a1a1', true],
    ]);
    expect(response.text).not.toContain(FCM_TOKEN);
    expect(response.text).not.toContain(APNS_TOKEN);
  });

  it('stores the uid lowercased, as CometChat sends it in webhooks', async () => {
    const uid = freshUid('Mixed-Case');
    const response = await registerDevice(uid, 'd1', 'fcm', `${FCM_TOKEN}-case`);
    expect(response.json.uid).toBe(uid.toLowerCase());
    expect(await directory.devicesOf(uid.toLowerCase())).toHaveLength(1);
  });

  it('refreshing with the same token keeps the endpoint', async () => {
    const uid = freshUid('same');
    const first = await registerDevice(uid, 'd1', 'fcm', `${FCM_TOKEN}-same`);
    const again = await registerDevice(uid, 'd1', 'fcm', `${FCM_TOKEN}-same`);
    expect(again.status).toBe(200);
    expect(again.json.endpointArn).toBe(first.json.endpointArn);
  });

  it('refreshing with a new token moves the device to an endpoint with the new token and deletes the old one', async () => {
    // Prepare
    const uid = freshUid('refresh');
    const first = await registerDevice(uid, 'd1', 'fcm', FCM_TOKEN);

    // Act
    const refreshed = await registerDevice(uid, 'd1', 'fcm', FCM_TOKEN_2);

    // Assess
    expect(refreshed.status).toBe(200);
    expect(await endpointOnEmulator(refreshed.json.endpointArn)).toEqual({ Enabled: 'true', Token: FCM_TOKEN_2 });
    expect(refreshed.json.endpointArn).not.toBe(first.json.endpointArn);
    expect(await endpointOnEmulator(first.json.endpointArn)).toBeUndefined();
    expect((await listDevices(uid)).devices).toEqual([expect.objectContaining({ deviceId: 'd1', token: 'fcmB…GGGG' })]);
  });

  it('a disabled endpoint stays disabled for the same token and is replaced by an enabled one for a new token', async () => {
    // Prepare: the provider reports the token dead.
    const uid = freshUid('disabled');
    const deadToken = `${'c3'.repeat(32)}`;
    const first = await registerDevice(uid, 'iphone', 'apns', deadToken);
    expect(sns.disableEndpoint({ endpointArn: first.json.endpointArn })).toEqual([first.json.endpointArn]);

    // Act 1: the app registers the same (dead) token again.
    const sameToken = await registerDevice(uid, 'iphone', 'apns', deadToken);

    // Assess 1
    expect(sameToken.status).toBe(200);
    expect(sameToken.json).toMatchObject({ endpointArn: first.json.endpointArn, enabled: false });
    expect(await endpointOnEmulator(first.json.endpointArn)).toEqual({ Enabled: 'false', Token: deadToken });
    expect((await listDevices(uid)).devices[0].enabled).toBe(false);

    // Act 2: the app has a new token.
    const freshToken = `${'d4'.repeat(32)}`;
    const newToken = await registerDevice(uid, 'iphone', 'apns', freshToken);

    // Assess 2: enabled, with the new token, and SNS publishes to it.
    expect(newToken.json.enabled).toBe(true);
    expect(await endpointOnEmulator(newToken.json.endpointArn)).toEqual({ Enabled: 'true', Token: freshToken });
    await publishTo(newToken.json.endpointArn);
    expect(sns.published().filter((message) => message.targetArn === newToken.json.endpointArn).map((message) => message.token)).toEqual([
      freshToken,
    ]);
    expect((await listDevices(uid)).devices[0].enabled).toBe(true);
  });

  it('an endpoint SNS hands back under another token (canonical id) gets the current token and is enabled again', async () => {
    // Prepare: SNS replaced the endpoint's token and disabled it; asked for the app's current token, it names that
    // endpoint in its "already exists" error (AWS's documented pattern).
    const uid = freshUid('canonical');
    const first = await registerDevice(uid, 'd1', 'fcm', `${FCM_TOKEN}-canonical-old`);
    await snsClient.send(
      new SetEndpointAttributesCommand({ EndpointArn: first.json.endpointArn, Attributes: { Token: 'replaced-by-sns', Enabled: 'false' } }),
    );
    sns.injectFault({
      action: 'CreatePlatformEndpoint',
      code: 'InvalidParameter',
      message: `Invalid parameter: Token Reason: Endpoint ${first.json.endpointArn} already exists with the same Token, but different attributes.`,
    });

    // Act
    const current = `${FCM_TOKEN}-canonical-current`;
    const response = await registerDevice(uid, 'd1', 'fcm', current);

    // Assess
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ endpointArn: first.json.endpointArn, enabled: true });
    expect(await endpointOnEmulator(first.json.endpointArn)).toEqual({ Enabled: 'true', Token: current });
  });

  it('SNS refusing the token → 400 on the token field, without quoting it', async () => {
    const uid = freshUid('refused');
    const token = `${'a'.repeat(64)}zz`;
    sns.injectFault({ action: 'CreatePlatformEndpoint', code: 'InvalidParameter', message: `Invalid parameter: Token Reason: ${token} is not a valid APNs token` });
    const response = await registerDevice(uid, 'd1', 'apns', token);
    expect(response.status).toBe(400);
    expect(response.json.issues).toEqual([{ path: 'token', message: '<token> is not a valid APNs token' }]);
    expect(response.text).not.toContain(token);
    expect((await listDevices(uid)).devices).toEqual([]);
  });

  it('SNS failing → 503 unavailable and nothing stored; the retry succeeds', async () => {
    const uid = freshUid('outage');
    sns.injectFault({ action: 'CreatePlatformEndpoint', code: 'InternalError', count: 3 });
    const failed = await registerDevice(uid, 'd1', 'fcm', `${FCM_TOKEN}-outage`);
    expect(failed.status).toBe(503);
    expect(failed.json).toEqual({ error: 'unavailable', message: expect.any(String) });
    expect((await listDevices(uid)).devices).toEqual([]);
    sns.clearFaults();
    expect((await registerDevice(uid, 'd1', 'fcm', `${FCM_TOKEN}-outage`)).status).toBe(200);
  });

  it('a token registered under another uid moves there: the old uid no longer has it, the endpoint is kept', async () => {
    // Prepare: a shared phone, first logged in as alice.
    const alice = freshUid('alice');
    const bob = freshUid('bob');
    const token = `${FCM_TOKEN}-shared`;
    const before = await registerDevice(alice, 'alice-phone', 'fcm', token);

    // Act: bob logs in on the same phone.
    const after = await registerDevice(bob, 'bob-phone', 'fcm', token);

    // Assess
    expect(after.status).toBe(200);
    expect((await listDevices(alice)).devices).toEqual([]);
    expect((await listDevices(bob)).devices).toEqual([expect.objectContaining({ deviceId: 'bob-phone', endpointArn: before.json.endpointArn })]);
    expect(await endpointOnEmulator(before.json.endpointArn)).toEqual({ Enabled: 'true', Token: token });
    expect(await directory.devicesByToken('fcm', token)).toEqual([expect.objectContaining({ uid: bob, deviceId: 'bob-phone' })]);
  });

  it('a platform without a configured application answers 422 naming the key to set, and creates nothing', async () => {
    const uid = freshUid('unconfigured');
    const response = await registerDevice(uid, 'd1', 'apns_voip_sandbox', VOIP_TOKEN);
    expect(response.status).toBe(422);
    expect(response.json).toEqual({ error: 'platform_not_configured', message: expect.stringContaining('platformApplicationArns.apns_voip_sandbox'), platform: 'apns_voip_sandbox' });
    expect((await listDevices(uid)).devices).toEqual([]);
  });
});

describe('unregistering a device', () => {
  it('deletes the item and the endpoint: 204, then 404', async () => {
    const uid = freshUid('unreg');
    const registered = await registerDevice(uid, 'd1', 'apns', `${'e5'.repeat(32)}`);
    const kept = await registerDevice(uid, 'd2', 'fcm', `${FCM_TOKEN}-kept`);

    const response = await api('DELETE', `/users/${uid}/devices/d1`);

    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    expect(await endpointOnEmulator(registered.json.endpointArn)).toBeUndefined();
    expect(await endpointOnEmulator(kept.json.endpointArn)).toBeDefined();
    expect((await listDevices(uid)).devices.map((device: { deviceId: string }) => device.deviceId)).toEqual(['d2']);
    expect((await api('DELETE', `/users/${uid}/devices/d1`)).status).toBe(404);
  });
});

describe('contact details', () => {
  it('PUT stores and GET reads back; a PUT replaces the whole contact', async () => {
    const uid = freshUid('contact');

    const put = await api('PUT', `/users/${uid}/contact`, { body: { phone: ' +14155550123 ', email: 'jane@example.com' } });
    expect(put.status).toBe(200);
    expect(put.json).toEqual({ uid, phone: '+14155550123', email: 'jane@example.com', updatedAt: expect.any(String) });
    expect(await api('GET', `/users/${uid}/contact`).then((r) => r.json)).toEqual(put.json);

    const replaced = await api('PUT', `/users/${uid}/contact`, { body: { phone: '+447700900123' } });
    expect(replaced.json).toEqual({ uid, phone: '+447700900123', updatedAt: expect.any(String) });
    expect(await directory.contactOf(uid)).toEqual({ uid, phone: '+447700900123', updatedAt: replaced.json.updatedAt });
  });

  it('an undeliverable mark survives a PUT of the same email and is cleared when the email changes', async () => {
    // Prepare
    const uid = freshUid('bounce');
    await api('PUT', `/users/${uid}/contact`, { body: { email: 'old@example.com' } });
    expect(await directory.markEmailUndeliverable(uid, 'other@example.com', 'bounce')).toBe(false);
    expect(await directory.markEmailUndeliverable(uid, 'old@example.com', 'bounce', '2026-01-01T00:00:00.000Z')).toBe(true);

    // Act + Assess: same address, the mark stays.
    const same = await api('PUT', `/users/${uid}/contact`, { body: { email: 'old@example.com', phone: '+14155550123' } });
    expect(same.json.emailUndeliverable).toEqual({ reason: 'bounce', at: '2026-01-01T00:00:00.000Z' });

    // Act + Assess: a new address, the mark goes.
    const changed = await api('PUT', `/users/${uid}/contact`, { body: { email: 'new@example.com' } });
    expect(changed.json).toEqual({ uid, email: 'new@example.com', updatedAt: expect.any(String) });
    expect((await api('GET', `/users/${uid}/contact`)).json.emailUndeliverable).toBeUndefined();
  });

  it.each([
    ['a phone that is not E.164', { phone: '0415 555 0123' }, 'phone'],
    ['an email that is not one', { email: 'jane(at)example.com' }, 'email'],
    ['neither field', {}, ''],
    ['an unknown field', { phone: '+14155550123', mobile: '+14155550123' }, ''],
  ])('PUT refuses %s with 400 and stores nothing', async (_name, body, path) => {
    const uid = freshUid('badcontact');
    const response = await api('PUT', `/users/${uid}/contact`, { body });
    expect(response.status).toBe(400);
    expect(response.json).toEqual({ error: 'invalid_request', message: expect.any(String), issues: expect.any(Array) });
    expect(response.json.issues.map((issue: { path: string }) => issue.path)).toContain(path);
    expect((await api('GET', `/users/${uid}/contact`)).status).toBe(404);
  });
});

describe('erasing a user', () => {
  it('removes devices, their endpoints and the contact, and leaves other users alone', async () => {
    // Prepare
    const uid = freshUid('erase');
    const other = freshUid('keep');
    const devices = [
      await registerDevice(uid, 'a1', 'fcm', `${FCM_TOKEN}-erase`),
      await registerDevice(uid, 'i1', 'apns_sandbox', `${'f6'.repeat(32)}`),
    ];
    const otherDevice = await registerDevice(other, 'a1', 'fcm', `${FCM_TOKEN}-keep`);
    await api('PUT', `/users/${uid}/contact`, { body: { email: 'gone@example.com' } });

    // Act
    const response = await api('DELETE', `/users/${uid}`);

    // Assess
    expect(response.status).toBe(204);
    for (const device of devices) expect(await endpointOnEmulator(device.json.endpointArn)).toBeUndefined();
    expect((await listDevices(uid)).devices).toEqual([]);
    expect((await api('GET', `/users/${uid}/contact`)).status).toBe(404);
    expect(await endpointOnEmulator(otherDevice.json.endpointArn)).toBeDefined();
    expect((await listDevices(other)).devices).toHaveLength(1);
    expect((await api('DELETE', `/users/${uid}`)).status).toBe(404);
  });
});

describe('the consumer side of the directory', () => {
  it('removeDevice with an endpoint ARN leaves a device that re-registered meanwhile alone', async () => {
    const uid = freshUid('consumer');
    const old = await registerDevice(uid, 'd1', 'fcm', `${FCM_TOKEN}-c1`);
    await registerDevice(uid, 'd1', 'fcm', `${FCM_TOKEN}-c2`);

    await directory.removeDevice(uid, 'd1', { endpointArn: old.json.endpointArn });
    expect(await directory.devicesOf(uid)).toHaveLength(1);

    await directory.removeDevice(uid, 'd1');
    expect(await directory.devicesOf(uid)).toEqual([]);
  });
});

describe('errors', () => {
  it.each([
    ['missing', null],
    ['wrong', 'Bearer wrong-token'],
    ['malformed', 'Bearer'],
    ['Basic', 'Basic YWRtaW46YWRtaW4='],
  ])('%s admin token → 401 with the Bearer challenge, nothing stored', async (_name, authorization) => {
    const uid = freshUid('auth');
    const response = await api('PUT', `/users/${uid}/devices/d1`, { body: { platform: 'fcm', token: FCM_TOKEN }, authorization });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="cometchat-relay"');
    expect(response.json).toEqual({ error: 'unauthorized', message: expect.any(String) });
    expect(await directory.devicesOf(uid)).toEqual([]);
  });

  it.each([
    ['a uid with a space', 'PUT', '/users/jane%20doe/devices/d1', { platform: 'fcm', token: FCM_TOKEN }, 'uid'],
    ['a device id with a hash', 'PUT', '/users/u1/devices/d%231', { platform: 'fcm', token: FCM_TOKEN }, 'deviceId'],
    ['an unknown platform', 'PUT', '/users/u1/devices/d1', { platform: 'gcm', token: FCM_TOKEN }, 'platform'],
    ['a token with spaces', 'PUT', '/users/u1/devices/d1', { platform: 'fcm', token: 'a b' }, 'token'],
    ['a too long uid', 'GET', `/users/${'x'.repeat(101)}/devices`, undefined, 'uid'],
  ])('%s → 400 invalid_request naming it', async (_name, method, path, body, field) => {
    const response = await api(method, path, body === undefined ? {} : { body });
    expect(response.status).toBe(400);
    expect(response.json.error).toBe('invalid_request');
    expect(response.json.issues.map((issue: { path: string }) => issue.path)).toContain(field);
  });

  it('a body that is not JSON → 400 invalid_json; not declared JSON → 415', async () => {
    const notJson = await api('PUT', '/users/u1/devices/d1', { body: '{"platform":' });
    expect([notJson.status, notJson.json.error]).toEqual([400, 'invalid_json']);
    const textPlain = await api('PUT', '/users/u1/contact', { body: '{"phone":"+14155550123"}', contentType: 'text/plain' });
    expect([textPlain.status, textPlain.json.error]).toEqual([415, 'unsupported_media_type']);
    const noType = await api('PUT', '/users/u1/contact', { body: '{"phone":"+14155550123"}', contentType: null });
    expect(noType.status).toBe(415);
  });

  it('unknown things: device DELETE, contact GET and user DELETE → 404; device list → 200 empty', async () => {
    const uid = freshUid('unknown');
    for (const [method, path] of [
      ['DELETE', `/users/${uid}/devices/d1`],
      ['GET', `/users/${uid}/contact`],
      ['DELETE', `/users/${uid}`],
    ] as const) {
      const response = await api(method, path);
      expect([method, path, response.status, response.json?.error]).toEqual([method, path, 404, 'not_found']);
    }
    const list = await api('GET', `/users/${uid}/devices`);
    expect([list.status, list.json]).toEqual([200, { devices: [] }]);
  });

  it('a method the route does not have → 405', async () => {
    const response = await api('POST', '/users/u1/contact', { body: {} });
    expect(response.status).toBe(405);
    expect(response.json.error).toBe('method_not_allowed');
  });
});

describe('what the consumers read', () => {
  /** A directory on its own client that records each read as `<command> consistent|eventual`. */
  const recordingDirectory = () => {
    const reads: string[] = [];
    const client = new DynamoDBClient(localClientConfig(emulators.dynamodb));
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const consistent = (args.input as { ConsistentRead?: boolean }).ConsistentRead === true;
        reads.push(`${String(context.commandName).replace(/Command$/, '')} ${consistent ? 'consistent' : 'eventual'}`);
        return next(args);
      },
      { step: 'initialize', name: 'recordReads' },
    );
    const recorded = new DynamoDbDirectory({ client: DynamoDBDocumentClient.from(client), tableName: tables.directory });
    return { directory: recorded, reads, destroy: () => client.destroy() };
  };

  it('finds a device with one eventually consistent query, and reads consistently only when it finds none', async () => {
    // Prepare
    const { directory: recorded, reads, destroy } = recordingDirectory();
    const uid = freshUid('eventual');
    const nobody = freshUid('nobody');
    try {
      await registerDevice(uid, 'd1', 'fcm', `${FCM_TOKEN}-eventual`);

      // Act
      const found = await recorded.devicesOf(uid);
      const foundReads = reads.splice(0);
      const none = await recorded.devicesOf(nobody);
      const noneReads = reads.splice(0);
      const listed = await recorded.listDevices(uid);

      // Assess
      expect(found.map((device) => device.deviceId)).toEqual(['d1']);
      expect(foundReads).toEqual(['Query eventual']);
      expect(none).toEqual([]);
      expect(noneReads).toEqual(['Query eventual', 'Query consistent']);
      // The directory API lists what it has just written.
      expect(listed).toHaveLength(1);
      expect(reads).toEqual(['Query consistent']);
    } finally {
      destroy();
    }
  });

  it('reads a contact eventually consistent, again consistently when absent unless the caller does not need it', async () => {
    // Prepare
    const { directory: recorded, reads, destroy } = recordingDirectory();
    const uid = freshUid('eventual-contact');
    const nobody = freshUid('no-contact');
    try {
      await api('PUT', `/users/${uid}/contact`, { body: { email: 'jane@example.com' } });

      // Act
      const found = await recorded.contactOf(uid);
      const foundReads = reads.splice(0);
      const absent = await recorded.contactOf(nobody);
      const absentReads = reads.splice(0);
      const accepted = await recorded.contactOf(nobody, { recheckAbsent: false });
      const acceptedReads = reads.splice(0);
      await recorded.getContact(uid);

      // Assess
      expect(found?.email).toBe('jane@example.com');
      expect(foundReads).toEqual(['GetItem eventual']);
      expect([absent, absentReads]).toEqual([undefined, ['GetItem eventual', 'GetItem consistent']]);
      expect([accepted, acceptedReads]).toEqual([undefined, ['GetItem eventual']]);
      expect(reads).toEqual(['GetItem consistent']);
    } finally {
      destroy();
    }
  });
});

describe('local tables', () => {
  it('creating them again on a restart keeps the data', async () => {
    const uid = freshUid('restart');
    await registerDevice(uid, 'd1', 'fcm', `${FCM_TOKEN}-restart`);
    await expect(createTables({ dynamodb, prefix: `directory-${RUN}` })).resolves.toEqual(tables);
    expect(await directory.devicesOf(uid)).toHaveLength(1);
    await expect(createPlatformApplications(snsClient, { namePrefix: `directory-${RUN}` })).resolves.toEqual(applications);
  });
});
