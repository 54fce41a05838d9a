// `npm run docs`: rewrites docs/machines/ from machines/index.ts, one <name>.md, .dot and
// .svg per machine, and removes pages of machines that are no longer shipped. The SVG is
// rendered by Graphviz's `dot` (Debian package graphviz), which must be on PATH.

import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderSvg } from '../chart/dot.js';
import { MACHINE_DOCS_DIR, machineDocFiles, machineDocTargets } from './machine-docs.js';

const dir = MACHINE_DOCS_DIR;
mkdirSync(dir, { recursive: true });
const written = new Set<string>();
for (const target of machineDocTargets()) {
  const { markdown, dot } = machineDocFiles(target);
  const files: Array<readonly [string, string]> = [
    [`${target.name}.md`, markdown],
    [`${target.name}.dot`, dot],
    [`${target.name}.svg`, renderSvg(dot)],
  ];
  for (const [file, text] of files) {
    writeFileSync(join(dir, file), text);
    written.add(file);
  }
  process.stdout.write(`${join(dir, target.name)}.md\n`);
}
for (const file of readdirSync(dir)) {
  if (/\.(md|dot|svg)$/.test(file) && !written.has(file)) rmSync(join(dir, file));
}
