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
  return new Uint8Array(bytes.buffer, bytes.byteOffset + start, end - start);
}

/** A bad limit is a configuration bug on this side, not peer input, so it throws. */
export function checkMaxBytes(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  }
}
