import { describe, expect, it, vi } from 'vitest';
import {
  type AdminTokenSource,
  authenticateAdmin,
  matchesAnyAdminToken,
  parseBearerToken,
  staticAdminTokenSource,
} from '../../functions/directory/admin-auth.ts';
import { BearerUnauthorizedError, UnavailableError } from '../../functions/shared/errors.ts';
import { apiEvent } from '../support/api-event.ts';

const TOKEN = 'relay-admin-0123456789abcdef';

describe('parseBearerToken', () => {
  it.each([
    ['Bearer abc.def', 'abc.def'],
    ['bearer abc', 'abc'],
    ['BEARER   abc  ', 'abc'],
    [`Bearer ${TOKEN}`, TOKEN],
  ])('reads %j', (header, token) => {
    expect(parseBearerToken(header)).toBe(token);
  });

  it.each([
    ['missing', undefined, /missing/],
    ['empty', '   ', /missing/],
    ['Basic scheme', 'Basic dXNlcjpwYXNz', /Bearer scheme/],
    ['no scheme', TOKEN, /Bearer scheme/],
    ['scheme without token', 'Bearer ', /Bearer scheme|not a valid/],
    ['two words', 'Bearer abc def', /not a valid/],
    ['absurdly long', `Bearer ${'x'.repeat(5000)}`, /Bearer scheme/],
  ])('refuses %s with a 401 that names the Bearer realm', (_name, header, message) => {
    const error = (() => {
      try {
        parseBearerToken(header);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(BearerUnauthorizedError);
    const refused = error as BearerUnauthorizedError;
    expect(refused.status).toBe(401);
    expect(refused.code).toBe('unauthorized');
    expect(refused.message).toMatch(message);
    expect(refused.headers()).toEqual({ 'www-authenticate': 'Bearer realm="cometchat-relay"' });
  });
});

describe('matchesAnyAdminToken', () => {
  it('matches only an exact token, of any accepted one', () => {
    expect(matchesAnyAdminToken(TOKEN, [TOKEN])).toBe(true);
    expect(matchesAnyAdminToken(TOKEN, ['old-token', TOKEN])).toBe(true);
    expect(matchesAnyAdminToken(`${TOKEN}x`, [TOKEN])).toBe(false);
    expect(matchesAnyAdminToken(TOKEN.slice(0, -1), [TOKEN])).toBe(false);
    expect(matchesAnyAdminToken(TOKEN.toUpperCase(), [TOKEN])).toBe(false);
    expect(matchesAnyAdminToken('', [TOKEN])).toBe(false);
  });
});

describe('authenticateAdmin', () => {
  const withAuthorization = (authorization?: string) =>
    apiEvent({ routeKey: 'GET /users/{uid}/devices', headers: authorization === undefined ? {} : { authorization } });

  it('accepts the current token', async () => {
    await expect(authenticateAdmin(withAuthorization(`Bearer ${TOKEN}`), staticAdminTokenSource([TOKEN]))).resolves.toBeUndefined();
  });

  it('looks the tokens up again after a miss, so a freshly rotated token works', async () => {
    // Prepare
    const accepted = vi.fn<AdminTokenSource['accepted']>().mockResolvedValueOnce(['old']).mockResolvedValueOnce(['old', TOKEN]);

    // Act
    await authenticateAdmin(withAuthorization(`Bearer ${TOKEN}`), { accepted });

    // Assess
    expect(accepted).toHaveBeenNthCalledWith(2, { refresh: true });
  });

  it('refuses a wrong token with 401 before anything else is read', async () => {
    const accepted = vi.fn<AdminTokenSource['accepted']>().mockResolvedValue([TOKEN]);
    await expect(authenticateAdmin(withAuthorization('Bearer nope'), { accepted })).rejects.toBeInstanceOf(BearerUnauthorizedError);
  });

  it('does not consult the token source at all for a malformed header', async () => {
    const accepted = vi.fn<AdminTokenSource['accepted']>().mockResolvedValue([TOKEN]);
    await expect(authenticateAdmin(withAuthorization('Basic abc'), { accepted })).rejects.toBeInstanceOf(BearerUnauthorizedError);
    expect(accepted).not.toHaveBeenCalled();
  });

  it('answers 503 when the tokens cannot be read', async () => {
    const accepted = vi.fn<AdminTokenSource['accepted']>().mockRejectedValue(new Error('secrets manager down'));
    await expect(authenticateAdmin(withAuthorization(`Bearer ${TOKEN}`), { accepted })).rejects.toBeInstanceOf(UnavailableError);
  });

  it('refuses to be configured without a token', () => {
    expect(() => staticAdminTokenSource([])).toThrow();
    expect(() => staticAdminTokenSource([''])).toThrow();
  });
});
