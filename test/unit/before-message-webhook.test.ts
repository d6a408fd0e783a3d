import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  BEFORE_MESSAGE_PATH,
  beforeMessageLambdaRoute,
  createBeforeMessageHandler,
} from '../../functions/before-message/before-message-webhook.ts';
import type { Decision } from '../../functions/policy/decide.ts';
import { type CompiledPolicy, DEFAULT_POLICY, parsePolicy } from '../../functions/policy/policy-schema.ts';
import { encodeBasicAuth } from '../../functions/shared/basic-auth.ts';
import type { CredentialStore } from '../../functions/shared/ports/credential-store.ts';
import { logger } from '../../functions/shared/powertools.ts';
import { apiEvent } from '../support/api-event.ts';

// The before_message HTTP contract with in-memory credentials and a policy
// built in the test; the same handler is served over HTTP in
// test/integration/before-message.test.ts.
const PAIR = { username: 'cometchatrelay', password: 'secret1' };
const AUTH = encodeBasicAuth(PAIR);

const POLICY = parsePolicy({
  version: 1,
  revision: 'unit',
  blockedWords: ['badword'],
  blockedSenders: ['known-spammer'],
  maxTextLength: 50,
  flags: { containsLink: true },
});

const fixture = (name: string): Record<string, any> =>
  JSON.parse(readFileSync(new URL(`../fixtures/policy/${name}.json`, import.meta.url), 'utf8'));

const withText = (text: string) => {
  const payload = fixture('before-message-text-user');
  payload.data.data.text = text;
  return payload;
};

const setup = (
  overrides: {
    credentials?: CredentialStore;
    policy?: CompiledPolicy;
    appId?: string;
    onPolicyError?: (error: unknown) => void;
    onDecision?: (decision: Decision) => void;
  } = {},
) =>
  createBeforeMessageHandler({
    credentials: overrides.credentials ?? { accepted: async () => [PAIR] },
    policy: overrides.policy ?? POLICY,
    maxBodyBytes: 4096,
    appId: overrides.appId,
    onPolicyError: overrides.onPolicyError,
    onDecision: overrides.onDecision,
  });

const post = (body: unknown, headers: Record<string, string> = {}) =>
  apiEvent({
    routeKey: `POST ${BEFORE_MESSAGE_PATH}`,
    rawPath: BEFORE_MESSAGE_PATH,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { authorization: AUTH, 'content-type': 'application/json', ...headers },
  });

describe('createBeforeMessageHandler answers', () => {
  it('exactly {} for a clean message', async () => {
    // Act
    const result = await setup()(post(withText('See you at noon')));

    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.headers?.['content-type']).toBe('application/json');
    expect(result.body).toBe('{}');
  });

  it('exactly {"action":"do_not_propagate"} for a blocked word', async () => {
    const result = await setup()(post(withText('what a BADWORD')));
    expect(result.statusCode).toBe(200);
    expect(result.body).toBe('{"action":"do_not_propagate"}');
  });

  it('exactly {"action":"do_not_propagate"} for a blocked sender, text or not', async () => {
    const payload = fixture('before-message-image');
    payload.data.sender = 'known-spammer';
    const result = await setup()(post(payload));
    expect(result.body).toBe('{"action":"do_not_propagate"}');
  });

  it('exactly {"action":"do_not_propagate"} for a text over maxTextLength', async () => {
    const result = await setup()(post(withText('x'.repeat(51))));
    expect(result.body).toBe('{"action":"do_not_propagate"}');
  });

  it('the flags under the payload webhook id, byte for byte, for a link', async () => {
    // Act
    const result = await setup()(post(withText('deck at www.example.com')));

    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.body).toBe(
      '{"@injected":{"webhooks":{"moderation-webhook":{"flags":{"contains_link":true},"policy_version":1,"policy_revision":"unit"}}}}',
    );
  });

  it('under whatever webhook id CometChat sent', async () => {
    const payload = { ...withText('https://example.com'), webhook: 'my-moderation' };
    const result = await setup()(post(payload));
    expect(Object.keys(JSON.parse(result.body)['@injected'].webhooks)).toEqual(['my-moderation']);
  });

  it('{} for everything with the default policy', async () => {
    const result = await setup({ policy: DEFAULT_POLICY })(post(withText('badword www.example.com')));
    expect(result.body).toBe('{}');
  });

  it('tells the decision listener what it decided', async () => {
    const onDecision = vi.fn();
    await setup({ onDecision })(post(withText('badword')));
    expect(onDecision).toHaveBeenCalledWith({ kind: 'drop', reason: 'blocked_word', rule: 'blockedWords[0]' });
  });

  it('still answers when the decision listener throws', async () => {
    const result = await setup({
      onDecision: () => {
        throw new Error('metrics down');
      },
    })(post(withText('badword')));
    expect(result.body).toBe('{"action":"do_not_propagate"}');
  });
});

