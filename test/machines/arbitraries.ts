// fast-check arbitraries of the events each shipped machine can receive, for property
// tests that drive machines with random sequences (the differential test among them).
// Plausible events dominate; the rest are the surprises a machine must shrug off: events
// of other machines, unknown types, `after` timers of states it is not in.

import fc from 'fast-check';
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import type { CloseReason } from '../../src/core/close-reason.js';
import type { AnyEventObject } from '../../src/core/events.js';
import { xstateMachine } from '../../src/machine/xstate-internals.js';
import { shippedMachines, type ShippedMachine } from '../../machines/index.js';

/** A shipped machine typed for XState's own functions, which the tests drive it through, with its event arbitrary. */
export interface ShippedMachineCase extends ShippedMachine {
  readonly machine: AnyStateMachine;
  readonly events: fc.Arbitrary<AnyEventObject>;
}

type Weighted = fc.WeightedArbitrary<AnyEventObject>;

const utf8 = new TextEncoder();

const address = fc.record({
  host: fc.constantFrom('127.0.0.1', '::1', '10.0.0.7'),
  port: fc.integer({ min: 0, max: 65_535 }),
});

const ioError = fc.record({
  code: fc.constantFrom('ECONNRESET', 'ECONNREFUSED', 'EADDRINUSE', 'EMFILE', 'EACCES'),
  message: fc.string({ maxLength: 20 }),
});

export const closeReason: fc.Arbitrary<CloseReason> = fc.oneof(
  fc.constant({ kind: 'peer-closed' as const }),
  fc.constant({ kind: 'server-shutdown' as const }),
  fc.record({ kind: fc.constant('reset' as const), code: fc.constantFrom('ECONNRESET', 'EPIPE') }),
  fc.record({ kind: fc.constant('timeout' as const), timer: fc.constantFrom('handshake', 'ack', 'idle', 'linger') }),
  fc.record({ kind: fc.constant('protocol-error' as const), message: fc.string({ maxLength: 20 }) }),
  fc.record({ kind: fc.constant('output-buffer-limit' as const), limitBytes: fc.nat() }),
  fc.record({ kind: fc.constant('max-connections' as const), limit: fc.nat() }),
  fc.record({ kind: fc.constant('machine-error' as const), message: fc.string({ maxLength: 20 }) }),
  fc.record({ kind: fc.constant('connect-failed' as const), code: fc.string(), message: fc.string() }),
  fc.record({ kind: fc.constant('io-error' as const), code: fc.string(), message: fc.string() }),
  fc.record({ kind: fc.constant('local' as const), detail: fc.string({ maxLength: 20 }) }),
);

function weighted(weight: number, arbitrary: fc.Arbitrary<AnyEventObject>): Weighted {
  return { weight, arbitrary };
}

/** Every `after` timer event of the machine: `xstate.after.<delay>.<state id>`. */
export function afterEvents(machine: AnyStateMachine): string[] {
  const found: string[] = [];
  const walk = (node: AnyStateNode): void => {
    for (const transition of node.after) found.push(transition.eventType);
    for (const child of Object.values(node.states)) walk(child);
  };
  walk(machine.root);
  return found;
}

/** The machine's leaf states as dotted paths, the form `Drive.state` reports. */
export function leafStates(machine: AnyStateMachine): string[] {
  const found: string[] = [];
  const walk = (node: AnyStateNode): void => {
    const children = Object.values(node.states);
    if (children.length === 0) found.push(node.path.join('.'));
    for (const child of children) walk(child);
  };
  walk(machine.root);
  return found;
}

/** Timer events of this machine, whatever state it is in, and of nobody. */
function timers(machine: AnyStateMachine): fc.Arbitrary<AnyEventObject> {
  return fc
    .constantFrom(...afterEvents(machine), `xstate.after.unknownDelay.${machine.id}.nowhere`)
    .map((type) => ({ type }));
}

const unknownEvents: fc.Arbitrary<AnyEventObject> = fc.oneof(
  fc.constantFrom('bogus', 'timeout', 'xstate.init', 'status').map((type) => ({ type })),
  // XState rejects the wildcard as an event type (statewire treats it as unhandled), so
  // the differential test cannot compare it.
  fc.string({ maxLength: 12 }).filter((type) => type !== '*').map((type) => ({ type })),
);

/**
 * What a connection machine hears. `lines` are the frames `message` events carry, with
 * weights: the protocol's own words dominate so that random runs get through handshakes
 * into `connected` and `draining`. Events that end a connection are rare for the same reason.
 */
