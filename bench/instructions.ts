// Instructions per dispatcher event of the simulator (the handshake scenario, 1,000 clients),
// counted instead of timed. This VM's wall clock moves ±7% between identical runs, more than
// most single changes; callgrind's instruction count under `node --predictable` (one thread,
// GC at fixed points) repeats to ~0.2%. Two counts that differ only in how many runs they
// measure cancel the warm-up and the compiler out:
//
//   node dist/bench/instructions.js            # needs valgrind; ~5 minutes
//
// Two builds differ by up to ~2% from V8's inlining and code layout alone, and counts leave
// out cache misses, which a 1,000-client run has many of: a guide to what a change removes
// when it is bigger than that, not a timing. Timings come from `node dist/bench/sim.js`.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { handshakeScenario } from '../src/sim/handshake-scenario.js';

const CLIENTS = 1_000;
/** Enough that the measured runs compile nothing: 8 left ~10% of their instructions in TurboFan. */
const WARMUP_RUNS = 20;
const FEWER_RUNS = 4;
const MORE_RUNS = 12;

/** In the child, under valgrind: warm up, run `runs` seeds, print their dispatcher events. */
function child(runs: number): void {
  const run = (seed: number) =>
    handshakeScenario.run({ seed, faults: [], clients: CLIENTS, durationMs: 5_000, invariants: false });
  for (let i = 0; i < WARMUP_RUNS; i++) run(100 + (i % 10));
  let events = 0;
  for (let i = 0; i < runs; i++) events += run(1 + i).stats.dispatcherEvents;
  process.stdout.write(`${events}\n`);
}

interface Count {
  readonly events: number;
  readonly instructions: number;
}

function count(runs: number): Count {
  const self = fileURLToPath(import.meta.url);
  const result = spawnSync(
    'valgrind',
    ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, '--predictable', '--hash-seed=1', '--random-seed=1', self, '--child', String(runs)],
    { encoding: 'utf8' },
  );
  if (result.error !== undefined) throw new Error(`cannot run valgrind (apt-get install valgrind): ${result.error.message}`);
  const collected = /Collected : (\d+)/.exec(result.stderr);
  const events = Number(result.stdout.trim());
  if (result.status !== 0 || collected === null || !Number.isFinite(events)) {
    throw new Error(`valgrind run failed (exit ${result.status}):\n${result.stderr.slice(-2000)}`);
  }
  return { events, instructions: Number(collected[1]) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--child');
  if (at >= 0) {
    child(Number(process.argv[at + 1]));
  } else {
    const fewer = count(FEWER_RUNS);
    const more = count(MORE_RUNS);
    const events = more.events - fewer.events;
    const perEvent = (more.instructions - fewer.instructions) / events;
    process.stdout.write(
      `${Math.round(perEvent)} instructions per dispatcher event (${MORE_RUNS - FEWER_RUNS} runs, ${events} events, ${CLIENTS} clients)\n`,
    );
  }
}
