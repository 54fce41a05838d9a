// A machine definition as a small chart model: the states tree, every transition as an
// edge with its event, guard name, target and effects, and the timers each state arms.
// Mermaid, DOT, the generated docs and transition coverage all draw from this one walk,
// so they agree on what an edge is. XState's runtime shapes are read through
// ../machine/xstate-internals.ts; what that module does not cover is narrowed here.

import type { MachineDefinition } from '../machine/compiled.js';
import { classifyAction, classifyGuard, implementationsOf, rootOf } from '../machine/xstate-internals.js';
import type { XNode, XTransition } from '../machine/xstate-internals.js';

export type ChartStateKind = 'atomic' | 'compound' | 'parallel' | 'final' | 'history';

/** An action as the chart prints it: `name` or `name(params)`. */
export interface ChartAction {
  readonly name: string;
  /** Static params printed compactly, "…" when computed at run time, null when there are none. */
  readonly params: string | null;
}

/** A timer a state arms on entry (XState `after`) and cancels on exit. */
export interface ChartTimer {
  /** As written in `after`: milliseconds, or a delay name from `setup({ delays })`. */
  readonly delay: number | string;
  /** Milliseconds when known without running the machine; null when a function computes them. */
  readonly ms: number | null;
  /** The event XState raises when the timer fires: `xstate.after.<delay>.<state id>`. */
  readonly event: string;
}

export interface ChartState {
  /** The XState state id: the machine id and the path, dot-separated, unless the config sets `id`. */
  readonly id: string;
  /** The key in the parent's `states`; the machine id for the root. */
  readonly key: string;
  /** Keys from the root; empty for the root. */
  readonly path: readonly string[];
  /** The parent state's id; null for the root. */
  readonly parent: string | null;
  readonly kind: ChartStateKind;
  /** The id of the initial child of a compound state. */
  readonly initial: string | null;
  readonly children: readonly ChartState[];
  /** Entry and exit actions, without the raise/cancel pairs XState adds for `after` (see `timers`). */
  readonly entry: readonly ChartAction[];
  readonly exit: readonly ChartAction[];
  readonly timers: readonly ChartTimer[];
}

export type ChartTrigger =
  | { readonly kind: 'event'; readonly type: string }
  | { readonly kind: 'after'; readonly timer: ChartTimer }
  /** `onDone` of a compound state: its final child was reached. */
  | { readonly kind: 'done' }
  /** An eventless (`always`) transition. */
  | { readonly kind: 'always' };

export interface ChartEdge {
  /** Position in `ChartModel.edges`: document order, stable for a given definition. */
  readonly index: number;
  /** The id of the state that declares the transition; a compound state's applies in all its descendants. */
  readonly source: string;
  readonly trigger: ChartTrigger;
  /** The event as people read it: "message", "after lingerTimeout", "done", "always". */
  readonly event: string;
  readonly guard: string | null;
  /** Target state ids; empty for a targetless transition (the state does not change). */
  readonly targets: readonly string[];
  /** Leaves and re-enters the target (or the source): exit and entry actions run, timers restart. */
  readonly reenter: boolean;
  readonly actions: readonly ChartAction[];
  /** No target and no actions: the event is consumed, hiding any ancestor's handler. */
  readonly ignored: boolean;
}

export interface ChartModel {
  /** The machine id. */
  readonly id: string;
  readonly root: ChartState;
  readonly edges: readonly ChartEdge[];
  /** Every state, the root included, by id. */
  readonly states: ReadonlyMap<string, ChartState>;
}

/** The walk's result plus what coverage needs. */
export interface WalkedMachine {
  readonly model: ChartModel;
  /** XState's transition objects to edge indexes. */
  readonly edgeOf: ReadonlyMap<unknown, number>;
  /**
   * The machine can take more than one transition per event: it raises events without a
   * delay, has `always` transitions, or has final states below the root (done events).
   */
  readonly internalEvents: boolean;
}

const AFTER_PREFIX = 'xstate.after.';
const DONE_STATE_PREFIX = 'xstate.done.state.';

/** Builds the chart model of an XState v5 machine. Any machine charts, also one statewire cannot compile. */
export function chartModel(machine: MachineDefinition): ChartModel {
  return walkMachine(machine).model;
}

