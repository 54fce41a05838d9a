// Every shipped machine must reach 100% transition coverage. Each one is driven through
// the compiled step, recording coverage, by seeded random event sequences (the arbitraries
// of test/machines/arbitraries.ts) and then, for what those miss, by a breadth-first
// exploration: every event of a fixed sample from the same arbitrary, in every state and
// context reached, nearest first. The test stops as soon as every transition of the
// definition was taken, and otherwise names the transitions nothing took.

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { formatCoverage } from '../../src/chart/coverage.js';
import type { TransitionCoverage } from '../../src/chart/coverage.js';
import type { AnyEventObject } from '../../src/core/events.js';
import type { CompiledMachine, CompiledSnapshot } from '../../src/machine/compiled.js';
import { shippedMachineCases } from '../machines/arbitraries.js';
import { compileRecorded, coverageOf } from '../support/transition-coverage.js';

const SEED = 20_251_122;
const RANDOM_RUNS = 500;
const BATCH = 25;
const SAMPLE_EVENTS = 60;
const MAX_STATES = 2_000;

const complete = (coverage: TransitionCoverage): boolean => coverage.report().missing.length === 0;

function randomRuns(compiled: CompiledMachine, input: unknown, events: fc.Arbitrary<AnyEventObject>, coverage: TransitionCoverage): void {
  const runs = fc.array(events, { maxLength: 60, size: 'max' });
  // In batches, so a machine covered early does not pay for the whole budget.
  for (let batch = 0; batch * BATCH < RANDOM_RUNS && !complete(coverage); batch++) {
    for (const run of fc.sample(runs, { seed: SEED + batch, numRuns: BATCH })) {
      let snapshot = compiled.initial(input).snapshot;
      for (const event of run) snapshot = compiled.step(snapshot, event).snapshot;
    }
  }
}

const key = (snapshot: CompiledSnapshot): string =>
  JSON.stringify([snapshot.state, snapshot.context], (_k, v: unknown) => (v instanceof Uint8Array ? [...v] : v));

function explore(compiled: CompiledMachine, input: unknown, events: fc.Arbitrary<AnyEventObject>, coverage: TransitionCoverage): void {
  const sample = fc.sample(events, { seed: SEED, numRuns: SAMPLE_EVENTS });
  const first = compiled.initial(input).snapshot;
  const seen = new Set([key(first)]);
  const queue = [first];
  for (let head = 0; head < queue.length && !complete(coverage); head++) {
    const snapshot = queue[head] as CompiledSnapshot;
    for (const event of sample) {
      const next = compiled.step(snapshot, event).snapshot;
      const id = key(next);
      if (next.status === 'active' && !seen.has(id) && seen.size < MAX_STATES) {
        seen.add(id);
        queue.push(next);
      }
    }
  }
}

describe('shipped machines reach 100% transition coverage', () => {
  test.each(shippedMachineCases.map((shipped) => [shipped.name, shipped] as const))('%s', (name, shipped) => {
    const coverage = coverageOf(shipped.machine);
    const compiled = compileRecorded(shipped.machine);
    randomRuns(compiled, shipped.input, shipped.events, coverage);
    explore(compiled, shipped.input, shipped.events, coverage);
    const report = coverage.report();
    expect(report.missing, formatCoverage(report, name)).toEqual([]);
  });
});
