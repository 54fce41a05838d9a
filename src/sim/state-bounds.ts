// "Never stuck": each bounded state of a machine is left within its bound, measured on the
// node's own clock (the one its timers run on). Checked when the machine leaves the state
// and, for a machine that takes no step at all, at every sweep. A machine on a crashed node
// is forgotten with it.

import type { Invariant, InvariantContext } from './invariant.js';
import { machineId, PerMachine } from './per-machine.js';

export interface StateBound {
  /** Longest stay, node ms. */
  readonly maxMs: number;
  /** The stay restarts at every step in the state (an idle timeout restarted by traffic). */
  readonly sinceLastStep?: boolean;
}

export interface StateBoundsSpec {
  /** Which machines are bounded: by trace machine id. */
  readonly applies: (node: string, machine: string) => boolean;
  /** Bounds by leaf state name (as in TraceStep.to); states without one are unbounded. */
  readonly bounds: Readonly<Record<string, StateBound>>;
  /** Slack for float rounding between world and node clocks. */
  readonly toleranceMs?: number;
}

interface Tracked {
  readonly node: string;
  state: string;
  since: number;
}

export function stateBounds(spec: StateBoundsSpec) {
  const tolerance = spec.toleranceMs ?? 1;
  return (context: InvariantContext): Invariant => {
    const tracked = new PerMachine<Tracked>();
    const over = (entry: Tracked, now: number): number | null => {
      const bound = spec.bounds[entry.state];
      if (bound === undefined) return null;
      return now - entry.since > bound.maxMs + tolerance ? bound.maxMs : null;
    };
    return {
      name: 'state-bounds',
      step({ node, nodeKey, step }) {
        if (!spec.applies(node, step.machine)) return;
        const entry = tracked.get(nodeKey, step.machine);
        if (entry !== undefined) {
          context.check();
          const exceeded = over(entry, step.time);
          if (exceeded !== null) {
            context.fail(`${machineId(nodeKey, step.machine)} stayed ${(step.time - entry.since).toFixed(1)} ms in ${entry.state} (bound ${exceeded} ms)`);
          }
          if (entry.state !== step.to || spec.bounds[step.to]?.sinceLastStep === true) {
            entry.state = step.to;
            entry.since = step.time;
          }
        } else {
          tracked.set(nodeKey, step.machine, { node, state: step.to, since: step.time });
        }
      },
      retire(node, incarnation, machine) {
        tracked.delete(node, incarnation, machine);
      },
      crash(node, incarnation) {
        tracked.deleteIncarnation(node, incarnation);
      },
      sweep() {
        tracked.forEach((entry, nodeKey, machine) => {
          const now = context.world.nodeTime(entry.node);
          if (now === null) return true;
          context.check();
          const exceeded = over(entry, now);
          if (exceeded === null) return true;
          const id = machineId(nodeKey, machine);
          context.fail(`${id} has been in ${entry.state} for ${(now - entry.since).toFixed(1)} ms (bound ${exceeded} ms): stuck`);
          return false;
        });
      },
    };
  };
}
