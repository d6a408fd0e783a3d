import { createHash, timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { BearerUnauthorizedError, UnavailableError } from '../shared/errors.ts';
import { headerValue } from '../shared/http.ts';

/** Where the accepted admin tokens come from (a Secrets Manager secret in AWS, `ADMIN_TOKEN` locally). */
export interface AdminTokenSource {
  /** The tokens accepted right now (one, or two while a token is being rotated). */
  accepted(options?: { readonly refresh?: boolean }): Promise<readonly string[]>;
}

export const staticAdminTokenSource = (tokens: readonly string[]): AdminTokenSource => {
  if (tokens.length === 0 || tokens.some((token) => token.trim() === '')) {
    throw new Error('staticAdminTokenSource needs at least one non-empty token');
  }
  return { accepted: async () => tokens };
};

const BEARER_PREFIX = /^bearer\s+/i;
/** Far above any generated token, small enough to refuse abuse cheaply. */
const MAX_HEADER_LENGTH = 4096;

/** Reads `Authorization: Bearer <token>`; throws `BearerUnauthorizedError` with a reason a person can act on. */
export const parseBearerToken = (header: string | undefined): string => {
  if (header === undefined || header.trim() === '') {
    throw new BearerUnauthorizedError('Authorization header is missing: send "Authorization: Bearer <admin token>".');
  }
  if (header.length > MAX_HEADER_LENGTH || !BEARER_PREFIX.test(header)) {
    throw new BearerUnauthorizedError('Authorization header must use the Bearer scheme with the relay admin token.');
  }
  const token = header.replace(BEARER_PREFIX, '').trim();
  if (token === '' || /\s/.test(token)) {
    throw new BearerUnauthorizedError('Authorization header is not a valid Bearer token.');
  }
  return token;
};

/**
 * Compares against every accepted token without stopping early, on fixed-size
 * digests, so neither where a guess goes wrong nor the token's length shows in
 * the timing.
 */
export const matchesAnyAdminToken = (given: string, accepted: readonly string[]): boolean => {
  const givenDigest = digest(given);
  let matched = false;
  for (const token of accepted) matched = timingSafeEqual(givenDigest, digest(token)) || matched;
  return matched;
};

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Checks the admin token before anything else of the request is looked at.
 * Throws 401, or 503 when the accepted tokens cannot be read.
 */
export const authenticateAdmin = async (event: APIGatewayProxyEventV2, source: AdminTokenSource): Promise<void> => {
  const given = parseBearerToken(headerValue(event.headers, 'authorization'));
  let accepted: readonly string[];
  try {
    accepted = await source.accepted();
    // A miss may mean the token was just rotated: look once more before refusing.
    if (!matchesAnyAdminToken(given, accepted)) accepted = await source.accepted({ refresh: true });
  } catch (error) {
    throw new UnavailableError('The admin token could not be read; retry later.', { cause: error });
  }
  if (!matchesAnyAdminToken(given, accepted)) {
    throw new BearerUnauthorizedError('The admin token is wrong: use the token from the relay admin secret.');
  }
};
