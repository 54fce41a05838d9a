// One text form for events and effects, used wherever two runs are compared (the sim's
// trace hash, the record log's step digests): JSON with bytes as base64 and non-finite
// numbers spelled out. Buffer and Uint8Array of the same bytes give the same text.

export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    // `this[key]` is the value before toJSON, which Buffer has and Uint8Array does not.
    const original = this[key];
    if (original instanceof Uint8Array) return { b64: Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString('base64') };
    if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
    return v;
  });
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
