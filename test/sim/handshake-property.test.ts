// The handshake protocol under generated fault schedules: after every step, every
// invariant of the scenario holds (src/sim/handshake-scenario.ts lists them). Fixed
// fast-check seeds keep CI stable; one random seed per run widens the search and is printed.

import { describe, expect, it } from 'vitest';
import { handshakeScenario } from '../../src/sim/handshake-scenario.js';
import { checkScenario } from '../../src/sim/check-scenario.js';

const RUNS = 120;

function check(fcSeed: number) {
  const result = checkScenario({ scenario: handshakeScenario, clients: 10, durationMs: 4_000, numRuns: RUNS, fcSeed });
  // A failure message carries the seed, the shrunk schedule and the replay command.
  if (result.failure !== null) throw new Error(result.failure.message);
  expect(result.runs).toBe(RUNS);
  expect(result.checks).toBeGreaterThan(RUNS * 100);
}

describe('handshake under random fault schedules', () => {
  it.each([1, 2])('holds every invariant (fast-check seed %i)', (fcSeed) => check(fcSeed));

  it('holds every invariant (random fast-check seed, printed)', () => {
    const fcSeed = Math.floor(Math.random() * 0x7fff_ffff);
    console.log(`handshake property: fast-check seed ${fcSeed}`);
    check(fcSeed);
  });
});
