// The lines `statewire sim --trace` prints: which machines a filter selects, and how a
// step, a fault, a crash and a boot read.

import { describe, expect, it } from 'vitest';
import type { SimStep } from '../../src/drivers/sim/world.js';
import { traceObserver, traceSelects } from '../../src/sim/trace-lines.js';

describe('traceSelects', () => {
  it.each([
    ['all', 'server~1/server', true],
    ['client3', 'client3~2/c6', true],
    ['client3~1', 'client3~1/c6', true],
    ['client3~1', 'client3~2/c6', false],
    ['client3~1/c6', 'client3~1/c6', true],
    ['client3~1/c6', 'client3~1/c60', false],
    ['client3', 'client30~1/c6', false],
  ])('%s selects %s: %s', (filter, id, selected) => {
    expect(traceSelects(filter, id)).toBe(selected);
  });
});

describe('traceObserver', () => {
  function collect(filter: string) {
    const lines: string[] = [];
    return { lines, observer: traceObserver(filter, (line) => lines.push(line)) };
  }

  const step = (machine: string, nodeKey: string, fields: Partial<SimStep['step']>): SimStep => ({
    worldTime: 1840.2134,
    node: nodeKey.split('~')[0] as string,
    incarnation: 1,
    nodeKey,
    step: { time: 1839.9, machine, from: 'handshake', event: { type: 'connected' }, to: 'handshake', effects: [], ...fields },
  });

  it('tells a step by its event, state change and effects, for the machines selected', () => {
    const { lines, observer } = collect('client3~1/c6');
    observer.step?.(
      step('c6', 'client3~1', {
        event: { type: 'message', frame: new TextEncoder().encode('WELCOME 1.c6.1') },
        to: 'awaitingAck',
        effects: [
          { type: 'cancelTimer', name: 'handshake' },
          { type: 'write', data: new Uint8Array(18) },
          { type: 'startTimer', name: 'ack', delayMs: 1000 },
        ],
      }),
    );
    observer.step?.(step('c6', 'client3~2', {}));
    observer.step?.(step('c60', 'client3~1', {}));
    observer.step?.(
      step('c6', 'client3~1', {
        event: { type: 'closed', reason: { kind: 'peer-closed' } },
        from: 'closing',
        to: 'closed',
        effects: [{ type: 'close', mode: 'graceful', reason: { kind: 'local', detail: 'done' } }],
      }),
    );
    expect(lines).toEqual([
      '   1840.213 ms  client3~1/c6  message "WELCOME 1.c6.1"  handshake -> awaitingAck: cancelTimer handshake, write 18 B, startTimer ack 1000 ms',
      '   1840.213 ms  client3~1/c6  closed (peer-closed)  closing -> closed: close graceful (local: done)',
    ]);
  });

  it('shows binary frames by length, every fault, and the crashes and boots of selected nodes', () => {
    const { lines, observer } = collect('server');
    observer.step?.(step('handshake#4', 'server~1', { event: { type: 'message', frame: new Uint8Array([0, 1, 2]) } }));
    observer.fault?.(816, { type: 'partition', a: 'client3', b: 'server', oneWay: false, durationMs: 1001 }, true);
    observer.fault?.(900, { type: 'crash', node: 'client1', downMs: 10 }, false);
    observer.crash?.('server', 1, 1000);
    observer.crash?.('client1', 1, 1000);
    observer.boot?.('server', 2, 1500);
    expect(lines).toEqual([
      '   1840.213 ms  server~1/handshake#4  message 3 B  handshake',
      '    816.000 ms  fault partition client3 <-> server for 1001 ms',
      '    900.000 ms  fault crash client1, down 10 ms (found nothing to act on)',
      '   1000.000 ms  server~1 crashed',
      '   1500.000 ms  server~2 booted',
    ]);
  });
});
