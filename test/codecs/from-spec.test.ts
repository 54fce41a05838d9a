import { describe, expect, it } from 'vitest';
import { createDecoder, encode, LengthPrefixedDecoder, LineDecoder } from '../../src/codecs/index.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('createDecoder', () => {
  it('picks the implementation named by the spec', () => {
    expect(createDecoder({ kind: 'lines', maxLineBytes: 8 })).toBeInstanceOf(LineDecoder);
    expect(createDecoder({ kind: 'length-prefixed', maxFrameBytes: 8 })).toBeInstanceOf(LengthPrefixedDecoder);
  });

  it('gives each connection its own state', () => {
    const spec = { kind: 'lines', maxLineBytes: 8 } as const;
    const a = createDecoder(spec);
    const b = createDecoder(spec);
    a.push(bytes('from a'));
    expect(b.push(bytes('b\n')).frames).toEqual([bytes('b')]);
  });

  it('throws RangeError for a bad limit', () => {
    expect(() => createDecoder({ kind: 'lines', maxLineBytes: -1 })).toThrow('maxLineBytes must be a non-negative integer, got -1');
    expect(() => createDecoder({ kind: 'length-prefixed', maxFrameBytes: 1.5 })).toThrow(RangeError);
  });
});

describe('encode', () => {
  it('encodes with the codec named by the spec', () => {
    expect(encode({ kind: 'lines', maxLineBytes: 2 }, 'ok')).toEqual(bytes('ok\n'));
    expect(encode({ kind: 'length-prefixed', maxFrameBytes: 2 }, 'ok')).toEqual(new Uint8Array([0, 0, 0, 2, 0x6f, 0x6b]));
  });

  it('throws RangeError for a frame the peer would reject as too long', () => {
    expect(() => encode({ kind: 'lines', maxLineBytes: 1 }, 'ok')).toThrow('line of 2 bytes exceeds maximum 1');
    expect(() => encode({ kind: 'length-prefixed', maxFrameBytes: 1 }, 'ok')).toThrow('frame of 2 bytes exceeds maximum 1');
  });

  it('round-trips through the decoder of the same spec', () => {
    for (const spec of [
      { kind: 'lines', maxLineBytes: 16 },
      { kind: 'length-prefixed', maxFrameBytes: 16 },
    ] as const) {
      expect(createDecoder(spec).push(encode(spec, 'héllo')).frames).toEqual([bytes('héllo')]);
    }
  });
});
