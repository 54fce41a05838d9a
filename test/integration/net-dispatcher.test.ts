// Dispatcher + NetDriver + compiled machines in this process, real sockets on 127.0.0.1:
// the limits and failure paths whose evidence is inside the server (buffer sizes, close
// reasons), which a separate CLI process would hide.

import net from 'node:net';
import { assign, setup } from 'xstate';
import { afterEach, describe, expect, it } from 'vitest';
import { echoConnection, echoServer } from '../../machines/echo.js';
import type { EchoServerInput } from '../../machines/echo.js';
import type { CloseReason } from '../../src/core/close-reason.js';
import type { ConnectionEvent, ListenerEvent } from '../../src/core/events.js';
import type { OutputLimits } from '../../src/core/effects.js';
import { Dispatcher } from '../../src/dispatcher/dispatcher.js';
import { NetDriver } from '../../src/drivers/net/net-driver.js';
import { compileMachine } from '../../src/machine/compile.js';
import { effectActions } from '../../src/machine/effect-actions.js';
import { connectClient, poll } from '../support/tcp-client.js';

const LIMITS: OutputLimits = { highWaterBytes: 64 * 1024, hardLimitBytes: 1024 * 1024 };

let stopAll: (() => void)[] = [];
afterEach(() => {
  for (const stop of stopAll) stop();
  stopAll = [];
});

interface RecorderInput {
  machine: string;
  limits: OutputLimits;
  codec?: { kind: 'lines'; maxLineBytes: number };
}

/** Opens a listener for `input.machine` and records what it hears, so tests can see close reasons. */
const recorder = setup({
  types: {
    context: {} as { input: RecorderInput; closes: CloseReason[]; port: number; opened: number },
    events: {} as ListenerEvent,
    input: {} as RecorderInput,
  },
  actions: effectActions,
}).createMachine({
  id: 'recorder',
  context: ({ input }) => ({ input, closes: [], port: 0, opened: 0 }),
  entry: {
    type: 'listen',
    params: ({ context: { input } }) => ({
      listener: 'test',
      host: '127.0.0.1',
      port: 0,
      machine: input.machine,
      limits: input.limits,
      ...(input.codec && { codec: input.codec }),
    }),
  },
  on: {
    listening: { actions: assign({ port: ({ event }) => event.address.port }) },
    'connection-opened': { actions: assign({ opened: ({ context }) => context.opened + 1 }) },
    'connection-closed': { actions: assign({ closes: ({ context, event }) => [...context.closes, event.reason] }) },
  },
});

function startServer(kinds: Record<string, Parameters<typeof compileMachine>[0]>, input: RecorderInput) {
  const driver = new NetDriver();
  const errors: string[] = [];
  const dispatcher = new Dispatcher({ driver, logger: { enabled: (level) => level === 'error', log: (_level, message) => errors.push(message) } });
  for (const [kind, machine] of Object.entries(kinds)) dispatcher.register(kind, compileMachine(machine));
  dispatcher.register('recorder', compileMachine(recorder));
  dispatcher.spawn('recorder', 'recorder', input);
  stopAll.push(() => driver.stop());
  const context = () => dispatcher.snapshotOf('recorder')?.context as { closes: CloseReason[]; port: number; opened: number };
  return { driver, dispatcher, context, errors };
}

async function portOf(context: () => { port: number }): Promise<number> {
  await poll(() => context().port !== 0, 5_000, () => 'listening');
  return context().port;
}

/** Writes as fast as the socket takes it, for `ms`, and never reads. */
function floodWithoutReading(socket: net.Socket, ms: number): Promise<number> {
  socket.pause();
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  let written = 0;
  const until = Date.now() + ms;
  return new Promise((resolve) => {
    const pump = (): void => {
      while (Date.now() < until) {
        written += chunk.length;
        if (!socket.write(chunk)) {
          socket.once('drain', pump);
          setTimeout(() => resolve(written), Math.max(0, until - Date.now()));
          return;
        }
      }
      resolve(written);
    };
    pump();
  });
}

