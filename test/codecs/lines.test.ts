import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeLine, LineDecoder } from '../../src/codecs/index.js';
import { chunkingArb, concat, decodeAll, split } from './harness.js';
import type { Outcome } from './harness.js';

const LF = 10;
const CR = 13;
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (frame: Uint8Array): string => new TextDecoder().decode(frame);
const tooLong = (max: number): string => `line longer than ${max} bytes`;

/** The codec's definition, on the whole stream at once: the decoder must agree with it under any split. */
function reference(stream: Uint8Array, max: number): Outcome {
  const frames: Uint8Array[] = [];
  let start = 0;
  for (;;) {
    const nl = stream.indexOf(LF, start);
    if (nl === -1) {
      // An unterminated tail is already too long unless only a "\r" that a "\n" could strip is over.
      const tail = stream.length - start;
      const over = tail > max + 1 || (tail === max + 1 && stream[stream.length - 1] !== CR);
      return { frames, error: over ? tooLong(max) : null };
    }
    const end = nl > start && stream[nl - 1] === CR ? nl - 1 : nl;
    if (end - start > max) return { frames, error: tooLong(max) };
    frames.push(stream.slice(start, end));
    start = nl + 1;
  }
}

/** A line the codec can carry: no "\n" and no trailing "\r". */
const lineArb = (max: number): fc.Arbitrary<Uint8Array> =>
  fc
    .uint8Array({ maxLength: max })
    .map((line) => line.map((b) => (b === LF ? 0x20 : b)))
    .filter((line) => line[line.length - 1] !== CR);

/** Bytes rich in "\n" and "\r", so short limits and both terminators are hit often. */
const garbageArb = fc
  .array(fc.oneof(fc.constantFrom(LF, CR), fc.integer({ min: 0, max: 255 })), { maxLength: 120 })
  .map((b) => Uint8Array.from(b));

describe('lines codec: properties', () => {
  it('any split of encoded lines, LF or CRLF, decodes to exactly those lines', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }).chain((max) =>
          fc.tuple(fc.constant(max), fc.array(fc.tuple(lineArb(max), fc.boolean()), { maxLength: 20 })),
        ),
        chunkingArb,
        ([max, lines], chunking) => {
          const stream = concat(
            lines.map(([line, crlf]) => (crlf ? concat([line, bytes('\r\n')]) : encodeLine(line))),
          );
          const outcome = decodeAll(() => new LineDecoder(max), split(stream, chunking), max + 1);
          expect(outcome).toEqual({ frames: lines.map(([line]) => line), error: null });
        },
      ),
    );
  });

  it('garbage never throws and decodes the same under any split as on the whole stream', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 12 }), garbageArb, chunkingArb, (max, stream, chunking) => {
        const outcome = decodeAll(() => new LineDecoder(max), split(stream, chunking), max + 1);
        expect(outcome).toEqual(reference(stream, max));
      }),
      // Cheap per run, and the one property that looks for inputs nobody thought of.
      { numRuns: 1000 },
    );
  });

  it('a line over the limit is an error as soon as it is known, whatever the split, after the lines before it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 30 }).chain((max) =>
          fc.tuple(
            fc.constant(max),
            fc.array(lineArb(max), { maxLength: 5 }),
            // No "\r" or "\n" inside: the excess is then certain without waiting for a terminator.
            fc
              .uint8Array({ minLength: max + 1, maxLength: max + 40 })
              .map((long) => long.map((b) => (b === LF || b === CR ? 0x41 : b))),
            fc.uint8Array({ maxLength: 20 }),
          ),
        ),
        chunkingArb,
        ([max, before, long, after], chunking) => {
          // Stop the stream right where the limit is passed: no "\n" is needed to see the error.
          const stream = concat([...before.map(encodeLine), long.subarray(0, max + 1)]);
          const outcome = decodeAll(() => new LineDecoder(max), split(stream, chunking), max + 1);
          const expected = { frames: before, error: tooLong(max) };
          expect(outcome).toEqual(expected);
          // The same with the whole long line, a terminator and more bytes after it.
          const full = concat([...before.map(encodeLine), long, bytes('\n'), after]);
          expect(decodeAll(() => new LineDecoder(max), split(full, chunking), max + 1)).toEqual(expected);
        },
      ),
    );
  });

  it('after an error every push returns the same error and no frames', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8 }), fc.array(garbageArb, { minLength: 1, maxLength: 5 }), (max, later) => {
        const decoder = new LineDecoder(max);
        const first = decoder.push(new Uint8Array(max + 2).fill(0x41));
        expect(first).toEqual({ kind: 'error', frames: [], error: tooLong(max) });
        for (const chunk of [...later, encodeLine(''), new Uint8Array(0)]) {
          expect(decoder.push(chunk)).toEqual({ kind: 'error', frames: [], error: tooLong(max) });
        }
        expect(decoder.bufferedBytes()).toBe(0);
      }),
    );
  });
});

