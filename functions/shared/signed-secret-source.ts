import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import type {
  AwsCredentialIdentityProvider,
  ChecksumConstructor,
  HashConstructor,
  HttpResponse,
  Provider,
  RequestHandler,
} from '@smithy/types';
import type { SecretSource } from './ports/secret-source.ts';

/** What a signed call borrows from an SDK client the function already has (any v3 client's resolved config). */
export interface SmithyStack {
  readonly credentials: AwsCredentialIdentityProvider;
  readonly region: Provider<string>;
  readonly sha256: ChecksumConstructor | HashConstructor;
  readonly requestHandler: RequestHandler<HttpRequest, HttpResponse> | unknown;
  readonly streamCollector: (stream: unknown) => Promise<Uint8Array>;
}

export interface SignedSecretSourceOptions {
  /** An SDK client of the function (for example the ingest SQS client): its credentials, region, hashing and HTTP handler sign and send the call. */
  readonly client: { readonly config: SmithyStack };
  /** Secrets Manager's endpoint. Default: the region's public endpoint. */
  readonly endpoint?: string | undefined;
}

/** Secrets Manager answered, but not with a secret string (an error, or a binary secret). */
export class SecretReadError extends Error {
  override readonly name = 'SecretReadError';
}

const regionalEndpoint = (region: string): string =>
  `https://secretsmanager.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`;

/**
 * `GetSecretValue` as one SigV4-signed JSON 1.1 request sent through another
 * SDK client's stack, instead of a second full SDK client (the Secrets Manager
 * client and Powertools Parameters: about 17 KB of bundle and their import at
 * every cold start). The request is the one the SDK would send, so it works
 * against Secrets Manager and any emulator of its JSON protocol alike.
 */
export const signedSecretSource = ({ client, endpoint }: SignedSecretSourceOptions): SecretSource => {
  const stack = client.config;
  const handler = stack.requestHandler as RequestHandler<HttpRequest, HttpResponse>;
  let signer: SignatureV4 | undefined;
  return {
    async readSecretString(secretId, options) {
      const region = await stack.region();
      signer ??= new SignatureV4({ service: 'secretsmanager', region, credentials: stack.credentials, sha256: stack.sha256 });
      const url = new URL(endpoint ?? regionalEndpoint(region));
      const body = JSON.stringify({ SecretId: secretId });
      const request = new HttpRequest({
        method: 'POST',
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        path: url.pathname,
        headers: {
          host: url.host,
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'secretsmanager.GetSecretValue',
          'content-length': String(Buffer.byteLength(body)),
        },
        body,
      });
      const signed = (await signer.sign(request)) as HttpRequest;
      const { response } = await handler.handle(signed, options?.abortSignal ? { abortSignal: options.abortSignal } : {});
      const text = Buffer.from(await stack.streamCollector(response.body)).toString('utf8');
      if (response.statusCode !== 200) {
        // The error's type only (for example ResourceNotFoundException): never echo a body that could hold more.
        const type = /"__type"\s*:\s*"([^"]*)"/.exec(text)?.[1] ?? 'unknown error';
        throw new SecretReadError(`GetSecretValue of ${secretId} failed with HTTP ${response.statusCode} (${type.replace(/^.*#/, '')})`);
      }
      const { SecretString } = JSON.parse(text) as { SecretString?: unknown };
      if (typeof SecretString !== 'string') throw new SecretReadError(`Secret ${secretId} has no SecretString`);
      return SecretString;
    },
  };
};
