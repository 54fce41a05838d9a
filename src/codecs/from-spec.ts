// Codecs are named by data (`CodecSpec`, in listen and connect effects); this is where a
// spec becomes an implementation, so adding a codec means one file plus one case here.

import type { CodecSpec } from '../core/codec-spec.js';
import type { Decoder } from './codec.js';
import { encodeFrame, LengthPrefixedDecoder } from './length-prefixed.js';
import { encodeLine, LineDecoder } from './lines.js';

/** A fresh decoder for one connection. Throws RangeError if the spec's limit is not a non-negative integer. */
export function createDecoder(spec: CodecSpec): Decoder {
  switch (spec.kind) {
    case 'lines':
      return new LineDecoder(spec.maxLineBytes);
    case 'length-prefixed':
      return new LengthPrefixedDecoder(spec.maxFrameBytes);
  }
}

/**
 * One frame encoded for `spec`, for code that is generic over the codec. Besides what
 * `encodeLine`/`encodeFrame` reject, throws RangeError for a frame over the spec's limit:
 * a peer with the same spec would reject it, so sending it is a bug on this side.
 */
export function encode(spec: CodecSpec, frame: Uint8Array | string): Uint8Array {
  switch (spec.kind) {
    case 'lines': {
      const bytes = encodeLine(frame);
      checkLimit(bytes.length - 1, spec.maxLineBytes, 'line');
      return bytes;
    }
    case 'length-prefixed': {
      const bytes = encodeFrame(frame);
      checkLimit(bytes.length - 4, spec.maxFrameBytes, 'frame');
      return bytes;
    }
  }
}

function checkLimit(length: number, max: number, what: string): void {
  if (length > max) throw new RangeError(`${what} of ${length} bytes exceeds maximum ${max}`);
}
