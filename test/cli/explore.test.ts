// How `statewire sim --explore` splits its runs over workers and reports what they found:
// a failure names the share that found it, so repeating that share alone finds it again.

import { describe, expect, it } from 'vitest';
import type { ExploreOptions } from '../../src/cli/commands/explore.js';
import { exploreShares, reportExploration } from '../../src/cli/commands/explore.js';
import type { ScenarioCheckResult } from '../../src/sim/check-scenario.js';

const options: ExploreOptions = { runs: 10, fcSeed: 0x7fff_fffe, maxFaults: 6, clients: 10, durationMs: 4_000, quiet: true };

function capture() {
  const printed = { out: '', err: '' };
  return { printed, output: { out: (text: string) => (printed.out += text), err: (text: string) => (printed.err += text) } };
}

const passed = (runs: number, checks: number): ScenarioCheckResult => ({ runs, checks, failure: null });

describe('exploreShares', () => {
  it('splits the runs as evenly as whole runs allow, share i under seed N + i (wrapping past 2^31 - 1)', () => {
    const shares = exploreShares('handshake', options, 3);
    expect(shares.map((share) => share.runs)).toEqual([4, 3, 3]);
    expect(shares.map((share) => share.fcSeed)).toEqual([0x7fff_fffe, 0x7fff_ffff, 0]);
    expect(shares.every((share) => share.clients === 10 && share.durationMs === 4_000 && share.maxFaults === 6)).toBe(true);
  });

  it('uses no more workers than runs', () => {
    expect(exploreShares('handshake', { ...options, runs: 2 }, 8).map((share) => share.runs)).toEqual([1, 1]);
  });
});

describe('reportExploration', () => {
  it('adds up the shares that passed and prints the command that repeats the whole exploration', () => {
    const { printed, output } = capture();
    const shares = exploreShares('handshake', options, 2);
    expect(reportExploration('handshake', options, shares, [passed(5, 700), passed(5, 800)], 1.25, output)).toBe(0);
    expect(printed.out).toBe(
      'sim handshake: explored 10 seeds with up to 6 generated faults each (fast-check seeds 2147483646 to 2147483647, 2 workers) in 1.3 s; ' +
        '1500 invariant checks, no violation\n' +
        '  again: npx statewire sim handshake --explore 10 --fc-seed 2147483646 --workers 2 --max-faults 6 --clients 10 --duration 4000ms\n',
    );
  });

  it('prints a failure with the command that repeats the share that found it, alone', () => {
    const { printed, output } = capture();
    const shares = exploreShares('handshake', options, 2);
    const failure = {
      seed: 7,
      faults: [],
      violation: { invariant: 'state-bounds', time: 1, message: 'stuck' },
      command: 'npx statewire sim handshake --seed 7 ...',
      message: 'sim handshake: invariant state-bounds failed (the message)',
    };
    const code = reportExploration('handshake', options, [shares[1]!], [{ runs: 3, checks: 9, failure }], 0.5, output);
    expect(code).toBe(1);
    expect(printed.out).toBe(
      'sim handshake: invariant state-bounds failed (the message)\n' +
        '  explore again: npx statewire sim handshake --explore 5 --fc-seed 2147483647 --max-faults 6 --clients 10 --duration 4000ms\n',
    );
  });
});
