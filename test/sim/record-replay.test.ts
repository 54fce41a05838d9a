// Record a real loopback session of the echo server (several clients, status broadcasts
// on a timer), then replay the log under the recorded clock: the replayed trace must equal
// the live one step by step (time, machine, from, event, to, effects). Only 127.0.0.1.

import net from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { echoApp } from '../../src/cli/apps/echo.js';
import { canonicalJson } from '../../src/core/canonical-json.js';
import type { TraceStep } from '../../src/dispatcher/dispatcher.js';
import { Dispatcher } from '../../src/dispatcher/dispatcher.js';
import { NetDriver } from '../../src/drivers/net/net-driver.js';
import type { StoredIoEvent } from '../../src/drivers/record/log-format.js';
import { dataLine, loadEvent, LOG_VERSION, parseLog } from '../../src/drivers/record/log-format.js';
import { MemoryLineSink } from '../../src/drivers/record/ndjson-writer.js';
import { RecordingDriver } from '../../src/drivers/record/recording-driver.js';
import { replayLog } from '../../src/drivers/record/replay.js';

const CLIENTS = 4;
const MESSAGES = 3;

function waitUntil(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      if (condition()) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(poll, 5);
    };
    poll();
  });
}

/** One client: send each message, wait for its echo, pause a little, then close. */
function client(port: number, id: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let received = '';
    let sent = 0;
    const deadline = setTimeout(() => {
      socket.destroy();
      reject(new Error(`client ${id} timed out; received ${JSON.stringify(received)}`));
    }, 5_000);
    const next = (): void => {
      if (sent === MESSAGES) {
        socket.end();
        return;
      }
      socket.write(`client ${id} message ${sent}\n`);
      sent++;
    };
    socket.setEncoding('utf8');
    socket.on('connect', next);
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (received.includes(`client ${id} message ${sent - 1}\n`) && sent <= MESSAGES) setTimeout(next, 10 + id * 3);
    });
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(deadline);
      resolve();
    });
  });
}

const comparable = (step: TraceStep) => canonicalJson([step.time, step.machine, step.from, step.event, step.to, step.effects]);

describe('record and replay', () => {
  it('replays a recorded loopback session of the echo server step for step', async () => {
    const flags = new Map([
      ['host', '127.0.0.1'],
      ['port', '0'],
      ['status-interval', '25ms'],
    ]);
    const sink = new MemoryLineSink();
    const recorder = new RecordingDriver(new NetDriver(), sink, { app: 'echo', flags: Object.fromEntries(flags) });
    const live: TraceStep[] = [];
    let port = 0;
    const dispatcher = new Dispatcher({
      driver: recorder,
      trace: (step) => {
        live.push(step);
        recorder.recordStep(step);
        if (step.event.type === 'listening') port = (step.event['address'] as { port: number }).port;
      },
    });
    const served = echoApp.configure(flags);
    for (const [kind, machine] of served.machines) dispatcher.register(kind, machine);
    dispatcher.spawn(served.root.id, served.root.kind, served.root.input);
    await waitUntil(() => port !== 0, 'the echo server to listen');

    await Promise.all(Array.from({ length: CLIENTS }, (_, id) => client(port, id)));
    await new Promise((resolve) => setTimeout(resolve, 60));
    await new Promise<void>((resolve) => {
      recorder.recordShutdown(1_000);
      dispatcher.beginShutdown({ deadlineMs: 1_000, onDone: resolve });
    });

    const lines = parseLog(sink.text());
    expect(lines.filter((line) => line.k === 'wake').length).toBeGreaterThan(0);
    expect(lines.filter((line) => line.k === 'io' && line.e.type === 'accepted')).toHaveLength(CLIENTS);
    const header = lines[0];
    if (header?.k !== 'header') throw new Error('no header');
    const report = replayLog(lines, echoApp.configure(new Map(Object.entries(header.flags))));
    expect(report.divergence).toBeNull();
    expect(live.length).toBeGreaterThan(CLIENTS * (MESSAGES + 3));
    expect(report.steps.length).toBe(live.length);
    for (let i = 0; i < live.length; i++) expect(comparable(report.steps[i]!), `step ${i}`).toBe(comparable(live[i]!));
  });

  it('reports the first step that differs', () => {
    const sink = new MemoryLineSink();
    sink.write(JSON.stringify({ k: 'header', v: LOG_VERSION, app: 'echo', flags: { port: '0' }, t: 0 }));
    sink.write(JSON.stringify({ k: 'step', m: 'echo-server', f: '(spawning)', ev: 'xstate.init', to: 'starting', h: '00000000' }));
    const report = replayLog(parseLog(sink.text()), echoApp.configure(new Map([['port', '0']])));
    expect(report.divergence).toMatch(/step differs: recorded echo-server: \(spawning\) --xstate.init--> starting \[00000000\]/);
  });
});

describe('the record log lines', () => {
  it('writes a data input as JSON.stringify would, so any JSON reader reads it back', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.nat(), fc.uint8Array({ maxLength: 600 }), (time, nested, conn, bytes) => {
        const event = { type: 'data' as const, conn, bytes: Buffer.from(bytes) };
        const stored = { type: 'data', conn, b64: Buffer.from(bytes).toString('base64') };
        expect(dataLine(time, nested, event)).toBe(JSON.stringify({ k: 'io', t: time, ...(nested && { n: 1 }), e: stored }));
        expect(loadEvent((JSON.parse(dataLine(time, nested, event)) as { e: StoredIoEvent }).e)).toEqual(event);
      }),
      { numRuns: 500 },
    );
  });
});
