// vitest globalSetup: gives test files a directory for their coverage records and, when
// the run ends, merges them (a machine's edges are the union over all files) and prints
// one compact line per shipped machine, with the transitions no test took.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { shippedMachines } from '../../machines/index.js';
import type { CoverageRecord } from './transition-coverage.js';

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'statewire-coverage-'));
  project.provide('transitionCoverageDir', dir);
  return () => {
    const union = new Map<string, { edges: readonly string[]; covered: Set<number> }>();
    for (const file of readdirSync(dir)) {
      for (const record of JSON.parse(readFileSync(join(dir, file), 'utf8')) as CoverageRecord[]) {
        const entry = union.get(record.machine) ?? { edges: record.edges, covered: new Set<number>() };
        for (const index of record.coveredEdges) entry.covered.add(index);
        union.set(record.machine, entry);
      }
    }
    rmSync(dir, { recursive: true, force: true });
    if (union.size === 0) return;
    const shipped = new Set(shippedMachines.map((entry) => entry.machine.id));
    const lines: string[] = [];
    for (const [machine, { edges, covered }] of [...union].sort(([a], [b]) => a.localeCompare(b))) {
      // Test-only machines are recorded too, but only what ships is reported.
      if (!shipped.has(machine)) continue;
      const percent = edges.length === 0 ? 100 : (100 * covered.size) / edges.length;
      const shown = Number.isInteger(percent) ? `${percent}%` : `${percent.toFixed(1)}%`;
      lines.push(`  ${machine.padEnd(24)} ${`${covered.size}/${edges.length}`.padStart(7)} transitions  ${shown}`);
      edges.forEach((edge, i) => {
        if (!covered.has(i)) lines.push(`      never taken: ${edge}`);
      });
    }
    process.stdout.write(`\nTransition coverage (union of all test files):\n${lines.join('\n')}\n`);
  };
}
