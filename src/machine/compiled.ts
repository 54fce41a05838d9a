// The run-time form of a machine: what the dispatcher steps on every event. Produced by
// `compileMachine` from an XState v5 machine; equal to XState's own `transition()` on
// every event (proven by test/machine/differential.test.ts), but a table lookup instead
// of an interpreter.

import type { StateValue } from 'xstate';
import type { Effect } from '../core/effects.js';
import type { AnyEventObject } from '../core/events.js';

/**
 * An XState v5 machine, as `createMachine` or `setup(...).createMachine` returns it: the
 * fields statewire's public types promise, without the `any` of XState's `AnyStateMachine`.
 * Every XState machine is one; `compileMachine` and the charts check at run time that a
 * value is a machine (src/machine/xstate-internals.ts reads the rest).
 */
export interface MachineDefinition {
  readonly id: string;
  readonly root: object;
  readonly config: object;
  readonly implementations: object;
}

export interface CompiledSnapshot<TContext = unknown> {
  /** The state value in XState's shape: a string, or a nested object for compound states. */
  readonly value: StateValue;
  /** The active leaf as a dotted path below the root ("connected", "handshake.waiting"): for traces and logs. */
  readonly state: string;
  readonly context: TContext;
  /** 'done' once a top-level final state is reached; a done machine ignores further events. */
  readonly status: 'active' | 'done';
}

export interface StepResult<TContext = unknown> {
  readonly snapshot: CompiledSnapshot<TContext>;
  /** Effects in the order XState would have executed the actions. Empty when the event was unhandled. */
  readonly effects: readonly Effect[];
}

/**
 * Where `stepInto` leaves a step: reused from step to step, so the step allocates neither
 * a result nor an effect list. The effects are `effects[0 .. count)`; slots past `count`
 * are stale or empty.
 */
export class StepBuffer<TContext = unknown> {
  snapshot: CompiledSnapshot<TContext> = EMPTY_SNAPSHOT as CompiledSnapshot<TContext>;
  readonly effects: (Effect | undefined)[] = [];
  count = 0;

  /**
   * Drop the effects' references (a write's bytes) once they have been carried out; all
   * slots, since a step that threw left some behind without counting them.
   */
  release(): void {
    const effects = this.effects;
    for (let i = 0; i < effects.length; i++) effects[i] = undefined;
    this.count = 0;
  }
}

const EMPTY_SNAPSHOT: CompiledSnapshot = { value: '', state: '', context: undefined, status: 'active' };

export interface CompiledMachine<TContext = unknown> {
  /** The XState machine id. */
  readonly id: string;
  /** The source definition, kept for charts and the differential test. */
  readonly definition: MachineDefinition;
  /** Enter the initial state: initial context from `input`, entry effects (including `after` timers). */
  initial(input?: unknown): StepResult<TContext>;
  /**
   * One macrostep: the event, then any events raised by it, oldest first. Pure: the given
   * snapshot is not modified. Throws if the machine's own code (a guard, an assign, a params
   * function) throws; the dispatcher turns that into a `machine-error` close.
   */
  step(snapshot: CompiledSnapshot<TContext>, event: AnyEventObject): StepResult<TContext>;
  /**
   * `step` for a caller that carries out the effects before it uses `out` again (the
   * dispatcher, on every event): the same snapshot and effects, written into `out`.
   * Optional: a machine without it is stepped with `step`.
   */
  stepInto?(snapshot: CompiledSnapshot<TContext>, event: AnyEventObject, out: StepBuffer<TContext>): void;
}