/** `chartModel` plus what transition coverage needs to recognise XState's own transition objects. */
export function walkMachine(machine: MachineDefinition): WalkedMachine {
  const delays = implementationsOf(machine).delays;
  const edges: ChartEdge[] = [];
  const edgeOf = new Map<unknown, number>();
  const states = new Map<string, ChartState>();

  const timerOf = (node: XNode, descriptor: string): ChartTimer | null => {
    const suffix = `.${node.id}`;
    if (!descriptor.startsWith(AFTER_PREFIX) || !descriptor.endsWith(suffix)) return null;
    const text = descriptor.slice(AFTER_PREFIX.length, -suffix.length);
    // XState turns numeric `after` keys into numbers; anything else names a delay.
    const delay = text !== '' && !Number.isNaN(Number(text)) ? Number(text) : text;
    const named = typeof delay === 'string' ? delays[delay] : delay;
    return { delay, ms: typeof named === 'number' ? named : null, event: descriptor };
  };

  const visit = (node: XNode): ChartState => {
    const children = Object.values(node.states).map(visit);
    const timers: ChartTimer[] = [];
    for (const descriptor of node.transitions.keys()) {
      const timer = timerOf(node, descriptor);
      if (timer !== null) timers.push(timer);
    }
    const state: ChartState = {
      id: node.id,
      key: node.parent === undefined ? machine.id : node.key,
      path: node.path,
      parent: node.parent?.id ?? null,
      kind: node.type,
      initial: node.type === 'compound' ? (node.initial.target[0]?.id ?? null) : null,
      children,
      entry: actionsOf(machine, node.entry),
      exit: actionsOf(machine, node.exit),
      timers,
    };
    states.set(state.id, state);
    return state;
  };

  const addEdge = (node: XNode, t: XTransition, trigger: ChartTrigger, event: string): void => {
    const actions = actionsOf(machine, t.actions);
    const targets = (t.target ?? []).map((target) => target.id);
    const index = edges.length;
    edgeOf.set(t, index);
    edges.push({
      index,
      source: node.id,
      trigger,
      event,
      guard: t.guard === undefined ? null : guardText(machine, t.guard),
      targets,
      reenter: t.reenter,
      actions,
      ignored: targets.length === 0 && actions.length === 0 && !t.reenter,
    });
  };

  const collectEdges = (node: XNode): void => {
    // The state's own timer objects, so that an edge's trigger and the state share one.
    const timers = states.get(node.id)?.timers ?? [];
    for (const [descriptor, transitions] of node.transitions) {
      const timer = timers.find((candidate) => candidate.event === descriptor);
      let trigger: ChartTrigger;
      let event: string;
      if (timer !== undefined) {
        trigger = { kind: 'after', timer };
        event = `after ${typeof timer.delay === 'number' ? `${timer.delay} ms` : timer.delay}`;
      } else if (descriptor === `${DONE_STATE_PREFIX}${node.id}`) {
        trigger = { kind: 'done' };
        event = 'done';
      } else {
        trigger = { kind: 'event', type: descriptor };
        event = descriptor;
      }
      for (const t of transitions) addEdge(node, t, trigger, event);
    }
    for (const t of alwaysOf(node)) addEdge(node, t, { kind: 'always' }, 'always');
    for (const child of Object.values(node.states)) collectEdges(child);
  };

  const root = rootOf(machine);
  const rootState = visit(root);
  collectEdges(root);
  const internalEvents =
    edges.some((edge) => edge.trigger.kind === 'always') ||
    [...states.values()].some((state) => state.kind === 'final' && state.parent !== root.id) ||
    raisesNow(machine, root, delays);
  return { model: { id: machine.id, root: rootState, edges, states }, edgeOf, internalEvents };
}

/** True if some action raises an event now (no delay, or a delay name `setup` does not define). */
function raisesNow(machine: MachineDefinition, node: XNode, delays: Readonly<Record<string, unknown>>): boolean {
  const lists = [node.entry, node.exit, ...[...node.transitions.values()].flat().map((t) => t.actions), ...alwaysOf(node).map((t) => t.actions)];
  for (const action of lists.flat()) {
    const ref = classifyAction(machine, action);
    if (ref.kind !== 'raise') continue;
    if (ref.delay === undefined || (typeof ref.delay === 'string' && delays[ref.delay] === undefined)) return true;
  }
  return Object.values(node.states).some((child) => raisesNow(machine, child, delays));
}

/** `always` transitions are formatted by XState but not part of XNode (the compiler rejects them). */
function alwaysOf(node: XNode): readonly XTransition[] {
  const always = (node as unknown as { readonly always?: readonly XTransition[] }).always;
  return always ?? [];
}

function field(value: unknown, name: string): unknown {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return undefined;
  return (value as Record<string, unknown>)[name];
}

function isAfterTimerId(id: unknown): boolean {
  return typeof id === 'string' && id.startsWith(AFTER_PREFIX);
}

/** A function's own name, or what XState's built-in creators tag it with (`xstate.sendTo` → "sendTo"). */
function functionName(fn: unknown): string {
  const type = field(fn, 'type');
  if (typeof type === 'string') return type.replace(/^xstate\./, '');
  const name = field(fn, 'name');
  return typeof name === 'string' && name !== '' ? name : 'inline';
}

