// The examples in docs/simulation.md, run. Each `doc:begin` .. `doc:end` region below must
// appear verbatim in the doc, so the doc cannot drift from code that passes.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EPOCH_KEY, handshakeClient, handshakeConnection, handshakeServer } from '../../machines/handshake.js';
import { SimWorld } from '../../src/drivers/sim/world.js';
import { compileMachine } from '../../src/machine/compile.js';
import { checkScenario } from '../../src/sim/check-scenario.js';
import { handshakeScenario } from '../../src/sim/handshake-scenario.js';
import type { InvariantFactory } from '../../src/sim/invariant.js';
import { InvariantSuite } from '../../src/sim/invariant.js';

function example() {
  // doc:begin scenario
  const world = new SimWorld({ seed: 7, maxDriftPpm: 1_000 });
  world.addNode({
    name: 'server',
    // Called at the first boot and after every crash, with a fresh dispatcher.
    boot({ dispatcher, storage }) {
      dispatcher.register('handshake-server', compileMachine(handshakeServer));
      dispatcher.register('handshake-connection', compileMachine(handshakeConnection));
      dispatcher.spawn('server', 'handshake-server', {
        host: 'server',
        port: 7000,
        maxConnections: 100,
        previousEpoch: Number(storage.get(EPOCH_KEY) ?? 0),
      });
    },
  });
  world.addNode({
    name: 'client1',
    boot({ dispatcher, after }) {
      dispatcher.register('handshake-client', compileMachine(handshakeClient));
      after(10, () => dispatcher.spawn('c0', 'handshake-client', { host: 'server', port: 7000, clientId: 'c0', pings: 2 }));
    },
  });
  // doc:end

  // doc:begin invariant
  /** A client is connected within one second of its node's clock, or closed. */
  const connectsQuickly: InvariantFactory = (context) => {
    const started = new Map<string, number>();
    return {
      name: 'connects-quickly',
      step({ node, step }) {
        if (node !== 'client1') return;
        if (step.event.type === 'xstate.init') started.set(step.machine, step.time);
        const begun = started.get(step.machine);
        if (begun === undefined || (step.to !== 'connected' && step.to !== 'closed')) return;
        context.check();
        const waited = step.time - begun;
        if (waited > 1_000) context.fail(`${step.machine} took ${waited} ms to connect`);
        started.delete(step.machine);
      },
    };
  };
  const suite = new InvariantSuite(world, [connectsQuickly]);
  world.schedule([{ at: 5, fault: { type: 'hold', from: 'server', to: 'client1', durationMs: 200 } }]);
  const stats = world.run({ until: 30_000 });
  // suite.violations: [], suite.checks: 1, stats.steps: 19
  // doc:end
  return { suite, stats };
}

function search() {
  // doc:begin search
  const result = checkScenario({ scenario: handshakeScenario, clients: 10, durationMs: 4_000, numRuns: 200, fcSeed: 1 });
  if (result.failure !== null) throw new Error(result.failure.message);
  // doc:end
  return result;
}

describe('docs/simulation.md', () => {
  const doc = readFileSync(new URL('../../docs/simulation.md', import.meta.url), 'utf8');
  const source = readFileSync(new URL(import.meta.url), 'utf8');

  it('shows the examples verbatim', () => {
    const regions = [...source.matchAll(/\/\/ doc:begin (\w+)\n([\s\S]*?)\s*\/\/ doc:end/g)];
    expect(regions.map((region) => region[1])).toEqual(['scenario', 'invariant', 'search']);
    for (const region of regions) {
      const code = (region[2] ?? '').replace(/^ {2}/gm, '');
      expect(doc).toContain(code);
    }
  });

  it('runs the example as the doc says', () => {
    const { suite, stats } = example();
    expect(suite.violations).toEqual([]);
    expect(suite.checks).toBe(1);
    expect(stats.steps).toBe(19);
  });

  it('runs the search as the doc says', () => {
    const result = search();
    expect(result.runs).toBe(200);
    expect(result.checks).toBeGreaterThan(200 * 100);
  });
});
