// The canonical lifecycle, state by state and edge by edge, plus the builder's other
// shapes (an outgoing connection, a machine without handshake) through a small client.

import { describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import type { CloseReason } from '../../src/core/close-reason.js';
import type { Effect } from '../../src/core/effects.js';
import type { ConnectionEvent } from '../../src/core/events.js';
import { effectActions } from '../../src/machine/effect-actions.js';
import {
  DEFAULT_LIFECYCLE_TIMEOUTS,
  connectionLifecycle,
  connectionLifecycleMachine as machine,
  lifecycleContext,
  lifecycleDelays,
  type LifecycleContext,
  type LifecycleInput,
} from '../../machines/connection-lifecycle.js';
import { Drive, cancelTimer, line, startTimer } from './harness.js';
import { lifecycleEdges, reach, type LifecycleMachine } from './lifecycle-edges.js';
import { requireFullCoverage } from '../support/transition-coverage.js';

requireFullCoverage(machine);

const timeouts = { handshakeMs: 1_000, ackMs: 2_000, idleMs: 3_000, lingerMs: 4_000 };
const address = { host: '127.0.0.1', port: 9000 };
const accepted = { type: 'accepted', remote: { host: '127.0.0.1', port: 50_000 }, local: address };

const armed = {
  handshake: startTimer(machine, 'handshakeTimeout', 'handshake', 1_000),
  ack: startTimer(machine, 'ackTimeout', 'awaitingAck', 2_000),
  idle: startTimer(machine, 'idleTimeout', 'connected', 3_000),
  linger: startTimer(machine, 'lingerTimeout', 'closing', 4_000),
};
const cancelled = {
  handshake: cancelTimer(machine, 'handshakeTimeout', 'handshake'),
  ack: cancelTimer(machine, 'ackTimeout', 'awaitingAck'),
  idle: cancelTimer(machine, 'idleTimeout', 'connected'),
};

const close = (reason: CloseReason, mode: 'graceful' | 'abort' = 'graceful'): Effect => ({ type: 'close', reason, mode });
const write = (data: string): Effect => ({ type: 'write', data });

/** Each state reached the shortest way; the lifecycle's shared edges are tested from these. */
const lifecycle: LifecycleMachine = {
  machine,
  input: timeouts,
  timeouts,
  paths: {
    accepting: [],
    handshake: [accepted],
    awaitingAck: [accepted, line('HELLO')],
    connected: [accepted, line('HELLO'), line('ACK')],
  },
};

lifecycleEdges(lifecycle);

describe('connection-lifecycle: opening and handshake', () => {
  it('starts in accepting with the input timeouts over the defaults', () => {
    const drive = Drive.start(machine, { idleMs: 60_000 });
    expect(drive.state).toBe('accepting');
    expect(drive.effects).toEqual([]);
    expect(drive.context).toEqual({ timeouts: { ...DEFAULT_LIFECYCLE_TIMEOUTS, idleMs: 60_000 } });
    expect(Drive.start(machine).context).toEqual(lifecycleContext(undefined));
  });

  it('accepted -> handshake, arming the handshake timeout', () => {
    const drive = reach(lifecycle, 'accepting');
    expect(drive.send(accepted)).toEqual([armed.handshake]);
    expect(drive.state).toBe('handshake');
  });

  it('handshake: HELLO -> awaitingAck, answering WELCOME', () => {
    const drive = reach(lifecycle, 'handshake');
    expect(drive.send(line('HELLO'))).toEqual([cancelled.handshake, write('WELCOME\n'), armed.ack]);
    expect(drive.state).toBe('awaitingAck');
  });

  it('handshake: any other line closes with a protocol error', () => {
    const drive = reach(lifecycle, 'handshake');
    expect(drive.send(line('GET / HTTP/1.1'))).toEqual([
      cancelled.handshake,
      close({ kind: 'protocol-error', message: 'expected HELLO' }),
      armed.linger,
    ]);
    expect(drive.state).toBe('closing');
  });

  it('awaitingAck: ACK -> connected, arming the idle timeout', () => {
    const drive = reach(lifecycle, 'awaitingAck');
    expect(drive.send(line('ACK'))).toEqual([cancelled.ack, armed.idle]);
    expect(drive.state).toBe('connected');
  });

  it('awaitingAck: any other line closes with a protocol error', () => {
    const drive = reach(lifecycle, 'awaitingAck');
    expect(drive.send(line('HELLO'))).toEqual([
      cancelled.ack,
      close({ kind: 'protocol-error', message: 'expected ACK' }),
      armed.linger,
    ]);
  });

});

describe('connection-lifecycle: connected and draining', () => {
  it('a line is echoed and restarts the idle timer', () => {
    const drive = reach(lifecycle, 'connected');
    expect(drive.send(line('hi there'))).toEqual([cancelled.idle, write('hi there\n'), armed.idle]);
    expect(drive.state).toBe('connected');
  });

  it('QUIT says BYE and closes with reason local(quit)', () => {
    const drive = reach(lifecycle, 'connected');
    expect(drive.send(line('QUIT'))).toEqual([
      cancelled.idle,
      write('BYE\n'),
      close({ kind: 'local', detail: 'quit' }),
      armed.linger,
    ]);
    expect(drive.state).toBe('closing');
  });

  it('the idle timeout is off by default: connected arms no timer', () => {
    const drive = Drive.start(machine, { ...timeouts, idleMs: Infinity }, accepted, line('HELLO'));
    expect(drive.send(line('ACK'))).toEqual([cancelled.ack]);
    expect(drive.send(line('x'))).toEqual([cancelled.idle, write('x\n')]);
  });

  it('draining still runs the protocol, without touching the idle timer', () => {
    const drive = reach(lifecycle, 'draining');
    expect(drive.send(line('late'))).toEqual([write('late\n')]);
    expect(drive.state).toBe('draining');
    // A stale idle firing (the timer was cancelled on the way in) changes nothing.
    expect(drive.fire('idleTimeout', 'connected')).toEqual([]);
    expect(drive.state).toBe('draining');
    expect(drive.send(line('QUIT'))).toEqual([write('BYE\n'), close({ kind: 'local', detail: 'quit' }), armed.linger]);
    expect(drive.state).toBe('closing');
  });
});

// An outgoing connection for the canonical protocol: connecting, then straight to
// awaitingAck (no handshake state). It exercises the builder's other opening.
const client = setup({
  types: { context: {} as LifecycleContext, events: {} as ConnectionEvent, input: {} as LifecycleInput },
  actions: effectActions,
  guards: {
    isWelcome: ({ event }) => event.type === 'message' && new TextDecoder().decode(event.frame) === 'WELCOME',
  },
  delays: lifecycleDelays,
});

const clientMachine = client.createMachine({
  id: 'test-client',
  context: ({ input }) => lifecycleContext(input),
  ...connectionLifecycle({
    connecting: client.createStateConfig({
      entry: { type: 'connect', params: { host: '127.0.0.1', port: 9000, timeoutMs: 1_000 } },
    }),
    awaitingAck: client.createStateConfig({
      entry: { type: 'write', params: { data: 'HELLO\n' } },
      on: {
        message: { guard: 'isWelcome', target: 'connected', actions: { type: 'write', params: { data: 'ACK\n' } } },
      },
    }),
    connected: client.createStateConfig({ on: {} }),
  }),
});

describe('connectionLifecycle builder: an outgoing connection without handshake', () => {
  it('connecting issues connect on entry', () => {
    const drive = Drive.start(clientMachine, timeouts);
    expect(drive.state).toBe('connecting');
    expect(drive.effects).toEqual([{ type: 'connect', host: '127.0.0.1', port: 9000, timeoutMs: 1_000 }]);
  });

  it('connected -> awaitingAck (the first protocol state), then WELCOME -> connected', () => {
    const drive = Drive.start(clientMachine, timeouts);
    expect(drive.send({ type: 'connected', remote: address, local: address })).toEqual([
      write('HELLO\n'),
      startTimer(clientMachine, 'ackTimeout', 'awaitingAck', 2_000),
    ]);
    expect(drive.state).toBe('awaitingAck');
    expect(drive.send(line('WELCOME'))).toEqual([
      cancelTimer(clientMachine, 'ackTimeout', 'awaitingAck'),
      write('ACK\n'),
      startTimer(clientMachine, 'idleTimeout', 'connected', 3_000),
    ]);
    expect(drive.state).toBe('connected');
  });

  it('connect-failed -> closed (final)', () => {
    const drive = Drive.start(clientMachine, timeouts);
    drive.send({ type: 'connect-failed', error: { code: 'ECONNREFUSED', message: 'refused' } });
    expect(drive.state).toBe('closed');
    expect(drive.status).toBe('done');
  });

  it('rejects entry, exit or after on connected: re-entry on traffic would repeat them', () => {
    expect(() => connectionLifecycle({ connected: { on: {}, entry: { type: 'log' } } })).toThrow(/only 'on'/);
  });
});
