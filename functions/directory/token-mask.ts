/**
 * What the API and logs show of a device token: at most a quarter of it at
 * each end (4 characters for real tokens, which are 64+), enough to tell two
 * registrations apart, never enough to publish to it.
 */
export const maskToken = (token: string): string => {
  const visible = Math.min(4, Math.floor(token.length / 4));
  return visible === 0 ? '…' : `${token.slice(0, visible)}…${token.slice(-visible)}`;
};
