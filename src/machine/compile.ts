// Compiles an XState v5 machine into statewire's flat run-time form (see compiled.ts).
// `compileMachine` walks `machine.root` once. For every leaf state and event type it
// lists the candidate transitions (the leaf's, then each ancestor's, each node in document
// order; the first whose guard passes wins) and gives each one a flat op list: exit actions
// innermost first, transition actions, entry actions outermost first, exactly as XState's
// microstep orders them. A step is then a Map lookup, guard calls and a switch over ops.
// Anything outside the subset (docs/xstate-subset.md) is rejected here, naming the feature
// and the state. All reads of XState internals go through ./xstate-internals.ts.

import type { StateValue } from 'xstate';
import { EFFECT_TYPES } from '../core/effects.js';
import type { Effect, EffectType } from '../core/effects.js';
import type { AnyEventObject } from '../core/events.js';
import type { CompiledMachine, CompiledSnapshot, MachineDefinition, StepResult } from './compiled.js';
import { StepBuffer } from './compiled.js';
import { ContextShapes } from './context-shape.js';
import { effectActions } from './effect-actions.js';
import {
  classifyAction,
  classifyGuard,
  contextConfigOf,
  implementationsOf,
  isFunction,
  requireXStateMachine,
  rootOf,
} from './xstate-internals.js';
import type { ParamsRef, UserFn, XNode, XTransition } from './xstate-internals.js';

/** A machine outside the supported subset; `feature` and `stateId` say what and where. */
export class MachineCompileError extends Error {
  constructor(
    readonly machineId: string,
    readonly stateId: string,
    readonly feature: string,
  ) {
    super(
      `cannot compile machine '${machineId}': ${feature} in state '${stateId}' ` +
        `is outside statewire's XState subset (docs/xstate-subset.md)`,
    );
    this.name = 'MachineCompileError';
  }
}

/** Timer names given to delayed `raise` actions without an `id`: `<prefix><stateId>.<n>`. */
export const ANONYMOUS_RAISE_PREFIX = 'statewire.raise.';

/**
 * Raised events that keep raising events would loop forever in XState; past this many
 * microsteps in one macrostep the step throws (and the dispatcher closes the connection).
 */
export const MAX_MICROSTEPS = 1000;

const NO_EFFECTS: readonly Effect[] = Object.freeze([]);

type Args = { readonly context: unknown; readonly event: unknown };
type ParamsFn = (args: Args) => unknown;

// Op kinds: a numeric switch over one class keeps the run loop monomorphic.
const OP_ASSIGN = 0; // ctx = merge(ctx, fn(args, params))
const OP_ASSIGN_PROPERTIES = 1; // object-form assign: keys[i] = values[i] (constant or fn)
const OP_EFFECT = 2; // push the prebuilt `value`
const OP_EFFECT_PARAMS = 3; // push { type: name, ...paramsFn(args) }
const OP_RAISE = 4; // immediate raise, or startTimer when the delay resolves to a number
const OP_CANCEL = 5; // cancelTimer with name fn(args, params)
const OP_DONE_STATE = 6; // queue { type: name, output } (a nested final state was entered)
const OP_FINISH = 7; // a top-level final state was entered: status 'done'

const DELAY_NONE = 0;
const DELAY_CONSTANT = 1;
const DELAY_FUNCTION = 2;

class Op {
  name = '';
  /** assign fn, raise event expression, cancel id expression, or output mapper. */
  fn: UserFn | null = null;
  /** Prebuilt effect, static raised event or static output. */
  value: unknown = undefined;
  params: unknown = undefined;
  paramsFn: ParamsFn | null = null;
  keys: readonly string[] = [];
  values: readonly unknown[] = [];
  delayKind = DELAY_NONE;
  delay = 0;
  delayFn: UserFn | null = null;
  /**
   * The timer effect this op built last: a timeout's delay and a cancel's name rarely change
   * between steps, and effects are immutable, so an equal one is reused instead of rebuilt.
   */
  last: Effect | null = null;

