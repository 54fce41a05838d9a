import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeFrame, LengthPrefixedDecoder } from '../../src/codecs/index.js';
import { chunkingArb, concat, decodeAll, split } from './harness.js';
import type { Outcome } from './harness.js';

const HEADER = 4;
const exceeds = (length: number, max: number): string => `frame length ${length} exceeds maximum ${max}`;
function header(length: number): Uint8Array {
  const bytes = new Uint8Array(HEADER);
  new DataView(bytes.buffer).setUint32(0, length);
  return bytes;
}

/** The codec's definition, on the whole stream at once: the decoder must agree with it under any split. */
function reference(stream: Uint8Array, max: number): Outcome {
  const frames: Uint8Array[] = [];
  const view = new DataView(stream.buffer, stream.byteOffset, stream.byteLength);
  for (let at = 0; at + HEADER <= stream.length; ) {
    const length = view.getUint32(at);
    if (length > max) return { frames, error: exceeds(length, max) };
    if (at + HEADER + length > stream.length) break;
    frames.push(stream.slice(at + HEADER, at + HEADER + length));
    at += HEADER + length;
  }
  return { frames, error: null };
}

/**
 * Streams that are mostly well-formed (small declared lengths, some over the limit) with
 * stray bytes mixed in, so decoding gets past the first header; plain random bytes too.
 */
const garbageArb = (max: number): fc.Arbitrary<Uint8Array> =>
  fc.oneof(
    fc
      .array(
        fc.oneof(
          fc.tuple(fc.integer({ min: 0, max: max + 2 }), fc.uint8Array({ maxLength: max + 2 })).map(([length, payload]) =>
            concat([header(length), payload]),
          ),
          fc.uint8Array({ maxLength: 6 }),
        ),
        { maxLength: 12 },
      )
      .map(concat),
    fc.uint8Array({ maxLength: 64 }),
  );

describe('length-prefixed codec: properties', () => {
  it('any split of encoded frames decodes to exactly those frames', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 64 }).chain((max) =>
          fc.tuple(fc.constant(max), fc.array(fc.uint8Array({ maxLength: max }), { maxLength: 20 })),
        ),
        chunkingArb,
        ([max, frames], chunking) => {
          const stream = concat(frames.map(encodeFrame));
          const outcome = decodeAll(() => new LengthPrefixedDecoder(max), split(stream, chunking), max + HEADER);
          expect(outcome).toEqual({ frames, error: null });
        },
      ),
    );
  });

  it('garbage never throws and decodes the same under any split as on the whole stream', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 16 }).chain((max) => fc.tuple(fc.constant(max), garbageArb(max))),
        chunkingArb,
        ([max, stream], chunking) => {
          const outcome = decodeAll(() => new LengthPrefixedDecoder(max), split(stream, chunking), max + HEADER);
          expect(outcome).toEqual(reference(stream, max));
        },
      ),
      // Cheap per run, and the one property that looks for inputs nobody thought of.
      { numRuns: 1000 },
    );
  });

  it('a declared length over the limit is an error once the header is read, whatever the split', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 64 }).chain((max) =>
          fc.tuple(
            fc.constant(max),
            fc.array(fc.uint8Array({ maxLength: max }), { maxLength: 5 }),
            fc.integer({ min: max + 1, max: 0xffff_ffff }),
            fc.uint8Array({ maxLength: 20 }),
          ),
        ),
        chunkingArb,
        ([max, before, length, after], chunking) => {
          // No payload at all after the header: the error must not wait for one.
          const stream = concat([...before.map(encodeFrame), header(length)]);
          const expected = { frames: before, error: exceeds(length, max) };
          expect(decodeAll(() => new LengthPrefixedDecoder(max), split(stream, chunking), max + HEADER)).toEqual(expected);
          const more = concat([stream, after]);
          expect(decodeAll(() => new LengthPrefixedDecoder(max), split(more, chunking), max + HEADER)).toEqual(expected);
        },
      ),
    );
  });

  it('after an error every push returns the same error and no frames', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 16 }), { minLength: 1, maxLength: 5 }), (later) => {
        const decoder = new LengthPrefixedDecoder(8);
        expect(decoder.push(header(9))).toEqual({ kind: 'error', frames: [], error: exceeds(9, 8) });
        for (const chunk of [...later, encodeFrame('ok'), new Uint8Array(0)]) {
          expect(decoder.push(chunk)).toEqual({ kind: 'error', frames: [], error: exceeds(9, 8) });
        }
      }),
    );
  });
});

