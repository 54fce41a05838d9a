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
  /**
   * `push` for a caller that is done with the frames before it pushes again (the
   * dispatcher, on every chunk): the same frames, appended to `out`, and the same error,
   * returned (null when there is none). Allocates no result and no frame list.
   */
  pushInto(bytes: Uint8Array, out: FrameBuffer): string | null;
  /** Memory held for the incomplete frame: never more than the codec's limit plus its header or terminator. */
  bufferedBytes(): number;
}

/**
 * Where `pushInto` leaves the frames of one push: `frames[0 .. count)`. Reused from push to
 * push, as `StepBuffer` is from step to step.
 */
export class FrameBuffer {
  readonly frames: (Uint8Array | undefined)[] = [];
  count = 0;

  add(frame: Uint8Array): void {
    this.frames[this.count++] = frame;
  }

  /** Drop the frames' references (they keep their chunks alive) once they are handled. */
  release(): void {
    const frames = this.frames;
    for (let i = 0; i < this.count; i++) frames[i] = undefined;
    this.count = 0;
  }
}

/** The common result of a push that completed nothing; frozen so sharing it is safe. */
const NO_FRAMES: DecodeResult = Object.freeze({ kind: 'frames', frames: Object.freeze([]) });

/** `push` in terms of `pushInto`, so each codec decodes in one place. */
export function pushResult(decoder: Decoder, bytes: Uint8Array): DecodeResult {
  const out = new FrameBuffer();
  const error = decoder.pushInto(bytes, out);
  const frames = out.frames.slice(0, out.count) as Uint8Array[];
  if (error !== null) return Object.freeze({ kind: 'error', frames: Object.freeze(frames), error });
  return frames.length === 0 ? NO_FRAMES : { kind: 'frames', frames };
}

/**
 * A plain Uint8Array view of `bytes[start, end)`. Not `subarray`, which looks up the
 * species constructor (and on a Node Buffer returns a Buffer): the constructor makes the
 * same view with less work (-2% of a simulated event's instructions), and frames stay one
 * type whatever the driver.
 */
export function view(bytes: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset + start, end - start);
}

/** Below this many bytes a loop copies faster than `set`, which needs a view of the source made first. */
const MAX_LOOP_COPY = 64;

/** `to.set(from.subarray(start, end), at)`, without the view for a short run of bytes. */
export function copy(from: Uint8Array, start: number, end: number, to: Uint8Array, at: number): void {
  if (end - start > MAX_LOOP_COPY) {
    to.set(view(from, start, end), at);
    return;
  }
  for (let i = start; i < end; i++) to[at++] = from[i] as number;
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
