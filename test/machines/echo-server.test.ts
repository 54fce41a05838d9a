// echo-server: the listener owner. Every state and edge: listen, serve, count, broadcast
// the status, refuse, stop.

import { describe, expect, it } from 'vitest';
import type { CloseReason } from '../../src/core/close-reason.js';
import { echoServer as machine, type EchoServerContext, type EchoServerInput } from '../../machines/echo.js';
import { Drive, cancelTimer, startTimer } from './harness.js';
import { requireFullCoverage } from '../support/transition-coverage.js';

requireFullCoverage(machine);

const input: EchoServerInput = {
  host: '127.0.0.1',
  port: 9000,
  statusIntervalMs: 5_000,
  maxConnections: 2,
  connectionMachine: 'echo-connection',
  connectionInput: { idleMs: 60_000 },
};
const listener = 'echo';
const remote = { host: '127.0.0.1', port: 50_001 };

const listening = { type: 'listening', listener, address: { host: '127.0.0.1', port: 9000 } };
const opened = (n: number) => ({ type: 'connection-opened', listener, machine: `echo#${n}`, remote });
const closed = (n: number, reason: CloseReason = { kind: 'peer-closed' }) => ({
  type: 'connection-closed',
  listener,
  machine: `echo#${n}`,
  reason,
});

const armedStatus = startTimer(machine, 'statusInterval', 'serving', 5_000);
const cancelledStatus = cancelTimer(machine, 'statusInterval', 'serving');
const stopListening = { type: 'stopListening', listener };

const serving = () => Drive.start(machine, input, listening);
const counts = (drive: Drive) => {
  const { active, opened, closed, refused } = drive.context as EchoServerContext;
  return { active, opened, closed, refused };
};

describe('echo-server: starting', () => {
  it('opens the listener on entry', () => {
    const drive = Drive.start(machine, input);
    expect(drive.state).toBe('starting');
    expect(drive.effects).toEqual([
      {
        type: 'listen',
        listener,
        host: '127.0.0.1',
        port: 9000,
        machine: 'echo-connection',
        input: { idleMs: 60_000 },
        maxConnections: 2,
        refuseMessage: 'Server busy: 2 connections already, try again later\n',
        group: 'echo',
      },
    ]);
    expect(counts(drive)).toEqual({ active: 0, opened: 0, closed: 0, refused: 0 });
  });

  it('passes a codec on when the input has one', () => {
    const codec = { kind: 'lines', maxLineBytes: 1024 } as const;
    const drive = Drive.start(machine, { ...input, connectionMachine: 'ping-connection', codec });
    expect(drive.effects[0]).toMatchObject({ type: 'listen', machine: 'ping-connection', codec });
  });

  it('listening -> serving, logging the bound address and arming the status timer', () => {
    const drive = Drive.start(machine, input);
    const bound = { ...listening, address: { host: '127.0.0.1', port: 40_123 } };
    expect(drive.send(bound)).toEqual([
      { type: 'log', level: 'info', message: 'echo listening on 127.0.0.1:40123' },
      armedStatus,
    ]);
    expect(drive.state).toBe('serving');
  });

  it('listen-failed -> failed (final), naming host:port and the OS error', () => {
    const drive = Drive.start(machine, input);
    const error = { code: 'EADDRINUSE', message: 'address already in use' };
    expect(drive.send({ type: 'listen-failed', listener, error })).toEqual([
      {
        type: 'log',
        level: 'error',
        message: 'echo cannot listen on 127.0.0.1:9000: EADDRINUSE address already in use',
      },
    ]);
    expect(drive.state).toBe('failed');
    expect(drive.status).toBe('done');
  });

  it('shutdown before listening -> stopping', () => {
    const drive = Drive.start(machine, input);
    expect(drive.send({ type: 'shutdown' })).toEqual([
      stopListening,
      { type: 'log', level: 'info', message: 'echo shutting down before it listened' },
    ]);
    expect(drive.state).toBe('stopping');
  });
});

