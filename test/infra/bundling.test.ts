import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultProvider, MissingEnvironmentCredentialsError } from '../../functions/shared/clients/env-credentials.ts';
import { CREDENTIAL_CHAIN_MODULE, ENV_CREDENTIALS_MODULE, RelayFunction } from '../../lib/constructs/relay-function.ts';

// Real esbuild runs through NodejsFunction (the other infra tests switch bundling off).
const outdirs: string[] = [];
afterAll(() => {
  for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
});

const bundleOf = (entry: string): string => {
  // A cloud assembly of its own per bundle: in a shared one, the first `asset.*` found could be another entry's.
  const outdir = mkdtempSync(join(tmpdir(), 'relay-bundling-'));
  outdirs.push(outdir);
  const app = new App({ outdir, builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'Bundling');
  new RelayFunction(stack, 'Ingest', {
    entry,
    description: 'bundling test',
    roleDescription: 'bundling test',
    memorySize: 512,
    timeout: Duration.seconds(5),
    environment: {},
  });
  const assembly = app.synth();
  const [asset] = readdirSync(assembly.directory).filter((name) => name.startsWith('asset.'));
  if (!asset) throw new Error('no bundled asset');
  return readFileSync(join(assembly.directory, asset, 'index.mjs'), 'utf8');
};

describe('RelayFunction bundling', () => {
  it('replaces the default credential chain by the environment provider (Lambda gives credentials in the environment)', () => {
    // A function with SDK clients (ingest has none since it signs its two calls itself).
    const bundle = bundleOf('functions/consumers/push-handler.ts');
    // What only the chain's other providers carry: process credentials, web identity, container credentials.
    for (const marker of ['credential_process', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI']) {
      expect(bundle.includes(marker), marker).toBe(false);
    }
    expect(bundle).toContain('AWS_SECRET_ACCESS_KEY');
    expect(CREDENTIAL_CHAIN_MODULE).toBe('@aws-sdk/credential-provider-node');
    expect(ENV_CREDENTIALS_MODULE).toBe('./functions/shared/clients/env-credentials.ts');
  }, 60_000);
});

describe('the ingest bundle', () => {
  it('holds no SDK client: its SendMessage and GetSecretValue are signed JSON calls (cold start)', () => {
    const bundle = bundleOf('functions/ingest/handler.ts');
    // What only the SDK's clients carry: the SQS client's other operations, the Secrets Manager client's exception type.
    for (const marker of ['DeleteMessageBatch', 'ListDeadLetterSourceQueues', 'SecretsManagerServiceException']) {
      expect(bundle.includes(marker), marker).toBe(false);
    }
    expect(bundle).toContain('AmazonSQS');
    expect(bundle).toContain('GetSecretValue');
  }, 60_000);
});

describe('the environment provider the bundles get', () => {
  const saved = { ...process.env };
  afterAll(() => {
    process.env = saved;
  });

  it('reads the role credentials Lambda puts in the environment', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    process.env.AWS_SESSION_TOKEN = 'token';
    expect(await defaultProvider()()).toEqual({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' });
  });

  it('fails with a named error, without values, when they are missing', async () => {
    delete process.env.AWS_ACCESS_KEY_ID;
    await expect(defaultProvider()()).rejects.toBeInstanceOf(MissingEnvironmentCredentialsError);
  });
});