  constructor(readonly kind: number) {}
}

const G_FUNCTION = 0;
const G_AND = 1;
const G_OR = 2;
const G_NOT = 3;

class Guard {
  params: unknown = undefined;
  paramsFn: ParamsFn | null = null;

  constructor(
    readonly kind: number,
    readonly fn: UserFn | null,
    readonly children: readonly Guard[],
  ) {}
}

function passes(guard: Guard, args: Args): boolean {
  switch (guard.kind) {
    case G_FUNCTION:
      return !!(guard.fn as UserFn)(args, paramsOf(guard, args));
    case G_AND:
      for (const child of guard.children) if (!passes(child, args)) return false;
      return true;
    case G_OR:
      for (const child of guard.children) if (passes(child, args)) return true;
      return false;
    default:
      return !passes(guard.children[0] as Guard, args);
  }
}

/** The first `count` effects as an array of their own: a literal for the usual one or two, cheaper than `slice`. */
function takeEffects(effects: readonly Effect[], count: number): readonly Effect[] {
  switch (count) {
    case 0:
      return NO_EFFECTS;
    case 1:
      return [effects[0] as Effect];
    case 2:
      return [effects[0] as Effect, effects[1] as Effect];
    default:
      return effects.slice(0, count);
  }
}

/** The params an action or guard is called with: constant, or computed from `args`. */
function paramsOf(target: Op | Guard, args: Args): unknown {
  return target.paramsFn === null ? target.params : target.paramsFn(args);
}

/**
 * The `{ context, event }` argument of user functions: one object while neither changes
 * (the guards and the actions of a microstep before its first assign share it), rather
 * than one per call.
 */
function argsFor(args: Args | null, context: unknown, event: unknown): Args {
  return args !== null && args.context === context && args.event === event ? args : { context, event };
}

class Candidate {
  constructor(
    readonly guard: Guard | null,
    readonly ops: readonly Op[],
    readonly next: Leaf,
  ) {}
}

class Leaf {
  /** Event type -> candidates, this leaf's transitions first, then its ancestors'. */
  readonly on = new Map<string, Candidate[]>();
  /** The compiled machine the leaf belongs to, set once it exists. */
  owner: object | null = null;

  constructor(
    readonly node: XNode,
    readonly value: StateValue,
    readonly state: string,
  ) {}
}

/**
 * A snapshot made by a step: a `CompiledSnapshot` that also remembers its leaf, so the next
 * step finds its transitions without looking the state up by name. The leaf is a private
 * field: JSON, structuredClone and equality see the four public fields only.
 */
class LeafSnapshot<TContext> implements CompiledSnapshot<TContext> {
  readonly value: StateValue;
  readonly state: string;
  readonly context: TContext;
  readonly status: 'active' | 'done';
  readonly #leaf: Leaf;

  constructor(leaf: Leaf, context: TContext, status: 'active' | 'done') {
    this.value = leaf.value;
    this.state = leaf.state;
    this.context = context;
    this.status = status;
    this.#leaf = leaf;
  }

  /** The leaf of a snapshot made here, or undefined for one made elsewhere (a placeholder, a user's). */
  static leafOf(snapshot: CompiledSnapshot<unknown>): Leaf | undefined {
    return #leaf in snapshot ? (snapshot as LeafSnapshot<unknown>).#leaf : undefined;
  }
}

// ---------------------------------------------------------------------------------------
// Run time

class Compiled<TContext> implements CompiledMachine<TContext> {
  private readonly shapes = new ContextShapes();
  /**
   * `step`'s buffer, whose effects it copies out at their exact count (an array grown by
   * `push` from `[]` reserves 17 slots). A machine's own code stepping this machine again
   * gets a fresh one.
   */
  private readonly scratch = new StepBuffer<TContext>();
  private scratchInUse = false;

