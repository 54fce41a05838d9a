// The event queue orders by time, then by insertion: the property that makes a run a
// function of its seed. Cancel must remove without disturbing the rest.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../src/drivers/sim/event-queue.js';

describe('EventQueue', () => {
  it('pops by time, ties in insertion order, skipping cancelled entries', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.boolean()), { maxLength: 200 }), (entries) => {
        const queue = new EventQueue();
        const ran: number[] = [];
        const scheduled = entries.map(([at], i) => queue.schedule(at, () => ran.push(i)));
        entries.forEach(([, cancel], i) => {
          if (cancel) queue.cancel(scheduled[i]!);
        });
        for (let event = queue.pop(); event !== null; event = queue.pop()) event.run();
        const expected = entries
          .map(([at, cancel], i) => ({ at, cancel, i }))
          .filter((entry) => !entry.cancel)
          .sort((x, y) => x.at - y.at || x.i - y.i)
          .map((entry) => entry.i);
        expect(ran).toEqual(expected);
        expect(queue.size).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it('peekTime reports the earliest entry', () => {
    const queue = new EventQueue();
    expect(queue.peekTime()).toBeNull();
    queue.schedule(5, () => {});
    const early = queue.schedule(2, () => {});
    expect(queue.peekTime()).toBe(2);
    queue.cancel(early);
    queue.cancel(early);
    expect(queue.peekTime()).toBe(5);
  });
});
