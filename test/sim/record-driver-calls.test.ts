// Record and replay of what the loopback echo test does not exercise: connection ids
// returned by `connect`, reports made from inside a driver call (`backpressure` from
// `write`), and wake-ups, on a scripted driver so every input is under the test's control.

import { describe, expect, it } from 'vitest';
import { handshakeClient } from '../../machines/handshake.js';
import type { HandshakeClientInput } from '../../machines/handshake.js';
import { encodeFrame } from '../../src/codecs/index.js';
import { canonicalJson } from '../../src/core/canonical-json.js';
import type { TraceStep } from '../../src/dispatcher/dispatcher.js';
import { Dispatcher } from '../../src/dispatcher/dispatcher.js';
import { parseLog } from '../../src/drivers/record/log-format.js';
import { MemoryLineSink } from '../../src/drivers/record/ndjson-writer.js';
import { RecordingDriver } from '../../src/drivers/record/recording-driver.js';
import { replayLog } from '../../src/drivers/record/replay.js';
import { compileMachine } from '../../src/machine/compile.js';
import { FakeDriver } from '../support/fake-driver.js';

/** Reports backpressure from inside its first write, as NetDriver does past the high-water mark. */
class BackpressuringDriver extends FakeDriver {
  private pressed = false;
  override write(conn: number, bytes: Uint8Array): void {
    super.write(conn, bytes);
    if (this.pressed) return;
    this.pressed = true;
    this.emit({ type: 'backpressure', conn, bufferedBytes: bytes.byteLength });
  }
}

const input: HandshakeClientInput = { host: 'server', port: 7000, clientId: 'c1', timeouts: { handshakeMs: 1_000, ackMs: 500, lingerMs: 200 } };
const machines = new Map([['handshake-client', compileMachine(handshakeClient)]]);
const address = { host: 'server', port: 7000 };

describe('record and replay: driver calls', () => {
  it('replays connection ids, nested reports and wake-ups identically', () => {
    const fake = new BackpressuringDriver();
    const sink = new MemoryLineSink();
    const recorder = new RecordingDriver(fake, sink, { app: 'test', flags: {} });
    const live: TraceStep[] = [];
    const dispatcher = new Dispatcher({
      driver: recorder,
      trace: (step) => {
        live.push(step);
        recorder.recordStep(step);
      },
    });
    for (const [kind, machine] of machines) dispatcher.register(kind, machine);
    dispatcher.spawn('client', 'handshake-client', input);
    const conn = fake.ops('connect')[0]!.conn;
    fake.time = 5;
    fake.emit({ type: 'connected', conn, remote: address, local: { host: 'client', port: 50_000 } });
    fake.time = 9;
    fake.emit({ type: 'data', conn, bytes: encodeFrame('WELCOME 1.c1') });
    // No ACK: the ack timer fires, the client closes, the linger timer aborts, the driver reports it.
    fake.advance(600);
    fake.advance(300);
    fake.time = 901;
    fake.emit({ type: 'closed', conn, reason: { kind: 'timeout', timer: 'linger' } });

    const lines = parseLog(sink.text());
    expect(lines.filter((line) => line.k === 'conn')).toEqual([{ k: 'conn', id: conn }]);
    expect(lines.filter((line) => line.k === 'io' && line.n === 1).map((line) => line.k === 'io' && line.e.type)).toEqual(['backpressure']);
    expect(lines.filter((line) => line.k === 'wake')).toHaveLength(2);
    expect(live.at(-1)?.to).toBe('closed');

    const report = replayLog(lines, { machines, root: { id: 'client', kind: 'handshake-client', input } });
    expect(report.divergence).toBeNull();
    expect(report.steps.map((step) => canonicalJson(step))).toEqual(live.map((step) => canonicalJson(step)));
  });
});
