// Fidelity of the compiler: random event sequences go through XState's own pure
// `initialTransition`/`transition` and through the compiled step, and after every event
// both must agree on state value, context, status and effects. XState's action list is
// mapped to effects the way statewire defines them (docs/xstate-subset.md).

import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import type { AnyMachineSnapshot, StateValue } from 'xstate';
import type { AnyEventObject } from '../../src/core/events.js';
import { ANONYMOUS_RAISE_PREFIX, compileMachine } from '../../src/machine/compile.js';
import type { CompiledMachine, StepResult } from '../../src/machine/compiled.js';
import { StepBuffer } from '../../src/machine/compiled.js';
import { shippedMachineCases } from '../machines/arbitraries.js';
import { fixtureMachines } from './fixtures.js';
import type { MachineUnderTest } from './fixtures.js';

/** Delayed raises without an id: XState names them at random, statewire by site. */
const ANONYMOUS = '<anonymous raise>';

interface XAction {
  readonly type: string;
  readonly params?: unknown;
}

/** XState's executed-action list as statewire effects. */
function expectedEffects(actions: readonly XAction[]): unknown[] {
  const effects: unknown[] = [];
  for (const { type, params } of actions) {
    const p = (params ?? {}) as Record<string, unknown>;
    switch (type) {
      case 'xstate.assign':
        break;
      case 'xstate.raise': {
        // An immediate raise was already consumed; a non-finite delay is never armed.
        const delay = p['delay'];
        if (typeof delay === 'number' && Number.isFinite(delay)) {
          const id = p['id'];
          effects.push({ type: 'startTimer', name: id ?? ANONYMOUS, delayMs: delay, event: p['event'] });
        }
        break;
      }
      case 'xstate.cancel':
        effects.push({ type: 'cancelTimer', name: p['sendId'] });
        break;
      default:
        effects.push({ type, ...p });
    }
  }
  return effects;
}

function actualEffects(result: StepResult): unknown[] {
  return result.effects.map((effect) =>
    effect.type === 'startTimer' && effect.name.startsWith(ANONYMOUS_RAISE_PREFIX)
      ? { ...effect, name: ANONYMOUS }
      : effect,
  );
}

/** The dotted leaf path of a state value (statewire's `state`). */
function leafPath(value: StateValue): string {
  if (typeof value === 'string') return value;
  const [key] = Object.keys(value);
  if (key === undefined) return '';
  const child = value[key];
  return child === undefined ? key : `${key}.${leafPath(child)}`;
}

/** `expect(actual).toEqual(expected)`, paying for vitest's matcher only on a mismatch. */
function expectEqual(actual: unknown, expected: unknown, label: string): void {
  if (!isDeepStrictEqual(actual, expected)) expect(actual, label).toEqual(expected);
}

function expectSame(label: string, xs: AnyMachineSnapshot, xActions: readonly XAction[], result: StepResult): void {
  expectEqual(xs.status === 'error' ? xs.error : undefined, undefined, `${label}: XState errored`);
  expectEqual(result.snapshot.value, xs.value, `${label}: value`);
  expectEqual(result.snapshot.state, leafPath(xs.value), `${label}: state`);
  expectEqual(result.snapshot.context, xs.context, `${label}: context`);
  expectEqual(result.snapshot.status, xs.status, `${label}: status`);
  expectEqual(actualEffects(result), expectedEffects(xActions), `${label}: effects`);
}

/**
 * One step of a run: with `preferHandled`, an event the machine acts on now (drawn from
 * the run's pool by `pick`), so runs get past guards; otherwise the random `event`, which
 * also covers unhandled and guard-rejected events.
 */
interface Step {
  readonly preferHandled: boolean;
  readonly pick: number;
  readonly event: AnyEventObject;
}

/**
 * A shortest event path to every leaf state reachable with a fixed sample of the
 * machine's events, found breadth-first with the compiled step. Runs start with one of
 * them, so states behind a handshake get as much random traffic as the first ones.
 */
function pathsToStates(subject: MachineUnderTest, compiled: CompiledMachine): Map<string, AnyEventObject[]> {
  const sample = fc.sample(subject.events, { numRuns: 300, seed: 42 });
  const start = compiled.initial(subject.input).snapshot;
  const paths = new Map<string, AnyEventObject[]>([[start.state, []]]);
  const queue = [{ snapshot: start, path: [] as AnyEventObject[] }];
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
    if (item.snapshot.status === 'done') continue;
    for (const event of sample) {
      const { snapshot } = compiled.step(item.snapshot, event);
      if (paths.has(snapshot.state)) continue;
      const path = [...item.path, event];
      paths.set(snapshot.state, path);
      queue.push({ snapshot, path });
    }
  }
  return paths;
}

