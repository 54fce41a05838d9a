// The examples in docs/codecs.md, run. Each `doc:begin` .. `doc:end` region below must
// appear verbatim in the doc, so the doc cannot drift from code that passes.

import { readFileSync } from 'node:fs';
import { initialTransition, setup, transition } from 'xstate';
import { describe, expect, it } from 'vitest';
import { createDecoder, encodeLine } from '../../src/codecs/index.js';
import type { ConnectionEvent } from '../../src/core/events.js';
import { effectActions } from '../../src/machine/effect-actions.js';

// doc:begin decoder
const decoder = createDecoder({ kind: 'lines', maxLineBytes: 16 });
const utf8 = new TextEncoder();
const first = decoder.push(utf8.encode('PING\r\nPI'));
// { kind: 'frames', frames: [PING] }
const second = decoder.push(utf8.encode(`NG\n${'x'.repeat(17)}`));
// { kind: 'error', frames: [PING], error: 'line longer than 16 bytes' }
const third = decoder.push(utf8.encode('PING\n'));
// { kind: 'error', frames: [], error: 'line longer than 16 bytes' }
// doc:end

// doc:begin machine
const lineEcho = setup({
  types: { events: {} as ConnectionEvent },
  actions: effectActions,
}).createMachine({
  id: 'line-echo',
  on: {
    message: {
      actions: { type: 'write', params: ({ event }) => ({ data: encodeLine(event.frame) }) },
    },
    // Written before the dispatcher's graceful close, so the peer sees why.
    'protocol-error': {
      actions: { type: 'write', params: ({ event }) => ({ data: encodeLine(`ERR ${event.message}`) }) },
    },
  },
});
// doc:end

const text = (frame: Uint8Array): string => new TextDecoder().decode(frame);

describe('docs/codecs.md', () => {
  it('shows the examples exactly as they are run here', () => {
    const doc = readFileSync(new URL('../../docs/codecs.md', import.meta.url), 'utf8');
    const source = readFileSync(new URL(import.meta.url), 'utf8');
    const regions = [...source.matchAll(/\/\/ doc:begin \w+\n([\s\S]*?)\/\/ doc:end\n/g)].map((m) => m[1] ?? '');
    expect(regions).toHaveLength(2);
    for (const region of regions) expect(doc).toContain(region);
  });

  it('decoder example: frames, then an error with the frames before it, then the same error', () => {
    expect(first.kind).toBe('frames');
    expect(first.frames.map(text)).toEqual(['PING']);
    expect(second).toMatchObject({ kind: 'error', error: 'line longer than 16 bytes' });
    expect(second.frames.map(text)).toEqual(['PING']);
    expect(third).toEqual({ kind: 'error', frames: [], error: 'line longer than 16 bytes' });
  });

  it('machine example: echoes a frame and answers a protocol error', () => {
    const [start] = initialTransition(lineEcho);
    const frame = utf8.encode('hello');
    const [, onMessage] = transition(lineEcho, start, { type: 'message', frame });
    expect(onMessage.map((a) => [a.type, a.params])).toEqual([['write', { data: utf8.encode('hello\n') }]]);
    const [, onError] = transition(lineEcho, start, { type: 'protocol-error', message: 'line longer than 16 bytes' });
    expect(onError.map((a) => [a.type, a.params])).toEqual([['write', { data: utf8.encode('ERR line longer than 16 bytes\n') }]]);
  });
});
