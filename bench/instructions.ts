// Instructions per dispatcher event of the simulator (the handshake scenario, 1,000 clients),
// counted instead of timed. This VM's wall clock moves ±7% between identical runs, more than
// most single changes; callgrind's instruction count under `node --predictable` (one thread,
// GC at fixed points) repeats to ~0.2%. Two counts that differ only in how many runs they
// measure cancel the warm-up and the compiler out:
//
//   node dist/bench/instructions.js            # needs valgrind; ~5 minutes
//
// The count is split by where the instructions ran. The garbage collector's share moves
// with a build's allocation sizes, which shift when scavenges fall against the run (two
// builds of one change differed by 190 instructions per event there, ~3%, with 50 in the
// rest); the compilers' share stays at ~2% after the warm-up. Compare builds by the rest
// (JavaScript, builtins, the runtime), and read the collector's share as its own figure.
// Counts leave out cache misses, which a 1,000-client run has many of: a guide to what a
// change removes, not a timing. Timings come from `node dist/bench/sim.js`.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { handshakeScenario } from '../src/sim/handshake-scenario.js';

const CLIENTS = 1_000;
/** 8 left ~10% of the measured runs' instructions in the compilers, 20 leave ~2% (printed apart). */
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
  /** Of them, in V8's garbage collector (all its threads) and in its compilers. */
  readonly collector: number;
  readonly compilers: number;
}

/** V8's C++ symbols of each part (JIT code has none: callgrind shows it as `???:0x...`). */
const COLLECTOR = /Scaveng|MarkCompact|Marking|Evacuat|Sweep|heap::|Heap::|MemoryChunk|GCTracer|PagedSpace|NewSpace|SemiSpace/;
const COMPILERS = /compiler::|maglev::|baseline::|Compiler::|Pipeline|Turbofan|Parser::|Bytecode/;

function count(runs: number): Count {
  const self = fileURLToPath(import.meta.url);
  const dir = mkdtempSync(join(tmpdir(), 'statewire-callgrind-'));
  const file = join(dir, 'callgrind.out');
  try {
    const result = spawnSync(
      'valgrind',
      ['--tool=callgrind', `--callgrind-out-file=${file}`, process.execPath, '--predictable', '--hash-seed=1', '--random-seed=1', self, '--child', String(runs)],
      { encoding: 'utf8' },
    );
    if (result.error !== undefined) throw new Error(`cannot run valgrind (apt-get install valgrind): ${result.error.message}`);
    const collected = /Collected : (\d+)/.exec(result.stderr);
    const events = Number(result.stdout.trim());
    if (result.status !== 0 || collected === null || !Number.isFinite(events)) {
      throw new Error(`valgrind run failed (exit ${result.status}):\n${result.stderr.slice(-2000)}`);
    }
    const annotated = spawnSync('callgrind_annotate', ['--threshold=100', file], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    if (annotated.status !== 0) throw new Error(`callgrind_annotate failed (exit ${annotated.status}): ${annotated.stderr}`);
    let collector = 0;
    let compilers = 0;
    for (const line of annotated.stdout.split('\n')) {
      // "  1,234,567 ( 1.23%)  ???:v8::internal::Scavenger::Process(...) [/usr/bin/node]"
      const match = /^\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$/.exec(line);
      if (match === null || (match[2] as string).includes('PROGRAM TOTALS')) continue;
      const instructions = Number((match[1] as string).replaceAll(',', ''));
      if (COLLECTOR.test(match[2] as string)) collector += instructions;
      else if (COMPILERS.test(match[2] as string)) compilers += instructions;
    }
    return { events, instructions: Number(collected[1]), collector, compilers };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--child');
  if (at >= 0) {
    child(Number(process.argv[at + 1]));
  } else {
    const fewer = count(FEWER_RUNS);
    const more = count(MORE_RUNS);
    const events = more.events - fewer.events;
    const per = (key: keyof Omit<Count, 'events'>): number => Math.round((more[key] - fewer[key]) / events);
    const total = per('instructions');
    const collector = per('collector');
    const compilers = per('compilers');
    process.stdout.write(
      `${total} instructions per dispatcher event (${MORE_RUNS - FEWER_RUNS} runs, ${events} events, ${CLIENTS} clients): ` +
        `${total - collector - compilers} in JavaScript, builtins and the runtime, ${collector} in the garbage collector, ${compilers} in the compilers\n`,
    );
  }
}
