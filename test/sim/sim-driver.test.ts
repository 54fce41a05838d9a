// The sim driver keeps TCP's promises inside a connection whatever the network does, and
// reports the same events with the same close reasons as the net driver: backpressure,
// drained, output-buffer-limit, refused and timed-out connects, resets, crash and restart.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Fault } from '../../src/drivers/sim/faults.js';
import { SimWorld } from '../../src/drivers/sim/world.js';
import { handMachine } from '../support/hand-machine.js';
import { concat, runPipe } from './pipe-world.js';

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

describe('a simulated connection', () => {
  it('delivers every byte once, in order, under random cuts, holds and partitions', () => {
    const fault: fc.Arbitrary<Fault> = fc.oneof(
      fc.record({ type: fc.constant('hold' as const), from: fc.constantFrom('a', 'b'), to: fc.constant('b'), durationMs: fc.integer({ min: 1, max: 500 }) }).map((f) => ({ ...f, to: f.from === 'a' ? 'b' : 'a' })),
      fc.record({ type: fc.constant('partition' as const), a: fc.constant('a'), b: fc.constant('b'), oneWay: fc.boolean(), durationMs: fc.integer({ min: 1, max: 500 }) }),
      fc.record({ type: fc.constant('latency' as const), from: fc.constant('a'), to: fc.constant('b'), latencyMs: fc.integer({ min: 0, max: 50 }), jitterMs: fc.integer({ min: 0, max: 50 }) }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff_ffff }),
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 3_000 }), { minLength: 1, maxLength: 12 }),
        // After the connect (a SYN lost to a partition is a failed connect, not a lost byte).
        fc.array(fc.record({ at: fc.integer({ min: 30, max: 400 }), fault }), { maxLength: 4 }),
        (seed, chunks, faults) => {
          // A slow link keeps bytes in flight while the faults hit.
          const run = runPipe({ seed, chunks, faults, tcp: { maxSegmentBytes: 700, splitProbability: 0.5 }, world: { link: { bandwidthBytesPerMs: 100 } } });
          expect(run.received()).toEqual(concat(chunks));
          expect(run.receiverEvents.at(-1)).toMatchObject({ type: 'closed', reason: { kind: 'peer-closed' } });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('cuts a stream at seeded byte boundaries: the same seed cuts the same way', () => {
    const chunks = [bytes(5_000, 1), bytes(5_000, 2)];
    const sizes = (seed: number) =>
      runPipe({ seed, chunks, tcp: { splitProbability: 0.5 } }).receiverEvents.filter((e) => e.type === 'data').map((e) => (e['bytes'] as Uint8Array).byteLength);
    expect(sizes(3)).toEqual(sizes(3));
    expect(new Set([1, 2, 3, 4, 5, 6, 7, 8].map((seed) => sizes(seed).join(','))).size).toBeGreaterThan(1);
  });

  it('reports backpressure at the high-water mark and drained when the buffer empties', () => {
    const run = runPipe({
      seed: 1,
      chunks: [bytes(3_000, 7)],
      limits: { highWaterBytes: 1_000, hardLimitBytes: 100_000 },
      tcp: { receiveWindowBytes: 1_024 },
      pauseMs: 100,
    });
    const types = run.senderEvents.map((e) => e.type);
    expect(types.indexOf('backpressure')).toBeGreaterThan(-1);
    expect(types.indexOf('drained')).toBeGreaterThan(types.indexOf('backpressure'));
    expect(run.received().byteLength).toBe(3_000);
  });

  it('aborts with output-buffer-limit past the hard limit when the reader stalls', () => {
    const run = runPipe({
      seed: 1,
      chunks: Array.from({ length: 10 }, (_, i) => bytes(1_000, i)),
      limits: { highWaterBytes: 1_000, hardLimitBytes: 5_000 },
      tcp: { receiveWindowBytes: 1_024 },
      pauseMs: 10_000,
    });
    expect(run.senderEvents.map((e) => e.type)).toContain('backpressure');
    expect(run.senderEvents.at(-1)).toEqual({ type: 'closed', reason: { kind: 'output-buffer-limit', limitBytes: 5_000 } });
    expect(run.receiverEvents.at(-1)).toMatchObject({ type: 'closed', reason: { kind: 'reset', code: 'ECONNRESET' } });
  });

  it('refuses a connect to a port nobody listens on', () => {
    const run = runPipe({ seed: 1, chunks: [], port: 10 });
    expect(run.senderEvents.at(-1)).toMatchObject({ type: 'connect-failed', error: { code: 'ECONNREFUSED' } });
  });

  it('refuses connects during a refuse fault', () => {
    const run = runPipe({ seed: 1, chunks: [], faults: [{ at: 0, fault: { type: 'refuse', node: 'b', durationMs: 100 } }] });
    expect(run.senderEvents.at(-1)).toMatchObject({ type: 'connect-failed', error: { code: 'ECONNREFUSED' } });
  });

  it('times a connect out across a partition, and fails at once for an unknown host', () => {
    const partitioned = runPipe({ seed: 1, chunks: [], faults: [{ at: 0, fault: { type: 'partition', a: 'a', b: 'b', oneWay: false, durationMs: 10_000 } }] });
    expect(partitioned.senderEvents.at(-1)).toMatchObject({ type: 'connect-failed', error: { code: 'ETIMEDOUT' } });
    expect(partitioned.steps.at(-1)?.step.time).toBeCloseTo(2_001, 0);
    const unknown = runPipe({ seed: 1, chunks: [], host: 'nowhere' });
    expect(unknown.senderEvents.at(-1)).toMatchObject({ type: 'connect-failed', error: { code: 'ENOTFOUND' } });
  });

  it('resets both ends on a reset fault', () => {
    const run = runPipe({ seed: 1, chunks: [], pauseMs: 1_000, faults: [{ at: 100, fault: { type: 'reset', node: 'a', pick: 0 } }] });
    expect(run.senderEvents.at(-1)).toEqual({ type: 'closed', reason: { kind: 'reset', code: 'ECONNRESET' } });
    expect(run.receiverEvents.at(-1)).toEqual({ type: 'closed', reason: { kind: 'reset', code: 'ECONNRESET' } });
  });
});