  constructor(
    readonly id: string,
    readonly definition: MachineDefinition,
    private readonly leaves: ReadonlyMap<string, Leaf>,
    private readonly initialLeaf: Leaf,
    private readonly initialOps: readonly Op[],
    private readonly contextFactory: UserFn | null,
    private readonly staticContext: unknown,
  ) {
    for (const leaf of leaves.values()) leaf.owner = this;
  }

  initial(input?: unknown): StepResult<TContext> {
    const event: AnyEventObject = { type: 'xstate.init', input };
    const context = this.initialContext(input);
    return this.intoResult((out) => this.macrostep(this.initialLeaf, context, event, undefined, this.initialOps, null, out));
  }

  /**
   * XState applies the factory as an assign on `{}`: the result is a shallow copy of what
   * it returns. Copying that object directly (not merging it key by key onto `{}`) finds
   * its shape in one lookup and spends no shape budget on the prefixes of its keys.
   */
  private initialContext(input: unknown): unknown {
    if (this.contextFactory === null) return this.staticContext;
    const made = this.contextFactory({ input } as unknown as Args, undefined);
    return made !== null && typeof made === 'object' ? this.shapes.merge(made, undefined) : this.shapes.merge({}, made);
  }

  step(snapshot: CompiledSnapshot<TContext>, event: AnyEventObject): StepResult<TContext> {
    return this.intoResult((out) => this.stepInto(snapshot, event, out));
  }

  /**
   * What `fill` writes, as a result of its own: written into the scratch buffer, whose
   * effect list has grown once, or into a fresh one when a step is already using it (a
   * machine's own code stepping a machine).
   */
  private intoResult(fill: (out: StepBuffer<TContext>) => void): StepResult<TContext> {
    if (this.scratchInUse) {
      const own = new StepBuffer<TContext>();
      fill(own);
      return resultOf(own);
    }
    this.scratchInUse = true;
    try {
      fill(this.scratch);
      return resultOf(this.scratch);
    } finally {
      this.scratch.release();
      this.scratchInUse = false;
    }
  }

  stepInto(snapshot: CompiledSnapshot<TContext>, event: AnyEventObject, out: StepBuffer<TContext>): void {
    // A done machine ignores events, as an XState actor does (`transition()` would not).
    if (snapshot.status !== 'active') return unchanged(snapshot, out);
    const made = LeafSnapshot.leafOf(snapshot);
    const leaf = made !== undefined && made.owner === this ? made : this.leaves.get(snapshot.state);
    if (leaf === undefined) throw new Error(`machine '${this.id}' has no state '${snapshot.state}'`);
    const candidates = leaf.on.get(event.type);
    if (candidates === undefined) return unchanged(snapshot, out);
    this.macrostep(leaf, snapshot.context, event, candidates, null, snapshot, out);
  }

