// A deliberately broken client, whose ack timeout is never armed, must be caught: the
// property test finds a schedule under which a client waits in awaitingAck past its bound,
// shrinks it, and prints the seed, the schedule and the replay command. Replaying that
// seed and schedule reproduces the same violation.

import { describe, expect, it } from 'vitest';
import { handshakeClient } from '../../machines/handshake.js';
import { compileMachine } from '../../src/machine/compile.js';
import { explore } from '../../src/cli/commands/explore.js';
import { checkScenario } from '../../src/sim/check-scenario.js';
import { handshakeScenario } from '../../src/sim/handshake-scenario.js';
import type { Scenario } from '../../src/sim/scenario.js';

// A non-finite delay is the idiom for a disabled timer: the ack timeout is never armed.
const brokenClient = compileMachine(handshakeClient.provide({ delays: { ackTimeout: Number.POSITIVE_INFINITY } }));
const machines = new Map([['handshake-client', brokenClient]]);

describe('the handshake property test', () => {
  it('finds a client stuck in awaitingAck when the ack timeout is not armed, and prints a replayable failure', () => {
    const result = checkScenario({ scenario: handshakeScenario, clients: 10, durationMs: 4_000, numRuns: 300, fcSeed: 1, machines });
    expect(result.failure).not.toBeNull();
    const failure = result.failure!;
    console.log(failure.message);
    expect(failure.violation.invariant).toBe('state-bounds');
    expect(failure.violation.message).toMatch(/in awaitingAck/);
    expect(failure.message).toContain(`seed: ${failure.seed}`);
    expect(failure.command).toBe(
      `npx statewire sim handshake --seed ${failure.seed} --clients 10 --duration 4000ms --faults '${JSON.stringify(failure.faults)}'`,
    );
    // The same seed and schedule fail the same way; the shipped client passes them.
    const config = { seed: failure.seed, faults: failure.faults, clients: 10, durationMs: 4_000 };
    expect(handshakeScenario.run({ ...config, machines }).violations[0]).toEqual(failure.violation);
    expect(handshakeScenario.run(config).violations).toEqual([]);
  });

  it('is what `statewire sim --explore` runs: it exits 1 and prints the failure, its replay and the exploration to run again', () => {
    const broken: Scenario = { ...handshakeScenario, run: (config) => handshakeScenario.run({ ...config, machines }) };
    let out = '';
    let err = '';
    const options = { runs: 300, fcSeed: 1, maxFaults: 6, clients: 10, durationMs: 4_000, quiet: false };
    const code = explore(broken, options, { out: (text) => (out += text), err: (text) => (err += text) });
    expect(code).toBe(1);
    expect(out).toMatch(/^sim handshake: invariant state-bounds failed \(after \d+ runs, \d+ shrinks; fast-check seed 1\)\n/);
    expect(out).toMatch(/\n  replay: npx statewire sim handshake --seed \d+ --clients 10 --duration 4000ms --faults '\[.*\]'\n/);
    expect(out).toContain('\n  explore again: npx statewire sim handshake --explore 300 --fc-seed 1 --max-faults 6 --clients 10 --duration 4000ms\n');
    // Progress goes to stderr, at most once a second: a run this short may print none.
    expect(err).not.toContain('violation');
  });
});
