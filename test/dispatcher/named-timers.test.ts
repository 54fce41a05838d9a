import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NamedTimers } from '../../src/dispatcher/named-timers.js';
import type { TimerEntry } from '../../src/dispatcher/timer-heap.js';

type Entry = TimerEntry<{ readonly name: string }> & { armed: boolean };

function entry(name: string, armed = true): Entry {
  return { deadline: 0, seq: 0, payload: { name }, armed };
}

const heap = { isArmed: (e: Entry) => e.armed };

type Op = { op: 'add'; name: string } | { op: 'delete'; name: string } | { op: 'get'; name: string } | { op: 'stop'; name: string };

const name = fc.integer({ min: 0, max: 30 }).map((i) => `t${i}`);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: name.map((n) => ({ op: 'add' as const, name: n })) },
  name.map((n) => ({ op: 'delete' as const, name: n })),
  name.map((n) => ({ op: 'get' as const, name: n })),
  name.map((n) => ({ op: 'stop' as const, name: n })),
);

describe('NamedTimers', () => {
  it('agrees with a Map by name under any sequence of adds, deletes and lookups, across the switch to an index', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 30, maxLength: 120 }), (ops) => {
        const timers = new NamedTimers<Entry>();
        const model = new Map<string, Entry>();
        for (const step of ops) {
          switch (step.op) {
            case 'add':
              // Names are unique in an instance: the dispatcher only adds a name it did not find.
              if (model.has(step.name)) break;
              model.set(step.name, entry(step.name));
              timers.add(model.get(step.name) as Entry);
              break;
            case 'delete':
              expect(timers.delete(step.name)).toBe(model.get(step.name));
              model.delete(step.name);
              break;
            case 'get':
              expect(timers.get(step.name)).toBe(model.get(step.name));
              break;
            case 'stop': {
              const stopped = model.get(step.name);
              if (stopped !== undefined) stopped.armed = false;
              break;
            }
          }
          expect(timers.size).toBe(model.size);
          expect(new Set(timers.all())).toEqual(new Set(model.values()));
          // A stopped entry is offered only while it is safe to rename (no index by name yet).
          const offered = timers.stopped(heap);
          if (offered !== undefined) expect(offered.armed).toBe(false);
        }
      }),
    );
  });

  it('offers the first stopped entry while short, and none once indexed', () => {
    const timers = new NamedTimers<Entry>();
    const a = entry('a');
    const b = entry('b', false);
    timers.add(a);
    timers.add(b);
    expect(timers.stopped(heap)).toBe(b);
    for (let i = 0; i < 10; i++) timers.add(entry(`x${i}`));
    expect(timers.get('b')).toBe(b);
    expect(timers.stopped(heap)).toBeUndefined();
  });
});
