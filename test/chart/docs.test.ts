// The committed docs/machines/ pages must match the machines: regenerated in memory here,
// compared byte for byte (.md, .dot). The .svg depends on the Graphviz version, so it is
// compared by what any version keeps: the node and edge ids and the label texts it shows,
// against a fresh render of the committed (and so current) .dot.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { renderSvg } from '../../src/chart/dot.js';
import { MACHINE_DOCS_DIR, machineDocFiles, machineDocTargets } from '../../src/cli/machine-docs.js';
import { parseStateDiagram } from './mermaid-grammar.js';
import { svgTexts, svgTitles } from './svg.js';

const STALE = 'stale: run `npm run docs` and commit docs/machines/';
const targets = machineDocTargets();
const read = (file: string): string | null => {
  const path = join(MACHINE_DOCS_DIR, file);
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
};

describe('docs/machines/', () => {
  test('holds one page (.md, .dot, .svg) per shipped machine and nothing else', () => {
    const expected = targets.flatMap(({ name }) => [`${name}.dot`, `${name}.md`, `${name}.svg`]).sort();
    expect(readdirSync(MACHINE_DOCS_DIR).sort(), STALE).toEqual(expected);
  });

  test('docs/charts.md links every page', () => {
    const charts = readFileSync('docs/charts.md', 'utf8');
    for (const { name } of targets) expect(charts).toContain(`(machines/${name}.md)`);
  });

  test.each(targets.map((target) => [target.name, target] as const))('%s is up to date', (name, target) => {
    const files = machineDocFiles(target);
    expect(read(`${name}.md`), `${name}.md is ${STALE}`).toBe(files.markdown);
    expect(read(`${name}.dot`), `${name}.dot is ${STALE}`).toBe(files.dot);
    const svg = read(`${name}.svg`) ?? '';
    const fresh = renderSvg(files.dot);
    expect(svgTitles(svg).sort(), `${name}.svg is ${STALE}`).toEqual(svgTitles(fresh).sort());
    expect(svgTexts(svg).sort(), `${name}.svg is ${STALE}`).toEqual(svgTexts(fresh).sort());
  });

  test.each(targets.map((target) => [target.name, target] as const))('%s: the inline chart follows the Mermaid grammar', (_name, target) => {
    const mermaid = /```mermaid\n([\s\S]*?)```/.exec(machineDocFiles(target).markdown)?.[1] ?? '';
    expect(parseStateDiagram(mermaid).errors).toEqual([]);
  });
});
