// Rows 3, 5 and 6: the measurements that need no network. Timer precision runs as its own
// pinned process (timer-precision.ts); the step cost (bench/step.ts) and the simulator
// speed (bench/sim.ts) run in this process.

import { runJsonChild } from './child.js';
import type { MachineFacts } from './machine.js';
import { compiledBench } from './paths.js';
import type { Plan } from './plan.js';
import { benchSim } from './sim.js';
import type { SimBenchFigures } from './sim.js';
import { benchStep } from './step.js';
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

export function runStepBench(plan: Plan, log: (line: string) => void): StepFigure[] {
  const figures = benchStep({
    fastEvents: plan.stepEvents,
    actorEvents: plan.stepEvents / 10,
    transitionEvents: plan.stepEvents / 50,
  });
  for (const figure of figures) log(`step: ${figure.name.trim()} ${figure.nsPerEvent.toFixed(0)} ns/event`);
  return figures;
}

export function runSimBench(log: (line: string) => void): SimBenchFigures {
  const figures = benchSim();
  log(`sim: ${figures.dispatcherEventsPerSecond} dispatcher events/s (${figures.scenario}, ${figures.clients} clients)`);
  return figures;
}