describe('length-prefixed codec: edge cases', () => {
  it('decodes zero-length frames, alone and between others', () => {
    const decoder = new LengthPrefixedDecoder(0);
    expect(decoder.push(concat([encodeFrame(''), encodeFrame('')])).frames).toEqual([new Uint8Array(0), new Uint8Array(0)]);
    const stream = concat([encodeFrame('a'), encodeFrame(''), encodeFrame('b')]);
    expect(decodeAll(() => new LengthPrefixedDecoder(1), split(stream, 'bytes'), 1 + HEADER).frames.length).toBe(3);
  });

  it('accepts a frame of exactly the limit and rejects one byte more', () => {
    expect(new LengthPrefixedDecoder(3).push(encodeFrame('abc')).kind).toBe('frames');
    expect(new LengthPrefixedDecoder(3).push(encodeFrame('abcd'))).toEqual({ kind: 'error', frames: [], error: exceeds(4, 3) });
  });

  it('reads the length as unsigned', () => {
    const max = 1024 * 1024;
    expect(new LengthPrefixedDecoder(max).push(header(0xffff_ffff))).toEqual({
      kind: 'error',
      frames: [],
      error: 'frame length 4294967295 exceeds maximum 1048576',
    });
  });

  it('delivers the frames before an error in the same push', () => {
    const result = new LengthPrefixedDecoder(2).push(concat([encodeFrame('ok'), encodeFrame('no!')]));
    expect(result).toEqual({ kind: 'error', frames: [new TextEncoder().encode('ok')], error: exceeds(3, 2) });
  });

  it('holds a header split across chunks, then buffers at most the declared payload', () => {
    const decoder = new LengthPrefixedDecoder(1000);
    const frame = encodeFrame(new Uint8Array(600).fill(7));
    expect(decoder.push(frame.subarray(0, 2))).toEqual({ kind: 'frames', frames: [] });
    expect(decoder.bufferedBytes()).toBe(2);
    decoder.push(frame.subarray(2, 5));
    expect(decoder.bufferedBytes()).toBe(600);
    expect(decoder.push(frame.subarray(5)).frames).toEqual([new Uint8Array(600).fill(7)]);
    expect(decoder.bufferedBytes()).toBe(0);
  });

  it('returns a frame inside one chunk as a plain Uint8Array view of it, without copying', () => {
    const chunk = Buffer.from(concat([encodeFrame('one'), encodeFrame('two')]));
    const { frames } = new LengthPrefixedDecoder(8).push(chunk);
    expect(frames.map((f) => [f.constructor, f.buffer === chunk.buffer])).toEqual([
      [Uint8Array, true],
      [Uint8Array, true],
    ]);
  });

  it('a frame assembled across chunks is not touched by the next partial frame', () => {
    const decoder = new LengthPrefixedDecoder(64);
    const stream = concat([encodeFrame('first'), encodeFrame('second')]);
    decoder.push(stream.subarray(0, 6));
    const [first] = decoder.push(stream.subarray(6, 12)).frames;
    decoder.push(stream.subarray(12, 14));
    expect(first).toEqual(new TextEncoder().encode('first'));
  });

  it('rejects a limit that is not a non-negative integer', () => {
    for (const bad of [-1, 0.5, Number.NaN]) expect(() => new LengthPrefixedDecoder(bad)).toThrow(RangeError);
  });
});

describe('encodeFrame', () => {
  it('prefixes the big-endian payload length', () => {
    expect(encodeFrame(new Uint8Array([9, 8]))).toEqual(new Uint8Array([0, 0, 0, 2, 9, 8]));
    expect(encodeFrame(new Uint8Array(0x010203))).toHaveLength(4 + 0x010203);
    expect(encodeFrame(new Uint8Array(0x010203)).subarray(0, 4)).toEqual(new Uint8Array([0, 1, 2, 3]));
  });

  it('sends strings as UTF-8', () => {
    expect(encodeFrame('é')).toEqual(new Uint8Array([0, 0, 0, 2, 0xc3, 0xa9]));
  });
});
