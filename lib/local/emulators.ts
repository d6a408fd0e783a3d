import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as sesModule from 'aws-ses-v2-local';
import dynalite from 'dynalite';
import { buildApp } from 'fauxqs';
import { startSecretsEmulator } from './secrets-emulator.ts';
import { startSnsEmulator } from './sns-emulator.ts';
import { createSendRateGate, limitSesSendRate, type SendRateGate } from './send-rate-gate.ts';
import { type LocalSendRates, localSendRatesFromEnv } from './local-send-rates.ts';

// aws-ses-v2-local is CommonJS with an `exports.default`: Node hands ESM the whole exports object.
type StartSes = (config?: { host?: string; port?: number }) => Promise<Server>;
const sesExports = sesModule.default as unknown as StartSes | { default: StartSes };
const sesServer: StartSes = typeof sesExports === 'function' ? sesExports : sesExports.default;

/** Where each emulator listens; the relay's AWS SDK clients are pointed here. */
export interface EmulatorEndpoints {
  readonly dynamodb: string;
  /** fauxqs: SQS and SNS topics. */
  readonly sqs: string;
  readonly ses: string;
  /** The project's own SNS emulator: mobile push and SMS (its controls under `/_emulator/`). */
  readonly sns: string;
  /** The project's own Secrets Manager emulator: the push credentials of the local platform applications. */
  readonly secretsmanager: string;
}

export interface RunningEmulators {
  readonly endpoints: EmulatorEndpoints;
  /** The SES and SMS send rates enforced, with what each accepted and refused (local-send-rates.ts). */
  readonly sendRates: { readonly email: SendRateGate; readonly sms: SendRateGate };
  /** Stops one emulator (tests use it to simulate an outage). */
  stopSqs(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartEmulatorsOptions {
  /** Folder for data that must survive a restart (the DynamoDB directory). In memory when absent. */
  readonly dataDir?: string;
  readonly host?: string;
  /** Sends per second SES and SNS SMS accept. Default: LOCAL_SES_SEND_RATE and LOCAL_SMS_SEND_RATE, else 14 and 20. */
  readonly sendRates?: Partial<LocalSendRates>;
}

/**
 * Starts dynalite (DynamoDB), fauxqs (SQS and SNS topics), aws-ses-v2-local
 * (SES v2) and the project's SNS push/SMS emulator in this process on
 * loopback, each on a free port.
 */
export const startEmulators = async ({ dataDir, host = '127.0.0.1', sendRates }: StartEmulatorsOptions = {}): Promise<RunningEmulators> => {
  const rates = { ...localSendRatesFromEnv(), ...sendRates };
  const gates = { email: createSendRateGate(rates.email), sms: createSendRateGate(rates.sms) };
  let dynamodbPath: string | undefined;
  if (dataDir) {
    dynamodbPath = join(dataDir, 'dynamodb');
    mkdirSync(dynamodbPath, { recursive: true });
  }
  const dynamo: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(dynamodbPath ? { path: dynamodbPath } : {}) });
  await new Promise<void>((resolve, reject) => {
    dynamo.once('error', reject);
    dynamo.listen(0, host, () => resolve());
  });

  const sqs = buildApp({ logger: false });
  await sqs.listen({ host, port: 0 });

  const ses = await sesServer({ host, port: 0 });
  limitSesSendRate(ses, gates.email);

  const sns = await startSnsEmulator({ host, smsRate: gates.sms, ...(dataDir ? { dataFile: join(dataDir, 'sns.json') } : {}) });
  const secrets = await startSecretsEmulator({ host, ...(dataDir ? { dataFile: join(dataDir, 'secrets.json') } : {}) });

  const urlOf = (server: Server) => `http://${host}:${(server.address() as AddressInfo).port}`;
  let sqsStopped = false;
  const stopSqs = async () => {
    if (sqsStopped) return;
    sqsStopped = true;
    await sqs.close();
  };
  return {
    endpoints: { dynamodb: urlOf(dynamo), sqs: urlOf(sqs.server), ses: urlOf(ses), sns: sns.endpoint, secretsmanager: secrets.endpoint },
    sendRates: gates,
    stopSqs,
    async stop() {
      await Promise.all([stopSqs(), closeServer(dynamo), closeServer(ses), sns.stop(), secrets.stop()]);
    },
  };
};

const closeServer = (server: Server) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
