// `statewire chart <machine> --format mermaid|dot [--out file]`: a machine's state chart,
// for a shipped machine by name or for any compiled module that exports XState machines.
// Loading a module is asynchronous, so failures past argument parsing are reported here,
// with the same `reportUsageError` run.ts uses.

import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { shippedMachines } from '../../../machines/index.js';
import { toDot } from '../../chart/dot.js';
import { toMermaid } from '../../chart/mermaid.js';
import { chartModel } from '../../chart/model.js';
import type { MachineDefinition } from '../../machine/compiled.js';
import { isXStateMachine } from '../../machine/xstate-internals.js';
import { rejectExtraArguments, rejectUnknownFlags, reportUsageError, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { parseCommandArgs } from '../command.js';

const FORMATS = ['mermaid', 'dot'] as const;
type Format = (typeof FORMATS)[number];

function help(): string {
  return [
    'usage: statewire chart <machine> [--format mermaid|dot] [--out FILE]',
    '',
    '<machine> is a shipped machine or a compiled module exporting XState machines:',
    `  shipped:  ${shippedMachines.map((shipped) => shipped.name).join(', ')}`,
    '  module:   ./dist/my-machine.js (its only machine) or ./dist/machines.js#myMachine',
    '',
    '  --format mermaid|dot    Mermaid stateDiagram-v2 (default) or Graphviz DOT (render: dot -Tsvg)',
    '  --out FILE              write to FILE instead of stdout',
  ].join('\n');
}

function looksLikePath(target: string): boolean {
  return /[\\/]/.test(target) || /\.[cm]?[jt]s(#|$)/.test(target);
}

async function loadMachine(target: string): Promise<MachineDefinition> {
  const shipped = shippedMachines.find((candidate) => candidate.name === target);
  if (shipped !== undefined) return shipped.machine;
  if (!looksLikePath(target)) {
    throw new UsageError(`no shipped machine "${target}" (shipped: ${shippedMachines.map((s) => s.name).join(', ')}); a module path needs a "/" or a .js extension`);
  }
  const hash = target.lastIndexOf('#');
  const file = hash === -1 ? target : target.slice(0, hash);
  const exportName = hash === -1 ? null : target.slice(hash + 1);
  if (/\.[cm]?ts$/.test(file)) throw new UsageError(`${file}: chart loads compiled JavaScript; build it and pass the .js file`);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`cannot load ${file}: ${error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)}`);
  }
  const machines: Array<readonly [string, MachineDefinition]> = [];
  for (const [name, value] of Object.entries(module)) if (isXStateMachine(value)) machines.push([name, value]);
  const names = machines.map(([name]) => name).join(', ') || 'none';
  if (exportName !== null) {
    const value = module[exportName];
    if (!isXStateMachine(value)) throw new UsageError(`${file} has no machine export "${exportName}" (machine exports: ${names})`);
    return value;
  }
  const [only, ...others] = machines;
  if (only === undefined) throw new UsageError(`${file} exports no XState machine`);
  if (others.length > 0) throw new UsageError(`${file} exports ${machines.length} machines (${names}): pick one with ${file}#<name>`);
  return only[1];
}

async function chart(target: string, format: Format, out: string | undefined): Promise<void> {
  const model = chartModel(await loadMachine(target));
  const text = format === 'dot' ? toDot(model) : toMermaid(model);
  if (out === undefined) process.stdout.write(text);
  else writeFileSync(resolve(out), text);
}

export const chartCommand: Command = {
  name: 'chart',
  synopsis: 'chart <machine> [--format mermaid|dot]',
  summary: 'print a machine as a Mermaid or Graphviz state chart',
  run(argv) {
    const args = parseCommandArgs(argv, help);
    if (args === null) return 0;
    rejectUnknownFlags(args, ['format', 'out'], 'chart (see statewire chart --help)');
    const [target] = args.positionals;
    if (target === undefined) throw new UsageError('chart needs a machine: a shipped name or a module path (see statewire chart --help)');
    rejectExtraArguments(args, 1);
    const format = args.flags.get('format') ?? 'mermaid';
    if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be mermaid or dot, got "${format}"`);
    chart(target, format as Format, args.flags.get('out')).catch(reportUsageError);
    return null;
  },
};
