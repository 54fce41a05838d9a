// `statewire sim <scenario> --seed N [--clients K] [--duration DUR] [--faults JSON]`: run a
// scenario (statewire's own, or the module of a user's) in the deterministic simulator and
// print the summary, with `--trace` the steps that led there. The same arguments give the
// same run, so this is also how a failing property test's seed is replayed.
// `--explore N` runs N seeds and generated fault schedules instead (explore.ts): the
// property test from the command line, on as many worker threads as asked. Exit code 1
// when an invariant failed.

import { randomInt } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { parseFaultSchedule } from '../../drivers/sim/faults.js';
import type { FaultSchedule } from '../../drivers/sim/faults.js';
import type { WorldStats } from '../../drivers/sim/world.js';
import type { Scenario, ScenarioConfig } from '../../sim/scenario.js';
import { formatReport, replayCommand } from '../../sim/scenario.js';
import { traceObserver } from '../../sim/trace-lines.js';
import { loadScenario, scenarioChoices, SCENARIOS, scenarioNamed } from '../../sim/scenarios.js';
import type { ParsedArgs } from '../args.js';
import { parseDuration, parseInteger, rejectExtraArguments, rejectUnknownFlags, reportUsageError, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { parseCommandArgs } from '../command.js';
import type { ExploreOptions } from './explore.js';
import { explore, exploreInWorkers, MAX_FC_SEED, PROGRESS_INTERVAL_MS, throttled } from './explore.js';

/** World events between looks at the wall clock; a progress line at most once a second. */
const PROGRESS_EVERY = 50_000;

const DEFAULT_MAX_FAULTS = 6;
const MAX_WORKERS = 256;

function parseFcSeed(text: string | undefined): number {
  // A random default, printed: repeated explorations then cover new seeds, and any one can be run again.
  return text === undefined ? randomInt(0, MAX_FC_SEED) : parseInteger('fc-seed', text, 0, MAX_FC_SEED);
}

function help(): string {
  return [
    'usage: statewire sim <scenario> [--seed N] [--clients K] [--duration DUR] [--faults JSON] [--trace FILTER] [--hash] [--quiet]',
    '       statewire sim <scenario> --explore RUNS [--workers W] [--fc-seed N] [--max-faults K] [--clients K] [--duration DUR] [--quiet]',
    '',
    ...SCENARIOS.map((scenario) => `  ${scenario.name.padEnd(12)} ${scenario.summary}`),
    '  PATH.js      a scenario of your own: the default (or `scenario`) export of that ES module',
    '',
    '  --seed N         32-bit seed deciding every random choice (default: a random one, printed)',
    '  --clients K      client machines (default 10)',
    '  --duration DUR   virtual time over which clients start and faults fall (default 5s); the run then settles',
    '  --faults JSON    fault schedule: [{"at":ms,"fault":{"type":"partition","a":"server","b":"client1","oneWay":false,"durationMs":1500}}, ...]',
    '                   types: partition, hold, reset, refuse, crash, latency (see docs/simulation.md)',
    '  --trace FILTER   print the steps of the machines FILTER selects (as violations name them: client3~1/c6;',
    '                   a node, client3; an incarnation, client3~1; or all), every fault, and their nodes\' crashes and boots',
    '  --hash           print the SHA-256 of the full trace (same arguments, same hash)',
    '  --quiet          no progress lines',
    '',
    '  --explore RUNS   run RUNS random seeds, each under a generated fault schedule, checking every invariant;',
    '                   a failure is shrunk and printed with the command that replays it',
    `  --fc-seed N      fast-check's seed: which seeds and schedules are generated (default: a random one, printed)`,
    `  --max-faults K   faults per generated schedule, at most (default ${DEFAULT_MAX_FAULTS})`,
    `  --workers W      split the runs over W worker threads, share i under fast-check seed N + i (default 1; this machine has ${availableParallelism()} CPUs)`,
  ].join('\n');
}

export const simCommand: Command = {
  name: 'sim',
  synopsis: 'sim <scenario> --seed N [--faults JSON]',
  summary: 'run a scenario in the deterministic network simulator',
  run(argv) {
    const args = parseCommandArgs(argv, help, ['hash', 'quiet']);
    if (args === null) return 0;
    const [spec] = args.positionals;
    if (spec === undefined) throw new UsageError(`sim needs a scenario: ${scenarioChoices()}`);
    rejectExtraArguments(args, 1);
    rejectUnknownFlags(args, ['seed', 'clients', 'duration', 'faults', 'trace', 'hash', 'quiet', 'explore', 'fc-seed', 'max-faults', 'workers'], 'sim (see statewire sim --help)');
    const plan = parsePlan(args);
    const builtIn = scenarioNamed(spec);
    const outcome =
      builtIn !== undefined
        ? simulate(builtIn, plan)
        : loadScenario(spec).then(
            (scenario) => simulate(scenario, plan),
            (error: unknown) => {
              // An unknown name, or a module that is missing, throws as it loads or exports no scenario: the user's input.
              throw new UsageError(error instanceof Error ? error.message : String(error));
            },
          );
    // A module loads, and worker threads explore, asynchronously: the exit code comes later.
    if (typeof outcome === 'number') return outcome;
    outcome.then(
      (code) => {
        process.exitCode = code;
      },
      reportUsageError,
    );
    return null;
  },
};

/** What the flags ask for, before the scenario is known (a module loads asynchronously). */
type SimPlan =
  | { readonly kind: 'explore'; readonly options: ExploreOptions; readonly workers: number }
  | {
      readonly kind: 'run';
      readonly seed: number;
      readonly faultsText: string | undefined;
      readonly trace: string | undefined;
      readonly clients: number;
      readonly durationMs: number;
      readonly hash: boolean;
      readonly quiet: boolean;
    };

function parsePlan(args: ParsedArgs): SimPlan {
  const clients = parseInteger('clients', args.flags.get('clients') ?? '10', 1, 1_000_000);
  const durationMs = parseDuration('duration', args.flags.get('duration') ?? '5s');
  if (!Number.isFinite(durationMs)) throw new UsageError('--duration must be finite');
  const quiet = args.flags.has('quiet');
  const exploreText = args.flags.get('explore');
  if (exploreText !== undefined) {
    const fixed = ['seed', 'faults', 'trace', 'hash'].filter((flag) => args.flags.has(flag));
    if (fixed.length > 0) throw new UsageError(`--explore generates seeds and schedules; it takes no ${fixed.map((flag) => `--${flag}`).join(', ')}`);
    return {
      kind: 'explore',
      options: {
        runs: parseInteger('explore', exploreText, 1, 100_000_000),
        fcSeed: parseFcSeed(args.flags.get('fc-seed')),
        maxFaults: parseInteger('max-faults', args.flags.get('max-faults') ?? String(DEFAULT_MAX_FAULTS), 0, 1_000),
        clients,
        durationMs,
        quiet,
      },
      workers: parseInteger('workers', args.flags.get('workers') ?? '1', 1, MAX_WORKERS),
    };
  }
  const onlyExplore = ['fc-seed', 'max-faults', 'workers'].filter((flag) => args.flags.has(flag));
  if (onlyExplore.length > 0) {
    throw new UsageError(`${onlyExplore.map((flag) => `--${flag}`).join(' and ')} ${onlyExplore.length === 1 ? 'goes' : 'go'} only with --explore`);
  }
  const seedText = args.flags.get('seed');
  return {
    kind: 'run',
    seed: seedText === undefined ? randomInt(0, 0xffff_ffff) : parseInteger('seed', seedText, 0, 0xffff_ffff),
    faultsText: args.flags.get('faults'),
    trace: args.flags.get('trace'),
    clients,
    durationMs,
    hash: args.flags.has('hash'),
    quiet,
  };
}

/** One run, or an exploration: the exit code (later, when worker threads explore). */
function simulate(scenario: Scenario, plan: SimPlan): number | Promise<number> {
  if (plan.kind === 'explore') {
    return plan.workers === 1 ? explore(scenario, plan.options) : exploreInWorkers(scenario.name, plan.options, plan.workers);
  }
  const { seed, clients, durationMs, quiet } = plan;
  let faults: FaultSchedule = [];
  if (plan.faultsText !== undefined) {
    try {
      faults = parseFaultSchedule(JSON.parse(plan.faultsText), new Set(scenario.nodes(clients)));
    } catch (error) {
      throw new UsageError(`--faults: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const trace = plan.trace;
  const config: ScenarioConfig = {
    seed,
    faults,
    clients,
    durationMs,
    hashTrace: plan.hash,
    ...(trace !== undefined && {
      observer: traceObserver(trace, (line) => process.stdout.write(`${line}\n`)),
    }),
    ...(!quiet && {
      progressEvery: PROGRESS_EVERY,
      // Wall time only decides when to print: the run itself never reads a clock.
      progress: throttled<WorldStats>(PROGRESS_INTERVAL_MS, (stats) => {
        process.stderr.write(`sim: ${(stats.time / 1000).toFixed(1)} s virtual, ${stats.dispatcherEvents} dispatcher events, ${stats.faultsApplied} faults\n`);
      }),
    }),
  };
  const report = scenario.run(config);
  process.stdout.write(`${formatReport(scenario.name, config, report)}\n`);
  if (report.violations.length === 0) return 0;
  process.stdout.write(`replay: ${replayCommand(scenario.name, config)}\n`);
  return 1;
}