  /**
   * One macrostep into `out`: the microstep of `event` (its `candidates`, or the initial
   * entry `firstOps`), then the raised events, oldest first, until the queue is empty or
   * the machine is done.
   */
  private macrostep(
    start: Leaf,
    startContext: unknown,
    event: AnyEventObject,
    firstCandidates: readonly Candidate[] | undefined,
    firstOps: readonly Op[] | null,
    previous: CompiledSnapshot<TContext> | null,
    out: StepBuffer<TContext>,
  ): void {
    const effects = out.effects;
    let leaf = start;
    let ctx = startContext;
    let ev = event;
    let candidates = firstCandidates;
    let ops = firstOps;
    let next = start;
    let count = 0;
    let queue: AnyEventObject[] | null = null;
    let head = 0;
    let done = false;
    let microsteps = 0;
    let args: Args | null = null;
    for (;;) {
      if (ops === null && candidates !== undefined) {
        // Guards see the context as it was at the start of the microstep.
        args = argsFor(args, ctx, ev);
        for (let i = 0; i < candidates.length; i++) {
          const candidate = candidates[i] as Candidate;
          if (candidate.guard === null || passes(candidate.guard, args)) {
            ops = candidate.ops;
            next = candidate.next;
            break;
          }
        }
      }
      if (ops !== null) {
        for (let i = 0; i < ops.length; i++) {
          const op = ops[i] as Op;
          switch (op.kind) {
            case OP_EFFECT:
              effects[count++] = op.value as Effect;
              break;
            case OP_ASSIGN: {
              args = argsFor(args, ctx, ev);
              const params = paramsOf(op, args);
              ctx = this.shapes.merge(ctx, (op.fn as UserFn)(args, params));
              break;
            }
            case OP_ASSIGN_PROPERTIES: {
              args = argsFor(args, ctx, ev);
              const params = paramsOf(op, args);
              ctx = this.shapes.mergeProperties(ctx, op.keys, op.values, args, params);
              break;
            }
            case OP_EFFECT_PARAMS: {
              args = argsFor(args, ctx, ev);
              const params = (op.paramsFn as ParamsFn)(args);
              effects[count++] = { type: op.name, ...(params as object) } as Effect;
              break;
            }
            case OP_RAISE: {
              args = argsFor(args, ctx, ev);
              const params = paramsOf(op, args);
              const raised = (op.fn === null ? op.value : op.fn(args, params)) as AnyEventObject;
              const delay =
                op.delayKind === DELAY_CONSTANT
                  ? op.delay
                  : op.delayKind === DELAY_FUNCTION
                    ? (op.delayFn as UserFn)(args, params)
                    : undefined;
              // XState: a delay that does not resolve to a number means "raise now".
              if (typeof delay !== 'number') (queue ??= []).push(raised);
              else if (Number.isFinite(delay)) {
                const last = op.last as Extract<Effect, { type: 'startTimer' }> | null;
                effects[count++] =
                  last !== null && last.delayMs === delay && last.event === raised
                    ? last
                    : (op.last = { type: 'startTimer', name: op.name, delayMs: delay, event: raised });
              }
              break;
            }
            case OP_CANCEL: {
              args = argsFor(args, ctx, ev);
              const params = paramsOf(op, args);
              const name = String((op.fn as UserFn)(args, params));
              const last = op.last as Extract<Effect, { type: 'cancelTimer' }> | null;
              effects[count++] = last !== null && last.name === name ? last : (op.last = { type: 'cancelTimer', name });
              break;
            }
            case OP_DONE_STATE: {
              const output = op.fn === null ? op.value : op.fn((args = argsFor(args, ctx, ev)), undefined);
              (queue ??= []).push({ type: op.name, output });
              break;
            }
            case OP_FINISH:
              done = true;
              break;
          }
        }
        leaf = next;
        ops = null;
        // Once done, XState drops the rest of the queue.
        if (done) break;
      }
      if (queue === null || head === queue.length) break;
      ev = queue[head++] as AnyEventObject;
      candidates = leaf.on.get(ev.type);
      if (++microsteps > MAX_MICROSTEPS) {
        throw new Error(`machine '${this.id}': more than ${MAX_MICROSTEPS} raised events in one step (a raise loop?)`);
      }
    }
    out.count = count;
    out.snapshot =
      previous !== null && !done && leaf === start && ctx === startContext
        ? previous
        : new LeafSnapshot(leaf, ctx as TContext, done ? 'done' : 'active');
  }
}

function unchanged<TContext>(snapshot: CompiledSnapshot<TContext>, out: StepBuffer<TContext>): void {
  out.snapshot = snapshot;
  out.count = 0;
}

/** A step's outcome as a result of its own: the effects copied out at their exact count. */
function resultOf<TContext>(out: StepBuffer<TContext>): StepResult<TContext> {
  return { snapshot: out.snapshot, effects: takeEffects(out.effects as readonly Effect[], out.count) };
}

// ---------------------------------------------------------------------------------------
// Compile time

function isDescendant(child: XNode, parent: XNode | undefined): boolean {
  let marker = child;
  while (marker.parent !== undefined && marker.parent !== parent) marker = marker.parent;
  return marker.parent === parent;
}

