// `statewire sim <scenario> --seed N [--clients K] [--duration DUR] [--faults JSON]`: run a
// scenario in the deterministic simulator and print the summary. The same arguments give
// the same run, so this is also how a failing property test's seed is replayed. Exit code
// 1 when an invariant failed.

import { randomInt } from 'node:crypto';
import { parseFaultSchedule } from '../../drivers/sim/faults.js';
import type { FaultSchedule } from '../../drivers/sim/faults.js';
import { handshakeScenario } from '../../sim/handshake-scenario.js';
import type { Scenario, ScenarioConfig } from '../../sim/scenario.js';
import { formatReport, replayCommand } from '../../sim/scenario.js';
import { parseDuration, parseInteger, rejectExtraArguments, rejectUnknownFlags, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { parseCommandArgs } from '../command.js';

const SCENARIOS: readonly Scenario[] = [handshakeScenario];

/** World events between looks at the wall clock; a progress line at most once a second. */
const PROGRESS_EVERY = 50_000;
const PROGRESS_INTERVAL_MS = 1_000;

function help(): string {
  return [
    'usage: statewire sim <scenario> [--seed N] [--clients K] [--duration DUR] [--faults JSON] [--hash] [--quiet]',
    '',
    ...SCENARIOS.map((scenario) => `  ${scenario.name.padEnd(12)} ${scenario.summary}`),
    '',
    '  --seed N         32-bit seed deciding every random choice (default: a random one, printed)',
    '  --clients K      client machines (default 10)',
    '  --duration DUR   virtual time over which clients start and faults fall (default 5s); the run then settles',
    '  --faults JSON    fault schedule: [{"at":ms,"fault":{"type":"partition","a":"server","b":"client1","oneWay":false,"durationMs":1500}}, ...]',
    '                   types: partition, hold, reset, refuse, crash, latency (see docs/simulation.md)',
    '  --hash           print the SHA-256 of the full trace (same arguments, same hash)',
    '  --quiet          no progress lines',
  ].join('\n');
}

export const simCommand: Command = {
  name: 'sim',
  synopsis: 'sim <scenario> --seed N [--faults JSON]',
  summary: 'run a scenario in the deterministic network simulator',
  run(argv) {
    const args = parseCommandArgs(argv, help, ['hash', 'quiet']);
    if (args === null) return 0;
    const [name] = args.positionals;
    const scenario = SCENARIOS.find((candidate) => candidate.name === name);
    if (scenario === undefined) {
      throw new UsageError(`sim needs a scenario, one of: ${SCENARIOS.map((s) => s.name).join(', ')}${name === undefined ? '' : ` (got "${name}")`}`);
    }
    rejectExtraArguments(args, 1);
    rejectUnknownFlags(args, ['seed', 'clients', 'duration', 'faults', 'hash', 'quiet'], 'sim (see statewire sim --help)');
    const seedText = args.flags.get('seed');
    const seed = seedText === undefined ? randomInt(0, 0xffff_ffff) : parseInteger('seed', seedText, 0, 0xffff_ffff);
    const clients = parseInteger('clients', args.flags.get('clients') ?? '10', 1, 1_000_000);
    const durationMs = parseDuration('duration', args.flags.get('duration') ?? '5s');
    if (!Number.isFinite(durationMs)) throw new UsageError('--duration must be finite');
    let faults: FaultSchedule = [];
    const faultsText = args.flags.get('faults');
    if (faultsText !== undefined) {
      try {
        faults = parseFaultSchedule(JSON.parse(faultsText), new Set(scenario.nodes(clients)));
      } catch (error) {
        throw new UsageError(`--faults: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const quiet = args.flags.has('quiet');
    // Wall time only decides when to print: the run itself never reads a clock.
    let lastProgress = performance.now();
    const config: ScenarioConfig = {
      seed,
      faults,
      clients,
      durationMs,
      hashTrace: args.flags.has('hash'),
      ...(!quiet && {
        progressEvery: PROGRESS_EVERY,
        progress: (stats) => {
          if (performance.now() - lastProgress < PROGRESS_INTERVAL_MS) return;
          lastProgress = performance.now();
          process.stderr.write(`sim: ${(stats.time / 1000).toFixed(1)} s virtual, ${stats.dispatcherEvents} dispatcher events, ${stats.faultsApplied} faults\n`);
        },
      }),
    };
    const report = scenario.run(config);
    process.stdout.write(`${formatReport(scenario.name, config, report)}\n`);
    if (report.violations.length === 0) return 0;
    process.stdout.write(`replay: ${replayCommand(scenario.name, config)}\n`);
    return 1;
  },
};
