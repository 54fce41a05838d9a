// Test-only machines built to corner the compiler: each one concentrates a semantics that
// XState gets subtly right (guard shadowing, reentry, raise order, assign order, after
// timers, final states). The differential test drives them with random events through
// both XState and the compiled step.

import fc from 'fast-check';
import { and, assign, cancel, createMachine, not, or, raise, setup } from 'xstate';
import type { AnyStateMachine } from 'xstate';
import type { AnyEventObject } from '../../src/core/events.js';
import { effectActions } from '../../src/machine/effect-actions.js';

export interface MachineUnderTest {
  readonly name: string;
  readonly machine: AnyStateMachine;
  readonly input: unknown;
  readonly events: fc.Arbitrary<AnyEventObject>;
}

/** The events the fixtures understand: a type and a few optional fields. */
interface FxEvent {
  readonly type: string;
  readonly n?: number;
  readonly flag?: boolean;
  readonly text?: string;
}

/** Every `xstate.after.<delay>.<stateId>` event type of a machine. */
function afterEventTypes(machine: AnyStateMachine): string[] {
  const types: string[] = [];
  const walk = (node: AnyStateMachine['root']): void => {
    for (const t of node.after) types.push(t.eventType);
    for (const child of Object.values(node.states)) walk(child);
  };
  walk(machine.root);
  return types;
}

/** Random events of `types`, with the payload fields the fixtures' guards and assigns read. */
function fxEvents(types: readonly string[]): fc.Arbitrary<AnyEventObject> {
  return fc.record(
    {
      type: fc.constantFrom(...types, 'unhandled', 'xstate.after.1.nowhere'),
      n: fc.integer({ min: -2, max: 6 }),
      flag: fc.boolean(),
      text: fc.constantFrom('a', 'b', 'pong-timer'),
    },
    { requiredKeys: ['type'] },
  );
}

function fixture(
  name: string,
  machine: AnyStateMachine,
  input: unknown,
  eventTypes: readonly string[],
): MachineUnderTest {
  return { name, machine, input, events: fxEvents([...eventTypes, ...afterEventTypes(machine)]) };
}

function note(message: string) {
  return { type: 'log', params: { level: 'debug', message } } as const;
}

// Deep nesting where a child's guarded handler hides the parent's only when it passes,
// named guards with params, inline guards and higher-order guards.
const nestedGuards = setup({
  types: {} as { context: { n: number; trail: string }; events: FxEvent; input: { start: number } },
  actions: effectActions,
  guards: {
    positive: ({ event }) => (event.n ?? 0) > 0,
    atLeast: ({ context }, params: { min: number }) => context.n >= params.min,
    flagged: ({ event }) => event.flag === true,
    aliasOfFlagged: 'flagged' as never,
  },
}).createMachine({
  id: 'nested',
  context: ({ input }) => ({ n: input.start, trail: '' }),
  initial: 'a',
  entry: note('enter root'),
  on: {
    go: { target: '.c', actions: assign({ trail: ({ context }) => `${context.trail}R` }) },
    inc: { actions: assign({ n: ({ context }) => context.n + 1 }) },
    dec: { actions: assign({ n: ({ context }) => context.n - 1 }) },
    reset: { target: '.a', reenter: true, actions: assign({ n: 0 }) },
  },
  states: {
    a: {
      initial: 'a1',
      entry: note('enter a'),
      exit: note('exit a'),
      on: {
        go: [
          { guard: 'positive', target: 'b.b2', actions: assign({ trail: ({ context }) => `${context.trail}A+` }) },
          { guard: { type: 'atLeast', params: { min: 3 } }, target: '#nested.b.b2.deep' },
          {
            guard: { type: 'atLeast', params: ({ event }) => ({ min: event.n ?? 0 }) },
            actions: assign({ trail: ({ context }) => `${context.trail}A=` }),
          },
        ],
      },
      states: {
        a1: {
          entry: note('enter a1'),
          exit: note('exit a1'),
          on: {
            go: { guard: and(['flagged', not('positive')]), target: 'a2' },
            inc: { guard: ({ context }) => context.n > 3, actions: assign({ n: ({ context }) => context.n * 2 }) },
          },
        },
        a2: {
          on: {
            go: { guard: or([({ context }) => context.n < 0, 'aliasOfFlagged']), target: '#nested.b.b1' },
            dec: {},
          },
        },
      },
    },
    b: {
      initial: 'b1',
      on: { up: '#nested.a.a2', inc: { guard: 'flagged', target: 'c' } },
      states: {
        b1: { entry: note('enter b1'), on: { next: 'b2', up: { guard: 'positive', target: 'b2' } } },
        b2: {
          initial: 'shallow',
          exit: note('exit b2'),
          states: {
            shallow: { on: { next: 'deep' } },
            deep: { entry: note('enter deep'), on: { next: '#nested.a', up: { target: 'shallow' } } },
          },
        },
      },
    },
    c: { entry: note('enter c'), on: { next: 'a' } },
  },
});

