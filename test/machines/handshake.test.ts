// The handshake machines step by step, apart from any network: every state, each failure
// path with its close reason, and the wire frames they write.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnyStateMachine } from 'xstate';
import {
  EPOCH_KEY,
  frameWords,
  HANDSHAKE_CODEC,
  handshakeClient as client,
  handshakeConnection as connection,
  handshakeServer as server,
  type HandshakeClientContext,
  type HandshakeClientInput,
  type HandshakeServerContext,
} from '../../machines/handshake.js';
import { encodeFrame } from '../../src/codecs/index.js';
import type { CloseReason } from '../../src/core/close-reason.js';
import type { Effect } from '../../src/core/effects.js';
import { Drive, cancelTimer, line, startTimer } from './harness.js';
import { lifecycleEdges, reach, type LifecycleMachine } from './lifecycle-edges.js';
import { requireFullCoverage } from '../support/transition-coverage.js';

requireFullCoverage(client);
requireFullCoverage(connection);
requireFullCoverage(server);

const address = { host: 'server', port: 7000 };
const timeouts = { handshakeMs: 1_000, ackMs: 2_000, idleMs: 5_000, lingerMs: 500 };
const clientInput: HandshakeClientInput = { host: 'server', port: 7000, clientId: 'c1', pings: 2, connectTimeoutMs: 3_000, timeouts };
const write = (text: string): Effect => ({ type: 'write', data: encodeFrame(text) });
const close = (reason: CloseReason, mode: 'graceful' | 'abort' = 'graceful'): Effect => ({ type: 'close', reason, mode });
const connected = { type: 'connected', remote: address, local: { host: 'client1', port: 49152 } };
const accepted = { type: 'accepted', remote: { host: 'client1', port: 49152 }, local: address };
const reason = (drive: Drive) => (drive.context as HandshakeClientContext).closeReason;
const lingerArmed = (machine: AnyStateMachine) => startTimer(machine, 'lingerTimeout', 'closing', timeouts.lingerMs);
const idleCancelled = (machine: AnyStateMachine) => cancelTimer(machine, 'idleTimeout', 'connected');

