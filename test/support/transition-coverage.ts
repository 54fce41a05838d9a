// Transition coverage across the whole test run. A test file records through `coverageOf`
// (one TransitionCoverage per machine per file); test/support/coverage-setup.ts saves each
// file's records when the file ends, and test/support/coverage-report.ts (vitest
// globalSetup) merges the files of every worker and prints one line per machine.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, inject } from 'vitest';
import type { AnyStateMachine } from 'xstate';
import { formatCoverage, TransitionCoverage } from '../../src/chart/coverage.js';
import { edgeText } from '../../src/chart/model.js';
import type { CompiledMachine } from '../../src/machine/compiled.js';
import { compileMachine } from '../../src/machine/compile.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where each test file leaves its coverage records (see coverage-report.ts). */
    transitionCoverageDir: string;
  }
}

const recorded = new Map<AnyStateMachine, TransitionCoverage>();

/** This file's coverage of `machine`, shared by everything in the file that records it. */
export function coverageOf(machine: AnyStateMachine): TransitionCoverage {
  let coverage = recorded.get(machine);
  if (coverage === undefined) {
    coverage = new TransitionCoverage(machine);
    recorded.set(machine, coverage);
  }
  return coverage;
}

/** `compileMachine`, recording every step into this file's coverage of the machine. */
export function compileRecorded<TContext>(machine: AnyStateMachine): CompiledMachine<TContext> {
  return coverageOf(machine).wrap(compileMachine<TContext>(machine));
}

/** What one test file saves per machine: every edge (as `edgeText`) and the ones it took. */
export interface CoverageRecord {
  readonly machine: string;
  readonly edges: readonly string[];
  readonly coveredEdges: readonly number[];
}

let files = 0;

/** Writes this file's records for the run's report; called after each test file. */
export function saveCoverage(testFile: string): void {
  if (recorded.size === 0) return;
  const dir = inject('transitionCoverageDir');
  mkdirSync(dir, { recursive: true });
  const records: CoverageRecord[] = [...recorded.values()].map((coverage) => ({
    machine: coverage.model.id,
    edges: coverage.model.edges.map((edge) => edgeText(coverage.model, edge)),
    coveredEdges: coverage.report().coveredEdges,
  }));
  const name = `${process.pid}-${files++}-${testFile.replace(/[^\w.-]+/g, '_')}.json`;
  writeFileSync(join(dir, name), JSON.stringify(records));
  recorded.clear();
}

/**
 * Fail this test file unless its own tests took every transition of `machine`: the
 * hand-written tests of a shipped machine are what must cover it, not a generator.
 */
export function requireFullCoverage(machine: AnyStateMachine): void {
  afterAll(() => {
    const report = coverageOf(machine).report();
    expect(report.missing, formatCoverage(report, machine.id)).toEqual([]);
  });
}
