import { randomBytes } from 'node:crypto';

/** Runs `work` on every item with at most `limit` running at once; resolves with the results in item order. */
export const mapLimit = async <T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> => {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
};

/** An FCM registration token as Firebase hands them out: `<instance>:APA91b<base64url>`. */
export const fcmToken = (): string => `${randomBytes(8).toString('hex')}:APA91b${randomBytes(96).toString('base64url')}`;

/**
 * Registers one Android device per uid through the directory API, as the
 * app's backend would; answers endpoint ARN → uid.
 */
export const registerDevices = async (
  directoryUrl: string,
  adminToken: string,
  uids: readonly string[],
  concurrency = 20,
): Promise<Map<string, string>> => {
  const arns = await mapLimit(uids, concurrency, async (uid) => {
    const response = await fetch(`${directoryUrl}/${encodeURIComponent(uid)}/devices/phone`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ platform: 'fcm', token: fcmToken() }),
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`Registering a device for ${uid} answered ${response.status}: ${text}`);
    return (JSON.parse(text) as { endpointArn: string }).endpointArn;
  });
  return new Map(arns.map((arn, index) => [arn, uids[index] as string]));
};
