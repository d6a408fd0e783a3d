/**
 * How a channel stays at or below its provider's send rate across every
 * consumer instance (SPEC §5), without any shared state between instances.
 *
 * The rate is split into equal whole shares: `instances` consumers (the SQS
 * event source's maximum concurrency) each send at most `limit` messages in
 * any `windowMs`. A send counts in its instance's window from the moment it
 * starts until `windowMs` after its answer came back, and the provider has
 * counted a send by the time it answers, so the sends one instance makes land
 * at the provider at most `limit` per window; the instances together at most
 * `instances × limit`, which the plan keeps at or below the rate.
 */

/** Lambda's smallest maximum concurrency for an SQS event source. */
const MIN_INSTANCES = 2;
/** Lambda's largest batch for a standard SQS queue with no batching window. */
const MAX_BATCH_SIZE = 10;

export interface SendRatePlan {
  /** Consumer instances that may run at once (the event source's `maxConcurrency`). */
  readonly instances: number;
  /** Sends one instance may make in any `windowMs`. */
  readonly limit: number;
  readonly windowMs: number;
  /** Records per batch: what one instance sends within half its function timeout at its share of the rate. */
  readonly batchSize: number;
}

export interface PlanSendRateOptions {
  /** The provider's rate, sends per second (SES: 14 by default in production). */
  readonly ratePerSecond: number;
  /** The most consumer instances the channel may run (`maxConcurrency` in the configuration). */
  readonly maxInstances: number;
  /** The consumer function's timeout: a batch must be sent well within it. */
  readonly timeoutSeconds: number;
  /** Smallest number of instances (Lambda's event sources need 2; the local stack runs 1). Default 2. */
  readonly minInstances?: number;
}

/**
 * The instance count (at most `maxInstances`) whose whole per-second shares
 * add up to the most of the rate, the larger count on a tie. 14/s with up to 5
 * instances is 2 × 7 (5 × 2 would waste 4/s); 20/s with 2 is 2 × 10. Below
 * one send per second per instance, each instance sends once per
 * `instances / rate` seconds instead: the rate holds on average, and within
 * one second at most `instances` sends can meet (a short burst SES accepts).
 */
export const planSendRate = ({
  ratePerSecond,
  maxInstances,
  timeoutSeconds,
  minInstances = MIN_INSTANCES,
}: PlanSendRateOptions): SendRatePlan => {
  if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond))
    throw new RangeError(`A send rate must be a positive number, got ${ratePerSecond}`);
  const lowest = Math.max(1, Math.min(minInstances, maxInstances));
  let instances = lowest;
  const used = (count: number) => count * Math.floor(ratePerSecond / count);
  for (let candidate = lowest; candidate <= maxInstances; candidate += 1) {
    // Below one send per second per instance every count uses nothing whole: the fewest instances burst least.
    if (used(candidate) > 0 && used(candidate) >= used(instances)) instances = candidate;
  }
  const perInstance = ratePerSecond / instances;
  const { limit, windowMs } =
    perInstance >= 1 ? { limit: Math.floor(perInstance), windowMs: 1000 } : { limit: 1, windowMs: Math.ceil(1000 / perInstance) };
  const perSecond = (limit * 1000) / windowMs;
  const batchSize = Math.max(1, Math.min(MAX_BATCH_SIZE, Math.floor((perSecond * timeoutSeconds) / 2)));
  return { instances, limit, windowMs, batchSize };
};

/** What the pacer waits with; tests pass a fake clock. */
export interface PacerClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: PacerClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Runs provider calls at most `limit` per `windowMs`, counting each call until `windowMs` after it answered. */
export interface SendPacer {
  run<T>(send: () => Promise<T>): Promise<T>;
}

export const createSendPacer = (
  { limit, windowMs }: Pick<SendRatePlan, 'limit' | 'windowMs'>,
  clock: PacerClock = realClock,
): SendPacer => {
  /** Sends in flight count as `Infinity`: they hold their slot until they answer. */
  const slots: number[] = [];
  let queue: Promise<void> = Promise.resolve();

  const acquire = async (): Promise<number> => {
    for (;;) {
      const now = clock.now();
      while (slots.length > 0 && (slots[0] ?? 0) + windowMs <= now) slots.shift();
      if (slots.length < limit) {
        slots.push(Number.POSITIVE_INFINITY);
        return slots.length - 1;
      }
      const oldest = slots[0] ?? now;
      // Every slot is a send still in flight: wait a little for one to answer.
      await clock.sleep(Number.isFinite(oldest) ? oldest + windowMs - now : 10);
    }
  };

  const release = (): void => {
    // The earliest in-flight slot is the one that answered (any of them: each is only a placeholder).
    const index = slots.indexOf(Number.POSITIVE_INFINITY);
    if (index >= 0) slots.splice(index, 1);
    const at = clock.now();
    // Keep the list ordered by expiry so the oldest finished send is first.
    let position = slots.length;
    while (position > 0 && (slots[position - 1] ?? 0) > at) position -= 1;
    slots.splice(position, 0, at);
  };

  return {
    async run(send) {
      // One caller at a time waits for a slot, so sends start in the order they asked.
      const turn = queue.then(acquire);
      queue = turn.then(
        () => undefined,
        () => undefined,
      );
      await turn;
      try {
        return await send();
      } finally {
        release();
      }
    },
  };
};

/** A pacer that never waits (a channel without a configured rate). */
export const unpaced: SendPacer = { run: (send) => send() };
