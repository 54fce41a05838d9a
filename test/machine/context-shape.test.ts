// The fixed-shape context copier must give exactly what XState's
// `Object.assign({}, context, update)` gives, whatever keys come and go.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ContextShapes } from '../../src/machine/context-shape.js';

// Few distinct keys so shapes repeat and extend; '0' and '__proto__' take the odd paths.
const key = fc.constantFrom('a', 'b', 'c', 'count', '0', '12', '__proto__', 'constructor');
const record = fc.dictionary(key, fc.oneof(fc.integer(), fc.string(), fc.constant(undefined)), { maxKeys: 5 });

describe('ContextShapes', () => {
  it('merge equals Object.assign over chains of updates', () => {
    fc.assert(
      fc.property(record, fc.array(record, { maxLength: 8 }), (start, updates) => {
        const shapes = new ContextShapes();
        let ours: Record<string, unknown> = Object.assign({}, start);
        let reference: Record<string, unknown> = Object.assign({}, start);
        for (const update of updates) {
          ours = shapes.merge(ours, update);
          reference = Object.assign({}, reference, update);
          expect(Object.entries(ours)).toEqual(Object.entries(reference));
          expect(Object.getPrototypeOf(ours)).toBe(Object.prototype);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('merge equals Object.assign when contexts of several shapes take turns', () => {
    // As with many connections of one machine: the context merged is rarely the one just
    // produced, so its keys are checked against the last shape instead.
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(3), record), { minLength: 1, maxLength: 24 }), (turns) => {
        const shapes = new ContextShapes();
        const ours: Record<string, unknown>[] = [{ a: 1, b: 2 }, { b: 2, a: 1 }, { a: 1 }, Object.create({ a: 0 }) as Record<string, unknown>];
        const reference = ours.map((context) => Object.assign({}, context));
        for (const [who, update] of turns) {
          ours[who] = shapes.merge(ours[who], update);
          reference[who] = Object.assign({}, reference[who], update);
          expect(Object.entries(ours[who] as object)).toEqual(Object.entries(reference[who] as object));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('mergeProperties computes every property from the old context', () => {
    const shapes = new ContextShapes();
    const args = { context: { a: 1, b: 2 }, event: { type: 'swap' } };
    const swapped = shapes.mergeProperties(
      args.context,
      ['a', 'b', 'c'],
      [({ context }: typeof args) => context.b, ({ context }: typeof args) => context.a, 7],
      args,
      undefined,
    );
    expect(swapped).toEqual({ a: 2, b: 1, c: 7 });
    expect(args.context).toEqual({ a: 1, b: 2 });
  });

  it('stays correct past its budget of generated shapes', () => {
    const shapes = new ContextShapes();
    let context: Record<string, unknown> = {};
    for (let i = 0; i < 200; i++) context = shapes.merge(context, { [`k${i}`]: i });
    expect(Object.keys(context)).toHaveLength(200);
    expect(context['k199']).toBe(199);
  });
});
