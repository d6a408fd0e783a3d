import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirInUseError } from '../../lib/local/data-lock.ts';
import { type LocalStack, startLocalStack } from '../../lib/local/local-stack.ts';
import { inspectQueue } from '../../lib/local/queue-snapshot.ts';
import { seed } from '../fixtures/seeds.ts';
import { postWebhook, TEST_CREDENTIALS } from '../support/http.ts';
import { waitFor } from '../support/polling.ts';
import { sqsClientFor } from '../support/queues.ts';

// What the local stack keeps in its data folder: queues and DLQs across a graceful restart (fauxqs
// holds them in memory), and one relay per folder.

const ROOT = resolve(import.meta.dirname, '../..');
const folders: string[] = [];
const dataFolder = () => {
  const folder = mkdtempSync(join(tmpdir(), 'relay-state-'));
  folders.push(folder);
  return folder;
};

afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

const startOn = (dataDir: string) =>
  startLocalStack({ port: 0, dataDir, webhookCredentials: [TEST_CREDENTIALS], consumers: false });

describe('queues across a graceful restart', () => {
  it('keeps what was queued and dead-lettered, with its attributes, and restores it once', async () => {
    const dataDir = dataFolder();
    let stack: LocalStack = await startOn(dataDir);
    const sqs = sqsClientFor(stack.endpoints.sqs);
    try {
      // Prepare: one webhook accepted (no consumers, so it waits in the queue) and one dead letter.
      const accepted = await postWebhook(stack.webhookUrls.push, seed('push-chat'));
      expect(accepted.status).toBe(200);
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: stack.queues.sms.deadLetterUrl,
          MessageBody: JSON.stringify(seed('sms-group')),
          MessageAttributes: { correlationId: { DataType: 'String', StringValue: 'kept-dead-letter' } },
        }),
      );
      const [queued] = await inspectQueue(stack.endpoints.sqs, stack.queues.push.url);

      // Act: a graceful stop, then a start on the same folder (new emulators, new ports).
      await stack.stop();
      expect(existsSync(join(dataDir, 'queues.json'))).toBe(true);
      stack = await startOn(dataDir);

      // Assess: the same bodies and attributes; the snapshot is consumed so a crash cannot restore it twice.
      const [restored, ...others] = await inspectQueue(stack.endpoints.sqs, stack.queues.push.url);
      expect(others).toEqual([]);
      expect(restored?.body).toBe(queued?.body);
      expect(restored?.messageAttributes.idempotencyKey).toEqual(queued?.messageAttributes.idempotencyKey);
      const deadLetters = await inspectQueue(stack.endpoints.sqs, stack.queues.sms.deadLetterUrl);
      expect(deadLetters.map((message) => message.messageAttributes.correlationId?.StringValue)).toEqual(['kept-dead-letter']);
      expect(existsSync(join(dataDir, 'queues.json'))).toBe(false);
    } finally {
      sqs.destroy();
      await stack.stop();
    }
  });
});

describe('one relay per data folder', () => {
  it('refuses a second relay on the same folder in one line that says how to run a second one', async () => {
    const dataDir = dataFolder();
    const stack = await startOn(dataDir);
    try {
      const second = await startOn(dataDir).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(second).toBeInstanceOf(DataDirInUseError);
      const message = (second as Error).message;
      expect(message).not.toContain('\n');
      expect(message).toContain(`Another local relay (pid ${process.pid}) is using ${dataDir}`);
      expect(message).toContain('RELAY_DATA_DIR=local-data-2 PORT=3001 npm start');
    } finally {
      await stack.stop();
    }
    // Released at stop: the folder can be used again.
    expect(existsSync(join(dataDir, 'relay.lock'))).toBe(false);
    await (await startOn(dataDir)).stop();
  });

  it('takes over a lock left by a relay that no longer runs', async () => {
    const dataDir = dataFolder();
    // Far above any pid in use here (the kernel's default pid_max is 4,194,304).
    writeFileSync(join(dataDir, 'relay.lock'), '4194000');
    const stack = await startOn(dataDir);
    await stack.stop();
  });
});

/** `npm start`'s entry point, as a developer runs it, on a folder and a free port. */
const startRelayProcess = (dataDir: string): ChildProcess & { output: () => string; errors: () => string } => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts'], {
    cwd: ROOT,
    env: { ...process.env, RELAY_DATA_DIR: dataDir, PORT: '0', POWERTOOLS_LOG_LEVEL: 'ERROR' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return Object.assign(child, { output: () => stdout, errors: () => stderr });
};

const exitOf = (child: ChildProcess) =>
  new Promise<number | null>((resolveExit) => {
    if (child.exitCode !== null) resolveExit(child.exitCode);
    else child.once('exit', (code) => resolveExit(code));
  });

describe('npm start', () => {
  it('keeps a dead letter across Ctrl-C and a second start, and a second process on the folder exits with one line', async () => {
    const dataDir = dataFolder();
    const first = startRelayProcess(dataDir);
    try {
      const url = await waitFor(() => /running locally at (http:\/\/\S+)/.exec(first.output())?.[1], {
        timeoutMs: 30_000,
        what: 'the relay to start',
      });
      expect(first.output()).toContain(`Console (live activity, previews, directory, dead letters, samples):\n  ${url}/`);
      const info = (await (await fetch(`${url}/_local/info`)).json()) as { endpoints: { sqs: string }; queues: { email: { deadLetterUrl: string } } };
      const sqs = sqsClientFor(info.endpoints.sqs);
      await sqs.send(new SendMessageCommand({ QueueUrl: info.queues.email.deadLetterUrl, MessageBody: '{"kept":"across restarts"}' }));
      sqs.destroy();

      // A second relay on the same folder: one line, exit 1, and the first one unharmed.
      const second = startRelayProcess(dataDir);
      expect(await exitOf(second)).toBe(1);
      const lines = second.errors().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/Another local relay \(pid \d+\) is using .* RELAY_DATA_DIR=local-data-2 PORT=3001 npm start$/);
      expect((await fetch(`${url}/_local/info`)).status).toBe(200);

      first.kill('SIGINT');
      expect(await exitOf(first)).toBe(0);
    } finally {
      if (first.exitCode === null) first.kill('SIGKILL');
    }

    const again = startRelayProcess(dataDir);
    try {
      const url = await waitFor(() => /running locally at (http:\/\/\S+)/.exec(again.output())?.[1], {
        timeoutMs: 30_000,
        what: 'the relay to start again',
      });
      const { queues } = (await (await fetch(`${url}/_local/dlq`)).json()) as { queues: Array<{ name: string; messages: Array<{ body: unknown }> }> };
      expect(queues.find((queue) => queue.name === 'email')?.messages.map((message) => message.body)).toEqual([{ kept: 'across restarts' }]);
      again.kill('SIGINT');
      expect(await exitOf(again)).toBe(0);
    } finally {
      if (again.exitCode === null) again.kill('SIGKILL');
    }
  }, 90_000);
});