// Reentry in every flavour: self with and without reenter, to an ancestor, from the root.
const reenter = setup({
  types: {} as { context: { count: number }; events: FxEvent },
  actions: effectActions,
}).createMachine({
  id: 'reenter',
  context: { count: 0 },
  initial: 'p',
  entry: note('enter root'),
  exit: note('exit root'),
  on: {
    restart: { target: '#reenter', reenter: true },
    soft: { target: '#reenter' },
    toQ: { target: '.q', reenter: true },
    count: { actions: assign({ count: ({ context }) => context.count + 1 }) },
  },
  states: {
    p: {
      initial: 'p1',
      entry: note('enter p'),
      exit: note('exit p'),
      on: {
        self: { target: 'p', reenter: true },
        selfSoft: { target: 'p' },
        childRe: { target: '.p2', reenter: true },
        child: { target: '.p2' },
        targetlessRe: { reenter: true, actions: note('targetless reenter') },
      },
      states: {
        p1: {
          entry: note('enter p1'),
          exit: note('exit p1'),
          on: {
            next: 'p2',
            leafRe: { target: 'p1', reenter: true },
            leafSoft: { target: 'p1' },
            noop: {},
            count: { guard: ({ event }) => event.flag === true, actions: note('p1 swallows count') },
          },
        },
        p2: {
          entry: note('enter p2'),
          exit: note('exit p2'),
          on: {
            back: '#reenter.p.p1',
            toParent: '#reenter.p',
            toParentRe: { target: '#reenter.p', reenter: true },
            // Targets the root from below without reenter: XState enters the root again
            // (its entry runs) without exiting it.
            toRoot: '#reenter',
          },
        },
      },
    },
    q: {
      initial: { target: 'q2', actions: note('q initial') },
      entry: note('enter q'),
      exit: note('exit q'),
      on: { back: 'p', deep: '.q1' },
      states: {
        q1: { entry: note('enter q1') },
        q2: { entry: note('enter q2'), on: { deep: { target: '#reenter.q.q1', actions: note('q2 deep') } } },
      },
    },
  },
});

// Raise chains: raised events are processed oldest first after the microstep, guards of
// the next microstep see the assigns of the previous one; delayed raises and cancel.
const raises = setup({
  types: {} as { context: { seq: string; k: number }; events: FxEvent },
  actions: effectActions,
  delays: { soon: ({ context }) => context.k * 10 + 5 },
}).createMachine({
  id: 'raises',
  context: { seq: '', k: 0 },
  initial: 'idle',
  states: {
    idle: {
      exit: [raise({ type: 'fromExit' }), assign({ seq: ({ context }) => `${context.seq}x` })],
      on: {
        start: {
          actions: [
            assign({ seq: ({ context }) => `${context.seq}a` }),
            raise({ type: 'step' }),
            raise(({ context }) => ({ type: 'echo', text: context.seq })),
            assign({ seq: ({ context }) => `${context.seq}b` }),
            { type: 'log', params: ({ context }) => ({ level: 'info', message: `seq=${context.seq}` }) },
          ],
        },
        step: [
          {
            guard: ({ context }) => context.k < 3,
            actions: [assign({ k: ({ context }) => context.k + 1 }), raise({ type: 'step' })],
          },
          { target: 'busy', actions: raise({ type: 'fromTransition' }) },
        ],
        echo: { actions: assign({ seq: ({ context, event }) => `${context.seq}[${event.text ?? ''}]` }) },
      },
    },
    busy: {
      initial: 'one',
      entry: [raise({ type: 'fromEntry' }), raise({ type: 'later' }, { delay: 'soon', id: 'soon-timer' })],
      on: {
        fromExit: { actions: assign({ seq: ({ context }) => `${context.seq}E` }) },
        fromTransition: { actions: assign({ seq: ({ context }) => `${context.seq}T` }) },
        fromEntry: { target: '.two', actions: assign({ seq: ({ context }) => `${context.seq}N` }) },
        ping: { actions: raise({ type: 'pong' }, { delay: 100, id: 'pong-timer' }) },
        anon: {
          actions: raise(({ event }) => ({ type: 'later', n: event.n }), { delay: ({ event }) => event.n ?? 0 }),
        },
        anonFixed: { actions: raise({ type: 'later' }, { delay: 25 }) },
        stop: { actions: cancel('pong-timer') },
        stopFn: { actions: cancel(({ event }) => event.text ?? 'none') },
        later: { target: 'idle', actions: assign({ k: 0 }) },
        pong: { actions: assign({ seq: ({ context }) => `${context.seq}P` }) },
        start: { actions: [raise({ type: 'pong' }), raise({ type: 'later' })] },
      },
      states: {
        one: { on: { fromEntry: { target: 'two', actions: assign({ seq: ({ context }) => `${context.seq}1` }) } } },
        two: { entry: raise({ type: 'pong' }) },
      },
    },
  },
});

