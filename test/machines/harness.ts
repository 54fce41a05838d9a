// Drives a machine one event at a time and reports state, context and effects, so the
// machine tests read as "send this, expect that". Two backends give the same answers
// (statewire's compiled step and XState's own pure transition); `backend` picks one.

import { initialTransition, transition } from 'xstate';
import type { AnyMachineSnapshot, AnyStateMachine, StateValue } from 'xstate';
import { EFFECT_TYPES } from '../../src/core/effects.js';
import type { Effect } from '../../src/core/effects.js';
import type { AnyEventObject } from '../../src/core/events.js';
import { compileRecorded } from '../support/transition-coverage.js';
import type { CompiledMachine, CompiledSnapshot } from '../../src/machine/compiled.js';

export interface Outcome {
  readonly state: string;
  readonly value: StateValue;
  readonly context: unknown;
  readonly status: 'active' | 'done';
  readonly effects: readonly Effect[];
  /** Backend-specific snapshot to continue from. */
  readonly snapshot: unknown;
}

interface Backend {
  initial(machine: AnyStateMachine, input: unknown): Outcome;
  step(machine: AnyStateMachine, snapshot: unknown, event: AnyEventObject): Outcome;
}

const compiledCache = new WeakMap<AnyStateMachine, CompiledMachine>();

function compiled(machine: AnyStateMachine): CompiledMachine {
  let result = compiledCache.get(machine);
  if (result === undefined) {
    result = compileRecorded(machine);
    compiledCache.set(machine, result);
  }
  return result;
}

const compiledBackend: Backend = {
  initial(machine, input) {
    const { snapshot, effects } = compiled(machine).initial(input);
    return { ...snapshot, effects, snapshot };
  },
  step(machine, snapshot, event) {
    const result = compiled(machine).step(snapshot as CompiledSnapshot, event);
    return { ...result.snapshot, effects: result.effects, snapshot: result.snapshot };
  },
};

function leafPath(value: StateValue): string {
  if (typeof value === 'string') return value;
  const [key, child] = Object.entries(value)[0] ?? ['', ''];
  return child === undefined ? key : `${key}.${leafPath(child)}`;
}

/** XState's actions in statewire's terms: effect actions, timers as startTimer/cancelTimer. */
function toEffects(actions: readonly { type: string; params?: unknown }[]): Effect[] {
  const effects: Effect[] = [];
  for (const action of actions) {
    const params = (action.params ?? {}) as Record<string, unknown>;
    if ((EFFECT_TYPES as readonly string[]).includes(action.type)) {
      effects.push({ type: action.type, ...params } as Effect);
    } else if (action.type === 'xstate.raise' && typeof params.delay === 'number') {
      // statewire never arms a non-finite delay.
      if (Number.isFinite(params.delay)) {
        effects.push({
          type: 'startTimer',
          name: String(params.id),
          delayMs: params.delay,
          event: params.event as AnyEventObject,
        });
      }
    } else if (action.type === 'xstate.cancel') {
      effects.push({ type: 'cancelTimer', name: String(params.sendId) });
    }
  }
  return effects;
}

function fromXState(snapshot: AnyMachineSnapshot, actions: readonly { type: string; params?: unknown }[]): Outcome {
  if (snapshot.status === 'error') throw snapshot.error;
  return {
    state: leafPath(snapshot.value),
    value: snapshot.value,
    context: snapshot.context,
    status: snapshot.status === 'done' ? 'done' : 'active',
    effects: toEffects(actions),
    snapshot,
  };
}

const xstateBackend: Backend = {
  initial(machine, input) {
    const [snapshot, actions] = initialTransition(machine, input);
    return fromXState(snapshot, actions);
  },
  step(machine, snapshot, event) {
    // statewire's done machines ignore events; XState's transition() would keep going.
    const current = snapshot as AnyMachineSnapshot;
    if (current.status === 'done') return fromXState(current, []);
    const [next, actions] = transition(machine, current, event);
    return fromXState(next, actions);
  },
};

/** The one line to switch: `compiledBackend` (statewire's step) or `xstateBackend` (the reference). */
const backend: Backend = process.env.MACHINES_BACKEND === 'xstate' ? xstateBackend : compiledBackend;

/** A running machine: `send` steps it and returns the effects; `fork` branches off a copy. */
export class Drive {
  private constructor(
    private readonly machine: AnyStateMachine,
    private outcome: Outcome,
  ) {}

  static start(machine: AnyStateMachine, input?: unknown, ...events: AnyEventObject[]): Drive {
    const drive = new Drive(machine, backend.initial(machine, input));
    for (const event of events) drive.send(event);
    return drive;
  }

  get state(): string {
    return this.outcome.state;
  }

  get status(): 'active' | 'done' {
    return this.outcome.status;
  }

  get context(): unknown {
    return this.outcome.context;
  }

  /** Effects of the last step (or of the initial state). */
  get effects(): readonly Effect[] {
    return this.outcome.effects;
  }

  send(event: AnyEventObject): readonly Effect[] {
    this.outcome = backend.step(this.machine, this.outcome.snapshot, event);
    return this.outcome.effects;
  }

  /** Fire an `after` timer: the event XState raises for `delay` in state `statePath`. */
  fire(delay: string, statePath: string): readonly Effect[] {
    return this.send({ type: afterEvent(this.machine, delay, statePath) });
  }

  fork(): Drive {
    return new Drive(this.machine, this.outcome);
  }
}

/** The id (and event type) XState gives an `after` timer: `xstate.after.<delay>.<machine>.<state>`. */
export function afterEvent(machine: AnyStateMachine, delay: string, statePath: string): string {
  return `xstate.after.${delay}.${machine.id}.${statePath}`;
}

export function startTimer(machine: AnyStateMachine, delay: string, statePath: string, delayMs: number): Effect {
  const name = afterEvent(machine, delay, statePath);
  return { type: 'startTimer', name, delayMs, event: { type: name } };
}

export function cancelTimer(machine: AnyStateMachine, delay: string, statePath: string): Effect {
  return { type: 'cancelTimer', name: afterEvent(machine, delay, statePath) };
}

const utf8 = new TextEncoder();

export function bytes(text: string): Uint8Array {
  return utf8.encode(text);
}

/** A `message` event, as the `lines` codec delivers one line (without its "\n"). */
export function line(text: string): AnyEventObject {
  return { type: 'message', frame: utf8.encode(text) };
}
