// canonicalJson is the text the sim's trace hash is taken over, so it must not change: the
// same text as the replacer-based form it replaced (kept here as the reference), for any
// event-like value. `digest`, the record log's step digest, is pinned the same way to the
// format docs/simulation.md gives.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { canonicalJson, digest, HASHED_NATIVELY } from '../../src/core/canonical-json.js';

function reference(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    const original = this[key];
    if (original instanceof Uint8Array) return { b64: Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString('base64') };
    if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
    return v;
  });
}

/** docs/simulation.md: FNV-1a over the JSON with byte arrays as {"n":length}, then over their bytes (a long one's SHA-1). */
function referenceDigest(value: unknown): string {
  const arrays: Uint8Array[] = [];
  const text = JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    const original = this[key];
    if (original instanceof Uint8Array) {
      arrays.push(original);
      return { n: original.byteLength };
    }
    if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
    return v;
  }) as string | undefined;
  let hash = 0x811c9dc5;
  for (const char of text ?? '') for (let i = 0; i < char.length; i++) hash = Math.imul(hash ^ char.charCodeAt(i), 0x01000193);
  for (const array of arrays) {
    const stands = array.byteLength > HASHED_NATIVELY ? createHash('sha1').update(array).digest() : array;
    for (const byte of stands) hash = Math.imul(hash ^ byte, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

const bytes = fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ minLength: HASHED_NATIVELY - 2, maxLength: HASHED_NATIVELY + 2 })).chain((array) =>
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

/** A property: `ours` and `theirs` agree on any value. */
function agree(ours: (v: unknown) => string, theirs: (v: unknown) => string): () => void {
  return () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(ours(v)).toBe(theirs(v));
      }),
      { numRuns: 2_000 },
    );
  };
}

describe('canonicalJson', () => {
  it('gives the same text as the replacer form it replaced, for any value', agree(canonicalJson, reference));

  it('writes bytes as base64 whatever holds them, and leaves the value it was given alone', () => {
    const event = { type: 'data', conn: 3, bytes: Buffer.from('hi'), when: [1, Number.POSITIVE_INFINITY] };
    expect(canonicalJson(event)).toBe('{"type":"data","conn":3,"bytes":{"b64":"aGk="},"when":[1,"Infinity"]}');
    expect(canonicalJson(new Uint8Array([104, 105]))).toBe('{"b64":"aGk="}');
    expect(Buffer.isBuffer(event.bytes)).toBe(true);
    expect(event.when[1]).toBe(Number.POSITIVE_INFINITY);
  });

  it('digests as the documented format says, for any value', agree(digest, referenceDigest));

  it('digests the same bytes alike whatever holds them, and tells one changed byte', () => {
    const raw = new Uint8Array([1, 2, 3, 4]);
    const offset = new Uint8Array(new Uint8Array([9, 1, 2, 3, 4]).buffer, 1, 4);
    const step = (data: Uint8Array) => [12.5, 'echo#1', 'connected', { type: 'data', bytes: data }, 'connected', [{ type: 'write', data }]];
    expect(digest(step(Buffer.from(raw)))).toBe(digest(step(raw)));
    expect(digest(step(offset))).toBe(digest(step(raw)));
    expect(digest(step(new Uint8Array([1, 2, 3, 5])))).not.toBe(digest(step(raw)));
    const long = new Uint8Array(4096).fill(7);
    const changed = long.slice();
    changed[4000] = 8;
    expect(digest(step(changed))).not.toBe(digest(step(long)));
    expect(digest(step(Buffer.from(long)))).toBe(digest(step(long)));
    expect(digest(step(raw))).toMatch(/^[0-9a-f]{8}$/);
  });
});
