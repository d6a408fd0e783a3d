import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type * as z from 'zod';
import { matchesAnyCredential, parseBasicAuth } from './basic-auth.ts';
import {
  InvalidJsonError,
  InvalidPayloadError,
  type PayloadIssue,
  PayloadTooLargeError,
  UnauthorizedError,
  UnavailableError,
  UnsupportedMediaTypeError,
} from './errors.ts';
import { headerValue } from './http.ts';
import type { CredentialStore } from './ports/credential-store.ts';

/**
 * The steps every CometChat webhook route takes before it looks at what the
 * payload means (SPEC §3): Basic Auth, content type, size, decoding, JSON.
 * Shared by the ingest routes and before_message so that both answer the same
 * request with the same error, in the same order.
 */

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * Checks `Authorization: Basic` against the accepted pairs, before the body is
 * read. Throws `UnauthorizedError` (401) or, when the credentials cannot be
 * read at all, `UnavailableError` (503) so that CometChat may retry.
 */
export const authenticateWebhook = async (event: APIGatewayProxyEventV2, store: CredentialStore): Promise<void> => {
  const given = parseBasicAuth(headerValue(event.headers, 'authorization'));
  let accepted: Awaited<ReturnType<CredentialStore['accepted']>>;
  try {
    accepted = await store.accepted();
    // A miss may mean the pair was just rotated: look once more before refusing.
    if (!matchesAnyCredential(given, accepted)) accepted = await store.accepted({ refresh: true });
  } catch (error) {
    throw new UnavailableError('The webhook credentials could not be read; retry later.', { cause: error });
  }
  if (!matchesAnyCredential(given, accepted)) {
    throw new UnauthorizedError('Username or password is wrong: use the credentials from the relay secret.');
  }
};

/** The body as text: JSON content type required (415), at most `maxBodyBytes` once decoded (413), base64 decoded. */
export const readWebhookBody = (event: APIGatewayProxyEventV2, maxBodyBytes: number): string => {
  const contentType = headerValue(event.headers, 'content-type');
  if (!contentType || !JSON_MEDIA_TYPE.test(contentType)) throw new UnsupportedMediaTypeError(contentType);
  const raw = event.body ?? '';
  // Checked before decoding so an oversized body costs nothing more to refuse.
  const size = event.isBase64Encoded ? Math.floor((raw.length * 3) / 4) : Buffer.byteLength(raw, 'utf8');
  if (size > maxBodyBytes) throw new PayloadTooLargeError(maxBodyBytes);
  if (!event.isBase64Encoded) return raw;
  const bytes = Buffer.from(raw, 'base64');
  if (bytes.byteLength > maxBodyBytes) throw new PayloadTooLargeError(maxBodyBytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InvalidJsonError('Body is not valid UTF-8 text.');
  }
};

/** Parses the body text; an empty or malformed body is `invalid_json` (400). */
export const parseWebhookJson = (text: string): unknown => {
  if (text.trim() === '') throw new InvalidJsonError('Body is empty: send the CometChat webhook JSON.');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidJsonError(`Body is not valid JSON (${(error as Error).message}).`);
  }
};

/** Every CometChat webhook body is a JSON object; anything else is `invalid_payload` (400). */
export const expectJsonObject = (body: unknown): Record<string, unknown> => {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidPayloadError([{ path: '', message: 'expected a JSON object' }]);
  }
  return body as Record<string, unknown>;
};

/** A zod error as the `issues` of an `invalid_payload` answer: dotted paths, messages, no input values. */
export const toPayloadIssues = (error: z.core.$ZodError): PayloadIssue[] =>
  error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));

/** Error name and message only, for logs: an SDK error's own fields may echo request data. */
export const describeCause = (cause: unknown): { name: string; message: string } | undefined =>
  cause instanceof Error ? { name: cause.name, message: cause.message.slice(0, 300) } : undefined;
