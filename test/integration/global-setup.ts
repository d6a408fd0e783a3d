import type { TestProject } from 'vitest/node';
import { type RunningEmulators, startEmulators } from '../../lib/local/emulators.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    emulators: { dynamodb: string; sqs: string; ses: string; sns: string; secretsmanager: string };
  }
}

let running: RunningEmulators | undefined;

/** Starts the emulators once for the whole integration run, on free ports of 127.0.0.1. */
export async function setup(project: TestProject): Promise<void> {
  running = await startEmulators();
  project.provide('emulators', { ...running.endpoints });
}

export async function teardown(): Promise<void> {
  await running?.stop();
}
