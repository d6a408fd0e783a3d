import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../lib/local/local-stack.ts';
import { moveDeadLetters, runRedrive } from '../../scripts/redrive.ts';
import { seed } from '../fixtures/seeds.ts';
import { directoryApi, fcmToken, freshUid, publishesTo, queueCounts, waitFor } from '../support/delivery.ts';
import { TEST_CREDENTIALS } from '../support/http.ts';
import { sqsClientFor } from '../support/queues.ts';
import { LOADED_MACHINE_INGEST_BUDGET } from '../support/ingest-budget.ts';
import { snsEmulatorClient } from '../../lib/local/sns-emulator-client.ts';

// npm run redrive and npm run send against a local stack: the exported functions, and each script once as
// the process a developer runs (through package.json, so the script entries are tested too).

const emulators = inject('emulators');
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ADMIN_TOKEN = 'scripts-admin-token-0123456789';
const sns = snsEmulatorClient(emulators.sns);
let stack: LocalStack;
let sqs: SQSClient;

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    emulators,
    resourcePrefix: `scripts-${randomUUID().slice(0, 8)}`,
    visibilityTimeoutSeconds: 1,
    webhookCredentials: [TEST_CREDENTIALS],
    adminTokens: [ADMIN_TOKEN],
    ingestBudget: LOADED_MACHINE_INGEST_BUDGET,
  });
  sqs = sqsClientFor(emulators.sqs);
});

afterAll(async () => {
  sqs?.destroy();
  await stack?.stop();
});

const npmRun = async (script: string, args: readonly string[]) => {
  try {
    const { stdout, stderr } = await promisify(execFile)('npm', ['run', '--silent', script, '--', ...args], {
      cwd: ROOT,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      timeout: 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
};

/** A push for `uid` as ingest enqueues it, put straight into the push DLQ (as if it had failed five times). */
const deadLetterPush = async (uid: string, tag: string, key: string = tag) => {
  const payload = seed('push-chat');
  payload.data.to.uid = uid;
  payload.data.notificationDetails.tag = tag;
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: stack.queues.push.deadLetterUrl,
      MessageBody: JSON.stringify(payload),
      MessageAttributes: {
        channel: { DataType: 'String', StringValue: 'push' },
        idempotencyKey: { DataType: 'String', StringValue: `push:redrive-${uid}-${key}` },
        correlationId: { DataType: 'String', StringValue: tag },
      },
    }),
  );
};

const deviceFor = async (uid: string) =>
  directoryApi(stack.directoryUrl, ADMIN_TOKEN).registerDevice(uid, 'pixel', 'fcm', fcmToken());

describe('npm run redrive', () => {
  it('moves every message of a local DLQ back to its queue, attributes included (exported function)', async () => {
    // Prepare: two dead letters share an idempotency key (a CometChat retry of one notification), a third has its own.
    const uid = freshUid('redrive');
    const device = await deviceFor(uid);
    await deadLetterPush(uid, `a-${uid}`, 'same');
    await deadLetterPush(uid, `b-${uid}`, 'same');
    await deadLetterPush(uid, `c-${uid}`);
    const lines: string[] = [];

    // Act
    const result = await moveDeadLetters({
      sqs,
      queueUrl: stack.queues.push.url,
      deadLetterUrl: stack.queues.push.deadLetterUrl,
      log: (line) => lines.push(line),
    });

    // Assess: the emulator has no move tasks, so they went one by one, and it said so.
    expect(result).toEqual({ method: 'receive-send-delete', moved: 3, failed: 0 });
    expect(lines.join('\n')).toContain('moving the messages one by one');
    await stack.idle();
    expect(await queueCounts(sqs, stack.queues.push.deadLetterUrl)).toEqual({ visible: 0, inFlight: 0 });
    // Two pushes, not three: the moved messages kept their idempotency keys, so the retry was recognised.
    expect(await publishesTo(sns, [device.endpointArn])).toHaveLength(2);
  });

  it('redrives a channel through runRedrive --url, and the redriven pushes are delivered', async () => {
    // Prepare
    const uid = freshUid('redrive-run');
    const device = await deviceFor(uid);
    await deadLetterPush(uid, `r1-${uid}`);
    await deadLetterPush(uid, `r2-${uid}`);
    const out: string[] = [];

    // Act
    const code = await runRedrive(['push', '--url', stack.url], { out: (line) => out.push(line), err: (line) => out.push(line) });

    // Assess
    expect(code).toBe(0);
    expect(out.at(-1)).toBe('Moved 2 message(s) back.');
    await waitFor(async () => (await publishesTo(sns, [device.endpointArn])).length === 2, { what: 'both pushes' });
  });

  it('runs as a process against the local stack: npm run redrive -- push --url <local relay>', async () => {
    // Prepare
    const uid = freshUid('redrive-process');
    const device = await deviceFor(uid);
    await deadLetterPush(uid, `p1-${uid}`);

    // Act
    const { code, stdout, stderr } = await npmRun('redrive', ['push', '--url', stack.url]);

    // Assess
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('Moved 1 message(s) back.');
    await waitFor(async () => (await publishesTo(sns, [device.endpointArn])).length === 1, { what: 'the redriven push' });
  });

  it('exits 2 with the usage, and no stack trace, on a bad queue name', async () => {
    const { code, stdout, stderr } = await npmRun('redrive', ['pigeon']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('Unknown queue "pigeon"');
    expect(stderr).toContain('Usage: npm run redrive');
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});

describe('npm run send', () => {
  it('posts a sample to the local stack: 200, and the push lands on the recipient device', async () => {
    // Prepare
    const uid = freshUid('send');
    const device = await deviceFor(uid);

    // Act
    const { code, stdout } = await npmRun('send', [
      'push-chat',
      '--url',
      stack.url,
      '--user',
      TEST_CREDENTIALS.username,
      '--password',
      TEST_CREDENTIALS.password,
      '--uid',
      uid,
    ]);

    // Assess
    expect(code).toBe(0);
    expect(stdout).toContain(`POST ${stack.url}/cometchat/push`);
    expect(stdout).toMatch(/^200$/m);
    expect(stdout).toContain('"status": "accepted"');
    const [published] = await waitFor(
      async () => {
        const pushes = await publishesTo(sns, [device.endpointArn]);
        return pushes.length > 0 ? pushes : undefined;
      },
      { what: 'the push' },
    );
    expect(published?.deliveredMessage).toContain('Andrew Joseph');
  });

  it('exits 1 and prints the refusal when the credentials are wrong', async () => {
    const { code, stdout } = await npmRun('send', ['sms-group', '--url', stack.url, '--user', 'nobody', '--password', 'wrong']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^401$/m);
    expect(stdout).toContain('"error": "unauthorized"');
  });
});
