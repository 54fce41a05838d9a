// echo-connection: every state and edge of one echo client's machine.

import { describe, expect, it } from 'vitest';
import type { Effect } from '../../src/core/effects.js';
import { echoConnection as machine, statusLine } from '../../machines/echo.js';
import { Drive, bytes, cancelTimer, startTimer } from './harness.js';
import { lifecycleEdges } from './lifecycle-edges.js';
import { requireFullCoverage } from '../support/transition-coverage.js';

requireFullCoverage(machine);

const accepted = {
  type: 'accepted',
  remote: { host: '127.0.0.1', port: 50_000 },
  local: { host: '127.0.0.1', port: 9000 },
};
const data = (text: string) => ({ type: 'data', bytes: bytes(text) });
const backpressure = { type: 'backpressure', bufferedBytes: 70_000 };

const lingerMs = 5_000; // the default
const armedLinger = startTimer(machine, 'lingerTimeout', 'closing', lingerMs);
const cancelledIdle = cancelTimer(machine, 'idleTimeout', 'connected');

const connected = (input: unknown = {}) => Drive.start(machine, input, accepted);
const draining = () => Drive.start(machine, {}, accepted, backpressure);

// No handshake: the lifecycle's edges from accepting, connected and draining. Idle is off by default.
lifecycleEdges({
  machine,
  input: {},
  timeouts: { idleMs: Infinity, lingerMs },
  paths: { accepting: [], connected: [accepted] },
});

describe('echo-connection', () => {
  it('accepting -> connected on accepted; no idle timer by default', () => {
    const drive = Drive.start(machine, {});
    expect(drive.state).toBe('accepting');
    expect(drive.send(accepted)).toEqual([]);
    expect(drive.state).toBe('connected');
  });

  it('writes the same bytes back', () => {
    const drive = connected();
    const chunk = new Uint8Array([0, 1, 2, 255]);
    const effects = drive.send({ type: 'data', bytes: chunk });
    expect(effects).toEqual([cancelledIdle, { type: 'write', data: chunk }]);
    // The very same buffer: echo copies nothing.
    expect((effects[1] as Extract<Effect, { type: 'write' }>).data).toBe(chunk);
    expect(drive.state).toBe('connected');
  });

  it('writes the status line, which does not count as traffic', () => {
    const drive = connected({ idleMs: 60_000 });
    expect(drive.send({ type: 'status', active: 3, line: statusLine(3) })).toEqual([
      { type: 'write', data: 'Server status: 3 active connections\n' },
    ]);
  });

  it('with idleMs, data restarts the idle timer and idle closes with timeout(idle)', () => {
    const drive = connected({ idleMs: 60_000 });
    const armedIdle = startTimer(machine, 'idleTimeout', 'connected', 60_000);
    expect(drive.effects).toEqual([armedIdle]);
    expect(drive.send(data('x'))).toEqual([cancelledIdle, { type: 'write', data: bytes('x') }, armedIdle]);
    expect(drive.fire('idleTimeout', 'connected')).toEqual([
      cancelledIdle,
      { type: 'close', reason: { kind: 'timeout', timer: 'idle' }, mode: 'graceful' },
      armedLinger,
    ]);
    expect(drive.state).toBe('closing');
  });

  it('draining still echoes data already queued and still writes status lines', () => {
    const drive = draining();
    expect(drive.send(data('queued'))).toEqual([{ type: 'write', data: bytes('queued') }]);
    expect(drive.send({ type: 'status', active: 1, line: statusLine(1) })).toEqual([
      { type: 'write', data: 'Server status: 1 active connections\n' },
    ]);
    expect(drive.state).toBe('draining');
  });

  it('closing: linger aborts; closed ends; data and status are no longer written', () => {
    const drive = connected();
    drive.send({ type: 'peer-closed' });
    expect(drive.send(data('late'))).toEqual([]);
    expect(drive.send({ type: 'status', active: 1, line: statusLine(1) })).toEqual([]);
    const aborted = drive.fork();
    expect(aborted.fire('lingerTimeout', 'closing')).toEqual([
      { type: 'close', reason: { kind: 'timeout', timer: 'linger' }, mode: 'abort' },
    ]);
    // Still closing: the abort's own `closed` report ends it.
    expect(aborted.state).toBe('closing');
    aborted.send({ type: 'closed', reason: { kind: 'timeout', timer: 'linger' } });
    expect(aborted.status).toBe('done');
    drive.send({ type: 'closed', reason: { kind: 'peer-closed' } });
    expect(drive.state).toBe('closed');
    expect(drive.status).toBe('done');
  });
});
