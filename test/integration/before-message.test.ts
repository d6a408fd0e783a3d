import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BEFORE_MESSAGE_PATH,
  beforeMessageLambdaRoute,
  createBeforeMessageHandler,
} from '../../functions/before-message/before-message-webhook.ts';
import { loadPolicyFile } from '../../functions/policy/policy-schema.ts';
import { encodeBasicAuth } from '../../functions/shared/basic-auth.ts';
import { staticCredentialStore } from '../../functions/shared/ports/credential-store.ts';
import { type LocalServer, startLocalServer } from '../../lib/local/local-server.ts';
import { BEFORE_MESSAGE_POLICY_FILE } from '../fixtures/events/events.ts';
import { ROTATED_CREDENTIALS, TEST_CREDENTIALS, postWebhook } from '../support/http.ts';

// The before_message handler served over HTTP by the local server, with the
// policy read from a file as the Lambda reads POLICY_FILE at cold start.
let server: LocalServer;
let url: string;

const message = (text: string, overrides: Record<string, unknown> = {}) => {
  const payload = JSON.parse(
    readFileSync(new URL('../fixtures/policy/before-message-text-group.json', import.meta.url), 'utf8'),
  );
  payload.data.data.text = text;
  return { ...payload, ...overrides };
};

beforeAll(async () => {
  server = await startLocalServer({
    lambdaRoutes: [
      beforeMessageLambdaRoute(
        createBeforeMessageHandler({
          credentials: staticCredentialStore([TEST_CREDENTIALS, ROTATED_CREDENTIALS]),
          policy: loadPolicyFile(fileURLToPath(BEFORE_MESSAGE_POLICY_FILE)),
          maxBodyBytes: 256 * 1024,
        }),
      ),
    ],
  });
  url = `${server.url}${BEFORE_MESSAGE_PATH}`;
});

afterAll(() => server.close());

describe('POST /cometchat/before-message', () => {
  it('drops a message holding a blocked word', async () => {
    const response = await postWebhook(url, message('this is a Badword, really'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.text).toBe('{"action":"do_not_propagate"}');
  });

  it('drops a message holding a blocked phrase across a line break', async () => {
    const response = await postWebhook(url, message('get FREE\nmoney now'));
    expect(response.text).toBe('{"action":"do_not_propagate"}');
  });

  it('injects contains_link under the webhook id for a message with a link', async () => {
    // Act
    const response = await postWebhook(url, message('the deck: https://example.com/deck', { webhook: 'moderation-webhook' }));

    // Assess
    expect(response.status).toBe(200);
    expect(response.text).toBe(
      '{"@injected":{"webhooks":{"moderation-webhook":{"flags":{"contains_link":true,"contains_email":false},"policy_version":1,"policy_revision":"test-1"}}}}',
    );
  });

  it('lets a clean message through with exactly {}', async () => {
    const response = await postWebhook(url, message('See you at the trailhead at nine'));
    expect(response.status).toBe(200);
    expect(response.text).toBe('{}');
  });

  it('accepts the second (rotation) credential pair', async () => {
    const response = await postWebhook(url, message('hello'), { authorization: encodeBasicAuth(ROTATED_CREDENTIALS) });
    expect(response.text).toBe('{}');
  });

  it.each([
    ['missing credentials', null],
    ['a wrong password', encodeBasicAuth({ ...TEST_CREDENTIALS, password: 'wrong' })],
    ['a Bearer token', 'Bearer abc'],
  ])('answers 401 with WWW-Authenticate for %s', async (_, authorization) => {
    const response = await postWebhook(url, message('badword'), { authorization });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="cometchat-relay"');
    expect(response.json).toEqual(expect.objectContaining({ error: 'unauthorized', message: expect.any(String) }));
  });

  it('refuses an after_message payload with 400 wrong_trigger', async () => {
    const response = await postWebhook(url, message('hello', { trigger: 'after_message' }));
    expect(response.status).toBe(400);
    expect(response.json.error).toBe('wrong_trigger');
  });

  // How fast is the bench's business (bench/REPORT.md), not a test's: a busy machine must not fail it.
  it('answers 50 concurrent requests, every one with 200', async () => {
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, index) => postWebhook(url, message(`message ${index} www.example.com`))),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: 50 }, () => 200));
  });
});
