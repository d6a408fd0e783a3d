import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { staticAdminTokenSource } from '../../functions/directory/admin-auth.ts';
import type { PlatformApplicationArns } from '../../functions/directory/device-registry.ts';
import { createDirectoryHandler, DIRECTORY_ROUTES, directoryLambdaRoutes } from '../../functions/directory/directory-api.ts';
import type { Contact, ContactDetails, Device, DirectoryAdmin, Platform } from '../../functions/shared/ports/directory.ts';
import {
  type EndpointStatus,
  PlatformApplicationUnavailableError,
  type PlatformEndpoints,
  TokenRejectedError,
} from '../../functions/shared/ports/platform-endpoints.ts';
import { apiEvent } from '../support/api-event.ts';

// The directory API against in-memory ports; the same paths run against dynalite
// and the SNS emulator in test/integration/directory.test.ts.

const ADMIN_TOKEN = 'unit-admin-token-0123456789';
const APPS: PlatformApplicationArns = {
  fcm: 'arn:aws:sns:us-east-1:000000000000:app/GCM/unit',
  apns: 'arn:aws:sns:us-east-1:000000000000:app/APNS/unit',
  apns_voip: 'arn:aws:sns:us-east-1:000000000000:app/APNS_VOIP/unit',
};
const TOKEN_A = `fcm-token-A-${'a'.repeat(60)}`;
const TOKEN_B = `fcm-token-B-${'b'.repeat(60)}`;
const NOW = new Date('2026-01-02T03:04:05.000Z');

const deviceKey = (uid: string, deviceId: string) => `${uid}\u0000${deviceId}`;

/** The directory port as a map, with the same replace semantics as DynamoDbDirectory. */
class InMemoryDirectory implements DirectoryAdmin {
  readonly devices = new Map<string, Device>();
  readonly contacts = new Map<string, Contact>();

  async devicesOf(uid: string) {
    return [...this.devices.values()].filter((device) => device.uid === uid);
  }
  async contactOf(uid: string) {
    return this.contacts.get(uid);
  }
  async removeDevice(uid: string, deviceId: string) {
    this.devices.delete(deviceKey(uid, deviceId));
  }
  async getDevice(uid: string, deviceId: string) {
    return this.devices.get(deviceKey(uid, deviceId));
  }
  async putDevice(device: Device) {
    this.devices.set(deviceKey(device.uid, device.deviceId), device);
  }
  async deleteDevice(uid: string, deviceId: string) {
    const device = this.devices.get(deviceKey(uid, deviceId));
    this.devices.delete(deviceKey(uid, deviceId));
    return device;
  }
  async listDevices(uid: string) {
    return this.devicesOf(uid);
  }
  async devicesByToken(platform: Platform, token: string) {
    return [...this.devices.values()].filter((device) => device.platform === platform && device.token === token);
  }
  async getContact(uid: string) {
    return this.contacts.get(uid);
  }
  async putContact(uid: string, details: ContactDetails, updatedAt: string) {
    const previous = this.contacts.get(uid);
    const keepMark = previous?.emailUndeliverable && details.email === previous.email;
    const contact: Contact = { uid, ...details, ...(keepMark ? { emailUndeliverable: previous.emailUndeliverable } : {}), updatedAt };
    this.contacts.set(uid, contact);
    return contact;
  }
  async eraseUser(uid: string) {
    let erased = 0;
    for (const [key, device] of this.devices) if (device.uid === uid && this.devices.delete(key)) erased += 1;
    if (this.contacts.delete(uid)) erased += 1;
    return erased;
  }
  async markEmailUndeliverable(uid: string, email: string, reason: 'bounce' | 'complaint', at = NOW.toISOString()) {
    const contact = this.contacts.get(uid);
    if (contact?.email !== email) return false;
    this.contacts.set(uid, { ...contact, emailUndeliverable: { reason, at } });
    return true;
  }
}

/** SNS's model of endpoints: one per (application, token). */
class InMemoryEndpoints implements PlatformEndpoints {
  readonly endpoints = new Map<string, { applicationArn: string; token: string; enabled: boolean }>();
  private created = 0;

