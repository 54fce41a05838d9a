// Graphviz DOT output, for `dot -Tsvg` (the SVGs in docs/machines/). Compound states
// are clusters; an arrow into a compound state ends at its initial dot (entering it means
// entering that state), an arrow from its "(any state)" pseudo-state starts at the
// cluster's border (`ltail`). Every id and label is a quoted DOT string.

import { spawnSync } from 'node:child_process';
import type { DrawnNode } from './drawing.js';
import { ANY_STATE_LABEL, drawing, isGroup } from './drawing.js';
import type { ChartModel, ChartState } from './model.js';
import { lineage } from './model.js';

/** A DOT double-quoted string. Backslashes are doubled so user text never forms an escape like `\N`. */
export function dotString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r\n|\r|\n/g, '\\n')}"`;
}

/** Lines of a label, centered (`\n`) or left-justified (`\l`); each line escaped as in `dotString`. */
function dotLabel(lines: readonly string[], align: 'center' | 'left'): string {
  const escaped = lines.flatMap((line) => line.split(/\r\n|\r|\n/)).map((line) => dotString(line).slice(1, -1));
  return align === 'center' ? `"${escaped.join('\\n')}"` : `"${escaped.map((line) => `${line}\\l`).join('')}"`;
}

// Prefixes keep the namespaces apart: a state id can be any string.
const stateNode = (state: ChartState): string => dotString(`state:${state.id}`);
const anyNode = (owner: ChartState): string => dotString(`any:${owner.id}`);
const startNode = (owner: ChartState): string => dotString(`start:${owner.id}`);
const cluster = (state: ChartState): string => dotString(`cluster_${state.id}`);

/** Renders the machine as a Graphviz digraph (with a trailing newline). */
export function toDot(model: ChartModel): string {
  const draw = drawing(model);
  const out: string[] = [
    `digraph ${dotString(model.id)} {`,
    `  graph [compound=true, fontname="Helvetica", fontsize=12, label=${dotString(model.id)}, labelloc=t];`,
    '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  const noteLines = (id: string): readonly string[] => draw.notes.get(id) ?? [];
  const entryPoint = (state: ChartState): string => (isGroup(state) ? startNode(state) : stateNode(state));

  const emitBlock = (block: ChartState, indent: string): void => {
    if (block.initial !== null) {
      out.push(`${indent}${startNode(block)} [shape=point, width=0.12, label=""];`);
    }
    for (const child of block.children) {
      if (isGroup(child)) {
        out.push(`${indent}subgraph ${cluster(child)} {`);
        out.push(`${indent}  label=${dotString(child.kind === 'parallel' ? `${child.key} (parallel)` : child.key)};`);
        out.push(`${indent}  style=${child.kind === 'parallel' ? 'dashed' : 'rounded'};`);
        emitBlock(child, `${indent}  `);
        out.push(`${indent}}`);
        continue;
      }
      const title = child.kind === 'history' ? `${child.key} (history)` : child.key;
      const attributes = [`label=${dotLabel([title, ...noteLines(child.id)], 'center')}`];
      if (child.kind === 'final') attributes.push('peripheries=2');
      out.push(`${indent}${stateNode(child)} [${attributes.join(', ')}];`);
    }
    if (draw.anyNodes.has(block.id)) {
      const label = dotLabel([ANY_STATE_LABEL, ...noteLines(block.id)], 'center');
      out.push(`${indent}${anyNode(block)} [label=${label}, style="rounded,dashed"];`);
    }
    const initial = block.initial === null ? undefined : model.states.get(block.initial);
    if (initial !== undefined) out.push(`${indent}${startNode(block)} -> ${entryPoint(initial)};`);
  };

  const tailOf = (node: DrawnNode): string => (node.kind === 'anyState' ? anyNode(node.owner) : stateNode(node.state));

  emitBlock(model.root, '  ');
  for (const arrow of draw.arrows) {
    const attributes = [`label=${dotLabel(arrow.lines, 'left')}`];
    const owner = arrow.from.kind === 'anyState' ? arrow.from.owner : null;
    // Clipping at a cluster the other end is inside would make dot warn and draw nothing useful.
    if (owner !== null && owner.path.length > 0 && !lineage(model, arrow.to).includes(owner)) {
      attributes.push(`ltail=${cluster(owner)}`);
    }
    out.push(`  ${tailOf(arrow.from)} -> ${entryPoint(arrow.to)} [${attributes.join(', ')}];`);
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}

/** Runs Graphviz `dot -Tsvg` (it must be on PATH); throws with dot's own words on any error or warning. */
export function renderSvg(dot: string): string {
  const result = spawnSync('dot', ['-Tsvg'], { input: dot, encoding: 'utf8' });
  if (result.error !== undefined) throw new Error(`cannot run dot (install graphviz): ${result.error.message}`);
  if (result.status !== 0 || result.stderr !== '') throw new Error(`dot failed (exit ${result.status}): ${result.stderr.trim()}`);
  return result.stdout;
}
