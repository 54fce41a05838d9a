// Shared by the codec tests: cut a byte stream into chunks the way TCP might, and run a
// decoder over them while checking the invariants every push must keep.

import fc from 'fast-check';
import { expect } from 'vitest';
import type { Decoder } from '../../src/codecs/index.js';
import { FrameBuffer } from '../../src/codecs/index.js';

export interface Outcome {
  readonly frames: Uint8Array[];
  readonly error: string | null;
}

/**
 * How to cut a stream: cut points (taken modulo the stream length, repeats give empty
 * chunks), or "bytes" for one chunk per byte.
 */
export type Chunking = number[] | 'bytes';

export const chunkingArb: fc.Arbitrary<Chunking> = fc.oneof(
  fc.array(fc.nat(), { maxLength: 40 }),
  fc.constant('bytes' as const),
);

export function split(stream: Uint8Array, chunking: Chunking): Uint8Array[] {
  if (chunking === 'bytes') return Array.from({ length: stream.length }, (_, i) => stream.subarray(i, i + 1));
  const cuts = chunking.map((c) => c % (stream.length + 1)).sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const cut of cuts) {
    chunks.push(stream.subarray(from, cut));
    from = cut;
  }
  chunks.push(stream.subarray(from));
  return chunks;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Push every chunk, stopping at the first error. Checks after each push that the decoder
 * holds at most `maxBuffered` bytes, and at the end that no frame was changed by a later
 * push. A second decoder from `make` decodes the same chunks through `pushInto` with one
 * buffer reused from push to push, as the dispatcher does; both must see the same.
 */
export function decodeAll(make: () => Decoder, chunks: readonly Uint8Array[], maxBuffered: number): Outcome {
  const decoder = make();
  const frames: Uint8Array[] = [];
  const snapshots: Uint8Array[] = [];
  let error: string | null = null;
  for (const chunk of chunks) {
    const result = decoder.push(chunk);
    for (const frame of result.frames) {
      frames.push(frame);
      snapshots.push(frame.slice());
    }
    expect(decoder.bufferedBytes()).toBeLessThanOrEqual(maxBuffered);
    if (result.kind === 'error') {
      error = result.error;
      break;
    }
  }
  expect(frames).toEqual(snapshots);
  expect(decodeInto(make(), chunks)).toEqual({ frames: snapshots, error });
  return { frames: snapshots, error };
}

function decodeInto(decoder: Decoder, chunks: readonly Uint8Array[]): Outcome {
  const out = new FrameBuffer();
  const frames: Uint8Array[] = [];
  let error: string | null = null;
  for (const chunk of chunks) {
    error = decoder.pushInto(chunk, out);
    for (let i = 0; i < out.count; i++) frames.push((out.frames[i] as Uint8Array).slice());
    out.release();
    if (error !== null) break;
  }
  return { frames, error };
}