  async ensureEndpoint({ applicationArn, token }: { applicationArn: string; token: string }): Promise<EndpointStatus> {
    for (const [endpointArn, endpoint] of this.endpoints) {
      if (endpoint.applicationArn === applicationArn && endpoint.token === token) return { endpointArn, enabled: endpoint.enabled };
    }
    this.created += 1;
    const endpointArn = `${applicationArn.replace(':app/', ':endpoint/')}/${this.created}`;
    this.endpoints.set(endpointArn, { applicationArn, token, enabled: true });
    return { endpointArn, enabled: true };
  }
  async describeEndpoint(endpointArn: string) {
    const endpoint = this.endpoints.get(endpointArn);
    return endpoint ? { endpointArn, enabled: endpoint.enabled } : undefined;
  }
  async deleteEndpoint(endpointArn: string) {
    this.endpoints.delete(endpointArn);
  }
  tokens() {
    return [...this.endpoints.values()].map((endpoint) => endpoint.token);
  }
  /** What APNs/FCM feedback does to a dead token. */
  disable(endpointArn: string) {
    const endpoint = this.endpoints.get(endpointArn);
    if (!endpoint) throw new Error(`no endpoint ${endpointArn}`);
    endpoint.enabled = false;
  }
}

const setup = (overrides: { endpoints?: PlatformEndpoints; platformApplications?: PlatformApplicationArns } = {}) => {
  const directory = new InMemoryDirectory();
  const endpoints = new InMemoryEndpoints();
  const handler = createDirectoryHandler({
    adminTokens: staticAdminTokenSource([ADMIN_TOKEN]),
    directory,
    endpoints: overrides.endpoints ?? endpoints,
    platformApplications: overrides.platformApplications ?? APPS,
    now: () => NOW,
  });
  const call = async (
    routeKey: string,
    pathParameters: Record<string, string>,
    body?: unknown,
    headers: Record<string, string> = {},
    isBase64Encoded = false,
  ) => {
    const event: APIGatewayProxyEventV2 = apiEvent({
      routeKey,
      pathParameters,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      isBase64Encoded,
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const result = await handler(event);
    return { ...result, json: result.body ? JSON.parse(result.body) : undefined };
  };
  const register = (uid: string, deviceId: string, platform: string, token: string) =>
    call('PUT /users/{uid}/devices/{deviceId}', { uid, deviceId }, { platform, token });
  return { handler, directory, endpoints, call, register };
};

describe('routes', () => {
  it('lists every SPEC §3 directory route once, all served by the one handler', () => {
    expect(DIRECTORY_ROUTES.map(({ method, path }) => `${method} ${path}`)).toEqual([
      'PUT /users/{uid}/devices/{deviceId}',
      'DELETE /users/{uid}/devices/{deviceId}',
      'GET /users/{uid}/devices',
      'PUT /users/{uid}/contact',
      'GET /users/{uid}/contact',
      'DELETE /users/{uid}',
    ]);
    const { handler } = setup();
    const routes = directoryLambdaRoutes(handler);
    expect(routes.map(({ method, path }) => ({ method, path }))).toEqual(DIRECTORY_ROUTES.map(({ method, path }) => ({ method, path })));
    for (const route of routes) expect(route.handler).toBe(handler);
  });

  it('answers 404 for a route key it does not serve', async () => {
    const { call } = setup();
    const result = await call('GET /users/{uid}', { uid: 'u1' });
    expect(result.statusCode).toBe(404);
    expect(result.json.error).toBe('not_found');
  });
});

describe('authentication', () => {
  it.each([
    ['missing', {}],
    ['wrong', { authorization: 'Bearer not-the-token' }],
    ['malformed', { authorization: 'Bearer' }],
    ['Basic instead of Bearer', { authorization: 'Basic dXNlcjpwYXNz' }],
  ])('%s Bearer token → 401 with the Bearer challenge, before the body is read', async (_name, headers) => {
    // Prepare: a body that would be 415 and 400 if it were looked at.
    const { handler, directory } = setup();
    const event = apiEvent({
      routeKey: 'PUT /users/{uid}/devices/{deviceId}',
      pathParameters: { uid: 'u1', deviceId: 'd1' },
      headers: { 'content-type': 'text/plain', ...headers },
      body: 'not json',
    });

    // Act
    const result = await handler(event);

    // Assess
    expect(result.statusCode).toBe(401);
    expect(result.headers).toMatchObject({ 'www-authenticate': 'Bearer realm="cometchat-relay"' });
    expect(JSON.parse(result.body)).toEqual({ error: 'unauthorized', message: expect.any(String) });
    expect(directory.devices.size).toBe(0);
  });
});

describe('PUT /users/{uid}/devices/{deviceId}', () => {
  it('registers a device: endpoint created, token masked in the answer', async () => {
    // Prepare
    const { register, endpoints, directory } = setup();

    // Act
    const result = await register('User-1', 'phone-1', 'fcm', TOKEN_A);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.headers).toMatchObject({ 'content-type': 'application/json', 'cache-control': 'no-store' });
    const endpointArn = [...endpoints.endpoints.keys()][0];
    expect(result.json).toEqual({
      uid: 'user-1',
      deviceId: 'phone-1',
      platform: 'fcm',
      token: 'fcm-…aaaa',
      endpointArn,
      enabled: true,
      updatedAt: NOW.toISOString(),
    });
    expect(result.body).not.toContain(TOKEN_A);
    expect(endpoints.tokens()).toEqual([TOKEN_A]);
    expect(await directory.devicesOf('user-1')).toEqual([
      { uid: 'user-1', deviceId: 'phone-1', platform: 'fcm', token: TOKEN_A, endpointArn, updatedAt: NOW.toISOString() },
    ]);
  });

  it('refreshing with the same token keeps the endpoint', async () => {
    const { register, endpoints } = setup();
    const first = await register('u1', 'd1', 'fcm', TOKEN_A);
    const again = await register('u1', 'd1', 'fcm', TOKEN_A);
    expect(again.json.endpointArn).toBe(first.json.endpointArn);
    expect(endpoints.endpoints.size).toBe(1);
  });

  it('a new token replaces the old endpoint', async () => {
    const { register, endpoints } = setup();
    const first = await register('u1', 'd1', 'fcm', TOKEN_A);
    const refreshed = await register('u1', 'd1', 'fcm', TOKEN_B);
    expect(refreshed.json.endpointArn).not.toBe(first.json.endpointArn);
    expect(endpoints.tokens()).toEqual([TOKEN_B]);
  });

  it('a disabled endpoint with the same token stays disabled and says so', async () => {
    const { register, endpoints } = setup();
    const first = await register('u1', 'd1', 'fcm', TOKEN_A);
    endpoints.disable(first.json.endpointArn);
    const again = await register('u1', 'd1', 'fcm', TOKEN_A);
    expect(again.statusCode).toBe(200);
    expect(again.json.enabled).toBe(false);
  });

  it('moves a token registered under another uid, keeping the shared endpoint', async () => {
    // Prepare
    const { register, call, endpoints } = setup();
    const before = await register('alice', 'alice-phone', 'fcm', TOKEN_A);

    // Act
    const after = await register('bob', 'bob-phone', 'fcm', TOKEN_A);

    // Assess
    expect(after.json.endpointArn).toBe(before.json.endpointArn);
    expect((await call('GET /users/{uid}/devices', { uid: 'alice' })).json).toEqual({ devices: [] });
    expect((await call('GET /users/{uid}/devices', { uid: 'bob' })).json.devices).toHaveLength(1);
    expect(endpoints.endpoints.has(before.json.endpointArn)).toBe(true);
  });

  it('keeps the endpoint of a device that moves to another platform only if it is not shared', async () => {
    const { register, endpoints } = setup();
    const fcm = await register('u1', 'd1', 'fcm', TOKEN_A);
    await register('u1', 'd1', 'apns', TOKEN_A);
    expect(endpoints.endpoints.has(fcm.json.endpointArn)).toBe(false);
    expect(endpoints.endpoints.size).toBe(1);
  });

  it.each([
    ['an unknown platform', { platform: 'gcm', token: TOKEN_A }, 'platform'],
    ['a token with a space', { platform: 'fcm', token: 'abc def' }, 'token'],
    ['no token', { platform: 'fcm' }, 'token'],
    ['an unknown field', { platform: 'fcm', token: TOKEN_A, uid: 'x' }, ''],
    ['a JSON array', [1, 2], ''],
  ])('refuses %s with 400 invalid_request naming the field', async (_name, body, path) => {
    const { call, endpoints } = setup();
    const result = await call('PUT /users/{uid}/devices/{deviceId}', { uid: 'u1', deviceId: 'd1' }, body);
    expect(result.statusCode).toBe(400);
    expect(result.json).toEqual({ error: 'invalid_request', message: expect.any(String), issues: expect.any(Array) });
    expect(result.json.issues.map((issue: { path: string }) => issue.path)).toContain(path);
    expect(endpoints.endpoints.size).toBe(0);
  });

  it.each([
    ['a uid with a slash', { uid: 'a/b', deviceId: 'd1' }, 'uid'],
    ['a uid with a space', { uid: 'a b', deviceId: 'd1' }, 'uid'],
    ['a device id with a hash', { uid: 'u1', deviceId: 'd#1' }, 'deviceId'],
  ])('refuses %s in the path', async (_name, pathParameters, path) => {
    const { call } = setup();
    const result = await call('PUT /users/{uid}/devices/{deviceId}', pathParameters, { platform: 'fcm', token: TOKEN_A });
    expect(result.statusCode).toBe(400);
    expect(result.json.issues).toEqual([{ path, message: expect.any(String) }]);
  });

  it('body not JSON → 400 invalid_json; empty → invalid_json; wrong type → 415; too large → 413', async () => {
    const { call } = setup();
    const path = { uid: 'u1', deviceId: 'd1' };
    expect((await call('PUT /users/{uid}/devices/{deviceId}', path, '{"platform":')).json.error).toBe('invalid_json');
    expect((await call('PUT /users/{uid}/devices/{deviceId}', path, '')).json.error).toBe('invalid_json');
    const textPlain = await call('PUT /users/{uid}/devices/{deviceId}', path, '{}', { 'content-type': 'text/plain' });
    expect([textPlain.statusCode, textPlain.json.error]).toEqual([415, 'unsupported_media_type']);
    const huge = await call('PUT /users/{uid}/devices/{deviceId}', path, { platform: 'fcm', token: 'x'.repeat(20_000) });
    expect([huge.statusCode, huge.json.error]).toEqual([413, 'payload_too_large']);
  });

  it('decodes a base64 body as API Gateway may deliver it', async () => {
    const { call } = setup();
    const body = Buffer.from(JSON.stringify({ platform: 'apns', token: 'b'.repeat(64) })).toString('base64');
    const result = await call('PUT /users/{uid}/devices/{deviceId}', { uid: 'u1', deviceId: 'd1' }, body, {}, true);
    expect(result.statusCode).toBe(200);
    expect(result.json.platform).toBe('apns');
  });

  it('a platform without a configured application → 422 telling the operator which key to set', async () => {
    const { register, endpoints } = setup();
    const result = await register('u1', 'd1', 'apns_voip_sandbox', TOKEN_A);
    expect(result.statusCode).toBe(422);
    expect(result.json.error).toBe('platform_not_configured');
    expect(result.json.message).toContain('platformApplicationArns.apns_voip_sandbox');
    expect(endpoints.endpoints.size).toBe(0);
  });

  it('a token SNS refuses → 400 on the token field, without quoting the token', async () => {
    const refusing: PlatformEndpoints = {
      ensureEndpoint: async () => {
        throw new TokenRejectedError('iOS device tokens must be hexadecimal');
      },
      describeEndpoint: async () => undefined,
      deleteEndpoint: async () => {},
    };
    const { register } = setup({ endpoints: refusing });
    const result = await register('u1', 'd1', 'apns', 'zz-not-hex');
    expect(result.statusCode).toBe(400);
    expect(result.json.issues).toEqual([{ path: 'token', message: 'iOS device tokens must be hexadecimal' }]);
  });

  it.each([
    ['SNS is unreachable', new Error('connect ECONNREFUSED 127.0.0.1:9')],
    ['the platform application is disabled', new PlatformApplicationUnavailableError('arn:aws:sns:us-east-1:000000000000:app/GCM/unit', 'disabled')],
  ])('%s → 503 unavailable, no stack trace', async (_name, failure) => {
    const failing: PlatformEndpoints = {
      ensureEndpoint: async () => {
        throw failure;
      },
      describeEndpoint: async () => undefined,
      deleteEndpoint: async () => {},
    };
    const { register, directory } = setup({ endpoints: failing });
    const result = await register('u1', 'd1', 'fcm', TOKEN_A);
    expect(result.statusCode).toBe(503);
    expect(result.json).toEqual({ error: 'unavailable', message: expect.any(String) });
    expect(result.body).not.toMatch(/ECONNREFUSED|at .*\.ts/);
    expect(directory.devices.size).toBe(0);
  });
});

describe('DELETE /users/{uid}/devices/{deviceId}', () => {
  it('unregisters the device and deletes its endpoint: 204, empty body', async () => {
    const { register, call, endpoints, directory } = setup();
    await register('u1', 'd1', 'fcm', TOKEN_A);
    const result = await call('DELETE /users/{uid}/devices/{deviceId}', { uid: 'u1', deviceId: 'd1' });
    expect(result.statusCode).toBe(204);
    expect(result.body).toBe('');
    expect(endpoints.endpoints.size).toBe(0);
    expect(directory.devices.size).toBe(0);
  });

  it('an unknown device → 404', async () => {
    const { call } = setup();
    const result = await call('DELETE /users/{uid}/devices/{deviceId}', { uid: 'u1', deviceId: 'd1' });
    expect(result.statusCode).toBe(404);
    expect(result.json.error).toBe('not_found');
  });
});

describe('GET /users/{uid}/devices', () => {
  it('lists devices with masked tokens and the live endpoint state', async () => {
    const { register, call, endpoints } = setup();
    await register('u1', 'd1', 'fcm', TOKEN_A);
    const voip = await register('u1', 'd2', 'apns_voip', 'c'.repeat(64));
    endpoints.disable(voip.json.endpointArn);
    const result = await call('GET /users/{uid}/devices', { uid: 'U1' });
    expect(result.statusCode).toBe(200);
    expect(result.json.devices.map((d: { deviceId: string; token: string; enabled: boolean }) => [d.deviceId, d.token, d.enabled])).toEqual([
      ['d1', 'fcm-…aaaa', true],
      ['d2', 'cccc…cccc', false],
    ]);
  });

  it('an unknown uid has no devices: 200 with an empty list', async () => {
    const { call } = setup();
    const result = await call('GET /users/{uid}/devices', { uid: 'nobody' });
    expect([result.statusCode, result.json]).toEqual([200, { devices: [] }]);
  });
});

describe('contact', () => {
  it('PUT stores, GET reads back; PUT replaces (an omitted field is removed)', async () => {
    const { call } = setup();
    const put = await call('PUT /users/{uid}/contact', { uid: 'u1' }, { phone: ' +14155550123 ', email: 'jane@example.com' });
    expect(put.statusCode).toBe(200);
    expect(put.json).toEqual({ uid: 'u1', phone: '+14155550123', email: 'jane@example.com', updatedAt: NOW.toISOString() });
    await call('PUT /users/{uid}/contact', { uid: 'u1' }, { email: 'jane@example.com' });
    const got = await call('GET /users/{uid}/contact', { uid: 'u1' });
    expect(got.json).toEqual({ uid: 'u1', email: 'jane@example.com', updatedAt: NOW.toISOString() });
  });

  it.each([
    ['a phone without +', { phone: '4155550123' }, 'phone'],
    ['a bad email', { email: 'jane@' }, 'email'],
    ['neither field', {}, ''],
    ['a misspelt field', { emial: 'jane@example.com' }, ''],
  ])('PUT refuses %s with 400', async (_name, body, path) => {
    const { call } = setup();
    const result = await call('PUT /users/{uid}/contact', { uid: 'u1' }, body);
    expect(result.statusCode).toBe(400);
    expect(result.json.issues.map((issue: { path: string }) => issue.path)).toContain(path);
  });

  it('GET of an unknown user → 404', async () => {
    const { call } = setup();
    expect((await call('GET /users/{uid}/contact', { uid: 'nobody' })).statusCode).toBe(404);
  });
});

describe('DELETE /users/{uid}', () => {
  it('erases devices, their endpoints and the contact: 204, then 404', async () => {
    const { register, call, endpoints, directory } = setup();
    await register('u1', 'd1', 'fcm', TOKEN_A);
    await register('u1', 'd2', 'apns', 'd'.repeat(64));
    await register('u2', 'd1', 'fcm', TOKEN_B);
    await call('PUT /users/{uid}/contact', { uid: 'u1' }, { phone: '+14155550123' });

    const erased = await call('DELETE /users/{uid}', { uid: 'u1' });

    expect(erased.statusCode).toBe(204);
    expect(endpoints.tokens()).toEqual([TOKEN_B]);
    expect([...directory.devices.values()].map((device) => device.uid)).toEqual(['u2']);
    expect(directory.contacts.size).toBe(0);
    expect((await call('DELETE /users/{uid}', { uid: 'u1' })).statusCode).toBe(404);
  });

  it('a user with only a contact is erased too', async () => {
    const { call } = setup();
    await call('PUT /users/{uid}/contact', { uid: 'u1' }, { email: 'jane@example.com' });
    expect((await call('DELETE /users/{uid}', { uid: 'u1' })).statusCode).toBe(204);
    expect((await call('GET /users/{uid}/contact', { uid: 'u1' })).statusCode).toBe(404);
  });
});
