// The shipped list itself: every machine compiles, names are unique, and random event
// sequences from its arbitrary never break it (no throw, no error status).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shippedMachines } from '../../machines/index.js';
import { compileMachine } from '../../src/machine/compile.js';
import { afterEvents, leafStates, shippedMachineCases } from './arbitraries.js';
import { Drive } from './harness.js';

describe('shippedMachines', () => {
  it('have unique names', () => {
    const names = shippedMachines.map((shipped) => shipped.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(shippedMachines.map((shipped) => [shipped.name, shipped] as const))('%s compiles', (_, shipped) => {
    expect(compileMachine(shipped.machine).initial(shipped.input).snapshot.status).toBe('active');
  });

  it.each(shippedMachineCases.map((shipped) => [shipped.name, shipped] as const))(
    '%s: random runs reach every state, fire every timer and keep the machine sound',
    (_, shipped) => {
      const seen = new Set<string>();
      const visited = new Set<string>();
      fc.assert(
        fc.property(fc.array(shipped.events, { maxLength: 60, size: 'max' }), (events) => {
          const drive = Drive.start(shipped.machine, shipped.input);
          visited.add(drive.state);
          for (const event of events) {
            seen.add(event.type);
            drive.send(event);
            visited.add(drive.state);
            if (drive.status !== 'active' && drive.status !== 'done') return false;
          }
          return true;
        }),
        // Reaching every state is a statement about this sample, so the sample is fixed:
        // a run never passes or fails by luck. Soundness under other seeds is the
        // differential test's job, which draws fresh ones.
        { numRuns: 1_000, seed: 20261122 },
      );
      for (const timer of afterEvents(shipped.machine)) expect(seen).toContain(timer);
      expect([...visited].sort()).toEqual(leafStates(shipped.machine).sort());
    },
  );
});
