// canonicalJson is the text the sim's trace hash and the record log's step digests are
// taken over, so it must not change: the same text as the replacer-based form it replaced
// (kept here as the reference), for any event-like value.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/core/canonical-json.js';

function reference(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    const original = this[key];
    if (original instanceof Uint8Array) return { b64: Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString('base64') };
    if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
    return v;
  });
}

const bytes = fc.uint8Array({ maxLength: 40 }).chain((array) =>
  fc.constantFrom<Uint8Array>(array, Buffer.from(array), new Uint8Array(Buffer.concat([Buffer.alloc(3), Buffer.from(array)]).buffer, 3, array.length)),
);
const leaf = fc.oneof(
  fc.double(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0),
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  bytes,
  fc.date({ noInvalidDate: true }),
);
const value = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.array(tie('node'), { maxLength: 5 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie('node'), { maxKeys: 5 }),
    // An object that stands for another when stringified, bytes and all.
    tie('node').map((inner) => ({ toJSON: () => inner })),
  ),
})).node;

describe('canonicalJson', () => {
  it('gives the same text as the replacer form it replaced, for any value', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(canonicalJson(v)).toBe(reference(v));
      }),
      { numRuns: 2_000 },
    );
  });

  it('writes bytes as base64 whatever holds them, and leaves the value it was given alone', () => {
    const event = { type: 'data', conn: 3, bytes: Buffer.from('hi'), when: [1, Number.POSITIVE_INFINITY] };
    expect(canonicalJson(event)).toBe('{"type":"data","conn":3,"bytes":{"b64":"aGk="},"when":[1,"Infinity"]}');
    expect(canonicalJson(new Uint8Array([104, 105]))).toBe('{"b64":"aGk="}');
    expect(Buffer.isBuffer(event.bytes)).toBe(true);
    expect(event.when[1]).toBe(Number.POSITIVE_INFINITY);
  });
});
