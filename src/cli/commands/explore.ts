// `statewire sim <scenario> --explore RUNS [--workers W]`: the property test from the
// command line. RUNS seeds, each under a fault schedule fast-check generates, every
// invariant checked after every step. With W workers the runs are split into W shares,
// share i under fast-check seed S + i in a worker thread of its own, each a sequential
// search as a single worker runs it; a failure is shrunk in its worker and printed with the
// command that repeats that share alone, so what was found does not depend on which
// worker finished first.

import { Worker } from 'node:worker_threads';
import type { ScenarioCheckResult, ScenarioFailure } from '../../sim/check-scenario.js';
import { checkScenario } from '../../sim/check-scenario.js';
import type { Scenario } from '../../sim/scenario.js';

export interface ExploreOptions {
  readonly runs: number;
  readonly fcSeed: number;
  readonly maxFaults: number;
  readonly clients: number;
  readonly durationMs: number;
  readonly quiet: boolean;
}

/** What one worker explores: its runs under its own fast-check seed. */
export interface ExploreShare extends Omit<ExploreOptions, 'quiet'> {
  readonly scenario: string;
}

export type WorkerReport = { readonly kind: 'progress'; readonly runs: number } | { readonly kind: 'done'; readonly result: ScenarioCheckResult };

/** Where exploring writes: the summary or failure, and progress lines. */
export interface ExploreOutput {
  out(text: string): void;
  err(text: string): void;
}

const PROCESS_OUTPUT: ExploreOutput = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** A progress line (of `sim` and `sim --explore`) at most this often. */
export const PROGRESS_INTERVAL_MS = 1_000;
/** fast-check seeds are 32-bit signed integers; the CLI takes the non-negative ones. */
export const MAX_FC_SEED = 0x7fff_ffff;

/** `report`, called at most once every `intervalMs` of wall time (progress lines, progress messages). */
export function throttled<T>(intervalMs: number, report: (value: T) => void): (value: T) => void {
  let last = performance.now();
  return (value) => {
    const now = performance.now();
    if (now - last < intervalMs) return;
    last = now;
    report(value);
  };
}

/** RUNS split into `workers` shares as even as whole runs allow; share i under fast-check seed S + i. */
export function exploreShares(scenario: string, options: ExploreOptions, workers: number): ExploreShare[] {
  const count = Math.max(1, Math.min(workers, options.runs));
  return Array.from({ length: count }, (_, i) => ({
    scenario,
    runs: Math.floor(options.runs / count) + (i < options.runs % count ? 1 : 0),
    fcSeed: (options.fcSeed + i) % (MAX_FC_SEED + 1),
    maxFaults: options.maxFaults,
    clients: options.clients,
    durationMs: options.durationMs,
  }));
}

function exploreCommand(share: ExploreShare, workers: number): string {
  const split = workers > 1 ? ` --workers ${workers}` : '';
  return (
    `npx statewire sim ${share.scenario} --explore ${share.runs} --fc-seed ${share.fcSeed}${split} ` +
    `--max-faults ${share.maxFaults} --clients ${share.clients} --duration ${share.durationMs}ms`
  );
}

function describeProgress(done: number, runs: number, workers: number): string {
  const stage = done <= runs ? `${done} of ${runs} runs` : `shrinking a failure (${done - runs} runs)`;
  return `sim: explore ${stage}${workers > 1 ? ` (${workers} workers)` : ''}\n`;
}

/**
 * What the shares found, as printed: the first failure with its replay command and the
 * command that repeats its share, or the runs and checks of all of them. The exit code,
 * 1 when an invariant failed.
 */
