// Codecs are named by data, not by function, so that listen and connect effects stay
// plain values that can be traced, recorded and replayed.

export type CodecSpec =
  /** Frames end with "\n" (a preceding "\r" is stripped). A line longer than maxLineBytes is a protocol error. */
  | { kind: 'lines'; maxLineBytes: number }
  /** Each frame is a 4-byte big-endian length followed by that many bytes; longer than maxFrameBytes is a protocol error. */
  | { kind: 'length-prefixed'; maxFrameBytes: number };
