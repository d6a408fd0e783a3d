import { randomBytes, randomUUID } from 'node:crypto';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { type EmulatorEndpoints, type RunningEmulators, type StartEmulatorsOptions, startEmulators } from '../../../lib/local/emulators.ts';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../../lib/local/local-stack.ts';
import type { PublishedMessage } from '../../../lib/local/sns-emulator.ts';
import { type SnsEmulatorControls, snsEmulatorClient } from '../../../lib/local/sns-emulator-client.ts';
import { type SeedName, seed } from '../../fixtures/seeds.ts';
import { TEST_CREDENTIALS } from '../../support/http.ts';
import { LOADED_MACHINE_INGEST_BUDGET } from '../../support/ingest-budget.ts';
import { sqsClientFor } from '../../support/queues.ts';
import { waitFor as pollingWaitFor } from '../../support/polling.ts';

// What every reliability test file starts from: emulators of its own (aws-ses-v2-local keeps one store per
// process, and some tests stop or front an emulator), and the whole local stack on them with a short
// visibility timeout, so that retries and dead letters happen within seconds.

export { holdsFor } from '../../support/polling.ts';
export { type QueueCounts, queueCounts } from '../../support/queues.ts';

export const ADMIN_TOKEN = 'reliability-admin-token-0123456789';

export interface Relay {
  readonly stack: LocalStack;
  readonly emulators: RunningEmulators;
  /** Straight to fauxqs (not through any proxy the test put in front of it). */
  readonly sqs: SQSClient;
  readonly sns: SnsEmulatorControls;
  stop(): Promise<void>;
}

export interface StartRelayOptions {
  readonly stack?: Partial<LocalStackOptions>;
  /** Where the stack's clients go instead of the emulators themselves (a proxy in front of one of them). */
  readonly route?: (endpoints: EmulatorEndpoints) => EmulatorEndpoints | Promise<EmulatorEndpoints>;
  /** How the emulators start (the send rates they enforce). */
  readonly emulators?: StartEmulatorsOptions;
}

export const startRelay = async ({
  stack: stackOptions = {},
  route = (endpoints) => endpoints,
  emulators: emulatorOptions = {},
}: StartRelayOptions = {}): Promise<Relay> => {
  const emulators = await startEmulators(emulatorOptions);
  try {
    const stack = await startLocalStack({
      port: 0,
      emulators: await route(emulators.endpoints),
      resourcePrefix: `reliability-${randomUUID().slice(0, 8)}`,
      visibilityTimeoutSeconds: 1,
      webhookCredentials: [TEST_CREDENTIALS],
      adminTokens: [ADMIN_TOKEN],
      ingestBudget: LOADED_MACHINE_INGEST_BUDGET,
      ...stackOptions,
    });
    const sqs = sqsClientFor(emulators.endpoints.sqs);
    return {
      stack,
      emulators,
      sqs,
      sns: snsEmulatorClient(emulators.endpoints.sns),
      async stop() {
        sqs.destroy();
        await stack.stop();
        await emulators.stop();
      },
    };
  } catch (error) {
    await emulators.stop();
    throw error;
  }
};

/** An Android device for `uid`, registered through the directory API as the app's backend would; answers its endpoint ARN. */
export const registerDevice = async (stack: LocalStack, uid: string): Promise<string> => {
  const response = await fetch(`${stack.directoryUrl}/${encodeURIComponent(uid)}/devices/phone`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      platform: 'fcm',
      token: `${randomBytes(8).toString('hex')}:APA91b${randomBytes(96).toString('base64url')}`,
    }),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`PUT device of ${uid} answered ${response.status}: ${text}`);
  return (JSON.parse(text) as { endpointArn: string }).endpointArn;
};

/** `count` members, each with a device: uid → endpoint ARN, and back. */
export const registerMembers = async (stack: LocalStack, name: string, count: number) => {
  const uids = Array.from({ length: count }, (_, index) => `${name}-${index}-${randomUUID().slice(0, 6)}`);
  const arns = await Promise.all(uids.map((uid) => registerDevice(stack, uid)));
  return {
    uids,
    arnOf: new Map(uids.map((uid, index) => [uid, arns[index] as string])),
    uidOf: new Map(arns.map((arn, index) => [arn, uids[index] as string])),
  };
};

/** A seed sample addressed to `uid`, made a notification of its own with `tag` (push) or message ids (SMS, email). */
export const notificationFor = (name: SeedName, uid: string, tag: string): Record<string, any> => {
  const payload = seed(name);
  payload.data.to.uid = uid;
  if (payload.data.notificationDetails) payload.data.notificationDetails.tag = tag;
  for (const message of (payload.data.messages ?? []) as Array<{ messageObject?: { id?: string } }>) {
    if (message.messageObject) message.messageObject.id = `${tag}-${randomUUID().slice(0, 8)}`;
  }
  return payload;
};

/** How many pushes each endpoint received, counted at the SNS emulator. */
export const pushCounts = (published: readonly PublishedMessage[]): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const message of published) {
    if (message.kind === 'push' && message.targetArn) counts.set(message.targetArn, (counts.get(message.targetArn) ?? 0) + 1);
  }
  return counts;
};

/**
 * `waitFor` with the longer deadline these tests need (outages, throttling, 5 receives to a DLQ), at
 * least a minute: a deadline only ends a failing test, and a busy machine must not fail a passing one.
 */
export const waitFor = <T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: { timeoutMs?: number; intervalMs?: number; what: string },
): Promise<T> => pollingWaitFor(probe, { ...options, timeoutMs: Math.max(60_000, options.timeoutMs ?? 0) });
