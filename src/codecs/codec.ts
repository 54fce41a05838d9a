// The codec contract between the dispatcher and a connection's bytes: one `Decoder` per
// connection turns arbitrary TCP chunks into whole frames. A decoder never throws on peer
// input: bad bytes become an error result, which the dispatcher turns into
// `protocol-error` and a close of that connection only.

/**
 * What one `push` produced. Frames completed before a protocol error are still delivered
 * (in `frames` of the error result), so the outcome never depends on how TCP split the
 * stream.
 */
export type DecodeResult =
  | { readonly kind: 'frames'; readonly frames: readonly Uint8Array[] }
  | { readonly kind: 'error'; readonly frames: readonly Uint8Array[]; readonly error: string };

export interface Decoder {
  /**
   * Feed the next bytes of the stream. The decoder takes ownership of `bytes`: a frame
   * that lies wholly inside one chunk is returned as a view into it without copying, so
   * the caller must not modify `bytes` afterwards. A frame that spans chunks is assembled
   * in a buffer of its own. Either way no later `push` changes a returned frame. Once an
   * error is returned the decoder stays failed and every later push returns that error.
   */
  push(bytes: Uint8Array): DecodeResult;
  /** Memory held for the incomplete frame: never more than the codec's limit plus its header or terminator. */
  bufferedBytes(): number;
}

/** The common result of a push that completed nothing; frozen so sharing it is safe. */
export const NO_FRAMES: DecodeResult = Object.freeze({ kind: 'frames', frames: Object.freeze([]) });

/** What a failed decoder returns to every later push. */
export function failed(error: string): DecodeResult {
  return Object.freeze({ kind: 'error', frames: Object.freeze([]), error });
}

/**
 * A plain Uint8Array view of `bytes[start, end)`. Not `subarray`: on a Node Buffer that
 * would return a Buffer through a species lookup; frames stay one type whatever the driver.
 */
export function view(bytes: Uint8Array, start: number, end: number): Uint8Array {
  // On a plain Uint8Array (the sim's chunks) `subarray` is the same view, made faster.
  if (bytes.constructor === Uint8Array) return bytes.subarray(start, end);
  return new Uint8Array(bytes.buffer, bytes.byteOffset + start, end - start);
}

/** Node's Buffer pool size: small frames share slabs of this many bytes. */
const SLAB_BYTES = 8 * 1024;
const MAX_POOLED_BYTES = SLAB_BYTES / 2;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabUsed = 0;

/**
 * Zeroed bytes for an outgoing frame. A small one is carved from a shared slab, as Node's
 * Buffer pool does: V8 keeps a small fresh Uint8Array inside the JS heap and must move
 * it out (an allocation of its own, several times the cost of the array) the first time
 * anyone takes a view of it, which the sim driver and the peer's decoder both do. A frame
 * keeps its slab alive; slabs are never reused, so frames never share bytes.
 */
export function allocate(length: number): Uint8Array {
  if (length > MAX_POOLED_BYTES) return new Uint8Array(length);
  if (slabUsed + length > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabUsed = 0;
  }
  const bytes = new Uint8Array(slab, slabUsed, length);
  slabUsed += length;
  return bytes;
}

/** A bad limit is a configuration bug on this side, not peer input, so it throws. */
export function checkMaxBytes(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  }
}
