// Running out of file descriptors is a failure a user can cause (too many clients for the
// process's limit). The server must shed the excess and keep serving: libuv accepts and
// closes connections it has no descriptor for, and anything it reports is logged, never
// fatal. The server runs under `ulimit -n 64`; the clients live in this process.

import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { killAll, startCli } from '../support/processes.js';
import { connectClient, poll } from '../support/tcp-client.js';

afterEach(killAll);

/** Opens `count` connections without waiting for any answer; some will be dropped by the server. */
function openMany(port: number, count: number): net.Socket[] {
  const sockets: net.Socket[] = [];
  for (let i = 0; i < count; i++) {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.on('error', () => {});
    sockets.push(socket);
  }
  return sockets;
}

describe('file descriptor exhaustion', () => {
  it('sheds connections past the fd limit, keeps serving the open ones, and recovers', async () => {
    const server = await startCli(['serve', 'echo', '--port', '0', '--status-interval', 'off', '--max-connections', '10000'], {
      maxOpenFiles: 64,
    });
    const early = await connectClient(server.port);
    const flood = openMany(server.port, 150);
    // The server has ~50 descriptors to spare: it must drop a good part of the flood.
    await poll(() => flood.filter((socket) => socket.destroyed).length >= 50, 10_000, () => 'shedding');
    early.socket.write('still served during the flood\n');
    await early.waitFor('still served during the flood\n');
    for (const socket of flood) socket.destroy();
    // Once descriptors are free again, new clients are served.
    const late = await retryConnect(server.port);
    late.socket.write('served after the flood\n');
    await late.waitFor('served after the flood\n');
    expect(server.child.exitCode).toBe(null);
    expect(server.log()).not.toMatch(/\n\s+at /);
    early.socket.destroy();
    late.socket.destroy();
  });
});

/** The server frees descriptors as it processes the flood's closes; retry briefly. */
async function retryConnect(port: number) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const client = await connectClient(port);
    client.socket.write('probe\n');
    try {
      await client.waitFor('probe\n', 500);
      return client;
    } catch (error) {
      client.socket.destroy();
      if (Date.now() > deadline) throw error;
    }
  }
}
