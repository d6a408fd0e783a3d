import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BEFORE_MESSAGE_POLICY_FILE } from '../fixtures/events/events.ts';

// The Lambda adapter's cold start: environment and policy file are read once,
// at import, and a mistake fails the import (the init) instead of a request.
const importHandler = () => import('../../functions/before-message/handler.ts');

const ENV = {
  WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:webhook',
  MAX_BODY_BYTES: '262144',
};

describe('before-message Lambda adapter', () => {
  beforeEach(() => {
    vi.resetModules();
    for (const [name, value] of Object.entries(ENV)) vi.stubEnv(name, value);
  });

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('starts with the default policy when POLICY_FILE is not set', async () => {
    const { handler } = await importHandler();
    expect(handler).toBeTypeOf('function');
  });

  it('starts with the policy file it is given', async () => {
    vi.stubEnv('POLICY_FILE', fileURLToPath(BEFORE_MESSAGE_POLICY_FILE));
    await expect(importHandler()).resolves.toHaveProperty('handler');
  });

  it('resolves a relative POLICY_FILE against the bundle root (LAMBDA_TASK_ROOT)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'before-message-'));
    writeFileSync(join(root, 'policy.json'), JSON.stringify({ version: 1, blockedWords: ['x'] }));
    vi.stubEnv('LAMBDA_TASK_ROOT', root);
    vi.stubEnv('POLICY_FILE', 'policy.json');
    await expect(importHandler()).resolves.toHaveProperty('handler');
  });

  it('fails the cold start on an invalid policy file, naming every problem', async () => {
    const root = mkdtempSync(join(tmpdir(), 'before-message-'));
    const file = join(root, 'policy.json');
    writeFileSync(file, JSON.stringify({ version: 1, blockedWord: ['x'], blockedPatterns: ['(unclosed'] }));
    vi.stubEnv('POLICY_FILE', file);
    const failure = importHandler();
    await expect(failure).rejects.toThrow(/is invalid \(2 problems\)/);
    await expect(failure).rejects.toThrow(/blockedWord: is not a known key/);
    await expect(failure).rejects.toThrow(/blockedPatterns\[0\]: is not a valid regular expression/);
  });

  it('fails the cold start when the policy file is missing', async () => {
    vi.stubEnv('POLICY_FILE', '/nonexistent/policy.json');
    await expect(importHandler()).rejects.toThrow(/Cannot read policy file \/nonexistent\/policy.json/);
  });

  it('fails the cold start when a variable is missing', async () => {
    vi.stubEnv('WEBHOOK_SECRET_ARN', '');
    await expect(importHandler()).rejects.toThrow(/Invalid function environment: WEBHOOK_SECRET_ARN/);
  });
});