describe('echo over real sockets', () => {
  it('stops reading a client that does not read its echoes, keeps its buffer bounded, and serves others', async () => {
    const server = startServer({ 'echo-connection': echoConnection }, { machine: 'echo-connection', limits: LIMITS });
    const port = await portOf(server.context);
    const slow = await connectClient(port);
    let maxBuffered = 0;
    const sampler = setInterval(() => {
      for (const conn of [1, 2, 3]) maxBuffered = Math.max(maxBuffered, server.driver.bufferedBytes(conn));
    }, 1);
    const sent = await floodWithoutReading(slow.socket, 1_000);
    const other = await connectClient(port);
    other.socket.write('still served\n');
    await other.waitFor('still served\n');
    clearInterval(sampler);
    // Far more was offered than the server buffered: the rest waits in TCP, not in our memory.
    expect(sent).toBeGreaterThan(4 * LIMITS.highWaterBytes);
    expect(maxBuffered).toBeGreaterThan(0);
    expect(maxBuffered).toBeLessThanOrEqual(LIMITS.highWaterBytes + 64 * 1024 + 1024);
    expect(server.dispatcher.snapshotOf('test#1')?.state).toBe('draining');
    slow.socket.destroy();
    other.socket.destroy();
  });

  it('runs the echo server machine: listen, count, broadcast status to every client', async () => {
    const driver = new NetDriver();
    const logs: string[] = [];
    const dispatcher = new Dispatcher({ driver, logger: { enabled: () => true, log: (_level, message) => logs.push(message) } });
    stopAll.push(() => driver.stop());
    dispatcher.register('echo-server', compileMachine(echoServer)).register('echo-connection', compileMachine(echoConnection));
    const input: EchoServerInput = {
      host: '127.0.0.1',
      port: 0,
      statusIntervalMs: 100,
      maxConnections: 10,
      connectionMachine: 'echo-connection',
    };
    dispatcher.spawn('server', 'echo-server', input);
    await poll(() => logs.some((line) => /listening on/.test(line)), 5_000, () => 'listening');
    const port = Number(/listening on [\d.]+:(\d+)/.exec(logs.join('\n'))?.[1]);
    const clients = await Promise.all([1, 2].map(() => connectClient(port)));
    for (const client of clients) await client.waitFor('Server status: 2 active connections\n');
    expect(dispatcher.groupMembers('echo')).toHaveLength(2);
    expect(logs.some((line) => /echo status: 2 active, 2 opened, 0 closed, 0 refused/.test(line))).toBe(true);
    for (const client of clients) client.socket.destroy();
  });
});

describe('output buffer hard limit', () => {
  // Ignores backpressure and writes 64 KiB on every tick: the driver must cut it off.
  const flooder = setup({ types: { events: {} as ConnectionEvent }, actions: effectActions }).createMachine({
    id: 'flooder',
    initial: 'accepting',
    states: {
      accepting: { on: { accepted: 'flooding' } },
      flooding: {
        after: { 1: { target: 'flooding', reenter: true, actions: { type: 'write', params: { data: 'x'.repeat(64 * 1024) } } } },
        on: { closed: 'closed' },
      },
      closed: { type: 'final' },
    },
  });

  it('closes a connection whose peer never reads at the hard limit, with output-buffer-limit', async () => {
    const server = startServer({ flooder }, { machine: 'flooder', limits: LIMITS });
    const port = await portOf(server.context);
    const client = await connectClient(port);
    client.socket.pause();
    let maxBuffered = 0;
    const sampler = setInterval(() => (maxBuffered = Math.max(maxBuffered, server.driver.bufferedBytes(1))), 1);
    await poll(() => server.context().closes.length === 1, 10_000, () => 'flooder closed');
    clearInterval(sampler);
    expect(server.context().closes[0]).toEqual({ kind: 'output-buffer-limit', limitBytes: LIMITS.hardLimitBytes });
    expect(maxBuffered).toBeLessThanOrEqual(LIMITS.hardLimitBytes + 64 * 1024);
    client.socket.destroy();
  });
});