function paramsText(params: unknown): string | null {
  if (params === undefined) return null;
  if (typeof params === 'function') return '…';
  if (params !== null && typeof params === 'object' && !Array.isArray(params)) {
    const entries = Object.entries(params);
    if (entries.length === 0) return null;
    return entries.map(([key, value]) => `${printKey(key)}: ${printValue(value, 1)}`).join(', ');
  }
  return printValue(params, 1);
}

function actionsOf(machine: MachineDefinition, actions: readonly unknown[]): ChartAction[] {
  const result: ChartAction[] = [];
  for (const action of actions) {
    const ref = classifyAction(machine, action);
    switch (ref.kind) {
      case 'assign':
        result.push({ name: 'assign', params: null });
        break;
      case 'raise': {
        // The raise/cancel pairs XState adds for `after` are drawn as timers instead.
        if (isAfterTimerId(ref.id)) break;
        const type = field(ref.event, 'type');
        const event = typeof ref.event === 'function' ? '…' : typeof type === 'string' ? printValue(type, 1) : '?';
        const delay = ref.delay === undefined ? '' : `, delay: ${typeof ref.delay === 'function' ? '…' : printValue(ref.delay, 1)}`;
        result.push({ name: 'raise', params: `${event}${delay}` });
        break;
      }
      case 'cancel':
        if (isAfterTimerId(ref.sendId)) break;
        result.push({ name: 'cancel', params: typeof ref.sendId === 'function' ? '…' : printValue(ref.sendId, 1) });
        break;
      case 'named':
        result.push({ name: ref.name, params: paramsText(ref.params?.params) });
        break;
      case 'rejected':
        result.push({ name: functionName(action), params: null });
        break;
    }
  }
  return result;
}

/** "name", "name(params)", and `and`/`or`/`not` as "a && b", "a || b", "!a". */
function guardText(machine: MachineDefinition, guard: unknown): string {
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') {
    const ref = classifyGuard(machine, guard);
    switch (ref.kind) {
      case 'and':
      case 'or':
        return `(${ref.guards.map((g) => guardText(machine, g)).join(ref.kind === 'and' ? ' && ' : ' || ')})`;
      case 'not':
        return `!${guardText(machine, ref.guard)}`;
      default:
        return functionName(guard);
    }
  }
  const type = field(guard, 'type');
  if (typeof type !== 'string') return '?';
  const params = paramsText(field(guard, 'params'));
  return params === null ? type : `${type}(${params})`;
}

const MAX_DEPTH = 3;
const PLAIN_WORD = /^[A-Za-z_][\w.-]*$/;

function printKey(key: string): string {
  return PLAIN_WORD.test(key) ? key : JSON.stringify(key);
}

/** Compact, one-line, deterministic: plain words unquoted, other strings as JSON. */
function printValue(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      return PLAIN_WORD.test(value) ? value : JSON.stringify(value);
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'undefined':
      return 'undefined';
    case 'function':
      return '…';
    case 'symbol':
      return value.toString();
    default:
      break;
  }
  if (value === null) return 'null';
  if (depth > MAX_DEPTH) return '…';
  if (value instanceof Uint8Array) return `bytes(${value.length})`;
  if (Array.isArray(value)) return `[${value.map((item: unknown) => printValue(item, depth + 1)).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  return `{${entries.map(([key, item]) => `${printKey(key)}: ${printValue(item, depth + 1)}`).join(', ')}}`;
}

/** "name" or "name(params)". */
export function actionText(action: ChartAction): string {
  return action.params === null ? action.name : `${action.name}(${action.params})`;
}

/** A state's path as people read it: "handshake.waiting"; the machine id for the root. */
export function statePath(model: ChartModel, id: string): string {
  const state = model.states.get(id);
  if (state === undefined) return id;
  return state.path.length === 0 ? `(${model.id})` : state.path.join('.');
}

/** The state and its ancestors, the root first. */
export function lineage(model: ChartModel, state: ChartState): ChartState[] {
  const chain: ChartState[] = [];
  for (let s: ChartState | undefined = state; s !== undefined; s = s.parent === null ? undefined : model.states.get(s.parent)) chain.unshift(s);
  return chain;
}

/** One line per edge, for coverage reports and tables: "handshake: message [isLine(line: HELLO)] -> awaitingAck". */
export function edgeText(model: ChartModel, edge: ChartEdge): string {
  const guard = edge.guard === null ? '' : ` [${edge.guard}]`;
  const to = edge.ignored
    ? '(ignored)'
    : edge.targets.length === 0
      ? '(stays)'
      : edge.targets.map((target) => statePath(model, target)).join(', ');
  return `${statePath(model, edge.source)}: ${edge.event}${guard} -> ${to}${edge.reenter ? ' (re-enter)' : ''}`;
}
