// The examples in docs/charts.md, run. Each `doc:begin` .. `doc:end` region below must
// appear verbatim in the doc, so the doc cannot drift from code that passes.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatCoverage, TransitionCoverage } from '../../src/chart/coverage.js';
import { toDot } from '../../src/chart/dot.js';
import { toMermaid } from '../../src/chart/mermaid.js';
import { chartModel } from '../../src/chart/model.js';
import { compileMachine } from '../../src/machine/compile.js';
import { connectionLifecycleMachine } from '../../machines/connection-lifecycle.js';

// doc:begin export
const model = chartModel(connectionLifecycleMachine);
const mermaid = toMermaid(model); // "stateDiagram-v2\n  state ...": paste into a ```mermaid block
const dot = toDot(model); // 'digraph "connection-lifecycle" {...}': pipe into `dot -Tsvg`
// doc:end

// doc:begin coverage
const coverage = new TransitionCoverage(connectionLifecycleMachine);
const lifecycle = coverage.wrap(compileMachine(connectionLifecycleMachine));

const line = (text: string) => ({ type: 'message', frame: new TextEncoder().encode(text) });
let { snapshot } = lifecycle.initial({ idleMs: 30_000 });
for (const event of [{ type: 'accepted' }, line('HELLO'), line('ACK'), line('QUIT'), { type: 'closed' }]) {
  snapshot = lifecycle.step(snapshot, event).snapshot;
}

const report = coverage.report(); // { machine, total: 27, covered: 5, coveredEdges, missing }
const text = formatCoverage(report);
// connection-lifecycle  5/27 transitions (18.5%)
//   never taken: (connection-lifecycle): connect-failed -> closed
//   never taken: (connection-lifecycle): peer-closed -> closing
//   ...
// doc:end

describe('docs/charts.md', () => {
  const doc = readFileSync(new URL('../../docs/charts.md', import.meta.url), 'utf8');
  const source = readFileSync(new URL(import.meta.url), 'utf8');

  it('shows the regions of this file verbatim', () => {
    const regions = [...source.matchAll(/\/\/ doc:begin (\w+)\n([\s\S]*?)\/\/ doc:end/g)];
    expect(regions.map((region) => region[1])).toEqual(['export', 'coverage']);
    for (const [, , code] of regions) expect(doc).toContain(code);
  });

  it('exports the lifecycle in both formats', () => {
    expect(mermaid.startsWith('stateDiagram-v2\n  state "accepting" as accepting\n')).toBe(true);
    expect(dot.startsWith('digraph "connection-lifecycle" {\n')).toBe(true);
  });

  it('reports what the coverage example says', () => {
    expect(snapshot.status).toBe('done');
    expect(report.total).toBe(27);
    expect(report.covered).toBe(5);
    expect(text.split('\n').slice(0, 3)).toEqual([
      'connection-lifecycle  5/27 transitions (18.5%)',
      '  never taken: (connection-lifecycle): connect-failed -> closed',
      '  never taken: (connection-lifecycle): peer-closed -> closing',
    ]);
  });
});
