// ping-connection, the example of docs/writing-a-machine.md: every state and edge.

import { describe, expect, it } from 'vitest';
import type { CloseReason } from '../../src/core/close-reason.js';
import type { Effect } from '../../src/core/effects.js';
import { MAX_STRIKES, pingConnection as machine, type PingContext } from '../../machines/examples/ping.js';
import { Drive, cancelTimer, line, startTimer } from './harness.js';
import { lifecycleEdges, reach, type LifecycleMachine } from './lifecycle-edges.js';
import { requireFullCoverage } from '../support/transition-coverage.js';

requireFullCoverage(machine);

const input = { handshakeMs: 5_000, idleMs: 30_000, lingerMs: 2_000 };
const accepted = {
  type: 'accepted',
  remote: { host: '127.0.0.1', port: 50_000 },
  local: { host: '127.0.0.1', port: 7000 },
};

const write = (data: string): Effect => ({ type: 'write', data });
const close = (reason: CloseReason, mode: 'graceful' | 'abort' = 'graceful'): Effect => ({ type: 'close', reason, mode });
const handshakeArmed = startTimer(machine, 'handshakeTimeout', 'handshake', 5_000);
const handshakeCancelled = cancelTimer(machine, 'handshakeTimeout', 'handshake');
const idleArmed = startTimer(machine, 'idleTimeout', 'connected', 30_000);
const idleCancelled = cancelTimer(machine, 'idleTimeout', 'connected');
const lingerArmed = startTimer(machine, 'lingerTimeout', 'closing', 2_000);

/** The last strike: ERR, then a graceful close (the idle timer, if running, is cancelled first). */
const tooManyUnknown = close({ kind: 'protocol-error', message: 'too many unknown commands' });
const struckOut = [write('ERR too many unknown commands\n'), tooManyUnknown, lingerArmed];

const backpressure = { type: 'backpressure', bufferedBytes: 70_000 };

const lifecycle: LifecycleMachine = {
  machine,
  input,
  timeouts: input,
  paths: { accepting: [], handshake: [accepted], connected: [accepted, line('HELLO alice')] },
};
lifecycleEdges(lifecycle);

const handshake = () => reach(lifecycle, 'handshake');
const connected = () => reach(lifecycle, 'connected');

describe('ping-connection: handshake', () => {
  it('greets on accept and arms the handshake timeout', () => {
    const drive = Drive.start(machine, input);
    expect(drive.send(accepted)).toEqual([write('HELLO ping/1\n'), handshakeArmed]);
    expect(drive.state).toBe('handshake');
  });

  it('HELLO <name> -> connected, remembering the name', () => {
    const drive = handshake();
    expect(drive.send(line('HELLO alice'))).toEqual([handshakeCancelled, write('WELCOME alice\n'), idleArmed]);
    expect(drive.state).toBe('connected');
    expect((drive.context as PingContext).name).toBe('alice');
  });

  it.each(['HELLO', 'HELLO ', 'PING', ''])('"%s" instead of HELLO <name> closes (protocol-error)', (text) => {
    const drive = handshake();
    expect(drive.send(line(text))).toEqual([
      handshakeCancelled,
      close({ kind: 'protocol-error', message: 'expected HELLO <name>' }),
      lingerArmed,
    ]);
    expect(drive.state).toBe('closing');
  });
});

describe('ping-connection: connected', () => {
  it('PING -> PONG, PING <arg> -> PONG <arg>; each restarts the idle timer', () => {
    const drive = connected();
    expect(drive.send(line('PING'))).toEqual([idleCancelled, write('PONG\n'), idleArmed]);
    expect(drive.send(line('PING 42'))).toEqual([idleCancelled, write('PONG 42\n'), idleArmed]);
    expect(drive.state).toBe('connected');
  });

  it('QUIT says BYE <name> and closes (local: quit)', () => {
    const drive = connected();
    expect(drive.send(line('QUIT'))).toEqual([
      idleCancelled,
      write('BYE alice\n'),
      close({ kind: 'local', detail: 'quit' }),
      lingerArmed,
    ]);
    expect(drive.state).toBe('closing');
  });

  it(`unknown commands get ERR; strike ${MAX_STRIKES} closes (protocol-error)`, () => {
    const drive = connected();
    for (let strike = 1; strike < MAX_STRIKES; strike++) {
      expect(drive.send(line('PONG'))).toEqual([idleCancelled, write('ERR unknown command\n'), idleArmed]);
      expect((drive.context as PingContext).strikes).toBe(strike);
    }
    expect(drive.send(line('ping'))).toEqual([idleCancelled, ...struckOut]);
    expect(drive.state).toBe('closing');
  });

  it('while draining it still answers, without the idle timer', () => {
    const drive = connected();
    expect(drive.send(backpressure)).toEqual([idleCancelled, { type: 'pauseReading' }]);
    expect(drive.send(line('PING'))).toEqual([write('PONG\n')]);
    expect(drive.state).toBe('draining');
    expect(drive.send({ type: 'drained' })).toEqual([{ type: 'resumeReading' }, idleArmed]);
    expect(drive.state).toBe('connected');
  });
});

// Output backed up: reading is paused, but commands already queued still arrive and are
// handled as in connected, only without the idle timer (it is stopped while draining).
describe('ping-connection: draining', () => {
  const draining = () => reach(lifecycle, 'draining');

  it('QUIT says BYE <name> and closes (local: quit), with no idle timer to cancel', () => {
    const drive = draining();
    expect(drive.send(line('QUIT'))).toEqual([
      write('BYE alice\n'),
      close({ kind: 'local', detail: 'quit' }),
      lingerArmed,
    ]);
    expect(drive.state).toBe('closing');
  });

  it(`unknown commands still count as strikes; strike ${MAX_STRIKES} closes (protocol-error)`, () => {
    const drive = draining();
    for (let strike = 1; strike < MAX_STRIKES; strike++) {
      expect(drive.send(line('HELO'))).toEqual([write('ERR unknown command\n')]);
      expect(drive.state).toBe('draining');
      expect((drive.context as PingContext).strikes).toBe(strike);
    }
    expect(drive.send(line('HELO'))).toEqual(struckOut);
    expect(drive.state).toBe('closing');
  });

  it('strikes made while connected carry over into draining', () => {
    const drive = connected();
    for (let strike = 1; strike < MAX_STRIKES; strike++) drive.send(line('HELO'));
    drive.send(backpressure);
    expect((drive.context as PingContext).strikes).toBe(MAX_STRIKES - 1);
    expect(drive.send(line('HELO'))).toContainEqual(tooManyUnknown);
    expect(drive.state).toBe('closing');
  });
});
