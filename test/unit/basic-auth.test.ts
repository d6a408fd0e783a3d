import { describe, expect, it } from 'vitest';
import { encodeBasicAuth, matchesAnyCredential, parseBasicAuth } from '../../functions/shared/basic-auth.ts';
import { UnauthorizedError } from '../../functions/shared/errors.ts';

const PRIMARY = { username: 'cometchatrelay', password: 'Pa55wordFromSecret' };
const SECONDARY = { username: 'rotated', password: 'NextPassword42' };

describe('parseBasicAuth', () => {
  it('decodes username and password, keeping colons in the password', () => {
    expect(parseBasicAuth(encodeBasicAuth({ username: 'u', password: 'a:b:c' }))).toEqual({ username: 'u', password: 'a:b:c' });
  });

  it('accepts the scheme in any case', () => {
    const header = encodeBasicAuth(PRIMARY).replace('Basic', 'bAsIc');
    expect(parseBasicAuth(header)).toEqual(PRIMARY);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['bearer scheme', 'Bearer abc.def'],
    ['scheme only', 'Basic'],
    ['not base64', 'Basic !!!not-base64!!!'],
    ['base64 without a colon', `Basic ${Buffer.from('nocolon').toString('base64')}`],
    ['empty username', `Basic ${Buffer.from(':password').toString('base64')}`],
    ['bad padding', 'Basic YWJj=ZGVm'],
    ['absurdly long', `Basic ${'A'.repeat(5000)}`],
  ])('rejects a %s header with UnauthorizedError', (_name, header) => {
    expect(() => parseBasicAuth(header)).toThrow(UnauthorizedError);
  });
});

describe('matchesAnyCredential', () => {
  it('accepts both active pairs', () => {
    expect(matchesAnyCredential(PRIMARY, [PRIMARY, SECONDARY])).toBe(true);
    expect(matchesAnyCredential(SECONDARY, [PRIMARY, SECONDARY])).toBe(true);
  });

  it.each([
    ['wrong password', { username: PRIMARY.username, password: 'wrong' }],
    ['wrong username', { username: 'other', password: PRIMARY.password }],
    ['pairs crossed', { username: PRIMARY.username, password: SECONDARY.password }],
    ['password prefix', { username: PRIMARY.username, password: PRIMARY.password.slice(0, -1) }],
    ['different case', { username: PRIMARY.username.toUpperCase(), password: PRIMARY.password }],
  ])('rejects %s', (_name, given) => {
    expect(matchesAnyCredential(given, [PRIMARY, SECONDARY])).toBe(false);
  });
});