describe('handshake client', () => {
  const lifecycle: LifecycleMachine = {
    machine: client,
    input: clientInput,
    timeouts,
    paths: {
      connecting: [],
      handshake: [connected],
      awaitingAck: [connected, line('WELCOME 3.c1')],
      connected: [connected, line('WELCOME 3.c1'), line('ACK 3.c1')],
    },
  };
  lifecycleEdges(lifecycle);

  const sentHello = () => reach(lifecycle, 'handshake');
  const awaitingAck = () => reach(lifecycle, 'awaitingAck');
  const inSession = () => reach(lifecycle, 'connected');
  const pongs = (drive: Drive) => (drive.context as HandshakeClientContext).pongs;

  it('Initiated: connects with the length-prefixed codec', () => {
    const drive = Drive.start(client, clientInput);
    expect(drive.state).toBe('connecting');
    expect(drive.effects).toEqual([{ type: 'connect', host: 'server', port: 7000, timeoutMs: 3_000, codec: HANDSHAKE_CODEC }]);
  });

  it('SentHandshake: on connect writes HELLO and arms the handshake timeout', () => {
    const drive = Drive.start(client, clientInput);
    expect(drive.send(connected)).toEqual([write('HELLO 1 c1'), startTimer(client, 'handshakeTimeout', 'handshake', 1_000)]);
    expect(drive.state).toBe('handshake');
  });

  it('AwaitingAck: WELCOME gives the session, CONFIRM goes out, the ack timeout is armed', () => {
    const drive = sentHello();
    expect(drive.send(line('WELCOME 3.c1'))).toEqual([
      cancelTimer(client, 'handshakeTimeout', 'handshake'),
      write('CONFIRM 3.c1'),
      startTimer(client, 'ackTimeout', 'awaitingAck', 2_000),
    ]);
    expect(drive.state).toBe('awaitingAck');
    expect((drive.context as HandshakeClientContext).sessionId).toBe('3.c1');
  });

  it('Connected: the matching ACK, then PINGs until the last PONG closes with local: done', () => {
    const drive = awaitingAck();
    expect(drive.send(line('ACK 3.c1'))).toEqual([
      cancelTimer(client, 'ackTimeout', 'awaitingAck'),
      write('PING 1'),
      startTimer(client, 'idleTimeout', 'connected', 5_000),
    ]);
    expect(drive.state).toBe('connected');
    expect(drive.send(line('PONG 1'))).toContainEqual(write('PING 2'));
    expect(drive.send(line('PONG 2'))).toContainEqual(close({ kind: 'local', detail: 'done' }));
    expect(drive.state).toBe('closing');
    drive.send({ type: 'closed', reason: { kind: 'local', detail: 'done' } });
    expect(drive.status).toBe('done');
    expect(reason(drive)).toEqual({ kind: 'local', detail: 'done' });
    expect((drive.context as HandshakeClientContext).pongs).toBe(2);
  });

  it('bad ack: an ACK for another session closes with a protocol error', () => {
    const drive = awaitingAck();
    expect(drive.send(line('ACK 4.c1'))).toContainEqual(close({ kind: 'protocol-error', message: 'bad ack' }));
    expect(drive.state).toBe('closing');
  });

  it('anything but WELCOME in SentHandshake is a protocol error (a REJECT too)', () => {
    expect(sentHello().send(line('REJECT version 1 only'))).toContainEqual(close({ kind: 'protocol-error', message: 'expected WELCOME' }));
  });

  it('connect-failed ends in closed with the error as the reason', () => {
    const drive = Drive.start(client, clientInput);
    drive.send({ type: 'connect-failed', error: { code: 'ECONNREFUSED', message: 'refused' } });
    expect(drive.status).toBe('done');
    expect(reason(drive)).toEqual({ kind: 'connect-failed', code: 'ECONNREFUSED', message: 'refused' });
  });

  it('peer closed: closes in turn, and a reset while waiting ends with the reset as the reason', () => {
    const drive = inSession();
    expect(drive.send({ type: 'peer-closed' })).toContainEqual(close({ kind: 'peer-closed' }));
    const reset = awaitingAck();
    reset.send({ type: 'closed', reason: { kind: 'reset', code: 'ECONNRESET' } });
    expect(reset.state).toBe('closed');
    expect(reason(reset)).toEqual({ kind: 'reset', code: 'ECONNRESET' });
  });

  it('Connected: anything but PONG is a protocol error (expected PONG)', () => {
    expect(inSession().send(line('PING 1'))).toEqual([
      idleCancelled(client),
      close({ kind: 'protocol-error', message: 'expected PONG' }),
      lingerArmed(client),
    ]);
  });

  it('draining: PONGs still count and the next PING still goes out, without the idle timer', () => {
    const drive = reach(lifecycle, 'draining');
    expect(drive.send(line('PONG 1'))).toEqual([write('PING 2')]);
    expect(drive.state).toBe('draining');
    expect(pongs(drive)).toBe(1);
    expect(drive.send(line('PONG 2'))).toEqual([close({ kind: 'local', detail: 'done' }), lingerArmed(client)]);
    expect(drive.state).toBe('closing');
    expect(pongs(drive)).toBe(2);
  });

  it('draining: anything but PONG is a protocol error (expected PONG)', () => {
    const drive = reach(lifecycle, 'draining');
    expect(drive.send(line('ACK 3.c1'))).toEqual([close({ kind: 'protocol-error', message: 'expected PONG' }), lingerArmed(client)]);
    expect(drive.state).toBe('closing');
    expect(pongs(drive)).toBe(0);
  });
});

describe('handshake server connection', () => {
  const input = { epoch: 3, timeouts };
  const lifecycle: LifecycleMachine = {
    machine: connection,
    input,
    timeouts,
    paths: {
      accepting: [],
      handshake: [accepted],
      awaitingAck: [accepted, line('HELLO 1 c1')],
      connected: [accepted, line('HELLO 1 c1'), line('CONFIRM 3.c1')],
    },
  };
  lifecycleEdges(lifecycle);

  const greeted = () => reach(lifecycle, 'awaitingAck');

  it('HELLO -> WELCOME with <epoch>.<client>, then CONFIRM -> ACK and connected', () => {
    const drive = Drive.start(connection, input, accepted);
    expect(drive.state).toBe('handshake');
    expect(drive.send(line('HELLO 1 c1'))).toContainEqual(write('WELCOME 3.c1'));
    expect(drive.state).toBe('awaitingAck');
    expect(drive.send(line('CONFIRM 3.c1'))).toContainEqual(write('ACK 3.c1'));
    expect(drive.state).toBe('connected');
    expect(drive.send(line('PING 7'))).toContainEqual(write('PONG 7'));
  });

  it('rejects another version, a wrong CONFIRM and junk after the handshake', () => {
    expect(Drive.start(connection, input, accepted).send(line('HELLO 2 c1'))).toEqual(
      expect.arrayContaining([write('REJECT version 1 only'), close({ kind: 'protocol-error', message: 'unsupported version' })]),
    );
    expect(Drive.start(connection, input, accepted).send(line('GET /'))).toContainEqual(close({ kind: 'protocol-error', message: 'expected HELLO' }));
    expect(greeted().send(line('CONFIRM 3.c2'))).toContainEqual(close({ kind: 'protocol-error', message: 'bad confirm' }));
    const drive = greeted();
    drive.send(line('CONFIRM 3.c1'));
    expect(drive.send(line('HELLO 1 c1'))).toContainEqual(close({ kind: 'protocol-error', message: 'expected PING' }));
  });

  it('draining: still answers PING with PONG, without the idle timer', () => {
    const drive = reach(lifecycle, 'draining');
    expect(drive.send(line('PING 8'))).toEqual([write('PONG 8')]);
    expect(drive.state).toBe('draining');
  });

  it('draining: anything but PING is a protocol error (expected PING)', () => {
    const drive = reach(lifecycle, 'draining');
    expect(drive.send(line('PONG 8'))).toEqual([
      close({ kind: 'protocol-error', message: 'expected PING' }),
      lingerArmed(connection),
    ]);
    expect(drive.state).toBe('closing');
  });
});

