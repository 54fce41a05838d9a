// The machines statewire ships, and the list the machine-wide tests walk (the
// differential test drives each one with random events from test/machines/arbitraries.ts).

import type { MachineDefinition } from '../src/machine/compiled.js';
import { connectionLifecycleMachine } from './connection-lifecycle.js';
import { echoConnection, echoServer } from './echo.js';
import type { EchoServerInput } from './echo.js';
import { pingConnection } from './examples/ping.js';
import { handshakeClient, handshakeConnection, handshakeServer } from './handshake.js';

export * from './connection-lifecycle.js';
export * from './echo.js';
export * from './examples/ping.js';
export * from './handshake.js';

export interface ShippedMachine {
  /** Unique in the list; one machine may appear with several inputs. */
  readonly name: string;
  readonly machine: MachineDefinition;
  readonly input: unknown;
}

const echoServerInput: EchoServerInput = {
  host: '127.0.0.1',
  port: 9000,
  statusIntervalMs: 5_000,
  maxConnections: 10_000,
  connectionMachine: 'echo-connection',
  connectionInput: {},
};

// Finite timeouts where a machine has them, so every timer is armed at least once.
export const shippedMachines: readonly ShippedMachine[] = [
  {
    name: 'connection-lifecycle',
    machine: connectionLifecycleMachine,
    input: { handshakeMs: 5_000, ackMs: 5_000, idleMs: 30_000, lingerMs: 2_000 },
  },
  { name: 'echo-connection', machine: echoConnection, input: {} },
  { name: 'echo-connection (idle 60s)', machine: echoConnection, input: { idleMs: 60_000 } },
  { name: 'echo-server', machine: echoServer, input: echoServerInput },
  { name: 'ping-connection', machine: pingConnection, input: { idleMs: 30_000 } },
  {
    name: 'handshake-client',
    machine: handshakeClient,
    input: { host: 'server', port: 7000, clientId: 'c1', pings: 2, timeouts: { handshakeMs: 1_000, ackMs: 1_000, idleMs: 5_000, lingerMs: 500 } },
  },
  { name: 'handshake-connection', machine: handshakeConnection, input: { epoch: 3, timeouts: { idleMs: 5_000 } } },
  { name: 'handshake-server', machine: handshakeServer, input: { host: 'server', port: 7000, maxConnections: 8, previousEpoch: 2 } },
];
