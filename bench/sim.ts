// Simulator speed: dispatcher events per second on the handshake scenario with 1,000
// clients (issue 3's target: at least one million). Measured without invariants and trace
// hashing (the raw simulator), and with invariants (what a property test pays); per wall
// second and per CPU second of this process (steadier on a shared machine).
// `node dist/bench/sim.js` prints the figures; `npm run bench` runs it as its own process.

import { fileURLToPath } from 'node:url';
import { handshakeScenario } from '../src/sim/handshake-scenario.js';
import type { ScenarioReport } from '../src/sim/scenario.js';

export interface SimBenchFigures {
  readonly scenario: string;
  readonly clients: number;
  /** Dispatcher events per wall second, best of the repetitions. */
  readonly dispatcherEventsPerSecond: number;
  /**
   * The same for every repetition without invariants, in run order: the best says what the
   * code does when nothing disturbs it, their median how far a shared machine moves it.
   */
  readonly runsPerSecond: readonly number[];
  /** The same per CPU second (user + system) of this process. */
  readonly dispatcherEventsPerCpuSecond: number;
  readonly dispatcherEventsPerSecondWithInvariants: number;
  readonly dispatcherEventsPerRun: number;
  readonly virtualSecondsPerRun: number;
  readonly wallMsPerRun: number;
  readonly target: number;
}

const CLIENTS = 1_000;
const REPETITIONS = 10;
/**
 * Runs on both modes before measuring either. A run is ~25 ms now; after 4 of them the
 * first measured runs were still up to 2x slower than later ones (bench/instructions.ts
 * found 8 runs leaving ~10% of the next runs' instructions to the compilers, 20 ~2%).
 */
const WARMUP_RUNS = 20;
const TARGET = 1_000_000;

interface Measured {
  readonly report: ScenarioReport;
  readonly cpuMs: number;
}

function measure(invariants: boolean): Measured[] {
  const runs: Measured[] = [];
  for (let i = 0; i < REPETITIONS; i++) {
    const before = process.cpuUsage();
    const report = handshakeScenario.run({ seed: 1 + i, faults: [], clients: CLIENTS, durationMs: 5_000, invariants });
    const cpu = process.cpuUsage(before);
    runs.push({ report, cpuMs: (cpu.user + cpu.system) / 1000 });
  }
  return runs;
}

function fastest(runs: readonly Measured[]): Measured {
  return runs.reduce((best, run) => (rate(run.report) > rate(best.report) ? run : best));
}

function rate(report: ScenarioReport): number {
  return report.stats.dispatcherEvents / (report.wallMs / 1000);
}

export function benchSim(): SimBenchFigures {
  for (let i = 0; i < WARMUP_RUNS; i++) {
    handshakeScenario.run({ seed: 100 + i, faults: [], clients: CLIENTS, durationMs: 5_000, invariants: i % 2 === 0 });
  }
  const rawRuns = measure(false);
  const { report: raw, cpuMs } = fastest(rawRuns);
  const checked = fastest(measure(true)).report;
  return {
    scenario: 'handshake',
    clients: CLIENTS,
    dispatcherEventsPerSecond: Math.round(rate(raw)),
    runsPerSecond: rawRuns.map((run) => Math.round(rate(run.report))),
    dispatcherEventsPerCpuSecond: Math.round(raw.stats.dispatcherEvents / (cpuMs / 1000)),
    dispatcherEventsPerSecondWithInvariants: Math.round(rate(checked)),
    dispatcherEventsPerRun: raw.stats.dispatcherEvents,
    virtualSecondsPerRun: raw.stats.time / 1000,
    wallMsPerRun: Math.round(raw.wallMs),
    target: TARGET,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // `--json`: one line, for `npm run bench`, which runs this in a process of its own.
  process.stdout.write(`${JSON.stringify(benchSim(), null, process.argv.includes('--json') ? undefined : 2)}\n`);
}