describe('handshake server', () => {
  const serverInput = { host: 'server', port: 7000, maxConnections: 8, previousEpoch: 4 };
  const listener = 'handshake';
  const stopListening = { type: 'stopListening', listener };
  const remote = { host: 'client1', port: 49152 };
  const active = (drive: Drive) => (drive.context as HandshakeServerContext).active;

  it('persists its epoch (one above the last boot) before it listens', () => {
    const drive = Drive.start(server, { host: 'server', port: 7000, maxConnections: 8, previousEpoch: 4, connection: timeouts });
    expect(drive.effects[0]).toEqual({ type: 'persist', key: EPOCH_KEY, value: 5 });
    expect(drive.effects[1]).toMatchObject({
      type: 'listen',
      machine: 'handshake-connection',
      codec: HANDSHAKE_CODEC,
      maxConnections: 8,
      input: { epoch: 5, timeouts },
    });
    drive.send({ type: 'listening', listener: 'handshake', address });
    expect(drive.state).toBe('serving');
    drive.send({ type: 'shutdown' });
    drive.send({ type: 'listener-closed', listener: 'handshake' });
    expect(drive.status).toBe('done');
  });

  it('counts the connections open in active, also while stopping', () => {
    const drive = Drive.start(server, serverInput, { type: 'listening', listener, address });
    const opened = (n: number) => ({ type: 'connection-opened', listener, machine: `handshake#${n}`, remote });
    const closed = (n: number) => ({ type: 'connection-closed', listener, machine: `handshake#${n}`, reason: { kind: 'peer-closed' } });
    expect(drive.send(opened(1))).toEqual([]);
    expect(drive.send(opened(2))).toEqual([]);
    expect(active(drive)).toBe(2);
    expect(drive.send(closed(1))).toEqual([]);
    expect(active(drive)).toBe(1);
    expect(drive.state).toBe('serving');
    drive.send({ type: 'shutdown' });
    expect(drive.send(closed(2))).toEqual([]);
    expect(active(drive)).toBe(0);
    expect(drive.state).toBe('stopping');
  });

  it('listen-failed -> failed (final), naming host:port and the OS error', () => {
    const drive = Drive.start(server, serverInput);
    const error = { code: 'EADDRINUSE', message: 'address already in use' };
    expect(drive.send({ type: 'listen-failed', listener, error })).toEqual([
      { type: 'log', level: 'error', message: 'handshake cannot listen on server:7000: EADDRINUSE address already in use' },
    ]);
    expect(drive.state).toBe('failed');
    expect(drive.status).toBe('done');
  });

  it('shutdown before listening -> stopping, stopping the listener it asked for', () => {
    const drive = Drive.start(server, serverInput);
    expect(drive.send({ type: 'shutdown' })).toEqual([stopListening]);
    expect(drive.state).toBe('stopping');
  });

  it('stopping: listen-failed (a shutdown that overtook the listen) -> stopped', () => {
    const drive = Drive.start(server, serverInput, { type: 'shutdown' });
    const error = { code: 'EACCES', message: 'permission denied' };
    expect(drive.send({ type: 'listen-failed', listener, error })).toEqual([]);
    expect(drive.state).toBe('stopped');
    expect(drive.status).toBe('done');
  });
});

describe('frame words', () => {
  const decoder = new TextDecoder();
  // Frames near the protocol's own (verbs, spaces, short ids), and any bytes at all.
  const word = fc.oneof(
    fc.constantFrom('HELLO', 'WELCOME', 'CONFIRM', 'ACK', 'PING', 'PONG', 'REJECT', 'PIN', 'PONGS', 'ack', ''),
    fc.string({ maxLength: 12 }),
  );
  const text = fc.array(word, { maxLength: 5 }).map((words) => words.join(' '));
  const frame = fc.oneof(
    text.map((t) => new TextEncoder().encode(t)),
    fc.uint8Array({ maxLength: 24 }),
  );

  it('equal decoding the frame and splitting at spaces, for any bytes', () => {
    fc.assert(
      fc.property(frame, (bytes) => {
        expect(frameWords(bytes)).toEqual(decoder.decode(bytes).split(' '));
      }),
      { numRuns: 2_000 },
    );
  });
});