describe('failure containment', () => {
  // Throws from a guard on "boom"; echoes everything else.
  const fragile = setup({ types: { events: {} as ConnectionEvent }, actions: effectActions }).createMachine({
    id: 'fragile',
    initial: 'accepting',
    states: {
      accepting: { on: { accepted: 'open' } },
      open: {
        on: {
          data: {
            guard: ({ event }) => {
              if (Buffer.from(event.bytes).toString().startsWith('boom')) throw new Error('fragile machine broke');
              return true;
            },
            actions: { type: 'write', params: ({ event }) => ({ data: event.bytes }) },
          },
          closed: 'closed',
        },
      },
      closed: { type: 'final' },
    },
  });

  it('a machine that throws loses only its own connection', async () => {
    const server = startServer({ fragile }, { machine: 'fragile', limits: LIMITS });
    const port = await portOf(server.context);
    const victim = await connectClient(port);
    const bystander = await connectClient(port);
    victim.socket.write('boom\n');
    await victim.closed();
    bystander.socket.write('fine\n');
    await bystander.waitFor('fine\n');
    await poll(() => server.context().closes.length === 1, 5_000, () => 'victim close reported');
    expect(server.context().closes[0]).toEqual({ kind: 'machine-error', message: 'fragile machine broke' });
    expect(server.errors.join('\n')).toMatch(/threw in state open on data: fragile machine broke/);
    bystander.socket.destroy();
  });

  it('a malformed frame closes that connection with protocol-error', async () => {
    const server = startServer({ 'echo-connection': echoConnection }, {
      machine: 'echo-connection',
      limits: LIMITS,
      codec: { kind: 'lines', maxLineBytes: 16 },
    });
    const port = await portOf(server.context);
    const client = await connectClient(port);
    client.socket.write(`${'y'.repeat(100)}\n`);
    await client.closed();
    await poll(() => server.context().closes.length === 1, 5_000, () => 'close reported');
    expect(server.context().closes[0]).toEqual({ kind: 'protocol-error', message: 'line longer than 16 bytes' });
  });
});

describe('connect', () => {
  const dialer = setup({
    types: { context: {} as { port: number; error: string }, events: {} as ConnectionEvent, input: {} as { port: number } },
    actions: effectActions,
  }).createMachine({
    id: 'dialer',
    context: ({ input }) => ({ port: input.port, error: '' }),
    initial: 'connecting',
    states: {
      connecting: {
        entry: { type: 'connect', params: ({ context }) => ({ host: '127.0.0.1', port: context.port, timeoutMs: 2_000 }) },
        on: {
          connected: 'open',
          'connect-failed': { target: 'failed', actions: assign({ error: ({ event }) => event.error.code }) },
        },
      },
      open: { entry: { type: 'write', params: { data: 'ping\n' } }, on: { data: 'done' } },
      done: { type: 'final' },
      failed: { type: 'final' },
    },
  });

  it('reports ECONNREFUSED as connect-failed with the code', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const driver = new NetDriver();
    const retired: { id: string; state: string; context: unknown }[] = [];
    const dispatcher = new Dispatcher({ driver, onRetire: (id, snapshot) => retired.push({ id, state: snapshot.state, context: snapshot.context }) });
    stopAll.push(() => driver.stop());
    dispatcher.register('dialer', compileMachine(dialer));
    dispatcher.spawn('d', 'dialer', { port: closedPort });
    await poll(() => retired.length === 1, 5_000, () => 'dialer finished');
    expect(retired[0]).toMatchObject({ id: 'd', state: 'failed', context: { error: 'ECONNREFUSED' } });
  });

  it('connects to a listening echo and gets its answer', async () => {
    const server = startServer({ 'echo-connection': echoConnection }, { machine: 'echo-connection', limits: LIMITS });
    const port = await portOf(server.context);
    const retired: string[] = [];
    const driver = new NetDriver();
    const dispatcher = new Dispatcher({ driver, onRetire: (_id, snapshot) => retired.push(snapshot.state) });
    stopAll.push(() => driver.stop());
    dispatcher.register('dialer', compileMachine(dialer));
    dispatcher.spawn('d', 'dialer', { port });
    await poll(() => retired.length === 1, 5_000, () => 'dialer finished');
    expect(retired).toEqual(['done']);
  });
});