describe('failing open', () => {
  it('answers {} and reports the error when evaluating the policy throws', async () => {
    // Prepare: a policy whose pattern list throws when read, as a bug in the rules engine would.
    const broken = {
      ...POLICY,
      patterns: [
        {
          test: () => {
            throw new TypeError('rules engine bug');
          },
        } as unknown as RegExp,
      ],
    };
    const onPolicyError = vi.fn();

    // Act
    const result = await setup({ policy: broken, onPolicyError })(post(withText('a perfectly fine message')));

    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.body).toBe('{}');
    expect(onPolicyError).toHaveBeenCalledOnce();
    expect(onPolicyError.mock.calls[0]?.[0]).toBeInstanceOf(TypeError);
  });

  it('answers {} even when reporting the error throws too', async () => {
    const broken = { ...POLICY, document: undefined } as unknown as CompiledPolicy;
    const result = await setup({
      policy: broken,
      onPolicyError: () => {
        throw new Error('metrics down');
      },
    })(post(withText('hello')));
    expect(result.statusCode).toBe(200);
    expect(result.body).toBe('{}');
  });
});

describe('the error rows of the HTTP contract', () => {
  const clean = () => withText('hello');
  const rows: Array<{ name: string; body?: unknown; headers?: Record<string, string>; status: number; error: string }> = [
    { name: 'missing credentials', headers: { authorization: '' }, status: 401, error: 'unauthorized' },
    {
      name: 'wrong password',
      headers: { authorization: encodeBasicAuth({ ...PAIR, password: 'nope' }) },
      status: 401,
      error: 'unauthorized',
    },
    { name: 'Bearer scheme', headers: { authorization: 'Bearer abc' }, status: 401, error: 'unauthorized' },
    { name: 'text/plain', headers: { 'content-type': 'text/plain' }, status: 415, error: 'unsupported_media_type' },
    { name: 'body over the limit', body: withText('x'.repeat(5000)), status: 413, error: 'payload_too_large' },
    { name: 'not JSON', body: '{"trigger":', status: 400, error: 'invalid_json' },
    { name: 'a JSON array', body: '[]', status: 400, error: 'invalid_payload' },
    { name: 'after_message on this route', body: fixture('after-message-text'), status: 400, error: 'wrong_trigger' },
    { name: 'a custom-provider payload', body: { trigger: 'push-notification-payload-generated' }, status: 400, error: 'wrong_trigger' },
    {
      name: 'no receiver',
      body: (() => {
        const payload = clean();
        delete payload.data.receiver;
        return payload;
      })(),
      status: 400,
      error: 'invalid_payload',
    },
    { name: 'no webhook id', body: { ...clean(), webhook: '' }, status: 400, error: 'invalid_payload' },
  ];

  it.each(rows)('$name → $status $error', async ({ body = clean(), headers, status, error }) => {
    // Act
    const result = await setup()(post(body, headers));

    // Assess
    expect(result.statusCode).toBe(status);
    expect(result.headers?.['content-type']).toBe('application/json');
    expect(JSON.parse(result.body)).toEqual(expect.objectContaining({ error, message: expect.any(String) }));
    if (status === 401) expect(result.headers?.['www-authenticate']).toBe('Basic realm="cometchat-relay"');
  });

  it('lists the failing paths of an invalid payload', async () => {
    const payload = clean();
    delete payload.data.receiver;
    payload.data.receiverType = 'bot';
    const result = await setup()(post(payload));
    expect(JSON.parse(result.body).issues.map((issue: { path: string }) => issue.path)).toEqual(
      expect.arrayContaining(['data.receiver', 'data.receiverType']),
    );
  });

  it('refuses another app with 403 wrong_app when an app id is configured', async () => {
    const handler = setup({ appId: '25089d8d5a1c1b9e' });
    expect((await handler(post(clean()))).statusCode).toBe(200);
    const other = await handler(post({ ...clean(), appId: 'someone-else' }));
    expect(other.statusCode).toBe(403);
    expect(JSON.parse(other.body).error).toBe('wrong_app');
  });

  it('looks the credentials up again after a miss, so a freshly rotated pair is accepted', async () => {
    const rotated = { username: 'rotated', password: 'secret2' };
    const accepted = vi
      .fn<CredentialStore['accepted']>()
      .mockResolvedValueOnce([PAIR])
      .mockResolvedValueOnce([PAIR, rotated]);
    const result = await setup({ credentials: { accepted } })(post(clean(), { authorization: encodeBasicAuth(rotated) }));
    expect(result.statusCode).toBe(200);
    expect(accepted).toHaveBeenLastCalledWith({ refresh: true });
  });

  it('answers 503 unavailable when the credentials cannot be read', async () => {
    const result = await setup({ credentials: { accepted: () => Promise.reject(new Error('timeout')) } })(post(clean()));
    expect(result.statusCode).toBe(503);
    expect(JSON.parse(result.body).error).toBe('unavailable');
  });

  it('decodes a base64 body as API Gateway may deliver it', async () => {
    const event = post('');
    event.body = Buffer.from(JSON.stringify(withText('badword'))).toString('base64');
    event.isBase64Encoded = true;
    const result = await setup()(event);
    expect(result.body).toBe('{"action":"do_not_propagate"}');
  });
});

