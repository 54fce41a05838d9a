// The "lines" codec: a frame ends with "\n" and one "\r" before it is stripped, so LF and
// CRLF peers (nc, telnet, Redis inline commands) both work. A line may hold at most
// maxLineBytes without its terminator; longer is a protocol error.

import { checkMaxBytes, copy, pushResult, view } from './codec.js';
import type { DecodeResult, Decoder, FrameBuffer } from './codec.js';

const LF = 0x0a;
const CR = 0x0d;
const EMPTY = new Uint8Array(0);
/** First allocation for a partial line; small so idle connections cost little. */
const MIN_PARTIAL_CAPACITY = 64;

const utf8 = new TextEncoder();

export class LineDecoder implements Decoder {
  private readonly maxLineBytes: number;
  /** Bytes of a line whose "\n" has not arrived yet, owned by this decoder. */
  private partial: Uint8Array = EMPTY;
  private partialLength = 0;
  /** The protocol error, once there is one: the decoder stays failed. */
  private failure: string | null = null;

  constructor(maxLineBytes: number) {
    checkMaxBytes('maxLineBytes', maxLineBytes);
    this.maxLineBytes = maxLineBytes;
  }

  push(bytes: Uint8Array): DecodeResult {
    return pushResult(this, bytes);
  }

  pushInto(bytes: Uint8Array, out: FrameBuffer): string | null {
    if (this.failure !== null) return this.failure;
    // Also keeps `stash` honest: it reads the chunk's last byte as the line's last byte.
    if (bytes.length === 0) return null;
    let start = 0;
    if (this.partialLength > 0) {
      const nl = bytes.indexOf(LF);
      if (nl === -1) return this.stash(bytes, 0) ? null : this.fail();
      const line = this.completePartial(bytes, nl);
      if (line === null) return this.fail();
      out.add(line);
      start = nl + 1;
    }
    // Lines wholly inside this chunk are views of it: no copy on the common path.
    for (let nl = bytes.indexOf(LF, start); nl !== -1; nl = bytes.indexOf(LF, start)) {
      const end = nl > start && bytes[nl - 1] === CR ? nl - 1 : nl;
      if (end - start > this.maxLineBytes) return this.fail();
      out.add(view(bytes, start, end));
      start = nl + 1;
    }
    if (start < bytes.length && !this.stash(bytes, start)) return this.fail();
    return null;
  }

  bufferedBytes(): number {
    return this.partial.length;
  }

  /** Keep `bytes[from..]`, which has no "\n"; false if the line is already known to be too long. */
  private stash(bytes: Uint8Array, from: number): boolean {
    const length = this.partialLength + bytes.length - from;
    // One byte over the limit is still fine if it is a "\r" that the next chunk's "\n" strips.
    if (length > this.maxLineBytes + 1 || (length === this.maxLineBytes + 1 && bytes[bytes.length - 1] !== CR)) {
      return false;
    }
    if (this.partial.length < length) {
      // Doubling keeps a line that trickles in byte by byte linear, capped at the limit.
      this.grow(Math.min(this.maxLineBytes + 1, Math.max(length, 2 * this.partial.length, MIN_PARTIAL_CAPACITY)));
    }
    copy(bytes, from, bytes.length, this.partial, this.partialLength);
    this.partialLength = length;
    return true;
  }

  /** Finish the buffered line with `bytes[0..nl)`; null if it is too long. */
  private completePartial(bytes: Uint8Array, nl: number): Uint8Array | null {
    // The "\r" may be the last buffered byte when "\r\n" was split across chunks.
    const beforeNl = nl > 0 ? bytes[nl - 1] : this.partial[this.partialLength - 1];
    const length = this.partialLength + nl - (beforeNl === CR ? 1 : 0);
    if (length > this.maxLineBytes) return null;
    if (length > this.partialLength) {
      if (this.partial.length < length) this.grow(length);
      copy(bytes, 0, length - this.partialLength, this.partial, this.partialLength);
    }
    // Hand the buffer itself out as the frame and start afresh, so no later push writes into it.
    const line = view(this.partial, 0, length);
    this.partial = EMPTY;
    this.partialLength = 0;
    return line;
  }

  private grow(capacity: number): void {
    const grown = new Uint8Array(capacity);
    copy(this.partial, 0, this.partialLength, grown, 0);
    this.partial = grown;
  }

  private fail(): string {
    this.failure = `line longer than ${this.maxLineBytes} bytes`;
    this.partial = EMPTY;
    this.partialLength = 0;
    return this.failure;
  }
}

/**
 * One line with its "\n", for a `write` effect. A "\n" inside, or a trailing "\r" (which
 * the decoder would strip), cannot be carried by this codec: that is a bug on the sending
 * side, so it throws TypeError rather than send something the peer reads differently.
 */
export function encodeLine(line: Uint8Array | string): Uint8Array {
  if (typeof line === 'string') {
    checkEncodable(line.includes('\n'), line.endsWith('\r'));
    return utf8.encode(`${line}\n`);
  }
  checkEncodable(line.indexOf(LF) !== -1, line[line.length - 1] === CR);
  const out = new Uint8Array(line.length + 1);
  out.set(line);
  out[line.length] = LF;
  return out;
}

function checkEncodable(hasLf: boolean, endsWithCr: boolean): void {
  if (hasLf) throw new TypeError('a line frame cannot contain "\\n"');
  if (endsWithCr) throw new TypeError('a line frame cannot end with "\\r" (the decoder strips it)');
}
