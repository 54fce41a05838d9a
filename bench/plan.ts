// What a run measures and for how long. The full plan is issue 4's matrix and fits in
// 10 minutes; --quick keeps one cell per axis extreme and fits in 1 minute (what CI may run).

import type { EchoCell, EchoTiming } from './loadgen.js';

export type Section = 'echo' | 'idle' | 'timers' | 'step' | 'sim';
const SECTIONS: readonly Section[] = ['echo', 'idle', 'timers', 'step', 'sim'];

export interface Plan {
  readonly quick: boolean;
  /** Repetitions of every idle run and timer run; the report gives the median. */
  readonly reps: number;
  /**
   * node:net/statewire pairs per echo cell (the C reference runs once per cell). Echo
   * throughput moves ±20% between seconds on a shared machine, so the verdict is the
   * median of ratios taken within a pair, and more pairs buy a steadier median.
   */
  readonly echoPairs: number;
  readonly sections: ReadonlySet<Section>;
  readonly echoCells: readonly EchoCell[];
  readonly echoTiming: EchoTiming;
  /** Idle connection counts; counts above what the fd limit allows are reported as skipped. */
  readonly idleConnections: readonly number[];
  readonly idleHoldS: number;
  readonly idleStatusIntervalMs: number;
  readonly timers: number;
  /** Timer deadlines fall in [lead, lead + spread] ms after arming; the lead covers arming them all. */
  readonly timerLeadMs: number;
  readonly timerSpreadMs: number;
  /** Events per runner of bench/step.ts (fast runners; the XState ones get a tenth and a fiftieth). */
  readonly stepEvents: number;
  /** Run the statewire server under `node --cpu-prof` and summarize where it spent its time. */
  readonly profile: boolean;
  /** Where the report goes; null: docs/benchmarks.md for a full run, a temporary file for --quick. */
  readonly out: string | null;
  /** Measure nothing: render the report again from the figures the last run saved beside it (after editing findings.md). */
  readonly render: boolean;
}

const FULL_CELLS: readonly EchoCell[] = [1, 64, 1000].flatMap((connections) =>
  [64, 4096].flatMap((size) => [1, 16].map((inflight) => ({ connections, size, inflight }))),
);

const QUICK_CELLS: readonly EchoCell[] = [
  { connections: 1, size: 64, inflight: 1 },
  { connections: 64, size: 64, inflight: 16 },
  { connections: 1000, size: 4096, inflight: 1 },
];

const USAGE = `usage: npm run bench -- [--quick] [--reps N] [--only echo,idle,timers,step,sim] [--profile] [--out FILE] [--render]`;

export function parsePlan(argv: readonly string[]): Plan {
  let quick = false;
  let reps: number | null = null;
  let sections = new Set<Section>(SECTIONS);
  let profile = false;
  let out: string | null = null;
  let render = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      return next;
    };
    if (arg === '--quick') quick = true;
    else if (arg === '--profile') profile = true;
    else if (arg === '--render') render = true;
    else if (arg === '--reps') {
      reps = Number(value());
      if (!Number.isSafeInteger(reps) || reps < 1 || reps > 20) throw new Error(`--reps must be 1 to 20\n${USAGE}`);
    } else if (arg === '--only') {
      const names = value().split(',');
      const unknown = names.filter((name) => !(SECTIONS as readonly string[]).includes(name));
      if (unknown.length > 0) throw new Error(`--only: unknown section ${unknown.join(', ')}\n${USAGE}`);
      sections = new Set(names as Section[]);
    } else if (arg === '--out') out = value();
    else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  return {
    quick,
    reps: reps ?? (quick ? 1 : 3),
    echoPairs: reps ?? (quick ? 1 : 5),
    sections,
    echoCells: quick ? QUICK_CELLS : FULL_CELLS,
    echoTiming: quick ? { warmupS: 0.25, durationS: 1 } : { warmupS: 0.5, durationS: 1.5 },
    idleConnections: quick ? [2_000] : [10_000, 50_000],
    idleHoldS: quick ? 3 : 10,
    idleStatusIntervalMs: quick ? 1_000 : 5_000,
    timers: 10_000,
    timerLeadMs: quick ? 500 : 1_000,
    timerSpreadMs: quick ? 1_000 : 2_000,
    stepEvents: quick ? 200_000 : 1_000_000,
    profile,
    out,
    render,
  };
}

/** `items` rotated by `by`: each repetition starts with a different configuration, so none is always first. */
export function rotate<T>(items: readonly T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}
