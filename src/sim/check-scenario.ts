// Runs a scenario under fast-check-generated seeds and fault schedules and, when an
// invariant fails, returns what a human needs: the seed, the shrunk schedule, the
// violation and the exact command that replays it. Property tests call it, and so does
// `statewire sim <scenario> --explore N`.

import fc from 'fast-check';
import type { ScheduledFault } from '../drivers/sim/faults.js';
import type { CompiledMachine } from '../machine/compiled.js';
import type { Violation } from './invariant.js';
import type { Scenario, ScenarioConfig } from './scenario.js';
import { replayCommand } from './scenario.js';
import { faultScheduleArbitrary } from './fault-arbitrary.js';

export interface ScenarioCheckOptions {
  readonly scenario: Scenario;
  readonly clients: number;
  readonly durationMs: number;
  readonly numRuns: number;
  /** fast-check's own seed (which seeds and schedules it generates). */
  readonly fcSeed: number;
  readonly maxFaults?: number;
  readonly machines?: ReadonlyMap<string, CompiledMachine>;
  /** Called after every run, shrinking runs included, with the runs so far. */
  readonly progress?: (runs: number) => void;
}

export interface ScenarioFailure {
  readonly seed: number;
  readonly faults: ScheduledFault[];
  readonly violation: Violation;
  readonly command: string;
  /** Seed, schedule, violation and command, as printed. */
  readonly message: string;
}

export interface ScenarioCheckResult {
  readonly runs: number;
  readonly checks: number;
  readonly failure: ScenarioFailure | null;
}

export function checkScenario(options: ScenarioCheckOptions): ScenarioCheckResult {
  const { scenario, clients, durationMs } = options;
  let checks = 0;
  let runs = 0;
  const configOf = (seed: number, faults: ScheduledFault[]): ScenarioConfig => ({
    seed,
    faults,
    clients,
    durationMs,
    ...(options.machines && { machines: options.machines }),
  });
  const nodes = scenario.nodes(clients);
  const schedules = faultScheduleArbitrary({ nodes, durationMs, maxFaults: options.maxFaults ?? 6, ...(nodes[0] !== undefined && { hub: nodes[0] }) });
  const details = fc.check(
    fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), schedules, (seed, faults) => {
      const report = scenario.run(configOf(seed, faults));
      checks += report.checks;
      options.progress?.(++runs);
      return report.violations.length === 0;
    }),
    { numRuns: options.numRuns, seed: options.fcSeed },
  );
  if (!details.failed || details.counterexample === null) return { runs: details.numRuns, checks, failure: null };
  const [seed, faults] = details.counterexample;
  const violation = rerun(scenario, configOf(seed, faults));
  const command = replayCommand(scenario.name, configOf(seed, faults));
  const what = violation.invariant === THREW ? `a run threw` : `invariant ${violation.invariant} failed`;
  const message = [
    `sim ${scenario.name}: ${what} (after ${details.numRuns} runs, ${details.numShrinks} shrinks; fast-check seed ${options.fcSeed})`,
    violation.invariant === THREW ? `  ${violation.message}` : `  at ${violation.time.toFixed(3)} ms: ${violation.message}`,
    `  seed: ${seed}`,
    `  faults: ${JSON.stringify(faults)}`,
    `  replay: ${command}`,
  ].join('\n');
  return { runs: details.numRuns, checks, failure: { seed, faults, violation, command, message } };
}

/** The `invariant` of a failure that is an exception from the scenario's own code (a bug in an invariant, say). */
export const THREW = 'threw';

/**
 * The shrunk case again, for its first violation. fast-check counts a run that throws as
 * failing too, and shrinks it like any other: the failure then carries the error, so it
 * comes with a replay command as well.
 */
function rerun(scenario: Scenario, config: ScenarioConfig): Violation {
  try {
    const report = scenario.run(config);
    return report.violations[0] ?? { invariant: '?', time: 0, message: 'no violation on the re-run: the scenario is not deterministic' };
  } catch (error) {
    return { invariant: THREW, time: 0, message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
}
