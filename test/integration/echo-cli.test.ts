// The main job as a user runs it: `statewire serve echo` in its own process, real
// clients (nc, socat, node:net) on 127.0.0.1. Each test bounds its clients and its time.

import { afterEach, describe, expect, it } from 'vitest';
import { CLI, killAll, run, startCli } from '../support/processes.js';
import { connectClient, poll } from '../support/tcp-client.js';
import type { TestClient } from '../support/tcp-client.js';

const serve = (...extra: string[]) =>
  startCli(['serve', 'echo', '--host', '127.0.0.1', '--port', '0', '--status-interval', '10s', ...extra]);

afterEach(killAll);

describe('statewire serve echo', () => {
  it('echoes to nc and closes after nc half-closes', async () => {
    const server = await serve();
    const { stdout, code } = await run('nc', ['-N', '127.0.0.1', String(server.port)], 'hello\nworld\n');
    expect(stdout).toBe('hello\nworld\n');
    expect(code).toBe(0);
  });

  it('echoes to socat', async () => {
    const server = await serve();
    const { stdout, code } = await run('socat', ['-t', '2', '-', `TCP:127.0.0.1:${server.port}`], 'via socat\n');
    expect(stdout).toBe('via socat\n');
    expect(code).toBe(0);
  });

  it('echoes binary bytes unchanged', async () => {
    const server = await serve();
    const client = await connectClient(server.port);
    const payload = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const chunks: Buffer[] = [];
    client.socket.removeAllListeners('data');
    client.socket.setEncoding('binary');
    client.socket.on('data', (chunk: string) => chunks.push(Buffer.from(chunk, 'binary')));
    client.socket.write(payload);
    await poll(() => Buffer.concat(chunks).length >= 256, 5_000, () => 'binary echo');
    expect(Buffer.concat(chunks)).toEqual(payload);
    client.socket.destroy();
  });

  it('sends every client the status line each interval, with the active count', async () => {
    const server = await serve('--status-interval', '200ms');
    const clients = await Promise.all([1, 2, 3].map(() => connectClient(server.port)));
    for (const client of clients) await client.waitFor('Server status: 3 active connections\n', 5_000);
    clients[0]?.socket.destroy();
    await clients[1]?.waitFor('Server status: 2 active connections\n', 5_000);
    for (const client of clients) client.socket.destroy();
  });

  it('serves many concurrent clients', async () => {
    const server = await serve();
    const count = 300;
    const clients: TestClient[] = [];
    for (let i = 0; i < count; i++) clients.push(await connectClient(server.port));
    clients.forEach((client, i) => client.socket.write(`client ${i}\n`));
    await Promise.all(clients.map((client, i) => client.waitFor(`client ${i}\n`, 10_000)));
    for (const client of clients) client.socket.destroy();
  });

  it('refuses connections past --max-connections with a message, and keeps serving the others', async () => {
    const server = await serve('--max-connections', '5');
    const served = await Promise.all([1, 2, 3, 4, 5].map(() => connectClient(server.port)));
    const refused = await Promise.all(Array.from({ length: 20 }, () => connectClient(server.port)));
    for (const client of refused) {
      await client.closed();
      expect(client.received()).toMatch(/^Server busy: .*5/);
    }
    served.forEach((client, i) => client.socket.write(`still served ${i}\n`));
    await Promise.all(served.map((client, i) => client.waitFor(`still served ${i}\n`)));
    await server.waitForLog(/refused/);
    for (const client of served) client.socket.destroy();
  });

  it('on SIGTERM stops accepting, closes clients gracefully and exits 0', async () => {
    const server = await serve('--shutdown-timeout', '3s');
    const clients = await Promise.all([1, 2].map(() => connectClient(server.port)));
    clients[0]?.socket.write('before shutdown\n');
    await clients[0]?.waitFor('before shutdown\n');
    server.child.kill('SIGTERM');
    // Each client gets a FIN; node's client answers with its own FIN (allowHalfOpen false).
    for (const client of clients) await client.closed(5_000);
    expect(await server.exited(5_000)).toBe(0);
    expect(server.log()).toMatch(/SIGTERM/);
    expect(server.log()).toMatch(/shutdown complete/);
  });

  it('on SIGTERM aborts a client that never closes its side once the deadline passes', async () => {
    const server = await serve('--shutdown-timeout', '500ms');
    const client = await connectClient(server.port);
    client.socket.removeAllListeners('end');
    client.socket.on('end', () => {}); // stays half-open: never sends its FIN
    client.socket.allowHalfOpen = true;
    const started = Date.now();
    server.child.kill('SIGTERM');
    expect(await server.exited(5_000)).toBe(0);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('reports a port in use in one line and exits 1', async () => {
    const first = await serve();
    const second = await run(process.execPath, [CLI, 'serve', 'echo', '--port', String(first.port)], '');
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/EADDRINUSE/);
    expect(second.stderr).not.toMatch(/\n\s+at /);
    // The first server is unaffected.
    const { stdout } = await run('nc', ['-N', '127.0.0.1', String(first.port)], 'still here\n');
    expect(stdout).toBe('still here\n');
  });

  it('reports bad flags in one line and exits 2', async () => {
    for (const args of [
      ['serve', 'echo', '--port', 'abc'],
      ['serve', 'echo', '--port', '70000'],
      ['serve', 'echo', '--status-interval', 'soon'],
      ['serve', 'echo', '--bogus', '1'],
      ['serve', 'nope'],
      ['frobnicate'],
    ]) {
      const result = await run(process.execPath, [CLI, ...args], '');
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(result.stderr).toMatch(/^statewire: /);
    }
  });

  it('reports an address it cannot bind in one line and exits 1', async () => {
    // 192.0.2.1 (TEST-NET-1) is never local: bind fails with EADDRNOTAVAIL, no packet is sent.
    const result = await run(process.execPath, [CLI, 'serve', 'echo', '--host', '192.0.2.1', '--port', '0'], '');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/EADDRNOTAVAIL/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