function connectionEvents(machine: AnyStateMachine, lines: ReadonlyArray<readonly [string, number]>): Weighted[] {
  const frame = fc.oneof(
    ...lines.map(([text, weight]) => ({ weight, arbitrary: fc.constant(text) })),
    { weight: 1, arbitrary: fc.string({ maxLength: 16 }) },
  );
  return [
    weighted(8, fc.record({ type: fc.constant('accepted'), remote: address, local: address })),
    weighted(2, fc.record({ type: fc.constant('connected'), remote: address, local: address })),
    weighted(1, fc.record({ type: fc.constant('connect-failed'), error: ioError })),
    weighted(24, fc.record({ type: fc.constant('data'), bytes: fc.uint8Array({ maxLength: 32 }) })),
    weighted(40, fc.record({ type: fc.constant('message'), frame: frame.map((text) => utf8.encode(text)) })),
    weighted(1, fc.record({ type: fc.constant('protocol-error'), message: fc.string({ maxLength: 20 }) })),
    weighted(100, fc.record({ type: fc.constant('backpressure'), bufferedBytes: fc.nat() })),
    weighted(8, fc.constant({ type: 'drained' })),
    weighted(2, fc.constant({ type: 'peer-closed' })),
    weighted(2, fc.record({ type: fc.constant('closed'), reason: closeReason })),
    weighted(2, fc.constant({ type: 'shutdown' })),
    weighted(8, timers(machine)),
    weighted(4, unknownEvents),
  ];
}

const listenerId = fc.constantFrom('echo', 'other');

function echoServerEvents(machine: AnyStateMachine): Weighted[] {
  return [
    weighted(3, fc.record({ type: fc.constant('listening'), listener: listenerId, address })),
    weighted(1, fc.record({ type: fc.constant('listen-failed'), listener: listenerId, error: ioError })),
    weighted(10, fc.record({ type: fc.constant('connection-opened'), listener: listenerId, machine: fc.string(), remote: address })),
    weighted(8, fc.record({ type: fc.constant('connection-closed'), listener: listenerId, machine: fc.string(), reason: closeReason })),
    weighted(3, fc.record({ type: fc.constant('connection-refused'), listener: listenerId, remote: address, limit: fc.nat() })),
    weighted(2, fc.record({ type: fc.constant('accept-error'), listener: listenerId, error: ioError })),
    weighted(1, fc.record({ type: fc.constant('listener-closed'), listener: listenerId })),
    weighted(1, fc.constant({ type: 'shutdown' })),
    weighted(6, timers(machine)),
    weighted(2, unknownEvents),
  ];
}

/** `message` events carrying one of the handshake's two good frames, equally often. */
function handshakeFrames(first: string, second: string): fc.Arbitrary<AnyEventObject> {
  return fc.constantFrom(first, second).map((text) => ({ type: 'message', frame: utf8.encode(text) }));
}

/** The events to drive `machine` with; throws for a machine this file does not know yet. */
export function eventsFor(machine: AnyStateMachine): fc.Arbitrary<AnyEventObject> {
  switch (machine.id) {
    case 'connection-lifecycle':
      return fc.oneof(
        ...connectionEvents(machine, [['HELLO', 6], ['ACK', 6], ['QUIT', 1], ['hello', 1]]),
      );
    case 'echo-connection':
      return fc.oneof(
        ...connectionEvents(machine, [['hello', 1]]),
        weighted(16, fc.record({ type: fc.constant('status'), active: fc.nat({ max: 10_000 }) })),
      );
    case 'echo-server':
      return fc.oneof(...echoServerEvents(machine));
    case 'ping-connection':
      return fc.oneof(
        ...connectionEvents(machine, [
          ['HELLO alice', 4],
          ['PING', 2],
          ['PING 42', 1],
          ['QUIT', 1],
          ['HELLO', 1],
          ['WHAT', 1],
        ]),
      );
    case 'handshake-client':
      return fc.oneof(
        // An unexpected frame closes the connection at every step: the right frames dominate,
        // `connected` (the client starts in connecting) and `backpressure` come often, so
        // random runs get through the handshake into draining.
        ...connectionEvents(machine, [['WELCOME 3.c1', 20], ['ACK 3.c1', 20], ['ACK 4.c1', 1], ['PONG 1', 2], ['REJECT version', 1]]),
        weighted(16, fc.record({ type: fc.constant('connected'), remote: address, local: address })),
        weighted(30, fc.record({ type: fc.constant('backpressure'), bufferedBytes: fc.nat() })),
        weighted(30, handshakeFrames('WELCOME 3.c1', 'ACK 3.c1')),
        weighted(16, timers(machine)),
      );
    case 'handshake-connection':
      // As for the client; `accepted` comes often since the machine starts in accepting.
      return fc.oneof(
        ...connectionEvents(machine, [['HELLO 1 c1', 20], ['HELLO 2 c1', 1], ['CONFIRM 3.c1', 20], ['CONFIRM 3.c2', 1], ['PING 1', 2]]),
        weighted(30, fc.record({ type: fc.constant('backpressure'), bufferedBytes: fc.nat() })),
        weighted(16, fc.record({ type: fc.constant('accepted'), remote: address, local: address })),
        weighted(30, handshakeFrames('HELLO 1 c1', 'CONFIRM 3.c1')),
        weighted(16, timers(machine)),
      );
    case 'handshake-server':
      return fc.oneof(...echoServerEvents(machine));
    default:
      throw new Error(`no event arbitrary for machine '${machine.id}': add one to test/machines/arbitraries.ts`);
  }
}

/** `shippedMachines` with the arbitrary of each: what the differential test iterates. */
export const shippedMachineCases: readonly ShippedMachineCase[] = shippedMachines.map((shipped) => {
  const machine = xstateMachine(shipped.machine, 'shipped machine cases');
  return { ...shipped, machine, events: eventsFor(machine) };
});
