// One text form for events and effects, used wherever two runs are compared (the sim's
// trace hash, the record log's step digests): JSON with bytes as base64 and non-finite
// numbers spelled out. Buffer and Uint8Array of the same bytes give the same text.

import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  // JSON.stringify with a replacer function takes its slow path for every key, and a Buffer's
  // own toJSON builds an array of its bytes first; replacing the few values that need it
  // ahead, then stringifying plainly, gives the same text several times faster (a recorded
  // echo step: ~3.4 -> ~2.0 us).
  return JSON.stringify(canonical(value, '', base64Of));
}

/**
 * FNV-1a, 32 bits, of `value` as 8 hex digits, without writing its bytes out as text:
 * over its canonical JSON with every byte array written as `{"n":<length>}`, then over
 * those arrays' bytes in the order they appear, except that an array longer than
 * `HASHED_NATIVELY` bytes contributes its 20-byte SHA-1 instead (native, ~1 ns a byte
 * against FNV's 1-4 in JS). For a 4 KiB echo step that is ~10x less work than hashing the
 * base64 text.
 */
export function digest(value: unknown): string {
  const arrays: Uint8Array[] = [];
  // undefined or a function alone have no JSON: they add no text.
  const text =
    JSON.stringify(
      canonical(value, '', (bytes) => {
        arrays.push(bytes);
        return { n: bytes.byteLength };
      }),
    ) ?? '';
  let hash = fnvText(FNV_OFFSET, text);
  for (const bytes of arrays) hash = fnvBytes(hash, bytes.byteLength > HASHED_NATIVELY ? createHash('sha1').update(bytes).digest() : bytes);
  return hex(hash);
}

/** Byte arrays longer than this enter a digest as their SHA-1: below it, the native call costs more than it saves. */
export const HASHED_NATIVELY = 256;

function base64Of(bytes: Uint8Array): unknown {
  return { b64: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') };
}

/**
 * `value` (found under `key`, an index in an array) as JSON.stringify with the old replacer saw it: byte arrays
 * replaced by `bytes`, a toJSON applied, non-finite numbers as strings. The value itself
 * when nothing inside needed replacing, else copies of just the objects and arrays on the
 * way to what did.
 */
function canonical(value: unknown, key: string | number, bytes: (array: Uint8Array) => unknown): unknown {
  // Bytes are recognised before toJSON, which a Buffer has and a Uint8Array does not.
  if (value instanceof Uint8Array) return bytes(value);
  let converted = false;
  if (hasToJson(value)) {
    // An array index becomes the string JSON.stringify would pass only here: toJSON is rare.
    value = value.toJSON(String(key));
    converted = true;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const replaced = canonical(item, i, bytes);
      if (replaced !== item) (copy ??= value.slice())[i] = replaced;
    }
    return copy ?? value;
  }
  const object = value as Record<string, unknown>;
  // JSON.stringify applies one toJSON per value: what one returned is written as it is.
  let copy: Record<string, unknown> | null = converted && hasToJson(object) ? withoutToJson(object) : null;
  for (const name of Object.keys(object)) {
    const item = object[name];
    const replaced = canonical(item, name, bytes);
    if (replaced !== item) (copy ??= { ...object })[name] = replaced;
  }
  return copy ?? value;
}

function hasToJson(value: unknown): value is { toJSON(key: string): unknown } {
  return typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function';
}

/** A plain copy that JSON.stringify writes as it writes `object`, minus the call to its toJSON (a function: never written). */
function withoutToJson(object: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...object };
  delete copy['toJSON'];
  return copy;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function fnvText(hash: number, text: string): number {
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), FNV_PRIME);
  return hash;
}

function fnvBytes(hash: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ (bytes[i] as number), FNV_PRIME);
  return hash;
}

function hex(hash: number): string {
  return (hash >>> 0).toString(16).padStart(8, '0');
}
