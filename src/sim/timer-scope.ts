// "No timer survives its state": an XState `after` timer (named
// `xstate.after.<delay>.<machine id>.<state path>`) may be armed only while its state is
// active. Tracked from the effects in the trace: startTimer arms, cancelTimer disarms, and
// the timer's own event (it fires once) disarms.

import type { Invariant, InvariantContext } from './invariant.js';
import { machineId, PerMachine } from './per-machine.js';

const AFTER = 'xstate.after.';
const DOT = 0x2e;

/** Parsed names: a machine's `after` timers are a handful of names re-armed on every state entry. */
const afterStates = new Map<string, string | null>();

/** The state path below the machine root that an `after` timer belongs to, or null for other timers. */
export function afterTimerState(name: string): string | null {
  if (!name.startsWith(AFTER)) return null;
  const cached = afterStates.get(name);
  if (cached !== undefined) return cached;
  // <delay>.<machine id>.<path>: the delay and the machine id are single segments here.
  const parts = name.slice(AFTER.length).split('.');
  const state = parts.length >= 3 ? parts.slice(2).join('.') : null;
  afterStates.set(name, state);
  return state;
}

/** Whether `leaf` is `statePath` or inside it, without building `${statePath}.`. */
function active(statePath: string, leaf: string): boolean {
  return leaf === statePath || (leaf.length > statePath.length && leaf.charCodeAt(statePath.length) === DOT && leaf.startsWith(statePath));
}

export function timerScope() {
  return (context: InvariantContext): Invariant => {
    const armed = new PerMachine<Set<string>>();
    return {
      name: 'timer-scope',
      step({ nodeKey, step }) {
        let timers = armed.get(nodeKey, step.machine);
        timers?.delete(step.event.type);
        for (const effect of step.effects) {
          if (effect.type === 'startTimer' && afterTimerState(effect.name) !== null) {
            if (timers === undefined) armed.set(nodeKey, step.machine, (timers = new Set()));
            timers.add(effect.name);
          } else if (effect.type === 'cancelTimer') {
            timers?.delete(effect.name);
          }
        }
        if (timers === undefined) return;
        for (const name of timers) {
          context.check();
          if (!active(afterTimerState(name) as string, step.to)) {
            context.fail(`${machineId(nodeKey, step.machine)}: timer ${name} is still armed in state ${step.to}`);
            return;
          }
        }
      },
      retire(node, incarnation, machine) {
        armed.delete(node, incarnation, machine);
      },
      crash(node, incarnation) {
        armed.deleteIncarnation(node, incarnation);
      },
    };
  };
}