// Assign ordering: object form reads the old context for every property; effects read
// the context as left by the assigns before them; named assigns take params; new keys.
const assigns = setup({
  types: {} as {
    context: { a: number; b: number; n: number; [key: string]: unknown };
    events: FxEvent;
    input: { a: number; b: number };
  },
  actions: {
    ...effectActions,
    bump: assign(({ context }, params: { by: number }) => ({ n: context.n + params.by })),
    swap: assign({ a: ({ context }) => context.b, b: ({ context }) => context.a }),
  },
}).createMachine({
  id: 'assigns',
  context: ({ input }) => ({ a: input.a, b: input.b, n: 0 }),
  // Entry actions of the initial state see the init event, input included.
  entry: { type: 'log', params: ({ event }) => ({ level: 'info', message: JSON.stringify(event) }) },
  initial: 's',
  states: {
    s: {
      exit: [assign({ n: ({ context }) => context.n * 10 }), note('exit s')],
      on: {
        swap: {
          actions: ['swap', { type: 'write', params: ({ context }) => ({ data: `${context.a},${context.b}` }) }],
        },
        bump: { actions: { type: 'bump', params: { by: 2 } } },
        bumpBy: {
          actions: [
            { type: 'bump', params: ({ event }) => ({ by: event.n ?? 1 }) },
            { type: 'bump', params: ({ context }) => ({ by: context.n }) },
          ],
        },
        mix: {
          actions: [
            assign({ a: ({ context }) => context.a + 1, b: ({ context }) => context.a + 100 }),
            assign(({ context }) => ({ n: context.a + context.b })),
            { type: 'write', params: ({ context }) => ({ data: `n=${context.n}` }) },
          ],
        },
        grow: { actions: assign(({ event }) => ({ [`k${event.n ?? 0}`]: event.text ?? null })) },
        move: {
          target: 't',
          actions: [
            assign({ a: ({ context }) => context.n }),
            { type: 'write', params: ({ context }) => ({ data: `a=${context.a}` }) },
          ],
        },
      },
    },
    t: {
      entry: [
        assign({ b: ({ context }) => context.a + context.n }),
        { type: 'log', params: ({ context }) => ({ level: 'info', message: `b=${context.b}` }) },
      ],
      on: { move: 's', bump: { actions: { type: 'bump', params: { by: -1 } } } },
    },
  },
});

// Timers: numeric and named `after` delays (one a function of context, one never armed),
// guarded delayed transitions, timers on nested and parent states.
const timers = setup({
  types: {} as { context: { idleMs: number; data: number }; events: FxEvent; input: { idleMs: number } },
  actions: effectActions,
  delays: {
    idle: ({ context }) => context.idleMs,
    linger: 500,
    never: () => Infinity,
  },
}).createMachine({
  id: 'timers',
  context: ({ input }) => ({ idleMs: input.idleMs, data: 0 }),
  initial: 'connecting',
  states: {
    connecting: {
      after: { 1000: { target: 'closed', actions: note('connect timeout') } },
      on: { connected: 'open' },
    },
    open: {
      initial: 'active',
      after: {
        idle: [
          { guard: ({ context }) => context.data > 2, target: 'closing', actions: note('idle after data') },
          { target: 'closing' },
        ],
      },
      on: {
        data: { target: '.active', actions: assign({ data: ({ context }) => context.data + 1 }) },
        dataRe: { target: 'open', reenter: true },
        setIdle: { actions: assign({ idleMs: ({ event }) => (event.n ?? 0) * 100 }) },
        close: 'closing',
      },
      states: {
        active: { after: { 200: 'quiet' } },
        quiet: {
          after: {
            200: [{ guard: ({ context }) => context.data === 0, target: '#timers.closing' }, { target: 'active' }],
            300: 'active',
          },
        },
      },
    },
    closing: {
      after: { linger: 'closed', never: 'closed', Infinity: 'closed' } as Record<string, 'closed'>,
      on: { closed: 'closed' },
    },
    closed: { type: 'final', entry: note('closed') },
  },
});

