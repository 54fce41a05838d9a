// One text form for events and effects, used wherever two runs are compared (the sim's
// trace hash, the record log's step digests): JSON with bytes as base64 and non-finite
// numbers spelled out. Buffer and Uint8Array of the same bytes give the same text.

export function canonicalJson(value: unknown): string {
  // JSON.stringify with a replacer function takes its slow path for every key, and a Buffer's
  // own toJSON builds an array of its bytes first; replacing the few values that need it
  // ahead, then stringifying plainly, gives the same text several times faster (a recorded
  // echo step: ~6 -> ~1.5 us).
  return JSON.stringify(canonical(value, ''));
}

/**
 * `value` (found under `key`) as the old replacer saw it: bytes as `{ b64 }`, a toJSON
 * applied, non-finite numbers as strings. The value itself when nothing inside needed
 * replacing, else copies of just the objects and arrays on the way to what did.
 */
function canonical(value: unknown, key: string): unknown {
  // Bytes are recognised before toJSON, which a Buffer has and a Uint8Array does not.
  if (value instanceof Uint8Array) return { b64: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  let converted = false;
  if (hasToJson(value)) {
    value = value.toJSON(key);
    converted = true;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const replaced = canonical(item, String(i));
      if (replaced !== item) (copy ??= value.slice())[i] = replaced;
    }
    return copy ?? value;
  }
  const object = value as Record<string, unknown>;
  // JSON.stringify applies one toJSON per value: what one returned is written as it is.
  let copy: Record<string, unknown> | null = converted && hasToJson(object) ? withoutToJson(object) : null;
  for (const name of Object.keys(object)) {
    const item = object[name];
    const replaced = canonical(item, name);
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

/** FNV-1a, 32 bits, as 8 hex digits: a short digest for a line of a log. */
export function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}
