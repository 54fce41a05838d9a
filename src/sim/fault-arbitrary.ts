// fast-check arbitraries of fault schedules: which fault, when, on which nodes. Times and
// durations are whole milliseconds so printed schedules are short; entries are sorted by
// time. Shrinking drops entries, moves them earlier and shortens them, and every shrunk
// schedule is still valid (each fault carries its own duration).

import fc from 'fast-check';
import type { Fault, ScheduledFault } from '../drivers/sim/faults.js';

export interface FaultArbitraryOptions {
  readonly nodes: readonly string[];
  /** Faults fall in [0, durationMs]. */
  readonly durationMs: number;
  readonly maxFaults?: number;
  /** Longest partition, hold, refusal or downtime. */
  readonly maxOutageMs?: number;
  /** The node most traffic goes through (a server): links touching it are picked more often. */
  readonly hub?: string;
}

export function faultArbitrary(options: FaultArbitraryOptions): fc.Arbitrary<Fault> {
  const node = fc.constantFrom(...options.nodes);
  const anyPair = fc.tuple(node, node).filter(([a, b]) => a !== b);
  const hub = options.hub;
  const others = options.nodes.filter((name) => name !== hub);
  const pair =
    hub === undefined || others.length === 0
      ? anyPair
      : fc.oneof(
          { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...others), fc.boolean()).map(([other, out]): [string, string] => (out ? [hub, other] : [other, hub])) },
          { weight: 1, arbitrary: anyPair },
        );
  const outage = fc.integer({ min: 1, max: options.maxOutageMs ?? 3_000 });
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .tuple(pair, fc.boolean(), outage)
        .map(([[a, b], oneWay, durationMs]): Fault => ({ type: 'partition', a, b, oneWay, durationMs })),
    },
    { weight: 2, arbitrary: fc.tuple(pair, outage).map(([[from, to], durationMs]): Fault => ({ type: 'hold', from, to, durationMs })) },
    { weight: 2, arbitrary: fc.record({ type: fc.constant('reset' as const), node, pick: fc.nat({ max: 31 }) }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('refuse' as const), node, durationMs: outage }) },
    { weight: 2, arbitrary: fc.record({ type: fc.constant('crash' as const), node, downMs: outage }) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(pair, fc.integer({ min: 0, max: 1_500 }), fc.integer({ min: 0, max: 50 }))
        .map(([[from, to], latencyMs, jitterMs]): Fault => ({ type: 'latency', from, to, latencyMs, jitterMs })),
    },
  );
}

export function faultScheduleArbitrary(options: FaultArbitraryOptions): fc.Arbitrary<ScheduledFault[]> {
  const entry = fc.record({ at: fc.integer({ min: 0, max: options.durationMs }), fault: faultArbitrary(options) });
  return fc
    .array(entry, { maxLength: options.maxFaults ?? 6 })
    .map((entries) => [...entries].sort((x, y) => x.at - y.at));
}
