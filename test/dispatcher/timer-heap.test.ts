// The dispatcher's timer heap against a sorted-list model: whatever mix of arming,
// re-arming (in place), cancelling (lazily, the entry stays filed), removing and firing,
// timers fire in (deadline, arming order), and the earliest deadline is always exact.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TimerEntry } from '../../src/dispatcher/timer-heap.js';
import { TimerHeap } from '../../src/dispatcher/timer-heap.js';

type Command =
  | { readonly kind: 'arm'; readonly name: number; readonly deadline: number }
  | { readonly kind: 'cancel'; readonly name: number }
  | { readonly kind: 'remove'; readonly name: number }
  | { readonly kind: 'fire'; readonly now: number };

const NAMES = 6;
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant('arm' as const), name: fc.nat(NAMES - 1), deadline: fc.integer({ min: 0, max: 50 }) }),
  fc.record({ kind: fc.constant('cancel' as const), name: fc.nat(NAMES - 1) }),
  fc.record({ kind: fc.constant('remove' as const), name: fc.nat(NAMES - 1) }),
  fc.record({ kind: fc.constant('fire' as const), now: fc.integer({ min: 0, max: 50 }) }),
);

describe('TimerHeap', () => {
  it('fires in (deadline, arming order) however timers are re-armed in place, cancelled and fired', () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 80 }), (commands) => {
        const heap = new TimerHeap<string>();
        // Entries are kept after they fire or are cancelled, and re-armed, as the dispatcher does.
        const entries = new Map<number, TimerEntry<string>>();
        let model: { name: number; deadline: number; order: number; payload: string }[] = [];
        let order = 0;
        for (const [step, c] of commands.entries()) {
          if (c.kind === 'arm') {
            const payload = `${c.name}@${step}`;
            const entry = entries.get(c.name);
            if (entry === undefined) entries.set(c.name, heap.push(c.deadline, payload));
            else heap.rearm(entry, c.deadline, payload);
            model = model.filter((m) => m.name !== c.name);
            model.push({ name: c.name, deadline: c.deadline, order: order++, payload });
          } else if (c.kind === 'cancel' || c.kind === 'remove') {
            const entry = entries.get(c.name);
            if (entry !== undefined && c.kind === 'cancel') heap.cancel(entry);
            if (entry !== undefined && c.kind === 'remove') heap.remove(entry);
            model = model.filter((m) => m.name !== c.name);
          } else {
            const fired: string[] = [];
            for (let e = heap.popDue(c.now); e !== null; e = heap.popDue(c.now)) fired.push(e.payload);
            const due = model.filter((m) => m.deadline <= c.now).sort((a, b) => a.deadline - b.deadline || a.order - b.order);
            model = model.filter((m) => m.deadline > c.now);
            expect(fired).toEqual(due.map((m) => m.payload));
          }
          expect(heap.size).toBe(model.length);
          for (const [name, entry] of entries) expect(heap.isArmed(entry)).toBe(model.some((m) => m.name === name));
          expect(heap.peekDeadline()).toBe(model.length === 0 ? null : Math.min(...model.map((m) => m.deadline)));
        }
      }),
      { numRuns: 600 },
    );
  });
});