describe('nodes', () => {
  it('crash: connections reset at the peer; restart: fresh machines with what was persisted', () => {
    const boots: unknown[] = [];
    const world = new SimWorld({ seed: 9 });
    const peerEvents: string[] = [];
    world.observe({ step: ({ node, step }) => node === 'b' && step.machine.startsWith('l#') && step.event.type !== 'xstate.init' && peerEvents.push(step.event.type) });
    world.addNode({
      name: 'b',
      boot(node) {
        node.dispatcher.register('owner', handMachine('owner', () => ({ state: 's', context: null, effects: [{ type: 'listen', listener: 'l', host: 'b', port: 9, machine: 'peer' }] }), () => null));
        node.dispatcher.register('peer', handMachine('peer', () => ({ state: 'open', context: null }), (_s, c, e) => (e.type === 'closed' ? { state: 'closed', context: c, done: true } : null)));
        node.dispatcher.spawn('owner', 'owner');
      },
    });
    world.addNode({
      name: 'a',
      boot(node) {
        const previous = Number(node.storage.get('boots') ?? 0);
        boots.push(previous);
        node.dispatcher.register(
          'app',
          handMachine('app', () => ({
            state: 'up',
            context: null,
            effects: [
              { type: 'persist', key: 'boots', value: previous + 1 },
              { type: 'connect', host: 'b', port: 9, timeoutMs: 1_000 },
              { type: 'startTimer', name: 'never', delayMs: 10_000 },
            ],
          }), () => null),
        );
        node.after(1, () => node.dispatcher.spawn('app', 'app'));
      },
    });
    world.schedule([{ at: 200, fault: { type: 'crash', node: 'a', downMs: 300 } }]);
    world.run({ until: 1_000 });
    expect(boots).toEqual([0, 1]);
    expect(world.incarnationOf('a')).toBe(2);
    expect(peerEvents).toEqual(['accepted', 'closed', 'accepted']);
    // The crashed incarnation's 10 s timer is gone with it: nothing fires at 10 s.
    expect(world.run({ until: 20_000 }).steps).toBe(world.stats().steps);
  });

  it('runs each node clock at its own rate within the drift bound', () => {
    const fired: Record<string, number> = {};
    const world = new SimWorld({ seed: 4, maxDriftPpm: 10_000 });
    for (const name of ['n1', 'n2', 'n3']) {
      world.addNode({
        name,
        boot(node) {
          node.dispatcher.register('t', handMachine('t', () => ({ state: 'w', context: null, effects: [{ type: 'startTimer', name: 'x', delayMs: 1_000 }] }), () => ({ state: 'd', context: null, done: true })));
          node.dispatcher.spawn('t', 't');
        },
      });
    }
    world.observe({ step: ({ node, worldTime, step }) => step.event.type === 'timeout' && (fired[node] = worldTime) });
    world.run({ until: 2_000 });
    const times = Object.values(fired);
    expect(times).toHaveLength(3);
    for (const t of times) expect(Math.abs(t - 1_000)).toBeLessThanOrEqual(1_000 * 0.0101);
    expect(new Set(times).size).toBe(3);
  });
});
