// The record log: NDJSON, one object per line, in the order things happened. It holds
// every input the dispatcher received (IO reports and wake-ups, with the time it saw), the
// connection ids `connect` returned, and a digest of every step, so a replay can feed the
// same inputs to the same machines and check each step against the recording.
// The format is documented in docs/simulation.md ("The record log"); bump LOG_VERSION on
// any change.

import { digest } from '../../core/canonical-json.js';
import type { IoEvent } from '../../core/events.js';
import type { TraceStep } from '../../dispatcher/dispatcher.js';

/** 2: step digests hash bytes as they are, not their base64 text. */
export const LOG_VERSION = 2;

/** An IoEvent as stored: `data` bytes become base64 text. */
export type StoredIoEvent = Exclude<IoEvent, { type: 'data' }> | { type: 'data'; conn: number; b64: string };

export type LogLine =
  /** First line: what ran, so replay can build the same machines. */
  | { k: 'header'; v: number; app: string; flags: Record<string, string>; t: number }
  /** An input; `n: 1` when the driver reported it from inside a call the dispatcher made. */
  | { k: 'io'; t: number; n?: 1; e: StoredIoEvent }
  | { k: 'wake'; t: number }
  /** The id `connect` returned. */
  | { k: 'conn'; id: number }
  /** A graceful shutdown was begun from outside (a signal). */
  | { k: 'shutdown'; t: number; deadline: number }
  /** One machine step: readable fields plus a digest of all of it (time, event, effects). */
  | { k: 'step'; m: string; f: string; ev: string; to: string; h: string };

/**
 * The `io` line of a `data` event: what JSON.stringify writes for `{ k: 'io', t, n?, e }`
 * with `e` as StoredIoEvent (its bytes as `b64`), put together by hand. Base64 needs no
 * escaping, and scanning kilobytes of it for characters to escape was most of what
 * recording a 4 KiB message cost after its digest.
 */
export function dataLine(time: number, nested: boolean, event: Extract<IoEvent, { type: 'data' }>): string {
  const { bytes } = event;
  const b64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  return `{"k":"io","t":${JSON.stringify(time)},${nested ? '"n":1,' : ''}"e":{"type":"data","conn":${JSON.stringify(event.conn)},"b64":"${b64}"}}`;
}

export function loadEvent(stored: StoredIoEvent): IoEvent {
  if (stored.type !== 'data') return stored;
  return { type: 'data', conn: stored.conn, bytes: Buffer.from(stored.b64, 'base64') };
}

export function stepLine(step: TraceStep): Extract<LogLine, { k: 'step' }> {
  return {
    k: 'step',
    m: step.machine,
    f: step.from,
    ev: step.event.type,
    to: step.to,
    h: digest([step.time, step.machine, step.from, step.event, step.to, step.effects]),
  };
}

/** Parse a whole log; throws with the line number on anything malformed. */
export function parseLog(text: string): LogLine[] {
  const lines: LogLine[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new Error(`line ${i + 1}: not JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    const kind = (value as { k?: unknown } | null)?.k;
    if (typeof kind !== 'string' || !['header', 'io', 'wake', 'conn', 'shutdown', 'step'].includes(kind)) {
      throw new Error(`line ${i + 1}: unknown record kind ${JSON.stringify(kind)}`);
    }
    lines.push(value as LogLine);
  });
  const header = lines[0];
  if (header === undefined || header.k !== 'header') throw new Error('line 1: a record log starts with a header');
  if (header.v !== LOG_VERSION) throw new Error(`log version ${header.v}; this statewire reads version ${LOG_VERSION}`);
  return lines;
}