/** Ancestors of `node` from its parent up to (not including) `upTo`; all of them if undefined. */
function properAncestors(node: XNode, upTo: XNode | undefined): XNode[] {
  const ancestors: XNode[] = [];
  for (let m = node.parent; m !== undefined && m !== upTo; m = m.parent) ancestors.push(m);
  return ancestors;
}

/** The leaf and its ancestors: the whole configuration of a machine without parallel states. */
function chainOf(leaf: XNode): XNode[] {
  return [leaf, ...properAncestors(leaf, undefined)];
}

function isLeaf(node: XNode): boolean {
  return node.type === 'atomic' || node.type === 'final';
}

function valueOf(node: XNode): StateValue {
  const path = node.path;
  if (path.length === 0) return Object.freeze({});
  let value: StateValue = path[path.length - 1] as string;
  for (let i = path.length - 2; i >= 0; i--) value = Object.freeze({ [path[i] as string]: value });
  return value;
}

// XState's getTransitionDomain / computeExitSet / computeEntrySet, on one fixed
// configuration and without history or parallel states.
function domainOf(t: XTransition, root: XNode): XNode | undefined {
  const targets = t.target ?? [];
  if (!t.reenter && targets.every((s) => s === t.source || isDescendant(s, t.source))) return t.source;
  // The least common proper ancestor of the targets and the source.
  const [head = t.source, ...tail] = [...targets, t.source];
  for (const ancestor of properAncestors(head, undefined)) {
    if (tail.every((s) => isDescendant(s, ancestor))) return ancestor;
  }
  return t.reenter ? undefined : root;
}

function exitSet(t: XTransition, configuration: readonly XNode[], domain: XNode | undefined): XNode[] {
  if (t.target === undefined || t.target.length === 0) return [];
  const exits = new Set<XNode>();
  if (t.reenter && t.source === domain) exits.add(domain);
  for (const node of configuration) if (isDescendant(node, domain)) exits.add(node);
  return [...exits].sort((a, b) => b.order - a.order);
}

interface EntrySet {
  readonly enter: XNode[];
  /** Nodes entered by default (targeted, or an initial child): their `initial.actions` run. */
  readonly defaultEntry: ReadonlySet<XNode>;
}

function entrySet(t: XTransition, domain: XNode | undefined): EntrySet {
  const enter = new Set<XNode>();
  const defaultEntry = new Set<XNode>();
  const addDescendants = (node: XNode): void => {
    if (node.type !== 'compound') return;
    const initial = node.initial.target[0] as XNode;
    enter.add(initial);
    defaultEntry.add(initial);
    addDescendants(initial);
  };
  const targets = t.target ?? [];
  for (const s of targets) {
    if (t.source !== s || t.source !== domain || t.reenter) {
      enter.add(s);
      defaultEntry.add(s);
    }
    addDescendants(s);
  }
  const reentrancyDomain = t.source.parent === undefined && t.reenter ? undefined : domain;
  for (const s of targets) {
    for (const ancestor of properAncestors(s, domain)) {
      if (reentrancyDomain === undefined || isDescendant(ancestor, reentrancyDomain)) enter.add(ancestor);
    }
  }
  return { enter: [...enter].sort((a, b) => a.order - b.order), defaultEntry };
}

class Compiler {
  private readonly root: XNode;
  private readonly nodeOps = new Map<XNode, { entry: Op[]; exit: Op[]; initial: Op[] }>();
  private readonly transitionOps = new Map<XTransition, { guard: Guard | null; ops: Op[] }>();
  private readonly anonymousRaises = new Map<string, number>();
  private readonly leaves = new Map<XNode, Leaf>();

  constructor(private readonly machine: MachineDefinition) {
    this.root = rootOf(machine);
  }

  private reject(node: XNode, feature: string): never {
    throw new MachineCompileError(this.machine.id, node.id, feature);
  }

