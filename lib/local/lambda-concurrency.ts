/** The simulated account quota is used up: Lambda refused the invocation (TooManyRequestsException). */
export class LambdaThrottledError extends Error {
  override readonly name = 'LambdaThrottledError';
}

/** Invocations of the local stack's HTTP-invoked functions, counted against a simulated Lambda concurrency quota. */
export interface LambdaConcurrency {
  /** Runs `call` as one invocation; throws `LambdaThrottledError` at once when `limit` are already running. */
  invoke<T>(call: () => Promise<T>): Promise<T>;
  readonly limit: number;
  /** Invocations refused so far. */
  readonly throttled: number;
}

/**
 * A semaphore that refuses instead of queueing, as Lambda does when a
 * synchronous invocation finds the account's (or function's reserved)
 * concurrency used up: a new AWS account can start with a quota of 10.
 * Locally it counts what the HTTP server invokes (ingest, authorizer,
 * before-message, directory), not the consumers, which the deployed quota
 * would also count.
 */
export const lambdaConcurrency = (limit: number): LambdaConcurrency => {
  if (!(Number.isInteger(limit) && limit >= 1)) throw new Error(`lambdaConcurrency: limit must be a whole number of at least 1, got ${limit}`);
  let running = 0;
  let throttled = 0;
  return {
    limit,
    get throttled() {
      return throttled;
    },
    async invoke(call) {
      if (running >= limit) {
        throttled += 1;
        throw new LambdaThrottledError(`Rate Exceeded: ${running} of ${limit} concurrent executions in use`);
      }
      running += 1;
      try {
        return await call();
      } finally {
        running -= 1;
      }
    },
  };
};

/** What API Gateway answers when it could not invoke a Lambda integration or authorizer, throttling included. */
export const INTEGRATION_FAILURE = { statusCode: 500, body: '{"message":"Internal Server Error"}' } as const;