describe('lines codec: edge cases', () => {
  const decodeText = (max: number, ...chunks: string[]): { frames: string[]; error: string | null } => {
    const outcome = decodeAll(() => new LineDecoder(max), chunks.map(bytes), max + 1);
    return { frames: outcome.frames.map(text), error: outcome.error };
  };

  it('strips one "\\r" before "\\n" and keeps any other "\\r"', () => {
    expect(decodeText(16, 'a\r\nb\nc\r\r\n\r\n\nd\re\n')).toEqual({ frames: ['a', 'b', 'c\r', '', '', 'd\re'], error: null });
  });

  it('strips the "\\r" when "\\r\\n" is split across chunks', () => {
    expect(decodeText(16, 'ab\r', '\ncd\r', '\r', '\n')).toEqual({ frames: ['ab', 'cd\r'], error: null });
    expect(decodeText(16, '\r', '\n')).toEqual({ frames: [''], error: null });
  });

  it('accepts a line of exactly the limit, with LF or a split CRLF', () => {
    expect(decodeText(4, 'abcd\n', 'abcd\r\n', 'abcd\r', '\n', 'ab', 'cd', '\r', '\n')).toEqual({
      frames: ['abcd', 'abcd', 'abcd', 'abcd'],
      error: null,
    });
  });

  it('holds a "\\r" one byte over the limit until the next byte says whether it ends the line', () => {
    const decoder = new LineDecoder(4);
    expect(decoder.push(bytes('abcd\r'))).toEqual({ kind: 'frames', frames: [] });
    expect(decoder.bufferedBytes()).toBe(5);
    expect(decoder.push(bytes('x'))).toEqual({ kind: 'error', frames: [], error: tooLong(4) });
  });

  it('an empty push between a "\\r" at the limit and its "\\n" changes nothing', () => {
    expect(decodeText(0, '\r', '', '\n')).toEqual({ frames: [''], error: null });
    expect(decodeText(1, 'a\r', '', '\n')).toEqual({ frames: ['a'], error: null });
  });

  it('rejects one byte over the limit without waiting for "\\n"', () => {
    expect(decodeText(4, 'abcde')).toEqual({ frames: [], error: tooLong(4) });
    expect(decodeText(4, 'ab', 'c', 'de')).toEqual({ frames: [], error: tooLong(4) });
    expect(decodeText(4, 'abcde\r\n')).toEqual({ frames: [], error: tooLong(4) });
  });

  it('delivers the lines before an error in the same push', () => {
    const decoder = new LineDecoder(3);
    const result = decoder.push(bytes('ok\nyes\ntoo long\n'));
    expect(result.kind).toBe('error');
    expect(result.frames.map(text)).toEqual(['ok', 'yes']);
  });

  it('with a limit of 0 accepts only empty lines', () => {
    expect(decodeText(0, '\n\r\n')).toEqual({ frames: ['', ''], error: null });
    expect(decodeText(0, '\n', 'x')).toEqual({ frames: [''], error: tooLong(0) });
  });

  it('an empty push completes nothing', () => {
    const decoder = new LineDecoder(8);
    expect(decoder.push(new Uint8Array(0))).toEqual({ kind: 'frames', frames: [] });
    decoder.push(bytes('ab'));
    expect(decoder.push(new Uint8Array(0))).toEqual({ kind: 'frames', frames: [] });
    expect(decoder.push(bytes('\n')).frames.map(text)).toEqual(['ab']);
  });

  it('returns a line inside one chunk as a plain Uint8Array view of it, without copying', () => {
    const chunk = Buffer.from('one\ntwo\n');
    const { frames } = new LineDecoder(8).push(chunk);
    expect(frames.map((f) => [f.constructor, f.buffer === chunk.buffer])).toEqual([
      [Uint8Array, true],
      [Uint8Array, true],
    ]);
  });

  it('a line assembled across chunks is not touched by the next partial line', () => {
    const decoder = new LineDecoder(64);
    decoder.push(bytes('first'));
    const [first] = decoder.push(bytes(' line\nsecond')).frames;
    decoder.push(bytes(' line is longer'));
    expect(first && text(first)).toBe('first line');
    expect(decoder.push(bytes('\n')).frames.map(text)).toEqual(['second line is longer']);
  });

  it('frees the partial-line buffer once the line is complete', () => {
    const decoder = new LineDecoder(1024);
    decoder.push(new Uint8Array(500).fill(0x41));
    expect(decoder.bufferedBytes()).toBeGreaterThanOrEqual(500);
    decoder.push(bytes('\n'));
    expect(decoder.bufferedBytes()).toBe(0);
  });

  it('stays linear when a long line arrives one byte at a time', { timeout: 2000 }, () => {
    const max = 256 * 1024;
    const decoder = new LineDecoder(max);
    const one = new Uint8Array([0x41]);
    for (let i = 0; i < max; i++) decoder.push(one);
    expect(decoder.bufferedBytes()).toBeLessThanOrEqual(max + 1);
    expect(decoder.push(bytes('\n')).frames[0]?.length).toBe(max);
  });

  it('rejects a limit that is not a non-negative integer', () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new LineDecoder(bad)).toThrow(RangeError);
    }
  });
});

describe('encodeLine', () => {
  it('appends "\\n" to bytes and to UTF-8 text', () => {
    expect(encodeLine(bytes('ab'))).toEqual(bytes('ab\n'));
    expect(encodeLine('héllo')).toEqual(bytes('héllo\n'));
    expect(encodeLine('')).toEqual(bytes('\n'));
  });

  it('throws TypeError for a frame the codec cannot carry', () => {
    expect(() => encodeLine('a\nb')).toThrow(TypeError);
    expect(() => encodeLine(bytes('a\nb'))).toThrow(TypeError);
    expect(() => encodeLine('a\r')).toThrow(TypeError);
    expect(() => encodeLine(bytes('a\r'))).toThrow(TypeError);
  });

  it('does not modify its input', () => {
    const line = bytes('keep');
    encodeLine(line);
    expect(line).toEqual(bytes('keep'));
  });
});
