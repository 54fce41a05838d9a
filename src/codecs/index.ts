// The codecs' public surface: what a machine author or a driver needs to decode and encode frames.

export type { DecodeResult, Decoder } from './codec.js';
export { FrameBuffer } from './codec.js';
export { createDecoder, encode } from './from-spec.js';
export { encodeLine, LineDecoder } from './lines.js';
export { encodeFrame, LengthPrefixedDecoder } from './length-prefixed.js';
