// Machines that exercise what the chart model and the renderers must handle: nesting,
// guards of every form, `after` with numbers and names, entry/exit effects, done
// events, re-entry, ignored events, and names full of characters both grammars reserve.

import { and, assign, createMachine, not, or, raise, setup } from 'xstate';
import type { AnyStateMachine } from 'xstate';
import { effectActions } from '../../src/machine/effect-actions.js';
import { connectionLifecycleMachine } from '../../machines/connection-lifecycle.js';

interface Ctx {
  readonly tries: number;
}

type NestedEvent =
  | { type: 'connect' }
  | { type: 'ok'; code: number }
  | { type: 'fail' }
  | { type: 'retry' }
  | { type: 'tick' }
  | { type: 'noise' }
  | { type: 'stop' }
  | { type: 'internal' };

/** A small client: compound `session`, a nested final state, guards, timers, entry/exit effects. */
export const nestedMachine = setup({
  types: { context: {} as Ctx, events: {} as NestedEvent },
  actions: effectActions,
  guards: {
    isOk: ({ event }) => event.type === 'ok' && event.code === 200,
    hasCode: ({ event }, params: { code: number }) => event.type === 'ok' && event.code === params.code,
    canRetry: ({ context }) => context.tries < 3,
    quiet: () => false,
  },
  delays: { retryDelay: 250, backoff: ({ context }) => 100 * context.tries },
}).createMachine({
  id: 'nested',
  context: { tries: 0 },
  initial: 'idle',
  on: { stop: { target: '.stopped', actions: { type: 'log', params: { level: 'info', message: 'stop' } } } },
  states: {
    idle: {
      on: { connect: { target: 'session' }, noise: {} },
    },
    session: {
      initial: 'opening',
      entry: { type: 'connect', params: { host: '127.0.0.1', port: 7, timeoutMs: 1000 } },
      exit: [{ type: 'close', params: { reason: { kind: 'local', detail: 'session over' }, mode: 'graceful' } }],
      on: { fail: { target: 'backoff', actions: assign({ tries: ({ context }) => context.tries + 1 }) } },
      onDone: { target: 'stopped' },
      after: { 5000: { target: 'backoff' } },
      states: {
        opening: {
          on: {
            ok: [
              { guard: 'isOk', target: 'open' },
              { guard: { type: 'hasCode', params: { code: 204 } }, target: 'open', actions: raise({ type: 'internal' }) },
              { guard: and(['canRetry', not('quiet')]), target: 'opening', reenter: true },
              { guard: or([({ event }) => event.type === 'ok', 'quiet']), target: 'done' },
            ],
          },
        },
        open: {
          on: {
            tick: { actions: { type: 'write', params: { data: 'ping\n' } } },
            internal: { actions: { type: 'write', params: ({ event }) => ({ data: event.type }) } },
          },
          after: { retryDelay: { target: 'done' } },
        },
        done: { type: 'final' },
      },
    },
    backoff: {
      after: { backoff: [{ guard: 'canRetry', target: 'session' }, { target: 'stopped' }] },
      on: { retry: 'session', noise: {} },
    },
    stopped: { type: 'final' },
  },
});

/**
 * Keys, events, guards and params made of what Mermaid and DOT reserve: quotes, colons,
 * semicolons, braces, brackets, `#`, `%%`, HTML, backslashes, newlines, keywords.
 */
export const trickyMachine = setup({
  actions: effectActions,
  guards: { 'weird "guard" [x]: y; z': () => true },
}).createMachine({
  id: 'tricky: "machine"',
  initial: 'default',
  states: {
    default: {
      on: {
        'a:b;c': { target: 'state' },
        'say "hi" {x} <b>': {
          guard: 'weird "guard" [x]: y; z',
          target: 'end',
          actions: { type: 'write', params: { data: 'line1\nline2 \\N "quoted" %% #35; direction TB <br/> & }' } },
        },
      },
    },
    state: {
      on: { 'multi\nline': { target: 'note' }, '[*]': { target: 'default' } },
    },
    note: {
      initial: 'direction',
      states: {
        direction: { on: { '-->': 'class' } },
        class: { type: 'final' },
      },
      onDone: 'end',
    },
    end: { type: 'final' },
  },
});

/** Chart-only shapes statewire does not compile: parallel regions, history, `always`. */
export const parallelMachine = createMachine({
  id: 'parallel',
  initial: 'running',
  states: {
    running: {
      type: 'parallel',
      states: {
        left: { initial: 'a', states: { a: { on: { go: 'b' } }, b: {} } },
        right: { initial: 'x', states: { x: { always: { target: 'y' } }, y: {}, hist: { type: 'history' } } },
      },
      on: { halt: 'halted' },
    },
    halted: { type: 'final' },
  },
});

/** What the renderer tests draw: the fixtures and a real machine. */
export const CHARTED_MACHINES: ReadonlyArray<readonly [string, AnyStateMachine]> = [
  ['nested', nestedMachine],
  ['tricky', trickyMachine],
  ['parallel', parallelMachine],
  ['connection-lifecycle', connectionLifecycleMachine],
];
