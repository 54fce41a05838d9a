// "No timer survives its state": an XState `after` timer (named
// `xstate.after.<delay>.<machine id>.<state path>`) may be armed only while its state is
// active. Tracked from the effects in the trace: startTimer arms, cancelTimer disarms, and
// the timer's own event (it fires once) disarms.

import type { Invariant, InvariantContext } from './invariant.js';

const AFTER = 'xstate.after.';

/** The state path below the machine root that an `after` timer belongs to, or null for other timers. */
export function afterTimerState(name: string): string | null {
  if (!name.startsWith(AFTER)) return null;
  // <delay>.<machine id>.<path>: the delay and the machine id are single segments here.
  const parts = name.slice(AFTER.length).split('.');
  return parts.length >= 3 ? parts.slice(2).join('.') : null;
}

function active(statePath: string, leaf: string): boolean {
  return leaf === statePath || leaf.startsWith(`${statePath}.`);
}

export function timerScope() {
  return (context: InvariantContext): Invariant => {
    const armed = new Map<string, Set<string>>();
    const key = (node: string, incarnation: number, machine: string) => `${node}~${incarnation}/${machine}`;
    return {
      name: 'timer-scope',
      step({ node, incarnation, step }) {
        const id = key(node, incarnation, step.machine);
        let timers = armed.get(id);
        timers?.delete(step.event.type);
        for (const effect of step.effects) {
          if (effect.type === 'startTimer' && afterTimerState(effect.name) !== null) {
            if (timers === undefined) armed.set(id, (timers = new Set()));
            timers.add(effect.name);
          } else if (effect.type === 'cancelTimer') {
            timers?.delete(effect.name);
          }
        }
        if (timers === undefined) return;
        for (const name of timers) {
          context.check();
          const state = afterTimerState(name) as string;
          if (!active(state, step.to)) {
            context.fail(`${id}: timer ${name} is still armed in state ${step.to}`);
            return;
          }
        }
      },
      retire(node, incarnation, machine) {
        armed.delete(key(node, incarnation, machine));
      },
      crash(node, incarnation) {
        const prefix = `${node}~${incarnation}/`;
        for (const id of [...armed.keys()]) if (id.startsWith(prefix)) armed.delete(id);
      },
    };
  };
}
