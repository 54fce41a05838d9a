// Mermaid `stateDiagram-v2` output, the form GitHub renders inline in Markdown.
// Every state is declared (`state "label" as id`) before any arrow names it, nested states
// become composite blocks, and each arrow is written in the innermost block that holds
// both its ends. Text goes through `mermaidText`: the grammar ends a label at ":", ";" or
// a newline, HTML reads "<" and "&", and arrow labels are rendered as Markdown (`*x*`,
// `\\`), so all of those are written as Mermaid entity codes (#58;), which Mermaid
// decodes only after parsing and rendering. Checked in headless Chromium with mermaid 11.17.

import type { Arrow, DrawnNode } from './drawing.js';
import { ANY_STATE_LABEL, containerOf, drawing, isGroup } from './drawing.js';
import type { ChartModel, ChartState } from './model.js';
import { lineage } from './model.js';

const ENTITY: Readonly<Record<string, string>> = {
  '#': '#35;',
  ':': '#58;',
  ';': '#59;',
  '"': '#quot;',
  '<': '#lt;',
  '>': '#gt;',
  '&': '#amp;',
  '%': '#37;',
  '{': '#123;',
  '}': '#125;',
  '*': '#42;',
  '_': '#95;',
  '`': '#96;',
  '\\': '#92;',
};

/**
 * One label: lines joined by `<br/>`, each with the characters the grammar or the HTML
 * label would misread written as entity codes. "direction TB" anywhere on a line switches
 * the diagram's direction (the lexer matches it before anything else), so its "d" is encoded too.
 */
export function mermaidText(lines: readonly string[]): string {
  return lines
    .flatMap((line) => line.split(/\r\n|\r|\n/))
    .map((line) =>
      line
        .replace(/[#:;"<>&%{}*_`\\]/g, (c) => ENTITY[c] ?? c)
        .replace(/d(?=irection\s+(?:tb|bt|rl|lr))/gi, (d) => `#${d.charCodeAt(0)};`),
    )
    .join('<br/>');
}

// Lexer rules that win over an identifier: "default" as a prefix, the others as whole words.
const RESERVED = new Set([
  'state',
  'note',
  'class',
  'classdef',
  'scale',
  'hide',
  'acctitle',
  'accdescr',
  'statediagram',
  'direction',
  'end',
  'as',
  'click',
  'style',
  'root',
]);

/** Identifiers for states and pseudo-states: letters, digits and "_", unique, no keyword. */
class Ids {
  private readonly used = new Set<string>();

  allocate(wanted: string): string {
    let base = wanted.replace(/[^A-Za-z0-9_]/g, '_');
    const lower = base.toLowerCase();
    if (base === '' || /^\d/.test(base) || lower.startsWith('default') || RESERVED.has(lower)) base = `s_${base}`;
    // "direction" then whitespace then TB/LR/... on the next line would read as a direction statement.
    if (lower.endsWith('direction')) base = `${base}_`;
    let id = base;
    for (let n = 2; this.used.has(id); n++) id = `${base}_${n}`;
    this.used.add(id);
    return id;
  }
}

/** Renders the machine as a Mermaid `stateDiagram-v2` (with a trailing newline). */
export function toMermaid(model: ChartModel): string {
  const draw = drawing(model);
  const ids = new Ids();
  const stateIds = new Map<string, string>();
  for (const state of model.states.values()) {
    if (state.path.length > 0) stateIds.set(state.id, ids.allocate(state.path.join('_')));
  }
  const anyIds = new Map<string, string>();
  for (const owner of draw.anyNodes) {
    const ownerId = stateIds.get(owner);
    anyIds.set(owner, ids.allocate(ownerId === undefined ? 'any_state' : `${ownerId}_any`));
  }
  // Only the root has no id, and the root is never an arrow's end.
  const idOf = (state: ChartState): string => stateIds.get(state.id) ?? '[*]';
  const nodeId = (node: DrawnNode): string => (node.kind === 'anyState' ? (anyIds.get(node.owner.id) ?? '') : idOf(node.state));

  // Each arrow goes to the innermost block (compound state or root) enclosing both ends.
  const chain = (state: ChartState | null): string[] => (state === null ? [] : lineage(model, state).map((s) => s.id));
  const arrowsIn = new Map<string, Arrow[]>();
  for (const arrow of draw.arrows) {
    const a = chain(containerOf(model, arrow.from));
    const b = chain(containerOf(model, { kind: 'state', state: arrow.to }));
    let block = model.root.id;
    for (let i = 0; i < a.length && a[i] === b[i]; i++) block = a[i] ?? block;
    const list = arrowsIn.get(block) ?? [];
    list.push(arrow);
    arrowsIn.set(block, list);
  }

  const out: string[] = ['stateDiagram-v2'];
  const emitNotes = (id: string, noteKey: string, indent: string): void => {
    for (const line of draw.notes.get(noteKey) ?? []) out.push(`${indent}${id} : ${mermaidText([line])}`);
  };
  const emitBlock = (block: ChartState, indent: string): void => {
    block.children.forEach((child, i) => {
      if (block.kind === 'parallel' && i > 0) out.push(`${indent}--`);
      const label = mermaidText([child.kind === 'history' ? `${child.key} (history)` : child.key]);
      if (isGroup(child)) {
        out.push(`${indent}state "${label}" as ${idOf(child)} {`);
        emitBlock(child, `${indent}  `);
        out.push(`${indent}}`);
      } else {
        out.push(`${indent}state "${label}" as ${idOf(child)}`);
        emitNotes(idOf(child), child.id, indent);
      }
    });
    const anyId = anyIds.get(block.id);
    if (anyId !== undefined) {
      out.push(`${indent}state "${mermaidText([ANY_STATE_LABEL])}" as ${anyId}`);
      emitNotes(anyId, block.id, indent);
    }
    const initial = block.initial === null ? undefined : model.states.get(block.initial);
    if (initial !== undefined) out.push(`${indent}[*] --> ${idOf(initial)}`);
    for (const arrow of arrowsIn.get(block.id) ?? []) {
      out.push(`${indent}${nodeId(arrow.from)} --> ${idOf(arrow.to)} : ${mermaidText(arrow.lines)}`);
    }
    for (const child of block.children) {
      if (child.kind === 'final') out.push(`${indent}${idOf(child)} --> [*]`);
    }
  };
  emitBlock(model.root, '  ');
  return `${out.join('\n')}\n`;
}