export function reportExploration(
  scenario: string,
  options: ExploreOptions,
  shares: readonly ExploreShare[],
  results: readonly ScenarioCheckResult[],
  seconds: number,
  output: ExploreOutput,
): number {
  const failed = results.findIndex((result) => result.failure !== null);
  if (failed >= 0) {
    const failure = results[failed]?.failure as ScenarioFailure;
    output.out(`${failure.message}\n  explore again: ${exploreCommand(shares[failed] as ExploreShare, 1)}\n`);
    return 1;
  }
  const runs = results.reduce((sum, result) => sum + result.runs, 0);
  const checks = results.reduce((sum, result) => sum + result.checks, 0);
  const seeds = shares.length > 1 ? `fast-check seeds ${options.fcSeed} to ${(shares[shares.length - 1] as ExploreShare).fcSeed}, ${shares.length} workers` : `fast-check seed ${options.fcSeed}`;
  output.out(
    `sim ${scenario}: explored ${runs} seeds with up to ${options.maxFaults} generated faults each (${seeds}) in ${seconds.toFixed(1)} s; ` +
      `${checks} invariant checks, no violation\n  again: ${exploreCommand({ scenario, ...options }, shares.length)}\n`,
  );
  return 0;
}

/** One share in this thread (also how a test explores a scenario the CLI does not know). */
export function exploreShare(scenario: Scenario, share: ExploreShare, progress?: (runs: number) => void): ScenarioCheckResult {
  return checkScenario({
    scenario,
    clients: share.clients,
    durationMs: share.durationMs,
    numRuns: share.runs,
    fcSeed: share.fcSeed,
    maxFaults: share.maxFaults,
    ...(progress && { progress }),
  });
}

/** `--explore` in this thread: the exit code. */
export function explore(scenario: Scenario, options: ExploreOptions, output: ExploreOutput = PROCESS_OUTPUT): number {
  const started = performance.now();
  const shares = exploreShares(scenario.name, options, 1);
  const progress = throttled<number>(PROGRESS_INTERVAL_MS, (done) => output.err(describeProgress(done, options.runs, 1)));
  const result = exploreShare(scenario, shares[0] as ExploreShare, options.quiet ? undefined : progress);
  return reportExploration(scenario.name, options, shares, [result], (performance.now() - started) / 1000, output);
}

/**
 * `--explore` over worker threads, one share each. Resolves to the exit code once every
 * share has finished, or as soon as one fails (the others are stopped: one failure is
 * what a search is for).
 */
export function exploreInWorkers(scenario: string, options: ExploreOptions, workers: number, output: ExploreOutput = PROCESS_OUTPUT): Promise<number> {
  const started = performance.now();
  const shares = exploreShares(scenario, options, workers);
  const done = shares.map(() => 0);
  const results: (ScenarioCheckResult | null)[] = shares.map(() => null);
  const threads = shares.map((share) => new Worker(new URL('./explore-worker.js', import.meta.url), { workerData: share }));
  const progress = throttled<number>(PROGRESS_INTERVAL_MS, (total) => output.err(describeProgress(total, options.runs, shares.length)));
  return new Promise((resolve) => {
    let settled = false;
    const finish = (code: number): void => {
      if (settled) return;
      settled = true;
      for (const thread of threads) void thread.terminate();
      resolve(code);
    };
    threads.forEach((thread, i) => {
      thread.on('message', (report: WorkerReport) => {
        // Threads being stopped may still deliver: one report, one failure at most.
        if (settled) return;
        if (report.kind === 'progress') {
          done[i] = report.runs;
          if (!options.quiet) progress(done.reduce((sum, runs) => sum + runs, 0));
          return;
        }
        results[i] = report.result;
        const complete = results.every((result) => result !== null);
        if (report.result.failure === null && !complete) return;
        const finished = report.result.failure === null ? (results as ScenarioCheckResult[]) : [report.result];
        const reported = report.result.failure === null ? shares : [shares[i] as ExploreShare];
        finish(reportExploration(scenario, options, reported, finished, (performance.now() - started) / 1000, output));
      });
      thread.on('error', (error) => {
        if (settled) return;
        output.err(`statewire: explore worker ${i} failed: ${error instanceof Error ? error.message : String(error)}\n`);
        finish(1);
      });
    });
  });
}