  compile<TContext>(): CompiledMachine<TContext> {
    const nodes: XNode[] = [];
    const collect = (node: XNode): void => {
      this.check(node);
      nodes.push(node);
      for (const child of Object.values(node.states)) collect(child);
    };
    collect(this.root);
    for (const node of nodes) {
      this.nodeOps.set(node, {
        entry: this.actions(node.entry, node),
        exit: this.actions(node.exit, node),
        initial: this.actions(node.initial.actions, node),
      });
      for (const transitions of node.transitions.values()) {
        for (const t of transitions) {
          this.transitionOps.set(t, {
            guard: t.guard === undefined ? null : this.guard(t.guard, node, 0),
            ops: this.actions(t.actions, node),
          });
        }
      }
    }
    // A machine without states has an atomic root: the root is then its only leaf.
    for (const node of nodes) {
      if (isLeaf(node)) this.leaves.set(node, new Leaf(node, valueOf(node), node.path.join('.')));
    }
    for (const leaf of this.leaves.values()) this.candidates(leaf);

    let initialLeafNode = this.root;
    while (initialLeafNode.type === 'compound') initialLeafNode = initialLeafNode.initial.target[0] as XNode;
    const initialChain = chainOf(initialLeafNode).reverse();
    const initialOps = this.entryOps(initialChain, new Set(initialChain), initialChain);

    const contextConfig = contextConfigOf(this.machine);
    const byPath = new Map<string, Leaf>();
    for (const leaf of this.leaves.values()) byPath.set(leaf.state, leaf);
    return new Compiled<TContext>(
      this.machine.id,
      this.machine,
      byPath,
      this.leafOf(initialLeafNode),
      initialOps,
      isFunction(contextConfig) ? contextConfig : null,
      contextConfig !== null && typeof contextConfig === 'object' ? contextConfig : {},
    );
  }

  private leafOf(node: XNode): Leaf {
    const leaf = this.leaves.get(node);
    if (leaf === undefined) throw new Error(`internal: '${node.id}' is not a leaf state`);
    return leaf;
  }

  /** Rejects what statewire does not compile; everything else XState formatted for us. */
  private check(node: XNode): void {
    if (node.type === 'parallel') this.reject(node, 'parallel state');
    if (node.type === 'history') this.reject(node, 'history state');
    if (node === this.root && node.type === 'final') this.reject(node, 'final root state');
    const config = node.config;
    if (config['always'] !== undefined) this.reject(node, 'always (eventless transitions)');
    if (config['invoke'] !== undefined) this.reject(node, 'invoke');
    if (config['route'] !== undefined) this.reject(node, 'route');
    if (node === this.root && config['output'] !== undefined) this.reject(node, 'machine output');
    for (const [descriptor, transitions] of node.transitions) {
      if (descriptor === '*') this.reject(node, "wildcard event descriptor '*'");
      if (descriptor.endsWith('.*')) this.reject(node, `partial wildcard event descriptor '${descriptor}'`);
      for (const t of transitions) {
        if (t.target !== undefined && t.target.length > 1) {
          this.reject(node, `multiple targets (on '${descriptor}')`);
        }
      }
    }
  }

  private candidates(leaf: Leaf): void {
    const configuration = chainOf(leaf.node);
    for (const node of configuration) {
      for (const [eventType, transitions] of node.transitions) {
        let list = leaf.on.get(eventType);
        if (list === undefined) {
          list = [];
          leaf.on.set(eventType, list);
        }
        for (const t of transitions) list.push(this.candidate(t, configuration));
      }
    }
  }

  private candidate(t: XTransition, configuration: readonly XNode[]): Candidate {
    const compiled = this.transitionOps.get(t);
    if (compiled === undefined) throw new Error(`internal: transition of '${t.source.id}' not compiled`);
    const domain = domainOf(t, this.root);
    const exits = exitSet(t, configuration, domain);
    const { enter, defaultEntry } = entrySet(t, domain);
    const exited = new Set(exits);
    const after = configuration.filter((node) => !exited.has(node));
    for (const node of enter) if (!after.includes(node)) after.push(node);
    // Invariant: without parallel states every configuration is one leaf and its ancestors.
    const leafNode = after.find(isLeaf);
    const chain = leafNode === undefined ? [] : chainOf(leafNode);
    if (leafNode === undefined || chain.length !== after.length || !chain.every((node) => after.includes(node))) {
      throw new Error(`internal: transition from '${t.source.id}' leaves a non-chain configuration`);
    }
    const ops: Op[] = [];
    for (const node of exits) ops.push(...this.opsOf(node).exit);
    ops.push(...compiled.ops);
    ops.push(...this.entryOps(enter, defaultEntry, chain));
    return new Candidate(compiled.guard, ops, this.leafOf(leafNode));
  }

