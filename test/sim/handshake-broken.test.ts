// A deliberately broken client, whose ack timeout is never armed, must be caught: the
// property test finds a schedule under which a client waits in awaitingAck past its bound,
// shrinks it, and prints the seed, the schedule and the replay command. Replaying that
// seed and schedule reproduces the same violation.

import { describe, expect, it } from 'vitest';
import { handshakeClient } from '../../machines/handshake.js';
import { compileMachine } from '../../src/machine/compile.js';
import { handshakeScenario } from '../../src/sim/handshake-scenario.js';
import { checkScenario } from './check-scenario.js';

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
});
