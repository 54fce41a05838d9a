// Timer precision probe, run as its own process pinned to the server core: arms N timers
// with random deadlines through the dispatcher (one compiled machine per timer, over the
// real net driver's single host timer), then the same deadlines with plain setTimeout, and
// prints how late each fired, in milliseconds, as one JSON line.
//
// No deadline falls before --lead-ms: arming 10k timers takes tens of milliseconds, and a
// timer due while the others are still being armed would measure the arming, not the timer.
//
//   node dist/bench/timer-precision.js --timers 10000 --lead-ms 1000 --spread-ms 2000 --seed 1

import { performance } from 'node:perf_hooks';
import { setup } from 'xstate';
import { Dispatcher } from '../src/dispatcher/dispatcher.js';
import { NetDriver } from '../src/drivers/net/net-driver.js';
import { Prng } from '../src/drivers/sim/prng.js';
import { compileMachine } from '../src/machine/compile.js';
import { effectActions } from '../src/machine/effect-actions.js';
import { percentileOfSorted } from './stats.js';

export interface LatenessFigures {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly fired: number;
  /** How long arming them all took; the figures are only about timers while this is below the lead. */
  readonly armMs: number;
}

export interface TimerPrecisionReport {
  readonly timers: number;
  readonly leadMs: number;
  readonly spreadMs: number;
  readonly statewire: LatenessFigures;
  readonly node: LatenessFigures;
}

/** Arms one timer on entry; its firing ends the machine. */
const probe = setup({
  types: {
    context: {} as { readonly delayMs: number },
    events: {} as { readonly type: 'timeout'; readonly timer: string },
    input: {} as { readonly delayMs: number },
  },
  actions: effectActions,
}).createMachine({
  id: 'timer-probe',
  context: ({ input }) => ({ delayMs: input.delayMs }),
  initial: 'armed',
  states: {
    armed: {
      entry: { type: 'startTimer', params: ({ context }) => ({ name: 'deadline', delayMs: context.delayMs }) },
      on: { timeout: 'fired' },
    },
    fired: { type: 'final' },
  },
});

function figures({ lateness, armMs }: Measured): LatenessFigures {
  const sorted = lateness.sort((a, b) => a - b);
  return {
    p50Ms: percentileOfSorted(sorted, 0.5),
    p99Ms: percentileOfSorted(sorted, 0.99),
    maxMs: sorted[sorted.length - 1] ?? Number.NaN,
    fired: sorted.length,
    armMs,
  };
}

interface Measured {
  readonly lateness: number[];
  readonly armMs: number;
}

function measureStatewire(delays: readonly number[]): Promise<Measured> {
  const driver = new NetDriver();
  const deadlines = new Map<string, number>();
  const lateness: number[] = [];
  let armMs = Number.NaN;
  return new Promise((resolve) => {
    const dispatcher = new Dispatcher({
      driver,
      // The trace hook runs as the machine steps on its timeout: that is when it "fires".
      trace: (step) => {
        if (step.event.type !== 'timeout') return;
        lateness.push(step.time - (deadlines.get(step.machine) ?? Number.NaN));
        if (lateness.length === delays.length) resolve({ lateness, armMs });
      },
    });
    dispatcher.register('timer-probe', compileMachine(probe));
    const started = performance.now();
    delays.forEach((delayMs, i) => {
      const id = `timer-${i}`;
      // A spawn is stepped synchronously, so the timer is armed within microseconds of this.
      deadlines.set(id, driver.now() + delayMs);
      dispatcher.spawn(id, 'timer-probe', { delayMs });
    });
    armMs = performance.now() - started;
  });
}

function measureNode(delays: readonly number[]): Promise<Measured> {
  const lateness: number[] = [];
  let armMs = Number.NaN;
  return new Promise((resolve) => {
    const started = performance.now();
    for (const delayMs of delays) {
      const due = performance.now() + delayMs;
      setTimeout(() => {
        lateness.push(performance.now() - due);
        if (lateness.length === delays.length) resolve({ lateness, armMs });
      }, delayMs);
    }
    armMs = performance.now() - started;
  });
}

async function measureTimerPrecision(timers: number, leadMs: number, spreadMs: number, seed: number): Promise<TimerPrecisionReport> {
  const prng = new Prng(seed);
  // Whole milliseconds, as setTimeout takes them, so both sides get the same deadlines.
  const delays = Array.from({ length: timers }, () => leadMs + prng.int(spreadMs + 1));
  const statewire = figures(await measureStatewire(delays));
  const node = figures(await measureNode(delays));
  return { timers, leadMs, spreadMs, statewire, node };
}

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i === -1 ? fallback : Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

const report = await measureTimerPrecision(flag('timers', 10_000), flag('lead-ms', 1_000), flag('spread-ms', 2_000), flag('seed', 1));
process.stdout.write(`${JSON.stringify(report)}\n`);
