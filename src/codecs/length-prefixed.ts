// The "length-prefixed" codec: each frame is a 4-byte big-endian unsigned length, then that
// many payload bytes. Zero-length frames are valid. A declared length over maxFrameBytes is
// a protocol error as soon as the header is read, before any payload is buffered.

import { allocate, checkMaxBytes, copy, pushResult, view } from './codec.js';
import type { DecodeResult, Decoder, FrameBuffer } from './codec.js';

const HEADER_BYTES = 4;
const MAX_U32 = 0xffff_ffff;
/** Longer strings go through the encoder: a wasted scan costs little next to a large copy. */
const MAX_ASCII_FAST_PATH = 256;

const utf8 = new TextEncoder();

export class LengthPrefixedDecoder implements Decoder {
  private readonly maxFrameBytes: number;
  /** A header split across chunks: its bytes so far, big-endian, and how many. */
  private header = 0;
  private headerLength = 0;
  /** The payload of a frame split across chunks, allocated at its declared (bounded) size. */
  private body: Uint8Array | null = null;
  private bodyLength = 0;
  /** The protocol error, once there is one: the decoder stays failed. */
  private failure: string | null = null;

  constructor(maxFrameBytes: number) {
    checkMaxBytes('maxFrameBytes', maxFrameBytes);
    this.maxFrameBytes = maxFrameBytes;
  }

  push(bytes: Uint8Array): DecodeResult {
    return pushResult(this, bytes);
  }

  pushInto(bytes: Uint8Array, out: FrameBuffer): string | null {
    if (this.failure !== null) return this.failure;
    const end = bytes.length;
    let at = 0;
    if (this.body !== null) {
      at = Math.min(this.body.length - this.bodyLength, end);
      copy(bytes, 0, at, this.body, this.bodyLength);
      this.bodyLength += at;
      if (this.bodyLength < this.body.length) return null;
      // The body was allocated for this frame alone, so it can be handed out as is.
      out.add(this.body);
      this.body = null;
      this.bodyLength = 0;
    }
    while (at < end) {
      let length: number;
      if (this.headerLength === 0 && end - at >= HEADER_BYTES) {
        length = readU32(bytes, at);
        at += HEADER_BYTES;
      } else {
        while (this.headerLength < HEADER_BYTES && at < end) {
          this.header = ((this.header << 8) | (bytes[at++] as number)) >>> 0;
          this.headerLength++;
        }
        if (this.headerLength < HEADER_BYTES) break;
        length = this.header;
        this.header = 0;
        this.headerLength = 0;
      }
      if (length > this.maxFrameBytes) {
        this.failure = `frame length ${length} exceeds maximum ${this.maxFrameBytes}`;
        return this.failure;
      }
      if (end - at >= length) {
        // A frame wholly inside this chunk is a view of it: no copy on the common path.
        out.add(view(bytes, at, at + length));
        at += length;
      } else {
        this.body = new Uint8Array(length);
        copy(bytes, at, end, this.body, 0);
        this.bodyLength = end - at;
        at = end;
      }
    }
    return null;
  }

  bufferedBytes(): number {
    return this.headerLength + (this.body?.length ?? 0);
  }
}

/** One frame with its length header, for a `write` effect. Strings are sent as UTF-8. */
export function encodeFrame(frame: Uint8Array | string): Uint8Array {
  if (typeof frame !== 'string') return withHeader(frame);
  return encodeAsciiFrame(frame) ?? withHeader(utf8.encode(frame));
}

/**
 * A short all-ASCII string (the usual protocol line) is its own UTF-8: write it straight
 * after the header, one allocation and no encoder call (which costs several times more
 * on frames this size). Null when a character needs the encoder.
 */
function encodeAsciiFrame(text: string): Uint8Array | null {
  const length = text.length;
  if (length > MAX_ASCII_FAST_PATH) return null;
  const out = allocate(HEADER_BYTES + length);
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80) return null;
    out[HEADER_BYTES + i] = code;
  }
  writeHeader(out, length);
  return out;
}

function withHeader(payload: Uint8Array): Uint8Array {
  const length = payload.length;
  // Only reachable with a 4 GiB frame, but the header must never wrap around silently.
  if (length > MAX_U32) throw new RangeError(`frame of ${length} bytes does not fit a 32-bit length`);
  const out = allocate(HEADER_BYTES + length);
  writeHeader(out, length);
  out.set(payload, HEADER_BYTES);
  return out;
}

function writeHeader(out: Uint8Array, length: number): void {
  out[0] = length >>> 24;
  out[1] = (length >>> 16) & 0xff;
  out[2] = (length >>> 8) & 0xff;
  out[3] = length & 0xff;
}

/** Callers have checked that four bytes are there. */
function readU32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}
