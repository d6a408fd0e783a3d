import { afterAll, describe, expect, it } from 'vitest';
import { lambdaConcurrency, LambdaThrottledError } from '../../lib/local/lambda-concurrency.ts';
import { type LocalServer, startLocalServer } from '../../lib/local/local-server.ts';

// The simulated Lambda concurrency quota of the local server (a new account's can be 10): an
// invocation beyond it is refused at once, and API Gateway answers it as an integration failure.

const servers: LocalServer[] = [];
afterAll(async () => {
  for (const server of servers) await server.close();
});

describe('lambdaConcurrency', () => {
  it('refuses an invocation beyond the limit instead of queueing it, and counts it', async () => {
    const quota = lambdaConcurrency(1);
    let release = () => {};
    const held = quota.invoke(() => new Promise<void>((resolve) => (release = resolve)));

    await expect(quota.invoke(async () => 'second')).rejects.toBeInstanceOf(LambdaThrottledError);
    release();
    await held;
    expect(await quota.invoke(async () => 'after')).toBe('after');
    expect(quota.throttled).toBe(1);
  });

  it('refuses a limit that is not a whole number of at least 1', () => {
    expect(() => lambdaConcurrency(0)).toThrow(/at least 1/);
  });

  it('makes the local server answer 500 to a request the quota refuses, as API Gateway does', async () => {
    // Prepare: a Lambda route that holds its one invocation until told.
    let release = () => {};
    let entered = () => {};
    const running = new Promise<void>((resolve) => (entered = resolve));
    const server = await startLocalServer({
      lambdaConcurrency: lambdaConcurrency(1),
      lambdaRoutes: [
        {
          method: 'POST',
          path: '/hold',
          handler: () =>
            new Promise((resolve) => {
              release = () => resolve({ statusCode: 200, body: '{"ok":true}' });
              entered();
            }),
        },
      ],
    });
    servers.push(server);
    const first = fetch(`${server.url}/hold`, { method: 'POST' });
    await running;

    // Act
    const second = await fetch(`${server.url}/hold`, { method: 'POST' });

    // Assess
    expect({ status: second.status, body: await second.json() }).toEqual({ status: 500, body: { message: 'Internal Server Error' } });
    release();
    expect((await first).status).toBe(200);
  });
});
