// Rows 3, 5 and 6: the measurements that need no network. Each runs as its own process: a
// fresh heap, not the bench process's after minutes of echo and idle runs (the simulator
// measured ~10% slower in here than on its own). Timer precision is pinned to the server's
// core. The step and simulator probes are CPU-bound loops: they run unpinned, once per
// repetition, and the fastest run counts, because on this VM one core now and then runs a
// loop at ~60% of its usual speed for seconds (another tenant), which is not statewire's cost.

import { runJsonChild } from './child.js';
import type { MachineFacts } from './machine.js';
import { compiledBench } from './paths.js';
import type { Plan } from './plan.js';
import type { SimBenchFigures } from './sim.js';
import { median } from './stats.js';
import type { StepFigure } from './step.js';
import type { LatenessFigures, TimerPrecisionReport } from './timer-precision.js';

export interface TimerSection {
  readonly runs: readonly TimerPrecisionReport[];
}

function isLateness(value: unknown): value is LatenessFigures {
  if (typeof value !== 'object' || value === null) return false;
  const { p50Ms, p99Ms, maxMs, fired, armMs } = value as Record<string, unknown>;
  return [p50Ms, p99Ms, maxMs, fired, armMs].every((field) => typeof field === 'number');
}

function isTimerReport(value: unknown): value is TimerPrecisionReport {
  if (typeof value !== 'object' || value === null) return false;
  const { statewire, node } = value as Record<string, unknown>;
  return isLateness(statewire) && isLateness(node);
}

export async function runTimerBench(plan: Plan, facts: MachineFacts, log: (line: string) => void): Promise<TimerSection> {
  const runs: TimerPrecisionReport[] = [];
  for (let rep = 0; rep < plan.reps; rep++) {
    const args = [
      compiledBench('timer-precision.js'),
      ...['--timers', String(plan.timers), '--lead-ms', String(plan.timerLeadMs), '--spread-ms', String(plan.timerSpreadMs)],
      ...['--seed', String(rep + 1)],
    ];
    const report = await runJsonChild(process.execPath, args, facts.pinning?.server ?? null, (plan.timerLeadMs + plan.timerSpreadMs) * 3 + 60_000);
    if (!isTimerReport(report)) throw new Error(`bench: timer-precision printed ${JSON.stringify(report)}`);
    if (report.statewire.fired !== plan.timers || report.node.fired !== plan.timers) {
      throw new Error(`bench: only ${report.statewire.fired} statewire and ${report.node.fired} setTimeout timers of ${plan.timers} fired`);
    }
    log(
      `timers: statewire p99 ${report.statewire.p99Ms.toFixed(2)} ms (armed in ${report.statewire.armMs.toFixed(0)} ms), ` +
        `setTimeout p99 ${report.node.p99Ms.toFixed(2)} ms (armed in ${report.node.armMs.toFixed(0)} ms)`,
    );
    runs.push(report);
  }
  return { runs };
}

function isStepFigures(value: unknown): value is StepFigure[] {
  return (
    Array.isArray(value) &&
    value.every((figure: unknown) => {
      if (typeof figure !== 'object' || figure === null) return false;
      const { name, nsPerEvent, events } = figure as Record<string, unknown>;
      return typeof name === 'string' && typeof nsPerEvent === 'number' && typeof events === 'number';
    })
  );
}

export async function runStepBench(plan: Plan, log: (line: string) => void): Promise<StepFigure[]> {
  const args = [compiledBench('step.js'), '--json', '--events', String(plan.stepEvents)];
  let fastest: StepFigure[] = [];
  for (let rep = 0; rep < plan.reps; rep++) {
    const figures = await runJsonChild(process.execPath, args, null, 300_000);
    if (!isStepFigures(figures)) throw new Error(`bench: step printed ${JSON.stringify(figures)}`);
    // Runner by runner: each keeps its fastest process.
    fastest = figures.map((figure) => {
      const previous = fastest.find((kept) => kept.name === figure.name);
      return previous !== undefined && previous.nsPerEvent <= figure.nsPerEvent ? previous : figure;
    });
  }
  for (const figure of fastest) log(`step: ${figure.name.trim()} ${figure.nsPerEvent.toFixed(0)} ns/event`);
  return fastest;
}

const SIM_NUMBERS = [
  'clients',
  'dispatcherEventsPerSecond',
  'dispatcherEventsPerCpuSecond',
  'dispatcherEventsPerSecondWithInvariants',
  'dispatcherEventsPerRun',
  'virtualSecondsPerRun',
  'wallMsPerRun',
  'target',
] as const;

function isSimFigures(value: unknown): value is SimBenchFigures {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  const runs = record['runsPerSecond'];
  return (
    typeof record['scenario'] === 'string' &&
    SIM_NUMBERS.every((key) => typeof record[key] === 'number') &&
    Array.isArray(runs) &&
    runs.every((run) => typeof run === 'number')
  );
}

export async function runSimBench(plan: Plan, log: (line: string) => void): Promise<SimBenchFigures> {
  let figures: SimBenchFigures | null = null;
  const runsPerSecond: number[] = [];
  for (let rep = 0; rep < plan.reps; rep++) {
    const run = await runJsonChild(process.execPath, [compiledBench('sim.js'), '--json'], null, 300_000);
    if (!isSimFigures(run)) throw new Error(`bench: sim printed ${JSON.stringify(run)}`);
    runsPerSecond.push(...run.runsPerSecond);
    if (figures === null || run.dispatcherEventsPerSecond > figures.dispatcherEventsPerSecond) figures = run;
  }
  if (figures === null) throw new Error('bench: sim ran no repetition');
  log(`sim: ${figures.dispatcherEventsPerSecond} dispatcher events/s, median ${Math.round(median(runsPerSecond))} (${figures.scenario}, ${figures.clients} clients)`);
  return { ...figures, runsPerSecond };
}