function stepsOf(
  subject: MachineUnderTest,
  prefixes: readonly AnyEventObject[][],
): fc.Arbitrary<{ pool: AnyEventObject[]; steps: Step[] }> {
  return fc.record({
    prefix: fc.constantFrom(...prefixes),
    pool: fc.array(subject.events, { minLength: 8, maxLength: 32 }),
    steps: fc.array(
      fc.record({ preferHandled: fc.boolean(), pick: fc.nat(), event: subject.events }),
      { maxLength: 40, size: 'max' },
    ),
  }).map(({ prefix, pool, steps }) => ({
    pool,
    steps: [...prefix.map((event) => ({ preferHandled: false, pick: 0, event })), ...steps],
  }));
}

/** The first event of `pool`, from index `pick` on, that the machine acts on now. */
function handledFrom(xs: AnyMachineSnapshot, pool: readonly AnyEventObject[], pick: number): AnyEventObject | undefined {
  for (let k = 0; k < pool.length; k++) {
    const event = pool[(pick + k) % pool.length] as AnyEventObject;
    if (xs.can(event)) return event;
  }
  return undefined;
}

interface RunStats {
  compared: number;
  readonly states: Set<string>;
}

/** Runs one event sequence through both, comparing after every event. */
function runBoth(
  subject: MachineUnderTest,
  compiled: CompiledMachine,
  pool: readonly AnyEventObject[],
  steps: readonly Step[],
  stats: RunStats,
): void {
  const [x0, a0] = initialTransition(subject.machine, subject.input);
  let xs: AnyMachineSnapshot = x0;
  let current = compiled.initial(subject.input);
  expectSame('initial', xs, a0, current);
  // The dispatcher's path: stepInto, into one buffer reused (and never released) across steps.
  const buffer = new StepBuffer();
  const stepInto = compiled.stepInto?.bind(compiled);
  expect(stepInto, 'compiled machines step into a buffer').toBeDefined();
  stats.states.add(current.snapshot.state);
  for (const [i, step] of steps.entries()) {
    const event = (step.preferHandled && handledFrom(xs, pool, step.pick)) || step.event;
    const label = `event #${i} ${JSON.stringify(event)} in '${current.snapshot.state}'`;
    if (xs.status === 'done') {
      // statewire behaves as an actor on a done machine: the event is ignored.
      const ignored = compiled.step(current.snapshot, event);
      expect(ignored.snapshot, label).toBe(current.snapshot);
      expect(ignored.effects, label).toHaveLength(0);
      stepInto?.(current.snapshot, event, buffer);
      expect(buffer.snapshot, label).toBe(current.snapshot);
      expect(buffer.count, label).toBe(0);
      continue;
    }
    const before = structuredClone(current.snapshot.context);
    const [next, actions] = transition(subject.machine, xs, event);
    const result = compiled.step(current.snapshot, event);
    expectEqual(current.snapshot.context, before, `${label}: step must not modify its input`);
    expectSame(label, next, actions, result);
    stepInto?.(current.snapshot, event, buffer);
    expect(buffer.snapshot, `${label}: stepInto`).toEqual(result.snapshot);
    expect(buffer.effects.slice(0, buffer.count), `${label}: stepInto`).toEqual(result.effects);
    if (result.snapshot === current.snapshot) expect(buffer.snapshot, `${label}: stepInto unchanged`).toBe(current.snapshot);
    // XState returns the very same snapshot when nothing changed; so must the step.
    if (next === xs) expect(result.snapshot, `${label}: unchanged snapshot`).toBe(current.snapshot);
    xs = next;
    current = result;
    stats.compared++;
    stats.states.add(current.snapshot.state);
  }
}

const NUM_RUNS = 100;

// Every machine of machines/index.ts, with its event arbitrary from test/machines/arbitraries.ts.
const subjects: readonly MachineUnderTest[] = [...fixtureMachines, ...shippedMachineCases];

describe('compiled step equals XState transition()', () => {
  for (const subject of subjects) {
    it(subject.name, () => {
      // One compiled machine for all runs, as in a server: its context-shape cache is shared.
      const compiled = compileMachine(subject.machine);
      const stats: RunStats = { compared: 0, states: new Set() };
      const prefixes = pathsToStates(subject, compiled);
      fc.assert(
        fc.property(stepsOf(subject, [...prefixes.values()]), ({ pool, steps }) =>
          runBoth(subject, compiled, pool, steps, stats),
        ),
        { numRuns: NUM_RUNS },
      );
      // Guards the generator: every state found above was reached by some run.
      expect([...stats.states]).toEqual(expect.arrayContaining([...prefixes.keys()]));
      expect(stats.compared).toBeGreaterThan(NUM_RUNS);
    });
  }
});