  private opsOf(node: XNode): { entry: Op[]; exit: Op[]; initial: Op[] } {
    const ops = this.nodeOps.get(node);
    if (ops === undefined) throw new Error(`internal: state '${node.id}' not compiled`);
    return ops;
  }

  /**
   * Entry in document order; a final state queues its parent's done event after its entry
   * actions, or, at top level, ends the machine and runs every exit action, innermost first.
   */
  private entryOps(enter: readonly XNode[], defaultEntry: ReadonlySet<XNode>, configuration: readonly XNode[]): Op[] {
    const ops: Op[] = [];
    for (const node of enter) {
      const own = this.opsOf(node);
      ops.push(...own.entry);
      if (defaultEntry.has(node)) ops.push(...own.initial);
      if (node.type !== 'final') continue;
      const parent = node.parent as XNode;
      if (parent.parent !== undefined) {
        const op = new Op(OP_DONE_STATE);
        op.name = `xstate.done.state.${parent.id}`;
        if (isFunction(node.output)) op.fn = node.output;
        else op.value = node.output;
        ops.push(op);
        continue;
      }
      ops.push(new Op(OP_FINISH));
      const all = [...configuration].sort((a, b) => b.order - a.order);
      for (const active of all) ops.push(...this.opsOf(active).exit);
    }
    return ops;
  }

  private guard(guard: unknown, node: XNode, depth: number): Guard {
    // Bounds a named guard whose implementation names another, cyclically.
    if (depth > 16) this.reject(node, 'guard alias chain deeper than 16');
    const ref = classifyGuard(this.machine, guard);
    switch (ref.kind) {
      case 'function': {
        const compiled = new Guard(G_FUNCTION, ref.fn, []);
        setParams(compiled, ref.params);
        return compiled;
      }
      case 'and':
      case 'or':
        return new Guard(
          ref.kind === 'and' ? G_AND : G_OR,
          null,
          ref.guards.map((g) => this.guard(g, node, depth + 1)),
        );
      case 'not':
        return new Guard(G_NOT, null, [this.guard(ref.guard, node, depth + 1)]);
      case 'alias':
        return this.guard(ref.guard, node, depth + 1);
      case 'rejected':
        return this.reject(node, ref.feature);
    }
  }

  private actions(actions: readonly unknown[], node: XNode): Op[] {
    const ops: Op[] = [];
    for (const action of actions) {
      const op = this.action(action, node);
      if (op !== null) ops.push(op);
    }
    return ops;
  }

