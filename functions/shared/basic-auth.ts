import { createHash, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from './errors.ts';

export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

const BASIC_PREFIX = /^basic\s+/i;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** Far above CometChat's limits (username 50, password 100) but small enough to refuse abuse cheaply. */
const MAX_HEADER_LENGTH = 1024;

/** Reads `Authorization: Basic <base64(user:password)>`; throws `UnauthorizedError` with a reason a person can act on. */
export const parseBasicAuth = (header: string | undefined): BasicCredentials => {
  if (header === undefined || header.trim() === '') {
    throw new UnauthorizedError('Authorization header is missing: configure Basic Authentication for this webhook.');
  }
  if (header.length > MAX_HEADER_LENGTH || !BASIC_PREFIX.test(header)) {
    throw new UnauthorizedError('Authorization header must use the Basic scheme.');
  }
  const encoded = header.replace(BASIC_PREFIX, '').trim();
  if (!BASE64.test(encoded) || encoded.length % 4 !== 0) {
    throw new UnauthorizedError('Authorization header is not valid Basic credentials (base64 of username:password).');
  }
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  if (separator <= 0) {
    throw new UnauthorizedError('Authorization header is not valid Basic credentials (base64 of username:password).');
  }
  return { username: decoded.slice(0, separator), password: decoded.slice(separator + 1) };
};

/**
 * Compares against every configured pair without stopping early, on fixed-size
 * digests, so neither the position of a mismatch nor the length of a secret is
 * observable in the timing.
 */
export const matchesAnyCredential = (given: BasicCredentials, accepted: readonly BasicCredentials[]): boolean => {
  const givenUser = digest(given.username);
  const givenPassword = digest(given.password);
  let matched = false;
  for (const pair of accepted) {
    const userOk = timingSafeEqual(givenUser, digest(pair.username));
    const passwordOk = timingSafeEqual(givenPassword, digest(pair.password));
    matched = (userOk && passwordOk) || matched;
  }
  return matched;
};

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

export const encodeBasicAuth = ({ username, password }: BasicCredentials): string =>
  `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
