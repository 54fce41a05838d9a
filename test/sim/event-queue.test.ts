// The event queue orders by time, then by insertion: the property that makes a run a
// function of its seed. Cancel must remove without disturbing the rest. The calendar's
// shape (day width, bucket count, entries waiting in the heap a year ahead) changes as it
// runs, so the model-based test drives it through all of them against a sorted list.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SimHandler } from '../../src/drivers/sim/event-queue.js';
import { EventQueue, isQueued, SimEvent } from '../../src/drivers/sim/event-queue.js';

/** An entry whose value is its id. */
type Entry = SimEvent<number>;
const NOTHING: SimHandler<number> = { handle: () => {} };

/** The reference: every queued entry, kept sorted by (at, insertion). */
class Model {
  readonly entries: { at: number; id: number }[] = [];
  /** Ids grow with insertion, so an entry goes after every entry at its time or earlier. */
  insert(at: number, id: number): void {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((this.entries[mid] as { at: number }).at <= at) low = mid + 1;
      else high = mid;
    }
    this.entries.splice(low, 0, { at, id });
  }
  pop(): number | undefined {
    return this.entries.shift()?.id;
  }
  cancel(id: number): void {
    const i = this.entries.findIndex((entry) => entry.id === id);
    if (i >= 0) this.entries.splice(i, 1);
  }
}

type Op =
  | { readonly kind: 'insert'; readonly offset: number }
  | { readonly kind: 'burst'; readonly count: number; readonly offset: number; readonly spacing: number }
  | { readonly kind: 'pop'; readonly count: number }
  | { readonly kind: 'cancel'; readonly pick: number }
  | { readonly kind: 'peek' };

/** Offsets from the time of the last pop: now, packets a few ms out, timers seconds out, far off, never. */
const offset = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 0, max: 50 }),
  fc.double({ min: 0, max: 40, noNaN: true }),
  fc.double({ min: 0, max: 1e-300, noNaN: true }),
  fc.double({ min: 1_000, max: 5_000, noNaN: true }),
  fc.double({ min: 1e6, max: 1e9, noNaN: true }),
  fc.constant(Number.POSITIVE_INFINITY),
);

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: offset.map((o) => ({ kind: 'insert' as const, offset: o })) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('burst' as const),
      count: fc.integer({ min: 1, max: 300 }),
      offset,
      spacing: fc.oneof(fc.constant(0), fc.constant(Number.MIN_VALUE), fc.double({ min: 0.001, max: 100, noNaN: true })),
    }),
  },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('pop' as const), count: fc.integer({ min: 1, max: 40 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'peek' as const }) },
);

function check(ops: readonly Op[]): void {
  const queue = new EventQueue();
  const model = new Model();
  const live = new Map<number, Entry>();
  let now = 0;
  let nextId = 0;
  const insert = (at: number): void => {
    const entry: Entry = new SimEvent(NOTHING, nextId++);
    queue.insert(entry, at);
    model.insert(at, entry.value);
    live.set(entry.value, entry);
  };
  const popOne = (): void => {
    const popped = queue.pop() as Entry | null;
    const expected = model.pop();
    expect(popped?.value).toBe(expected);
    if (popped === null) return;
    expect(isQueued(popped)).toBe(false);
    live.delete(popped.value);
    if (Number.isFinite(popped.at)) now = popped.at;
  };
  for (const step of ops) {
    switch (step.kind) {
      case 'insert':
        insert(now + step.offset);
        break;
      case 'burst':
        for (let i = 0; i < step.count; i++) insert(now + step.offset + i * step.spacing);
        break;
      case 'pop':
        for (let i = 0; i < step.count; i++) popOne();
        break;
      case 'cancel': {
        const ids = [...live.keys()];
        if (ids.length === 0) break;
        const id = ids[step.pick % ids.length] as number;
        const entry = live.get(id) as Entry;
        queue.cancel(entry);
        queue.cancel(entry); // a second cancel does nothing
        expect(isQueued(entry)).toBe(false);
        model.cancel(id);
        live.delete(id);
        break;
      }
      case 'peek':
        expect(queue.peekTime()).toBe(model.entries[0]?.at ?? null);
        break;
    }
    expect(queue.size).toBe(model.entries.length);
  }
  while (model.entries.length > 0 || queue.size > 0) popOne();
  expect(queue.pop()).toBeNull();
}

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

  it('agrees with a sorted list under any mix of near, far and never, bursts, pops and cancels', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 120 }), check), { numRuns: 300 });
  });

  it('keeps order past the largest calendar, with most entries a year or more ahead', () => {
    // 12,000 entries grow the calendar to its bucket limit; timers seconds out and far-off
    // entries wait in the heap and move into the calendar as the year reaches them.
    const ops: Op[] = [
      { kind: 'burst', count: 6_000, offset: 1e6, spacing: 37.3 },
      { kind: 'burst', count: 3_000, offset: 0, spacing: 0.01 },
      { kind: 'burst', count: 3_000, offset: 2_000, spacing: 0.5 },
      { kind: 'pop', count: 4_000 },
      { kind: 'burst', count: 500, offset: 5, spacing: 0 },
      { kind: 'cancel', pick: 7 },
      { kind: 'pop', count: 2_000 },
      { kind: 'burst', count: 200, offset: 0, spacing: 3_000 },
    ];
    check(ops);
  });

  it('keeps order when the spacing of entries changes under it', () => {
    // Dense packets set a narrow day; then entries seconds apart make the calendar measure
    // its width again (the work check) while entries of both regimes are still queued.
    check([
      { kind: 'burst', count: 2_000, offset: 0, spacing: 0.001 },
      { kind: 'pop', count: 1_990 },
      ...Array.from({ length: 400 }, (_, i): Op[] => [
        { kind: 'insert', offset: 1_000 + (i % 7) * 100 },
        { kind: 'pop', count: i % 3 === 0 ? 2 : 1 },
      ]).flat(),
    ]);
  });

  it('keeps order when entries are closer than any day could be', () => {
    // Gaps of the smallest double: a width measured from them would make days infinite.
    check([
      { kind: 'burst', count: 40, offset: 0, spacing: Number.MIN_VALUE },
      { kind: 'burst', count: 40, offset: 1e-9, spacing: 1e-12 },
      { kind: 'pop', count: 30 },
      { kind: 'burst', count: 200, offset: 0, spacing: Number.MIN_VALUE },
    ]);
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

  it('refuses a time it cannot order', () => {
    const queue = new EventQueue();
    expect(() => queue.schedule(Number.NaN, () => {})).toThrow(RangeError);
    expect(() => queue.schedule(-1, () => {})).toThrow(/>= 0/);
    expect(queue.size).toBe(0);
  });
});
