// V8 doubles its young generation (the semi-spaces scavenges copy between) whenever more
// bytes have survived scavenges since its last growth than it holds, and shrinks it again
// only after seconds of near-idle. Loading the CLI's modules (XState, the machines, the
// codecs) leaves ~2.5 MB of survivors once, which would have a server start serving with
// twice the young generation a plain node:net program runs: each scavenge then copies and
// sweeps twice as much, and the pauses land in the latency tail (docs/benchmarks.md).
// Holding the growth factor at 1 while the modules load keeps startup from sizing the
// heap; traffic grows it afterwards exactly as V8 would. The growth factor is read at each
// growth, so setting it at run time works; Node keeps V8's flags writable after startup for
// `v8.setFlagsFromString` (V8's flag freezing is disabled in Node's build).

import v8 from 'node:v8';

/** V8's default `--semi-space-growth-factor`, what the release restores. */
const V8_DEFAULT_GROWTH_FACTOR = 2;

/** A user who sizes the young generation on the command line or in NODE_OPTIONS keeps their sizing. */
const USER_SIZING = /--(?:max|min)[-_]semi[-_]space[-_]size|--semi[-_]space[-_]growth[-_]factor/;

/**
 * Stop V8 from growing its young generation until the returned function is called. Does
 * nothing when `execArgv` or `nodeOptions` already size the young generation.
 */
export function holdYoungGenerationGrowth(execArgv: readonly string[], nodeOptions: string | undefined): () => void {
  if (execArgv.some((arg) => USER_SIZING.test(arg)) || USER_SIZING.test(nodeOptions ?? '')) return () => {};
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  return () => v8.setFlagsFromString(`--semi-space-growth-factor=${V8_DEFAULT_GROWTH_FACTOR}`);
}
