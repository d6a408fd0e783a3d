import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { secretAdminTokenSource } from '../../functions/directory/secret-admin-token-source.ts';
import { secretCredentialStore } from '../../functions/shared/secret-credential-store.ts';

// A minimal Secrets Manager (JSON 1.1 protocol) so the real SDK client and Powertools run unchanged.
let server: Server;
let client: SecretsManagerClient;
let secretString = '';
let calls = 0;

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      calls += 1;
      const { SecretId } = JSON.parse(body) as { SecretId: string };
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify({ ARN: SecretId, Name: 'webhook', SecretString: secretString, VersionId: 'v1' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new SecretsManagerClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(() => {
  client.destroy();
  server.close();
});

beforeEach(() => {
  calls = 0;
});

describe('secretCredentialStore', () => {
  it('reads the generated pair, and both pairs during a rotation', async () => {
    secretString = JSON.stringify({ username: 'u1', password: 'p1', secondaryUsername: 'u2', secondaryPassword: 'p2' });
    const store = secretCredentialStore({ client, secretId: 'rotating' });
    expect(await store.accepted()).toEqual([
      { username: 'u1', password: 'p1' },
      { username: 'u2', password: 'p2' },
    ]);
  });

  it('caches across calls and refreshes at most once per interval when asked', async () => {
    secretString = JSON.stringify({ username: 'u1', password: 'p1' });
    const store = secretCredentialStore({ client, secretId: 'cached', minRefreshIntervalMs: 60_000 });
    await store.accepted();
    await store.accepted();
    expect(calls).toBe(1);

    secretString = JSON.stringify({ username: 'u9', password: 'p9' });
    expect(await store.accepted({ refresh: true })).toEqual([{ username: 'u9', password: 'p9' }]);
    await store.accepted({ refresh: true });
    expect(calls).toBe(2);
  });

  it('fails with the expected shape, never the values, when the secret is malformed', async () => {
    secretString = JSON.stringify({ user: 'leaked-value' });
    const store = secretCredentialStore({ client, secretId: 'malformed' });
    const error: unknown = await store.accepted().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('{"username","password"}');
    expect((error as Error).message).not.toContain('leaked-value');
  });

  it('refuses half a secondary pair', async () => {
    secretString = JSON.stringify({ username: 'u1', password: 'p1', secondaryUsername: 'u2' });
    await expect(secretCredentialStore({ client, secretId: 'half' }).accepted()).rejects.toThrow(/set together/);
  });
});

describe('secretAdminTokenSource', () => {
  it('accepts the token and the secondary token', async () => {
    secretString = JSON.stringify({ token: 't1', secondaryToken: 't2' });
    expect(await secretAdminTokenSource({ client, secretId: 'admin' }).accepted()).toEqual(['t1', 't2']);
  });
});
