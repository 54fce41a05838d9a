// `npm run bench`: measures statewire against plain node:net (and a C reference) in one
// run and writes docs/benchmarks.md. See bench/plan.ts for what each mode measures,
// bench/report.ts for the tables, bench/findings.md for the analysis kept by hand.
//
//   npm run bench                       full matrix, under 10 minutes
//   npm run bench -- --quick            a subset in under a minute (report to a temp file)
//   npm run bench -- --only echo --profile --reps 1
//   npm run bench -- --render            the report again from the saved figures (after editing findings.md)
//
// Exits 1 only when the harness or a server is broken (a section failed, wrong echoes); the
// report is written either way. A missed performance target is reported, never a failure:
// timing is noisy.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { runEchoBench } from './echo-bench.js';
import { runIdleBench } from './idle-bench.js';
import { machineFacts } from './machine.js';
import { buildNative } from './native.js';
import { benchSource, REPO_ROOT } from './paths.js';
import type { Plan, Section } from './plan.js';
import { parsePlan } from './plan.js';
import { runSimBench, runStepBench, runTimerBench } from './probes.js';
import type { BenchResults } from './report.js';
import { parseResults, renderReport, serializeResults } from './report.js';

const started = performance.now();
const elapsed = (): string => `${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s`;
const log = (line: string): void => {
  process.stderr.write(`[${elapsed()}] ${line}\n`);
};

/** docs/benchmarks.md for a full run, a temporary file for --quick, or --out. */
function reportPath(plan: Plan): string {
  return plan.out ?? (plan.quick ? join(os.tmpdir(), 'statewire-benchmarks-quick.md') : join(REPO_ROOT, 'docs/benchmarks.md'));
}

/** The run's figures, saved beside the report: docs/benchmarks.json for docs/benchmarks.md. */
function figuresPath(plan: Plan): string {
  return reportPath(plan).replace(/(\.md)?$/, '.json');
}

function rerender(plan: Plan): number {
  const figures = figuresPath(plan);
  if (!existsSync(figures)) {
    log(`--render: no saved figures at ${figures}; run the bench first`);
    return 2;
  }
  const results = parseResults(readFileSync(figures, 'utf8'), readFileSync(benchSource('findings.md'), 'utf8'));
  writeFileSync(reportPath(plan), renderReport(results));
  log(`report rendered again from ${figures} into ${reportPath(plan)}`);
  return 0;
}

async function main(plan: Plan): Promise<number> {
  if (plan.render) return rerender(plan);
  const facts = machineFacts();
  log(`${plan.quick ? 'quick' : 'full'} run, ${plan.reps} repetition(s); ${facts.cpuModel}, ${facts.cores} cores, load ${facts.loadAverage.toFixed(2)}`);
  if (facts.pinning === null) log('not pinning: taskset is missing or there is one core; figures will be noisier');
  const native = await buildNative();
  const failures: string[] = [];
  // A section that fails is reported and the others still run: ten minutes of figures are not thrown away.
  const section = async <T>(name: Section, measure: () => Promise<T> | T): Promise<T | null> => {
    if (!plan.sections.has(name)) return null;
    try {
      return await measure();
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      log(`${name} failed: ${message}`);
      failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
  };
  let results: BenchResults;
  try {
    const echo = await section('echo', () => runEchoBench(plan, native, facts, log));
    const idle = await section('idle', () => runIdleBench(plan, native, facts, log));
    const timers = await section('timers', () => runTimerBench(plan, facts, log));
    const step = await section('step', () => runStepBench(plan, log));
    const sim = await section('sim', () => runSimBench(plan, log));
    results = {
      plan,
      facts,
      loadAverageEnd: os.loadavg()[0] ?? 0,
      elapsedS: (performance.now() - started) / 1000,
      echo,
      idle,
      timers,
      step,
      sim,
      failures,
      findings: readFileSync(benchSource('findings.md'), 'utf8'),
    };
  } finally {
    native.remove();
  }
  const out = reportPath(plan);
  writeFileSync(out, renderReport(results));
  writeFileSync(figuresPath(plan), serializeResults(results));
  log(`report written to ${out}, its figures to ${figuresPath(plan)}`);
  const broken = (results.echo?.rows ?? []).flatMap((row) =>
    Object.entries(row.runs).flatMap(([kind, runs]) =>
      runs.filter((run) => run.mismatches > 0 || run.messages === 0).map(() => `${kind} on ${row.cell.connections}/${row.cell.size}/${row.cell.inflight}`),
    ),
  );
  if (broken.length > 0) log(`wrong or missing echoes: ${broken.join('; ')}`);
  return broken.length > 0 || failures.length > 0 ? 1 : 0;
}

let plan: Plan | null = null;
try {
  plan = parsePlan(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
}
if (plan !== null) {
  main(plan).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      log(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exitCode = 1;
    },
  );
}
