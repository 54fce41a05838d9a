// The compiler's edges: every feature outside the subset is rejected with its name and the
// state it sits in, and a few steps checked by hand (the differential test covers the rest).

import { describe, expect, it } from 'vitest';
import {
  assign,
  cancel,
  createMachine,
  emit,
  enqueueActions,
  forwardTo,
  fromPromise,
  log,
  raise,
  sendParent,
  sendTo,
  setup,
  spawnChild,
  stateIn,
  stopChild,
} from 'xstate';
import type { AnyStateMachine } from 'xstate';
import {
  ANONYMOUS_RAISE_PREFIX,
  MAX_MICROSTEPS,
  MachineCompileError,
  compileMachine,
} from '../../src/machine/compile.js';
import { effectActions } from '../../src/machine/effect-actions.js';

function expectRejected(machine: AnyStateMachine, feature: string, stateId: string): void {
  let error: unknown;
  try {
    compileMachine(machine);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(MachineCompileError);
  const { message } = error as MachineCompileError;
  expect(message).toContain(feature);
  expect(message).toContain(`in state '${stateId}'`);
}

/** A machine whose state `m.a` carries `config`, next to a plain sibling `m.b`. */
function withStateA(config: Record<string, unknown>, implementations = {}): AnyStateMachine {
  return createMachine({ id: 'm', initial: 'a', states: { a: config, b: {} } } as never, implementations);
}

describe('compileMachine rejects what it does not compile', () => {
  it.each([
    ['parallel state', { type: 'parallel', states: { x: {}, y: {} } }, 'm.a'],
    ['always', { always: { target: 'b' } }, 'm.a'],
    ['invoke', { invoke: { src: fromPromise(async () => 1) } }, 'm.a'],
    ["wildcard event descriptor '*'", { on: { '*': 'b' } }, 'm.a'],
    ["partial wildcard event descriptor 'tcp.*'", { on: { 'tcp.*': 'b' } }, 'm.a'],
    ['inline action function', { entry: () => {} }, 'm.a'],
    ['use assign or an effect action', { on: { go: { actions: () => {} } } }, 'm.a'],
    ['spawnChild', { entry: spawnChild(fromPromise(async () => 1)) }, 'm.a'],
    ['stopChild', { exit: stopChild('child') }, 'm.a'],
    ['sendTo', { entry: sendTo('someone', { type: 'x' }) }, 'm.a'],
    ['sendParent', { entry: sendParent({ type: 'x' }) }, 'm.a'],
    ['forwardTo', { on: { go: { actions: forwardTo('someone') } } }, 'm.a'],
    ['enqueueActions', { entry: enqueueActions(() => {}) }, 'm.a'],
    ['emit', { entry: emit({ type: 'x' }) }, 'm.a'],
    ['use the `log` effect action', { entry: log('hi') }, 'm.a'],
    ['stateIn guard', { on: { go: { guard: stateIn('#m.b'), target: 'b' } } }, 'm.a'],
    ["guard 'missing'", { on: { go: { guard: 'missing', target: 'b' } } }, 'm.a'],
    ["action 'missing'", { entry: 'missing' }, 'm.a'],
    ["delay 'missing'", { after: { missing: 'b' } }, 'm.a'],
    ['raise of a string event', { entry: raise('x' as never) }, 'm.a'],
  ])('%s', (feature, config, stateId) => {
    expectRejected(withStateA(config), feature, stateId);
  });

  it('a value that is not an XState machine, with a TypeError that says what it wants', () => {
    // A plain object with the fields of `MachineDefinition` but none of XState's methods.
    const lookalike = { id: 'm', root: {}, config: {}, implementations: {} };
    expect(() => compileMachine(lookalike)).toThrow(TypeError);
    expect(() => compileMachine(lookalike)).toThrow(/expected an XState v5 machine/);
  });

  it('history state', () => {
    const machine = createMachine({
      id: 'm',
      initial: 'a',
      states: { a: { initial: 'x', states: { x: {}, h: { type: 'history' } } } },
    });
    expectRejected(machine, 'history state', 'm.a.h');
  });

  it('multiple targets', () => {
    const machine = createMachine({
      id: 'm',
      initial: 'p',
      states: {
        p: { initial: 'x', on: { go: { target: ['.x', '.y'] } }, states: { x: {}, y: {} } },
      },
    });
    expectRejected(machine, 'multiple targets', 'm.p');
  });

  it('named actions that are neither effects nor built-ins, and look-alike effects', () => {
    const custom = setup({ actions: { ...effectActions, notify: () => {} } }).createMachine({
      id: 'm',
      initial: 'a',
      states: { a: { entry: 'notify' } },
    });
    expectRejected(custom, "named action 'notify'", 'm.a');
    const fakeWrite = setup({ actions: { ...effectActions, write: () => {} } }).createMachine({
      id: 'm',
      initial: 'a',
      states: { a: { entry: { type: 'write', params: { data: 'x' } } } },
    });
    expectRejected(fakeWrite, "named action 'write'", 'm.a');
  });

  it('machine output and route', () => {
    expectRejected(createMachine({ id: 'm', output: 1, initial: 'a', states: { a: {} } }), 'machine output', 'm');
    const routed = createMachine({ id: 'm', initial: 'a', states: { a: {}, b: { id: 'b', route: {} } } });
    expectRejected(routed, 'route', 'b');
  });
});

describe('compiled step, checked by hand', () => {
  const toggle = setup({
    types: {} as { context: { count: number; last: string }; events: { type: string; text?: string } },
    actions: effectActions,
    guards: { long: ({ event }) => (event.text ?? '').length > 3 },
  }).createMachine({
    id: 't',
    context: { count: 0, last: '' },
    initial: 'off',
    states: {
      off: {
        after: { 1000: 'on' },
        on: {
          flip: {
            target: 'on.quiet',
            actions: [
              assign({ count: ({ context }) => context.count + 1 }),
              { type: 'write', params: ({ context }) => ({ data: `flip ${context.count}` }) },
            ],
          },
        },
      },
      on: {
        initial: 'loud',
        exit: { type: 'log', params: { level: 'debug', message: 'off again' } },
        on: { flip: 'off', say: [{ guard: 'long', actions: assign({ last: ({ event }) => event.text ?? '' }) }] },
        states: { loud: {}, quiet: {} },
      },
    },
  });
  const compiled = compileMachine<{ count: number; last: string }>(toggle);

  it('enters the initial state with its after timer', () => {
    const { snapshot, effects } = compiled.initial();
    expect(snapshot).toEqual({ value: 'off', state: 'off', context: { count: 0, last: '' }, status: 'active' });
    expect(effects).toEqual([
      {
        type: 'startTimer',
        name: 'xstate.after.1000.t.off',
        delayMs: 1000,
        event: { type: 'xstate.after.1000.t.off' },
      },
    ]);
  });

  it('orders exit, transition actions and entry; effects see earlier assigns', () => {
    const { snapshot, effects } = compiled.step(compiled.initial().snapshot, { type: 'flip' });
    expect(snapshot).toEqual({
      value: { on: 'quiet' },
      state: 'on.quiet',
      context: { count: 1, last: '' },
      status: 'active',
    });
    expect(effects).toEqual([
      { type: 'cancelTimer', name: 'xstate.after.1000.t.off' },
      { type: 'write', data: 'flip 1' },
    ]);
  });

  it('delivers the after event as an ordinary event', () => {
    const { snapshot } = compiled.step(compiled.initial().snapshot, { type: 'xstate.after.1000.t.off' });
    expect(snapshot.state).toBe('on.loud');
  });

  it('returns the same snapshot and one shared empty effect list when nothing happens', () => {
    const { snapshot } = compiled.initial();
    const unknown = compiled.step(snapshot, { type: 'nobody-handles-this' });
    const guarded = compiled.step(compiled.step(snapshot, { type: 'flip' }).snapshot, { type: 'say', text: 'hi' });
    expect(unknown.snapshot).toBe(snapshot);
    expect(unknown.effects).toHaveLength(0);
    expect(guarded.effects).toBe(unknown.effects);
  });

  it('steps a copied snapshot, or one from another compile, as the snapshot a step made', () => {
    // A step's snapshot remembers its leaf privately; copies (a replayed log, a user's object) go by state name.
    const made = compiled.step(compiled.initial().snapshot, { type: 'flip' }).snapshot;
    expect(JSON.stringify(made)).toBe('{"value":{"on":"quiet"},"state":"on.quiet","context":{"count":1,"last":""},"status":"active"}');
    const other = compileMachine<{ count: number; last: string }>(toggle);
    const copies = [{ ...made }, structuredClone(made), JSON.parse(JSON.stringify(made)), other.step(other.initial().snapshot, { type: 'flip' }).snapshot];
    const expected = compiled.step(made, { type: 'say', text: 'hello' });
    expect(expected.snapshot.context.last).toBe('hello');
    for (const copy of copies) expect(compiled.step(copy, { type: 'say', text: 'hello' })).toEqual(expected);
    // A copy that names another state is stepped from that state, not from the leaf it was copied from.
    expect(compiled.step({ ...made, value: 'off', state: 'off' }, { type: 'flip' }).snapshot.state).toBe('on.quiet');
    expect(compiled.step({ ...made, value: 'off', state: 'off' }, { type: 'say', text: 'hello' }).snapshot.state).toBe('off');
  });

  it('ignores events once done, as an actor does', () => {
    const once = createMachine({ id: 'once', initial: 'a', states: { a: { on: { end: 'z' } }, z: { type: 'final' } } });
    const c = compileMachine(once);
    const done = c.step(c.initial().snapshot, { type: 'end' });
    expect(done.snapshot.status).toBe('done');
    const after = c.step(done.snapshot, { type: 'end' });
    expect(after.snapshot).toBe(done.snapshot);
    expect(after.effects).toHaveLength(0);
  });

  it('never arms a non-finite delay, but still cancels it on exit', () => {
    const m = setup({ actions: effectActions, delays: { off: () => Infinity } }).createMachine({
      id: 'inf',
      initial: 'a',
      states: { a: { after: { off: 'b' }, on: { go: 'b' } }, b: {} },
    });
    const c = compileMachine(m);
    const start = c.initial();
    expect(start.effects).toEqual([]);
    expect(c.step(start.snapshot, { type: 'go' }).effects).toEqual([
      { type: 'cancelTimer', name: 'xstate.after.off.inf.a' },
    ]);
  });

  it('names delayed raises without an id by their state, and cancels by function id', () => {
    const m = createMachine({
      id: 'r',
      initial: 'a',
      states: {
        a: {
          entry: [raise({ type: 'ping' }, { delay: 50 }), raise({ type: 'pong' }, { delay: 70 })],
          on: { stop: { actions: cancel(({ event }) => String(Reflect.get(event, 'id'))) } },
        },
      },
    });
    const c = compileMachine(m);
    const start = c.initial();
    expect(start.effects.map((e) => (e.type === 'startTimer' ? e.name : e.type))).toEqual([
      `${ANONYMOUS_RAISE_PREFIX}r.a.0`,
      `${ANONYMOUS_RAISE_PREFIX}r.a.1`,
    ]);
    expect(c.step(start.snapshot, { type: 'stop', id: 'x' }).effects).toEqual([{ type: 'cancelTimer', name: 'x' }]);
  });

  it('takes the initial context from the input factory', () => {
    const m = setup({ types: {} as { context: { n: number }; input: { n: number } } }).createMachine({
      id: 'in',
      context: ({ input }) => ({ n: input.n * 2 }),
    });
    const { snapshot } = compileMachine(m).initial({ n: 21 });
    expect(snapshot).toEqual({ value: {}, state: '', context: { n: 42 }, status: 'active' });
  });

  it('stops a raise loop instead of spinning forever', () => {
    const m = createMachine({ id: 'loop', on: { spin: { actions: raise({ type: 'spin' }) } } });
    const c = compileMachine(m);
    expect(() => c.step(c.initial().snapshot, { type: 'spin' })).toThrow(`more than ${MAX_MICROSTEPS} raised events`);
  });

  it('gives every step its own effect list, even after a step that threw', () => {
    const start = compiled.initial();
    const first = compiled.step(start.snapshot, { type: 'flip' });
    const kept = [...first.effects];
    const loop = compileMachine(createMachine({ id: 'loop', on: { spin: { actions: raise({ type: 'spin' }) } } }));
    expect(() => loop.step(loop.initial().snapshot, { type: 'spin' })).toThrow();
    const second = compiled.step(first.snapshot, { type: 'flip' });
    expect(second.effects).not.toBe(first.effects);
    expect(first.effects).toEqual(kept);
    expect(compiled.step(start.snapshot, { type: 'flip' }).effects).toEqual(kept);
  });

  it('keeps the effects of a step apart from a step its own code takes on the same machine', () => {
    // Machines should not do this, but a test helper might: the inner step must neither
    // see nor clobber the outer step's effects.
    let inner: readonly unknown[] = [];
    const m = setup({ actions: effectActions }).createMachine({
      id: 'nested',
      context: { depth: 0 },
      on: {
        go: {
          actions: [
            { type: 'log', params: { level: 'info', message: 'outer before' } },
            assign(({ context }) => {
              if (context.depth === 0) inner = c.step({ ...snapshot, context: { depth: 1 } }, { type: 'go' }).effects;
              return {};
            }),
            { type: 'log', params: { level: 'info', message: 'outer after' } },
          ],
        },
      },
    });
    const c = compileMachine(m);
    const snapshot = c.initial().snapshot;
    const outer = c.step(snapshot, { type: 'go' }).effects;
    const messages = (effects: readonly unknown[]) => effects.map((e) => (e as { message: string }).message);
    expect(messages(outer)).toEqual(['outer before', 'outer after']);
    expect(messages(inner)).toEqual(['outer before', 'outer after']);
    expect(inner).not.toBe(outer);
  });
});