  /** One action as an op; null for a timer that is never armed (non-finite constant delay). */
  private action(action: unknown, node: XNode): Op | null {
    const ref = classifyAction(this.machine, action);
    switch (ref.kind) {
      case 'assign': {
        const { assignment } = ref;
        let op: Op;
        if (isFunction(assignment)) {
          op = new Op(OP_ASSIGN);
          op.fn = assignment;
        } else if (assignment !== null && typeof assignment === 'object') {
          op = new Op(OP_ASSIGN_PROPERTIES);
          op.keys = Object.keys(assignment);
          op.values = Object.values(assignment);
        } else {
          return this.reject(node, 'assign without an object or function');
        }
        setParams(op, ref.params);
        return op;
      }
      case 'raise':
        return this.raise(ref.event, ref.id, ref.delay, ref.params, node);
      case 'cancel': {
        const { sendId } = ref;
        if (typeof sendId === 'string') return effectOp({ type: 'cancelTimer', name: sendId });
        if (!isFunction(sendId)) return this.reject(node, 'cancel without a string or function id');
        const op = new Op(OP_CANCEL);
        op.fn = sendId;
        setParams(op, ref.params);
        return op;
      }
      case 'named': {
        const { name, implementation } = ref;
        if (implementation === undefined) {
          return this.reject(node, `action '${name}' (not implemented in setup({ actions }))`);
        }
        if (!isEffectAction(name, implementation)) {
          return this.reject(
            node,
            `named action '${name}' that is neither an effect action nor assign/raise/cancel ` +
              '(use assign or an effect action)',
          );
        }
        const params = ref.params?.params;
        if (isFunction(params)) {
          const op = new Op(OP_EFFECT_PARAMS);
          op.name = name;
          op.paramsFn = params as ParamsFn;
          return op;
        }
        return effectOp({ type: name, ...(params as object | undefined) } as Effect);
      }
      case 'rejected':
        return this.reject(node, ref.feature);
    }
  }

  private raise(
    event: unknown,
    id: string | undefined,
    delay: unknown,
    params: ParamsRef | undefined,
    node: XNode,
  ): Op | null {
    if (typeof event === 'string') this.reject(node, 'raise of a string event (use raise({ type }))');
    if (!isFunction(event) && (event === null || typeof event !== 'object')) {
      this.reject(node, 'raise without an event object or function');
    }
    const op = new Op(OP_RAISE);
    if (isFunction(event)) op.fn = event;
    else op.value = event;
    setParams(op, params);
    let resolved = delay;
    if (typeof delay === 'string') {
      resolved = implementationsOf(this.machine).delays[delay];
      if (typeof resolved !== 'number' && !isFunction(resolved)) {
        this.reject(node, `delay '${delay}' (not a number or function in setup({ delays }))`);
      }
    }
    if (resolved === undefined) return op;
    op.name = id ?? this.anonymousRaiseName(node);
    if (isFunction(resolved)) {
      op.delayKind = DELAY_FUNCTION;
      op.delayFn = resolved;
      return op;
    }
    if (typeof resolved !== 'number') {
      return this.reject(node, 'raise with a delay that is not a number, name or function');
    }
    // A non-finite delay is never armed (XState's actor would fire it after 1 ms).
    if (!Number.isFinite(resolved)) return null;
    if (op.fn === null) {
      return effectOp({ type: 'startTimer', name: op.name, delayMs: resolved, event: op.value as AnyEventObject });
    }
    op.delayKind = DELAY_CONSTANT;
    op.delay = resolved;
    return op;
  }

  private anonymousRaiseName(node: XNode): string {
    const n = this.anonymousRaises.get(node.id) ?? 0;
    this.anonymousRaises.set(node.id, n + 1);
    return `${ANONYMOUS_RAISE_PREFIX}${node.id}.${n}`;
  }
}

function setParams(target: { params: unknown; paramsFn: ParamsFn | null }, ref: ParamsRef | undefined): void {
  if (ref === undefined) return;
  if (isFunction(ref.params)) target.paramsFn = ref.params as ParamsFn;
  else target.params = ref.params;
}

function effectOp(effect: Effect): Op {
  const op = new Op(OP_EFFECT);
  op.value = Object.freeze(effect);
  return op;
}

function isEffectAction(name: string, implementation: unknown): boolean {
  return (EFFECT_TYPES as readonly string[]).includes(name) && implementation === effectActions[name as EffectType];
}

/**
 * Compiles `machine` (from `setup({ actions: effectActions, ... }).createMachine(...)`)
 * into its flat run-time form. Throws `MachineCompileError` for anything outside the
 * subset documented in docs/xstate-subset.md.
 */
export function compileMachine<TContext>(machine: MachineDefinition): CompiledMachine<TContext> {
  requireXStateMachine(machine, 'compileMachine');
  return new Compiler(machine).compile<TContext>();
}
