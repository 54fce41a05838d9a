// The generated reference pages in docs/machines/: one per distinct machine of
// machines/index.ts (a machine listed with several inputs gets one page, named after its
// first entry). `npm run docs` writes them (generate-docs.ts); test/chart/docs.test.ts
// regenerates them in memory and fails when the committed files differ.

import type { MachineDefinition } from '../machine/compiled.js';
import { shippedMachines } from '../../machines/index.js';
import { toDot } from '../chart/dot.js';
import { machineDoc } from '../chart/machine-doc.js';
import { chartModel } from '../chart/model.js';

/** Where the pages live, relative to the repository root (npm scripts and vitest run there). */
export const MACHINE_DOCS_DIR = 'docs/machines';

export interface MachineDocTarget {
  /** File name without extension: the shipped name, lower-case, "-" for anything else. */
  readonly name: string;
  readonly machine: MachineDefinition;
}

export function machineDocTargets(): MachineDocTarget[] {
  const seen = new Set<MachineDefinition>();
  const targets: MachineDocTarget[] = [];
  for (const shipped of shippedMachines) {
    if (seen.has(shipped.machine)) continue;
    seen.add(shipped.machine);
    const name = shipped.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
    if (targets.some((target) => target.name === name)) throw new Error(`two shipped machines would both document as ${name}.md`);
    targets.push({ name, machine: shipped.machine });
  }
  return targets;
}

/** The text files of one page: <name>.md and <name>.dot (the SVG is rendered from the .dot). */
export function machineDocFiles(target: MachineDocTarget): { readonly markdown: string; readonly dot: string } {
  const model = chartModel(target.machine);
  return { markdown: machineDoc(model, { name: target.name }), dot: toDot(model) };
}
