// Every read of XState's undocumented internals lives here, so an xstate upgrade is one
// file to check (and test/machine/differential.test.ts to run). Pinned to xstate 5.33.x:
// the shapes below are those of its StateNode after `_initialize()`, and the `.type` and
// fields that its built-in action creators (`assign`, `raise`, `cancel`, ...) attach.

import { and, not, or, stateIn } from 'xstate';
import type { AnyStateMachine } from 'xstate';
import type { MachineDefinition } from './compiled.js';

/** A state node as XState 5.33 builds it (StateMachine.ts / StateNode.ts). */
export interface XNode {
  readonly id: string;
  readonly key: string;
  readonly type: 'atomic' | 'compound' | 'parallel' | 'history' | 'final';
  /** Keys from the root to this node; empty for the root. */
  readonly path: readonly string[];
  readonly parent: XNode | undefined;
  readonly states: Readonly<Record<string, XNode>>;
  /** Includes the delayed `raise` that `after` adds (pushed after the user's entry actions). */
  readonly entry: readonly unknown[];
  /** Includes the `cancel` that `after` adds (pushed after the user's exit actions). */
  readonly exit: readonly unknown[];
  /** Document order; XState sorts entry ascending and exit descending by it. */
  readonly order: number;
  /** Event descriptor -> transitions in document order (`on`, `onDone`, `after` merged). */
  readonly transitions: ReadonlyMap<string, readonly XTransition[]>;
  readonly initial: { readonly target: readonly XNode[]; readonly actions: readonly unknown[] };
  /** Final nodes: the `output` mapper of their done event. */
  readonly output: unknown;
  readonly config: Readonly<Record<string, unknown>>;
}

export interface XTransition {
  /** Undefined for a targetless transition. */
  readonly target: readonly XNode[] | undefined;
  readonly source: XNode;
  readonly reenter: boolean;
  readonly guard: unknown;
  readonly actions: readonly unknown[];
}

/** A function the machine author wrote: `(args, params) => result`. */
export type UserFn = (args: { readonly context: unknown; readonly event: unknown }, params: unknown) => unknown;

/** XState machines by shape, not `instanceof`: a user's module may bring its own copy of xstate. */
export function isXStateMachine(value: unknown): value is MachineDefinition {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { id?: unknown; root?: unknown; transition?: unknown; getInitialSnapshot?: unknown };
  return (
    typeof candidate.id === 'string' &&
    typeof candidate.root === 'object' &&
    typeof candidate.transition === 'function' &&
    typeof candidate.getInitialSnapshot === 'function'
  );
}

/** A TypeError naming `caller` unless `value` is an XState machine: the one check every entry point makes. */
export function requireXStateMachine(value: unknown, caller: string): asserts value is MachineDefinition {
  if (!isXStateMachine(value)) {
    throw new TypeError(`${caller}: expected an XState v5 machine (from createMachine or setup(...).createMachine)`);
  }
}

/** The definition as XState's own type, for XState's functions (`createActor`, `resolveState`); throws for anything else. */
export function xstateMachine(definition: MachineDefinition, caller: string): AnyStateMachine {
  requireXStateMachine(definition, caller);
  return definition as AnyStateMachine;
}

export function rootOf(machine: MachineDefinition): XNode {
  return machine.root as unknown as XNode;
}

interface Implementations {
  readonly actions: Readonly<Record<string, unknown>>;
  readonly guards: Readonly<Record<string, unknown>>;
  readonly delays: Readonly<Record<string, unknown>>;
}

export function implementationsOf(machine: MachineDefinition): Implementations {
  return machine.implementations as unknown as Implementations;
}

/** The machine's `context` config: an object, a `({ input }) => context` factory, or undefined. */
export function contextConfigOf(machine: MachineDefinition): unknown {
  return (machine.config as { readonly context?: unknown }).context;
}

export function isFunction(value: unknown): value is UserFn {
  return typeof value === 'function';
}

function field(value: unknown, name: string): unknown {
  return (value as Record<string, unknown>)[name];
}

/** Where an action's or guard's params come from: `{ type, params }` objects only. */
export interface ParamsRef {
  readonly params: unknown;
}

/**
 * An action as found in an entry/exit/transition list, classified. Strings and
 * `{ type, params }` objects name an implementation from `setup({ actions })`, which is
 * resolved here; `params` is kept only for those (XState passes `undefined` to inline ones).
 */
export type ActionRef =
  | { readonly kind: 'assign'; readonly assignment: unknown; readonly params: ParamsRef | undefined }
  | {
      readonly kind: 'raise';
      readonly event: unknown;
      readonly id: string | undefined;
      readonly delay: unknown;
      readonly params: ParamsRef | undefined;
    }
  | { readonly kind: 'cancel'; readonly sendId: unknown; readonly params: ParamsRef | undefined }
  | {
      readonly kind: 'named';
      readonly name: string;
      readonly implementation: unknown;
      readonly params: ParamsRef | undefined;
    }
  | { readonly kind: 'rejected'; readonly feature: string };

