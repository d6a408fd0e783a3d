import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import * as z from 'zod';

/**
 * The few Secrets Manager actions the relay's tools use (CreateSecret,
 * PutSecretValue, GetSecretValue, DescribeSecret), spoken to by the real
 * `@aws-sdk/client-secrets-manager` over its JSON protocol: the local stack's
 * platform applications read their push credentials through it exactly as the
 * deployed function does, and `npm run push-credentials -- ... --local`
 * writes them. Secrets are found by name or ARN, as in AWS; the ARN ends in
 * six random characters, as in AWS.
 *
 * With a data file, secrets survive a restart (the file is written with mode
 * 0600: it holds local credentials in clear, like any local keychain file).
 */

export interface SecretsEmulator {
  /** Base URL to give `SecretsManagerClient` as `endpoint`. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

export interface SecretsEmulatorOptions {
  readonly host?: string;
  readonly port?: number;
  readonly region?: string;
  /** JSON file the secrets are kept in; in memory when absent. */
  readonly dataFile?: string;
}

const StoredSecretSchema = z.object({ name: z.string(), arn: z.string(), value: z.string(), versionId: z.string(), createdAt: z.number() });
type StoredSecret = z.infer<typeof StoredSecretSchema>;
const StoreSchema = z.object({ secrets: z.array(StoredSecretSchema) });

const ACCOUNT = '000000000000';
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const MAX_BODY_BYTES = 256 * 1024;

class SecretsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const notFound = () => new SecretsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");

const loadStore = (file: string | undefined): StoredSecret[] => {
  if (!file || !existsSync(file)) return [];
  const parsed = StoreSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`The Secrets Manager emulator data file ${file} has an unexpected shape; delete it to start fresh.`);
  return parsed.data.secrets;
};

export const startSecretsEmulator = async ({
  host = '127.0.0.1',
  port = 0,
  region = 'us-east-1',
  dataFile,
}: SecretsEmulatorOptions = {}): Promise<SecretsEmulator> => {
  const secrets = new Map(loadStore(dataFile).map((secret) => [secret.name, secret]));
  const save = () => {
    if (!dataFile) return;
    mkdirSync(dirname(dataFile), { recursive: true });
    const temporary = `${dataFile}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify({ secrets: [...secrets.values()] }), { mode: 0o600 });
    renameSync(temporary, dataFile);
  };
  const find = (secretId: unknown): StoredSecret => {
    if (typeof secretId !== 'string') throw new SecretsError('InvalidParameterException', 'SecretId is required.');
    const secret = secrets.get(secretId) ?? [...secrets.values()].find((candidate) => candidate.arn === secretId);
    if (!secret) throw notFound();
    return secret;
  };
  const secretStringOf = (input: Record<string, unknown>): string => {
    if (typeof input.SecretString !== 'string' || input.SecretString === '') {
      throw new SecretsError('InvalidParameterException', 'You must provide either SecretString or SecretBinary.');
    }
    return input.SecretString;
  };

  const actions: Record<string, (input: Record<string, unknown>) => unknown> = {
    CreateSecret: (input) => {
      const name = input.Name;
      if (typeof name !== 'string' || !SECRET_NAME.test(name)) {
        throw new SecretsError('InvalidParameterException', 'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!');
      }
      if (secrets.has(name)) throw new SecretsError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
      const secret: StoredSecret = {
        name,
        arn: `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:${name}-${randomBytes(3).toString('hex')}`,
        value: secretStringOf(input),
        versionId: randomUUID(),
        createdAt: Date.now() / 1000,
      };
      secrets.set(name, secret);
      save();
      return { ARN: secret.arn, Name: name, VersionId: secret.versionId };
    },
    PutSecretValue: (input) => {
      const secret = find(input.SecretId);
      const updated = { ...secret, value: secretStringOf(input), versionId: randomUUID() };
      secrets.set(secret.name, updated);
      save();
      return { ARN: updated.arn, Name: updated.name, VersionId: updated.versionId, VersionStages: ['AWSCURRENT'] };
    },
    GetSecretValue: (input) => {
      const secret = find(input.SecretId);
      return {
        ARN: secret.arn,
        Name: secret.name,
        SecretString: secret.value,
        VersionId: secret.versionId,
        VersionStages: ['AWSCURRENT'],
        CreatedDate: secret.createdAt,
      };
    },
    DescribeSecret: (input) => {
      const secret = find(input.SecretId);
      return { ARN: secret.arn, Name: secret.name, CreatedDate: secret.createdAt };
    },
  };

  const reply = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
    response.end(JSON.stringify(body));
  };
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    const action = target.startsWith('secretsmanager.') ? target.slice('secretsmanager.'.length) : '';
    const run = actions[action];
    if (!run) return reply(response, 400, { __type: 'UnknownOperationException', message: `Unknown operation ${target}` });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) return reply(response, 413, { __type: 'InvalidRequestException', message: 'Request too large' });
      chunks.push(chunk as Buffer);
    }
    let input: unknown;
    try {
      input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    } catch {
      return reply(response, 400, { __type: 'SerializationException', message: 'The request body is not JSON' });
    }
    try {
      return reply(response, 200, run(typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {}));
    } catch (error) {
      if (error instanceof SecretsError) return reply(response, 400, { __type: error.type, message: error.message });
      throw error;
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) reply(response, 500, { __type: 'InternalServiceError', message: 'The emulator failed' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  let stopped = false;
  return {
    endpoint: `http://${host}:${(server.address() as AddressInfo).port}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
};
