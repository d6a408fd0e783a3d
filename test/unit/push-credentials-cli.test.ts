import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPushCredentials } from '../../scripts/push-credentials.ts';
import { apnsCredential, pkcs8Pem, serviceAccountJson } from '../fixtures/push-credentials.ts';

/**
 * The command's local checks, one test per rule. Every bad input exits 2 with
 * one line and writes nothing: the commands point at a local relay that does
 * not exist, so any attempt to write would end in exit 1 instead.
 */
const dir = mkdtempSync(join(tmpdir(), 'push-credentials-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const NOWHERE = ['--url', 'http://127.0.0.1:9'];

const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const run = async (argv: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runPushCredentials([...argv, ...NOWHERE], { out: (line) => out.push(line), err: (line) => err.push(line) }, {});
  return { code, out: out.join('\n'), err: err.join('\n') };
};

const fcm = (text: string) => run(['fcm', '--service-account', file(`sa-${Math.random()}.json`, text)]);
const APNS_KEY = pkcs8Pem('p256');
const apns = (overrides: { p8?: string; keyId?: string; teamId?: string; bundleId?: string } = {}) =>
  run([
    'apns',
    '--p8',
    file(`key-${Math.random()}.p8`, overrides.p8 ?? APNS_KEY),
    '--key-id',
    overrides.keyId ?? 'ABC123DEFG',
    '--team-id',
    overrides.teamId ?? 'TEAM123456',
    '--bundle-id',
    overrides.bundleId ?? 'com.example.app',
  ]);

const expectRefused = (result: { code: number; out: string; err: string }, reason: RegExp) => {
  expect(result.code).toBe(2);
  expect(result.out).toBe('');
  expect(result.err.split('\n')).toHaveLength(1);
  expect(result.err).toMatch(reason);
  expect(result.err).toMatch(/Nothing was written\.$/);
  expect(result.err).not.toContain('PRIVATE KEY');
};

describe('npm run push-credentials: service account checks', () => {
  it('refuses a file that is not JSON', async () => {
    expectRefused(await fcm('not json'), /--service-account .*: the service-account key is not JSON/);
  });
  it('refuses a "type" other than service_account', async () => {
    expectRefused(await fcm(serviceAccountJson({ type: 'authorized_user' })), /"type" must be "service_account"/);
  });
  it('refuses a key without project_id', async () => {
    expectRefused(await fcm(serviceAccountJson({ project_id: undefined })), /"project_id" is missing/);
  });
  it('refuses a client_email that is not an email address', async () => {
    expectRefused(await fcm(serviceAccountJson({ client_email: 'relay' })), /"client_email" must be the service account's email address/);
  });
  it('refuses a private_key that is not a PEM key that parses', async () => {
    expectRefused(
      await fcm(serviceAccountJson({ private_key: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' })),
      /"private_key" must be a PEM private key/,
    );
  });
  it('refuses a file that cannot be read', async () => {
    const result = await run(['fcm', '--service-account', join(dir, 'missing.json')]);
    expectRefused(result, /--service-account .*missing\.json: cannot be read \(no such file\)/);
  });
  it('accepts a good key and goes on to store it (here: no local relay answers, exit 1)', async () => {
    const result = await fcm(serviceAccountJson());
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/No local relay answers at http:\/\/127\.0\.0\.1:9/);
  });
});

describe('npm run push-credentials: APNs key checks', () => {
  it('refuses a .p8 that is not a PKCS#8 EC P-256 key (an RSA key)', async () => {
    expectRefused(await apns({ p8: pkcs8Pem('rsa') }), /--p8 .*: must be the contents of the \.p8 file: a PKCS#8 EC P-256 private key/);
  });
  it('refuses an EC key on another curve (P-384)', async () => {
    expectRefused(await apns({ p8: pkcs8Pem('p384') }), /PKCS#8 EC P-256/);
  });
  it('refuses a key id that is not 10 characters', async () => {
    expectRefused(await apns({ keyId: 'ABC123' }), /--key-id must be the 10-character key id/);
  });
  it('refuses a team id that is not 10 characters', async () => {
    expectRefused(await apns({ teamId: 'TEAM' }), /--team-id must be your 10-character Apple team id/);
  });
  it('refuses a bundle id that is not reverse-DNS', async () => {
    expectRefused(await apns({ bundleId: 'myapp' }), /--bundle-id must be the app's reverse-DNS bundle id/);
  });
  it('accepts a good key (and tries to store it)', async () => {
    expect((await apns()).code).toBe(1);
    expect(apnsCredential().keyId).toBe('ABC123DEFG');
  });
});

describe('npm run push-credentials: command line', () => {
  it('refuses an unknown platform with the usage', async () => {
    const result = await run(['huawei']);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/Unknown platform "huawei"/);
  });
  it('refuses APNs flags for fcm', async () => {
    const result = await run(['fcm', '--key-id', 'ABC123DEFG']);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/fcm takes --service-account, not --key-id/);
  });
  it('names every missing APNs flag', async () => {
    const result = await run(['apns_voip', '--p8', 'x.p8']);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/apns_voip needs --key-id, --team-id, --bundle-id/);
  });
});
