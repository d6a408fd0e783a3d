import type { Server } from 'node:http';

/**
 * A provider's send rate as the local emulators enforce it (SPEC §7): at most
 * `ratePerSecond` accepted sends in any one-second window (below 1 per second,
 * one send per 1/rate seconds). What is refused is answered with the
 * provider's own throttling error, so the relay sees locally what AWS does.
 */
export interface SendRateGate {
  readonly ratePerSecond: number;
  /** Counts one send at `now` if the window has room; false: answer with the throttling error. */
  admit(now?: number): boolean;
  /** When each accepted send arrived (epoch ms), oldest first (the bench reads the observed rate from it). */
  accepted(): readonly number[];
  /** How many sends were refused. */
  throttled(): number;
  clear(): void;
}

/** Accepted send times kept for reading back; older ones are forgotten. */
const KEEP_ACCEPTED = 100_000;

export const createSendRateGate = (ratePerSecond: number): SendRateGate => {
  if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) throw new RangeError(`A send rate must be a positive number, got ${ratePerSecond}`);
  const limit = Math.max(1, Math.floor(ratePerSecond));
  const windowMs = (limit * 1000) / ratePerSecond;
  let times: number[] = [];
  let refused = 0;
  return {
    ratePerSecond,
    admit(now = Date.now()) {
      // The window holds the last `limit` accepted sends; there is room once the oldest of them is a window old.
      const oldest = times.length >= limit ? times[times.length - limit] : undefined;
      if (oldest !== undefined && now - oldest < windowMs) {
        refused += 1;
        return false;
      }
      times.push(now);
      if (times.length > KEEP_ACCEPTED) times = times.slice(-KEEP_ACCEPTED);
      return true;
    },
    accepted: () => [...times],
    throttled: () => refused,
    clear() {
      times = [];
      refused = 0;
    },
  };
};

/** The most sends seen in any one-second window of `times` (sorted, epoch ms). */
export const peakPerSecond = (times: readonly number[]): number => {
  let peak = 0;
  let start = 0;
  for (let end = 0; end < times.length; end += 1) {
    while ((times[end] ?? 0) - (times[start] ?? 0) >= 1000) start += 1;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
};

/**
 * SES v2 SendEmail above the gate's rate: 429 `TooManyRequestsException`,
 * "Maximum sending rate exceeded.", as SES answers it. aws-ses-v2-local has no
 * limit of its own, so its request listener is wrapped in the same process.
 */
export const limitSesSendRate = (server: Server, gate: SendRateGate): void => {
  const listeners = server.listeners('request') as Array<(...args: unknown[]) => void>;
  server.removeAllListeners('request');
  server.on('request', (request, response) => {
    if (request.method === 'POST' && (request.url ?? '').startsWith('/v2/email/outbound-emails') && !gate.admit()) {
      request.resume();
      response.writeHead(429, { 'content-type': 'application/json', 'x-amzn-errortype': 'TooManyRequestsException' });
      response.end(JSON.stringify({ message: 'Maximum sending rate exceeded.' }));
      return;
    }
    for (const listener of listeners) listener.call(server, request, response);
  });
};
