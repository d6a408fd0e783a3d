import { encodeBasicAuth } from '../../functions/shared/basic-auth.ts';

export const TEST_CREDENTIALS = { username: 'cometchat', password: 'testpassword1' } as const;
export const ROTATED_CREDENTIALS = { username: 'cometchatnext', password: 'testpassword2' } as const;

export interface PostOptions {
  readonly authorization?: string | null;
  readonly contentType?: string | null;
  readonly body?: string | Uint8Array;
}

/** POSTs to the local relay the way CometChat does: JSON and Basic Auth unless told otherwise. */
export const postWebhook = async (url: string, payload: unknown, options: PostOptions = {}) => {
  const headers: Record<string, string> = {};
  const authorization = options.authorization === undefined ? encodeBasicAuth(TEST_CREDENTIALS) : options.authorization;
  if (authorization !== null) headers.authorization = authorization;
  const contentType = options.contentType === undefined ? 'application/json' : options.contentType;
  if (contentType !== null) headers['content-type'] = contentType;
  const response = await fetch(url, { method: 'POST', headers, body: options.body ?? JSON.stringify(payload) });
  const text = await response.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
};