describe('echo-server: serving', () => {
  it('counts connections opened and closed', () => {
    const drive = serving();
    expect(drive.send(opened(1))).toEqual([]);
    drive.send(opened(2));
    drive.send(closed(1, { kind: 'reset', code: 'ECONNRESET' }));
    expect(counts(drive)).toEqual({ active: 1, opened: 2, closed: 1, refused: 0 });
    expect(drive.state).toBe('serving');
  });

  it('each status interval broadcasts the active count, logs a summary and re-arms', () => {
    const drive = serving();
    drive.send(opened(1));
    drive.send(opened(2));
    drive.send(closed(2));
    expect(drive.fire('statusInterval', 'serving')).toEqual([
      cancelledStatus,
      { type: 'broadcast', group: 'echo', event: { type: 'status', active: 1, line: 'Server status: 1 active connections\n' } },
      { type: 'log', level: 'info', message: 'echo status: 1 active, 2 opened, 1 closed, 0 refused' },
      armedStatus,
    ]);
    expect(drive.state).toBe('serving');
    // Counting does not disturb the interval.
    expect(drive.send(opened(3))).toEqual([]);
    expect(drive.fire('statusInterval', 'serving')).toContainEqual({
      type: 'broadcast',
      group: 'echo',
      event: { type: 'status', active: 2, line: 'Server status: 2 active connections\n' },
    });
  });

  it('statusIntervalMs Infinity: no status timer', () => {
    const drive = Drive.start(machine, { ...input, statusIntervalMs: Infinity });
    expect(drive.send(listening)).toEqual([
      { type: 'log', level: 'info', message: 'echo listening on 127.0.0.1:9000' },
    ]);
  });

  it('connection-refused logs a warning and counts it', () => {
    const drive = serving();
    expect(drive.send({ type: 'connection-refused', listener, remote, limit: 2 })).toEqual([
      { type: 'log', level: 'warn', message: 'echo refused 127.0.0.1:50001: at the limit of 2 connections' },
    ]);
    expect(counts(drive).refused).toBe(1);
  });

  it('accept-error logs a warning and keeps serving', () => {
    const drive = serving();
    const error = { code: 'EMFILE', message: 'too many open files' };
    expect(drive.send({ type: 'accept-error', listener, error })).toEqual([
      { type: 'log', level: 'warn', message: 'echo accept error EMFILE: too many open files; still listening' },
    ]);
    expect(drive.state).toBe('serving');
  });

  it('shutdown -> stopping: stop listening, no more status', () => {
    const drive = serving();
    drive.send(opened(1));
    expect(drive.send({ type: 'shutdown' })).toEqual([
      cancelledStatus,
      stopListening,
      { type: 'log', level: 'info', message: 'echo shutting down: no new connections, 1 active' },
    ]);
    expect(drive.state).toBe('stopping');
    expect(drive.fire('statusInterval', 'serving')).toEqual([]);
  });

  it('ignores unknown events and a second listening', () => {
    const drive = serving();
    expect(drive.send({ type: 'bogus' })).toEqual([]);
    expect(drive.send(listening)).toEqual([]);
    expect(drive.state).toBe('serving');
  });
});

describe('echo-server: stopping', () => {
  const stopping = () => {
    const drive = serving();
    drive.send(opened(1));
    drive.send({ type: 'shutdown' });
    return drive;
  };

  it('keeps counting connections as they close', () => {
    const drive = stopping();
    drive.send(closed(1, { kind: 'server-shutdown' }));
    expect(counts(drive)).toEqual({ active: 0, opened: 1, closed: 1, refused: 0 });
    expect(drive.state).toBe('stopping');
  });

  it('ignores a second shutdown', () => {
    const drive = stopping();
    expect(drive.send({ type: 'shutdown' })).toEqual([]);
    expect(drive.state).toBe('stopping');
  });

  it('listener-closed -> stopped (final), with a last summary', () => {
    const drive = stopping();
    expect(drive.send({ type: 'listener-closed', listener })).toEqual([
      { type: 'log', level: 'info', message: 'echo stopped: 1 active, 1 opened, 0 closed, 0 refused' },
    ]);
    expect(drive.state).toBe('stopped');
    expect(drive.status).toBe('done');
  });

  it('listen-failed (a shutdown that overtook the listen) -> stopped', () => {
    const drive = Drive.start(machine, input);
    drive.send({ type: 'shutdown' });
    drive.send({ type: 'listen-failed', listener, error: { code: 'EACCES', message: 'permission denied' } });
    expect(drive.state).toBe('stopped');
    expect(drive.status).toBe('done');
  });

  it('a stopped server ignores everything', () => {
    const drive = stopping();
    drive.send({ type: 'listener-closed', listener });
    expect(drive.send(opened(9))).toEqual([]);
    expect(drive.state).toBe('stopped');
  });
});