// Final states: nested final -> xstate.done.state.<parent> with output, handled by onDone;
// the top-level final ends the machine and runs every exit action (timer cancels too).
const done = setup({
  types: {} as { context: { n: number; out: unknown }; events: FxEvent },
  actions: effectActions,
}).createMachine({
  id: 'done',
  context: { n: 0, out: null },
  initial: 'work',
  exit: note('exit root'),
  on: { inc: { actions: assign({ n: ({ context }) => context.n + 1 }) } },
  states: {
    work: {
      initial: 'w1',
      exit: note('exit work'),
      after: { 5000: 'review' },
      onDone: { target: 'review', actions: assign({ out: ({ event }) => event.output }) },
      states: {
        w1: { on: { next: 'w2' } },
        w2: { on: { finish: 'wdone', next: 'w1' } },
        wdone: { type: 'final', entry: note('enter wdone'), output: ({ context }) => ({ total: context.n }) },
      },
    },
    review: {
      initial: 'r1',
      exit: note('exit review'),
      after: { 100: { actions: note('review reminder') } },
      onDone: [{ guard: ({ context }) => context.n > 1, target: 'end' }, { target: 'work' }],
      states: {
        r1: { on: { ok: 'rdone', nested: 'inner' } },
        inner: {
          initial: 'i1',
          onDone: 'rdone',
          states: { i1: { on: { ok: 'idone' } }, idone: { type: 'final' } },
        },
        rdone: { type: 'final' },
      },
    },
    end: { type: 'final', entry: note('enter end'), exit: note('exit end') },
  },
});

// The initial configuration runs through a nested final state at once.
const instant = setup({
  types: {} as { context: { seen: number }; events: FxEvent },
  actions: effectActions,
}).createMachine({
  id: 'instant',
  context: { seen: 0 },
  initial: 'boot',
  states: {
    boot: {
      initial: 'ready',
      states: { ready: { type: 'final' } },
      onDone: { target: 'up', actions: assign({ seen: ({ context }) => context.seen + 1 }) },
    },
    up: { on: { stop: 'over', again: 'boot' } },
    over: { type: 'final' },
  },
});

// No states at all: the root is the only leaf (state value {}).
const flat = createMachine({
  id: 'flat',
  context: { n: 0 },
  on: { inc: { actions: assign({ n: ({ context }) => context.n + 1 }) } },
});

export const fixtureMachines: readonly MachineUnderTest[] = [
  fixture('nested-guards', nestedGuards, { start: 1 }, ['go', 'inc', 'dec', 'reset', 'up', 'next']),
  fixture('reenter', reenter, undefined, [
    'restart', 'soft', 'toQ', 'count', 'self', 'selfSoft', 'childRe', 'child', 'targetlessRe',
    'next', 'leafRe', 'leafSoft', 'noop', 'back', 'toParent', 'toParentRe', 'toRoot', 'deep',
  ]),
  fixture('raises', raises, undefined, [
    'start', 'step', 'echo', 'ping', 'anon', 'anonFixed', 'stop', 'stopFn', 'later', 'pong', 'fromEntry',
  ]),
  fixture('assigns', assigns, { a: 1, b: 2 }, ['swap', 'bump', 'bumpBy', 'mix', 'grow', 'move']),
  fixture('timers', timers, { idleMs: 3000 }, ['connected', 'data', 'dataRe', 'setIdle', 'close', 'closed']),
  fixture('done', done, undefined, ['inc', 'next', 'finish', 'ok', 'nested', 'xstate.done.state.done.work']),
  fixture('instant', instant, undefined, ['stop', 'again']),
  fixture('flat', flat, undefined, ['inc']),
];
