import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { secretAdminTokenSource } from '../../functions/directory/secret-admin-token-source.ts';
import type { AwsJsonClient } from '../../functions/shared/clients/aws-json-client.ts';
import { createSecretsManagerClient } from '../../functions/shared/clients/secrets-manager.ts';
import type { SecretSource } from '../../functions/shared/ports/secret-source.ts';
import { secretCredentialStore } from '../../functions/shared/secret-credential-store.ts';
import { SecretReadError, signedSecretSource } from '../../functions/shared/signed-secret-source.ts';

// A minimal Secrets Manager (JSON 1.1 protocol) answering the function's signed JSON client.
let server: Server;
let client: AwsJsonClient;
let source: SecretSource;
let secretString = '';
let calls = 0;
let lastHeaders: Record<string, string | string[] | undefined> = {};

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      calls += 1;
      lastHeaders = request.headers;
      const { SecretId } = JSON.parse(body) as { SecretId: string };
      if (SecretId === 'missing') {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify({ __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." }));
        return;
      }
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify({ ARN: SecretId, Name: 'webhook', SecretString: secretString, VersionId: 'v1' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = createSecretsManagerClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  source = signedSecretSource({ client });
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
    const store = secretCredentialStore({ source, secretId: 'rotating' });
    expect(await store.accepted()).toEqual([
      { username: 'u1', password: 'p1' },
      { username: 'u2', password: 'p2' },
    ]);
  });

  it('caches across calls and refreshes at most once per interval when asked', async () => {
    secretString = JSON.stringify({ username: 'u1', password: 'p1' });
    const store = secretCredentialStore({ source, secretId: 'cached', minRefreshIntervalMs: 60_000 });
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
    const store = secretCredentialStore({ source, secretId: 'malformed' });
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
    await expect(secretCredentialStore({ source, secretId: 'half' }).accepted()).rejects.toThrow(/set together/);
  });
});

describe('secretAdminTokenSource', () => {
  it('accepts the token and the secondary token', async () => {
    secretString = JSON.stringify({ token: 't1', secondaryToken: 't2' });
    expect(await secretAdminTokenSource({ source, secretId: 'admin' }).accepted()).toEqual(['t1', 't2']);
  });
});

describe('signedSecretSource', () => {
  it('sends GetSecretValue signed with SigV4 for secretsmanager', async () => {
    secretString = 'plain';
    expect(await source.readSecretString('arn:aws:secretsmanager:us-east-1:000000000000:secret:webhook')).toBe('plain');
    expect(lastHeaders['x-amz-target']).toBe('secretsmanager.GetSecretValue');
    expect(lastHeaders['content-type']).toBe('application/x-amz-json-1.1');
    expect(String(lastHeaders.authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=local\/\d{8}\/us-east-1\/secretsmanager\/aws4_request/);
  });

  it('fails with the error type, never the body, when Secrets Manager refuses', async () => {
    const error = await source.readSecretString('missing').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SecretReadError);
    expect((error as Error).message).toBe('GetSecretValue of missing failed with HTTP 400 (ResourceNotFoundException)');
  });
});
