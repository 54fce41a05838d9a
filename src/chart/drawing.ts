// What a diagram shows, decided once for Mermaid and DOT alike (UML conventions):
// transitions that change state are arrows; targetless ones are "internal transitions"
// listed inside the state's box, as are entry/exit actions and the events a state
// ignores. A handler declared on a compound state (or on the machine itself) applies in
// every state below it, so it leaves from a pseudo-state "(any state)" drawn inside it.

import type { ChartEdge, ChartModel, ChartState } from './model.js';
import { actionText } from './model.js';

/** Effects longer than this are cut in diagrams (the docs' tables show them whole). */
const MAX_EFFECT_CHARS = 80;

/** One box: a state, or the "(any state)" pseudo-state of a compound state or the machine. */
export type DrawnNode =
  | { readonly kind: 'state'; readonly state: ChartState }
  | { readonly kind: 'anyState'; readonly owner: ChartState };

export interface Arrow {
  readonly edge: ChartEdge;
  readonly from: DrawnNode;
  /** A target state; a compound target means "enter it" (its initial state). */
  readonly to: ChartState;
  /** First line "event [guard]", then one line per effect, the first prefixed "/ ". */
  readonly lines: readonly string[];
}

export interface Drawing {
  /** Compound states (and the root) that draw an "(any state)" pseudo-state, by id. */
  readonly anyNodes: ReadonlySet<string>;
  /** Lines inside a box, keyed by state id (for a pseudo-state: its owner's id). */
  readonly notes: ReadonlyMap<string, readonly string[]>;
  readonly arrows: readonly Arrow[];
}

export const ANY_STATE_LABEL = '(any state)';

function cut(text: string): string {
  return text.length <= MAX_EFFECT_CHARS ? text : `${text.slice(0, MAX_EFFECT_CHARS - 1)}…`;
}

/** "event [guard]" plus a "(re-enter)" mark when the state is left and entered again. */
function triggerText(edge: ChartEdge): string {
  const guard = edge.guard === null ? '' : ` [${edge.guard}]`;
  return `${edge.event}${guard}${edge.reenter ? ' (re-enter)' : ''}`;
}

function effectLines(edge: ChartEdge): string[] {
  return edge.actions.map((action, i) => `${i === 0 ? '/ ' : ''}${cut(actionText(action))}`);
}

/** A state drawn as a box of boxes: a Mermaid composite, a Graphviz cluster. */
export function isGroup(state: ChartState): boolean {
  return state.kind === 'compound' || state.kind === 'parallel';
}

export function drawing(model: ChartModel): Drawing {
  const notes = new Map<string, string[]>();
  const anyNodes = new Set<string>();
  const arrows: Arrow[] = [];
  const note = (id: string, line: string): void => {
    const lines = notes.get(id);
    if (lines === undefined) notes.set(id, [line]);
    else lines.push(line);
  };
  const stateOf = (id: string): ChartState => {
    const state = model.states.get(id);
    if (state === undefined) throw new Error(`internal: chart of '${model.id}' has no state '${id}'`);
    return state;
  };

  for (const state of model.states.values()) {
    // A group's box has room for its name only, so its own lines go to its pseudo-state.
    if (isGroup(state) && (state.entry.length > 0 || state.exit.length > 0)) anyNodes.add(state.id);
    if (state.entry.length > 0) note(state.id, `entry / ${state.entry.map(actionText).map(cut).join(', ')}`);
    if (state.exit.length > 0) note(state.id, `exit / ${state.exit.map(actionText).map(cut).join(', ')}`);
  }
  const ignored = new Map<string, string[]>();
  for (const edge of model.edges) {
    const source = stateOf(edge.source);
    if (isGroup(source)) anyNodes.add(source.id);
    if (edge.ignored) {
      const events = ignored.get(source.id) ?? [];
      events.push(triggerText(edge));
      ignored.set(source.id, events);
    } else if (edge.targets.length === 0) {
      const effects = edge.actions.map((action) => cut(actionText(action)));
      note(source.id, effects.length === 0 ? triggerText(edge) : `${triggerText(edge)} / ${effects.join(', ')}`);
    } else {
      const from: DrawnNode = isGroup(source) ? { kind: 'anyState', owner: source } : { kind: 'state', state: source };
      for (const target of edge.targets) {
        arrows.push({ edge, from, to: stateOf(target), lines: [triggerText(edge), ...effectLines(edge)] });
      }
    }
  }
  for (const [id, events] of ignored) note(id, `ignores ${events.join(', ')}`);
  return { anyNodes, notes, arrows };
}

/** The compound state (or the root) whose box holds `node`. */
export function containerOf(model: ChartModel, node: DrawnNode): ChartState | null {
  if (node.kind === 'anyState') return node.owner;
  const parent = node.state.parent;
  return parent === null ? null : (model.states.get(parent) ?? null);
}
