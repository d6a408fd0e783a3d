import { createServer, request as httpRequest, type Agent, type Server } from 'node:http';
import { Agent as HttpAgent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startFrontDoor } from '../../lib/local/front-door.ts';
import { startLocalServer } from '../../lib/local/local-server.ts';
import { waitFor } from '../support/polling.ts';

// The local stack's front door (lib/local/front-door.ts): connections accepted on a thread of their own
// and handed, byte for byte, to connections to the relay's server opened in advance.

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A backend that echoes what it was sent and counts the connections it accepted. */
const startEchoServer = async () => {
  let connections = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end(`${request.method} ${request.url} ${Buffer.concat(chunks).toString('utf8')}`);
    });
  });
  server.on('connection', () => {
    connections += 1;
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, connections: () => connections };
};

const post = (port: number, path: string, body: string, agent: Agent) =>
  new Promise<{ status: number; text: string }>((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('error', reject);
    request.end(body);
  });

describe('the front door', () => {
  it('opens its connections before it is ready, and relays every request of more clients than it keeps open', async () => {
    // Prepare
    const backend = await startEchoServer();
    const front = await startFrontDoor({ host: '127.0.0.1', port: 0, backendPort: backend.port, connections: 8 });
    // The connections are open when it is ready; the backend accepts them as its loop turns.
    await waitFor(() => backend.connections() === 8, { what: 'the backend to accept the 8 connections opened in advance' });
    const agent = new HttpAgent({ keepAlive: true, maxSockets: 20 });
    try {
      // Act: 20 clients at once, two requests each on the same keep-alive connection.
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, index) => post(front.port, `/cometchat/push?n=${index}`, `body ${index}`, agent)),
      );

      // Assess: each answer is its own request's, though 12 of the 20 clients found no connection opened for them;
      // the ones used are replaced.
      expect(answers.map((answer) => answer.status)).toEqual(Array(40).fill(200));
      expect(answers.map((answer) => answer.text)).toEqual(
        Array.from({ length: 40 }, (_, index) => `POST /cometchat/push?n=${index} body ${index}`),
      );
      await waitFor(() => backend.connections() >= 8 + 20, { what: 'the used connections to be replaced' });
    } finally {
      agent.destroy();
      await front.stop();
      await front.stop();
    }
  });

  it("is how the local server listens: ready once the server has accepted the front door's connections", async () => {
    // Prepare
    const local = await startLocalServer({
      port: 0,
      frontDoorConnections: 16,
      lambdaRoutes: [{ method: 'GET', path: '/ping', handler: async () => ({ statusCode: 200, body: 'pong' }) }],
    });
    try {
      // Act
      const accepted = await new Promise<number>((resolve, reject) =>
        local.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
      );
      const answer = await fetch(`${local.url}/ping`);

      // Assess: the server's own port is not the one it announces, and requests reach it through the front door.
      expect(accepted).toBe(16);
      expect(local.url).not.toBe(`http://127.0.0.1:${(local.server.address() as AddressInfo).port}`);
      expect(answer.status).toBe(200);
      expect(await answer.text()).toBe('pong');
    } finally {
      await local.close();
    }
  });

  it('refuses to start with the reason when its port is taken', async () => {
    const backend = await startEchoServer();
    const taken = await startEchoServer();
    await expect(
      startFrontDoor({ host: '127.0.0.1', port: taken.port, backendPort: backend.port, connections: 2 }),
    ).rejects.toThrow(/^The front door did not start: .*EADDRINUSE/);
  });

  it('refuses to start with the reason when the relay server is not there', async () => {
    const backend = await startEchoServer();
    const gone = servers.pop() as Server;
    await new Promise((resolve) => gone.close(resolve));
    await expect(startFrontDoor({ host: '127.0.0.1', port: 0, backendPort: backend.port, connections: 2 })).rejects.toThrow(
      /^The front door did not start: the relay's server on port \d+ refused a connection/,
    );
  });
});
