// A scenario is a world with its nodes, workload and invariants, run under one seed and one
// fault schedule. `statewire sim <name>` and the property tests run the same function, so a
// failure found by fast-check replays from the command line with the printed arguments.

import type { FaultSchedule } from '../drivers/sim/faults.js';
import type { SimObserver, WorldStats } from '../drivers/sim/world.js';
import type { CompiledMachine } from '../machine/compiled.js';
import type { Violation } from './invariant.js';

export interface ScenarioConfig {
  readonly seed: number;
  readonly faults: FaultSchedule;
  readonly clients: number;
  /** Virtual time over which clients start and faults may fall; the run then settles. */
  readonly durationMs: number;
  /** Hash the full trace (for determinism checks). */
  readonly hashTrace?: boolean;
  /** Check invariants after every step (default true). */
  readonly invariants?: boolean;
  /** Called every `progressEvery` world events. */
  readonly progress?: (stats: WorldStats) => void;
  readonly progressEvery?: number;
  /** Replace a registered machine kind (a deliberately broken variant in a test). */
  readonly machines?: ReadonlyMap<string, CompiledMachine>;
  /** Sees the run as the world tells it: steps, faults, boots, crashes (a test collecting the trace, `statewire sim --trace`). */
  readonly observer?: SimObserver;
}

export interface ScenarioReport {
  readonly stats: WorldStats;
  readonly violations: readonly Violation[];
  /** Invariant evaluations. */
  readonly checks: number;
  readonly hash: string | null;
  /** "connected": clients that reached Connected; "closed:<reason>": how clients ended. */
  readonly outcomes: Readonly<Record<string, number>>;
  readonly wallMs: number;
}

export interface Scenario {
  readonly name: string;
  readonly summary: string;
  /** The node names a fault may target, for a given client count; the server (the hub of the traffic) first. */
  nodes(clients: number): string[];
  /** The fault-free time after `durationMs` the run is given to settle. */
  settleMs(): number;
  run(config: ScenarioConfig): ScenarioReport;
}

/** The shell command that replays one run. */
export function replayCommand(scenario: string, config: Pick<ScenarioConfig, 'seed' | 'faults' | 'clients' | 'durationMs'>): string {
  const faults = JSON.stringify(config.faults).replace(/'/g, "'\\''");
  return `npx statewire sim ${scenario} --seed ${config.seed} --clients ${config.clients} --duration ${config.durationMs}ms --faults '${faults}'`;
}

/** The end-of-run summary, a few lines for a human. */
export function formatReport(scenario: string, config: ScenarioConfig, report: ScenarioReport): string {
  const { stats } = report;
  const rate = report.wallMs > 0 ? Math.round(stats.dispatcherEvents / (report.wallMs / 1000)) : 0;
  const ended = Object.entries(report.outcomes)
    .filter(([outcome]) => outcome !== 'connected')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([outcome, count]) => `${outcome}=${count}`)
    .join(' ');
  const lines = [
    `sim ${scenario}: seed ${config.seed}, ${config.clients} clients, ${config.faults.length} scheduled faults`,
    `  virtual time ${(stats.time / 1000).toFixed(3)} s in ${report.wallMs.toFixed(0)} ms wall; ${stats.dispatcherEvents} dispatcher events (${rate}/s), ${stats.worldEvents} world events, ${stats.steps} steps`,
    `  faults applied ${stats.faultsApplied}, skipped ${stats.faultsSkipped}; packets ${stats.packets}, dropped ${stats.packetsDropped}`,
    `  invariant checks ${report.checks}; violations ${report.violations.length}`,
    `  clients: ${report.outcomes['connected'] ?? 0} reached connected; ended: ${ended === '' ? '(none)' : ended}`,
  ];
  if (report.hash !== null) lines.push(`  trace sha256 ${report.hash}`);
  for (const violation of report.violations) {
    lines.push(`  VIOLATION [${violation.invariant}] at ${violation.time.toFixed(3)} ms: ${violation.message}`);
  }
  return lines.join('\n');
}