// Built-in action creators tag their function with `.type` (xstate.assign, xstate.raise, ...).
const REJECTED_BUILTINS: Readonly<Record<string, string>> = {
  'xstate.sendTo': 'sendTo/sendParent/forwardTo',
  'xstate.emit': 'emit',
  'xstate.enqueueActions': 'enqueueActions',
  'xstate.spawnChild': 'spawnChild (spawn)',
  'xstate.stopChild': 'stopChild (stop)',
  'xstate.log': "XState's log action (use the `log` effect action)",
};

function classifyBuiltin(fn: unknown, params: ParamsRef | undefined): ActionRef | undefined {
  if (typeof fn !== 'function' || !('resolve' in fn)) return undefined;
  const type = field(fn, 'type');
  switch (type) {
    case 'xstate.assign':
      return { kind: 'assign', assignment: field(fn, 'assignment'), params };
    case 'xstate.raise': {
      const id = field(fn, 'id');
      return {
        kind: 'raise',
        event: field(fn, 'event'),
        id: typeof id === 'string' ? id : undefined,
        delay: field(fn, 'delay'),
        params,
      };
    }
    case 'xstate.cancel':
      return { kind: 'cancel', sendId: field(fn, 'sendId'), params };
    default:
      return {
        kind: 'rejected',
        feature: (typeof type === 'string' && REJECTED_BUILTINS[type]) || `built-in action '${String(type)}'`,
      };
  }
}

/** A `'name'` or `{ type: 'name', params }` reference to an implementation; name undefined if malformed. */
function reference(value: unknown): { readonly name: string | undefined; readonly params: ParamsRef | undefined } {
  if (typeof value === 'string') return { name: value, params: undefined };
  if (typeof value !== 'object' || value === null) return { name: undefined, params: undefined };
  const name = field(value, 'type');
  return {
    name: typeof name === 'string' ? name : undefined,
    params: 'params' in value ? { params: field(value, 'params') } : undefined,
  };
}

export function classifyAction(machine: MachineDefinition, action: unknown): ActionRef {
  if (typeof action === 'function') {
    return (
      classifyBuiltin(action, undefined) ?? {
        kind: 'rejected',
        feature: 'inline action function (protocol code must be pure: use assign or an effect action)',
      }
    );
  }
  const { name, params } = reference(action);
  if (name === undefined) return { kind: 'rejected', feature: 'malformed action' };
  const implementation = implementationsOf(machine).actions[name];
  return classifyBuiltin(implementation, params) ?? { kind: 'named', name, implementation, params };
}

/** A guard classified; named guards are resolved against `setup({ guards })`. */
export type GuardRef =
  | { readonly kind: 'function'; readonly fn: UserFn; readonly params: ParamsRef | undefined }
  | { readonly kind: 'and' | 'or'; readonly guards: readonly unknown[] }
  | { readonly kind: 'not'; readonly guard: unknown }
  | { readonly kind: 'alias'; readonly guard: unknown }
  | { readonly kind: 'rejected'; readonly feature: string };

// Higher-order guards are functions carrying `.check` and `.guards`; the creators are
// public, their check functions are not, so compare against instances made here.
const checkOf = (guard: unknown): unknown => field(guard, 'check');
const AND_CHECK = checkOf(and([]));
const OR_CHECK = checkOf(or([]));
const NOT_CHECK = checkOf(not(() => true));
const STATE_IN_CHECK = checkOf(stateIn('x'));

/** `params` reaches plain guard functions only: XState drops them for higher-order guards. */
function classifyGuardFunction(fn: UserFn, params: ParamsRef | undefined): GuardRef {
  if (!('check' in fn)) return { kind: 'function', fn, params };
  const check = checkOf(fn);
  const guards = field(fn, 'guards');
  if (check === AND_CHECK && Array.isArray(guards)) return { kind: 'and', guards };
  if (check === OR_CHECK && Array.isArray(guards)) return { kind: 'or', guards };
  if (check === NOT_CHECK && Array.isArray(guards)) return { kind: 'not', guard: guards[0] };
  if (check === STATE_IN_CHECK) return { kind: 'rejected', feature: 'stateIn guard' };
  return { kind: 'rejected', feature: 'unknown built-in guard' };
}

export function classifyGuard(machine: MachineDefinition, guard: unknown): GuardRef {
  if (isFunction(guard)) return classifyGuardFunction(guard, undefined);
  const { name, params } = reference(guard);
  if (name === undefined) return { kind: 'rejected', feature: 'malformed guard' };
  const implementation = implementationsOf(machine).guards[name];
  if (implementation === undefined) {
    return { kind: 'rejected', feature: `guard '${name}' (not implemented in setup({ guards }))` };
  }
  if (isFunction(implementation)) return classifyGuardFunction(implementation, params);
  // An implementation that is itself a guard reference is evaluated without the outer params.
  return { kind: 'alias', guard: implementation };
}
