// What the world tells its observers, and what it costs when nobody listens: steps are
// traced only while a step observer (or the trace hash) reads them, a crash observer can
// still read the node it is told about, and the handshake scenario's `connected` count,
// taken from the clients' own context, agrees with the steps it no longer watches.

import { describe, expect, it } from 'vitest';
import type { FaultSchedule } from '../../src/drivers/sim/faults.js';
import type { SimStep } from '../../src/drivers/sim/world.js';
import { SimWorld } from '../../src/drivers/sim/world.js';
import { handshakeClient } from '../../machines/handshake.js';
import { compileMachine } from '../../src/machine/compile.js';
import { handshakeScenario } from '../../src/sim/handshake-scenario.js';
import { handMachine } from '../support/hand-machine.js';

/** Ticks every 10 ms, five times, then ends. */
const ticker = handMachine<{ ticks: number }>(
  'ticker',
  () => ({ state: 'ticking', context: { ticks: 0 }, effects: [{ type: 'startTimer', name: 'tick', delayMs: 10 }] }),
  (state, context, event) => {
    if (event.type !== 'timeout') return null;
    const ticks = context.ticks + 1;
    if (ticks === 5) return { state: 'done', context: { ticks }, done: true };
    return { state, context: { ticks }, effects: [{ type: 'startTimer', name: 'tick', delayMs: 10 }] };
  },
);

function tickerWorld(): SimWorld {
  const world = new SimWorld({ seed: 7 });
  world.addNode({
    name: 'a',
    boot(node) {
      node.dispatcher.register('ticker', ticker);
      node.dispatcher.spawn('t', 'ticker');
    },
  });
  return world;
}

describe('world observers', () => {
  it('counts steps without tracing them, and traces from the moment a step observer arrives', () => {
    const world = tickerWorld();
    const early = world.run({ until: 25 });
    expect(early.steps).toBe(3); // spawn, tick 1, tick 2
    const seen: SimStep[] = [];
    world.observe({ step: (step) => seen.push(step) });
    const late = world.run({ until: 100 });
    expect(late.steps).toBe(6);
    expect(seen.map(({ step }) => step.to)).toEqual(['ticking', 'ticking', 'done']);
    expect(seen.every(({ node, incarnation }) => node === 'a' && incarnation === 1)).toBe(true);
  });

  it('tells a crash observer while the node can still be read', () => {
    const world = tickerWorld();
    const read: unknown[] = [];
    world.observe({ crash: (node) => read.push(world.dispatcherOf(node)?.snapshotOf('t')?.context) });
    world.schedule([{ at: 25, fault: { type: 'crash', node: 'a', downMs: 1_000 } }]);
    world.run({ until: 30 });
    expect(read).toEqual([{ ticks: 2 }]);
    expect(world.dispatcherOf('a')).toBeNull();
  });

  it("counts the handshake's connected clients from their context as the steps would", () => {
    // Crashes take clients down after they connected (no retire), and end the run with some still up.
    const faults: FaultSchedule = [
      { at: 400, fault: { type: 'crash', node: 'client1', downMs: 300 } },
      { at: 900, fault: { type: 'crash', node: 'server', downMs: 500 } },
      { at: 1_600, fault: { type: 'reset', node: 'client2', pick: 0 } },
    ];
    for (const seed of [1, 2, 3]) {
      let stepped = 0;
      const report = handshakeScenario.run({
        seed,
        faults,
        clients: 40,
        durationMs: 2_000,
        observer: {
          step: ({ step }) => {
            if (step.machine.startsWith('c') && step.from === 'awaitingAck' && step.to === 'connected') stepped++;
          },
        },
      });
      expect(stepped).toBeGreaterThan(0);
      expect(report.outcomes['connected'] ?? 0).toBe(stepped);
    }
  });

  it('counts the connected clients still running when a violation stops the run', () => {
    // Without its ack timeout a client cut off from the server's ACK waits forever: the
    // state-bounds invariant stops the run while other clients are mid-session.
    const machines = new Map([['handshake-client', compileMachine(handshakeClient.provide({ delays: { ackTimeout: Number.POSITIVE_INFINITY } }))]]);
    let stepped = 0;
    const report = handshakeScenario.run({
      seed: 1,
      faults: [{ at: 500, fault: { type: 'partition', a: 'server', b: 'client1', oneWay: true, durationMs: 5_000 } }],
      clients: 40,
      durationMs: 2_000,
      machines,
      observer: {
        step: ({ step }) => {
          if (step.machine.startsWith('c') && step.from === 'awaitingAck' && step.to === 'connected') stepped++;
        },
      },
    });
    expect(report.violations[0]?.invariant).toBe('state-bounds');
    const ended = Object.entries(report.outcomes).filter(([outcome]) => outcome.startsWith('closed:')).reduce((sum, [, n]) => sum + n, 0);
    expect(ended).toBeLessThan(stepped);
    expect(report.outcomes['connected'] ?? 0).toBe(stepped);
  });
});