describe('logs', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('say what was decided and by which rule, never the text', async () => {
    // Prepare
    const info = vi.spyOn(logger, 'info');
    const text = 'my secret badword diary';

    // Act
    await setup()(post(withText(text)));

    // Assess
    expect(info).toHaveBeenCalledWith(
      'before_message decided',
      expect.objectContaining({ decision: 'drop', reason: 'blocked_word', rule: 'blockedWords[0]' }),
    );
    expect(JSON.stringify(info.mock.calls)).not.toContain('diary');
  });

  it('name a policy error without its message', async () => {
    // Prepare
    const error = vi.spyOn(logger, 'error');
    const broken = {
      ...POLICY,
      patterns: [
        {
          test: () => {
            throw new Error('could not match "my secret diary"');
          },
        } as unknown as RegExp,
      ],
    };

    // Act
    await setup({ policy: broken })(post(withText('my secret diary')));

    // Assess
    expect(error).toHaveBeenCalledWith(
      'before_message policy failed; letting the message through',
      expect.objectContaining({ errorName: 'Error' }),
    );
    expect(JSON.stringify(error.mock.calls)).not.toContain('diary');
  });
});

describe('beforeMessageLambdaRoute', () => {
  it('serves the handler on POST /cometchat/before-message', () => {
    const handler = setup();
    expect(beforeMessageLambdaRoute(handler)).toEqual({ method: 'POST', path: '/cometchat/before-message', handler });
  });
});
