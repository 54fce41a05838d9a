// A CompiledMachine written by hand as a switch, so the dispatcher can be tested apart
// from the XState compiler (which has its own differential test).

import { createMachine } from 'xstate';
import type { Effect } from '../../src/core/effects.js';
import type { AnyEventObject } from '../../src/core/events.js';
import type { CompiledMachine, CompiledSnapshot, StepResult } from '../../src/machine/compiled.js';

export interface HandStep<C> {
  state: string;
  context: C;
  effects?: Effect[];
  done?: boolean;
}

export function handMachine<C>(
  id: string,
  initial: (input: unknown) => HandStep<C>,
  step: (state: string, context: C, event: AnyEventObject) => HandStep<C> | null,
): CompiledMachine<C> {
  const result = (s: HandStep<C>): StepResult<C> => ({
    snapshot: { value: s.state, state: s.state, context: s.context, status: s.done === true ? 'done' : 'active' },
    effects: s.effects ?? [],
  });
  return {
    id,
    definition: createMachine({ id }),
    initial: (input) => result(initial(input)),
    step(snapshot: CompiledSnapshot<C>, event) {
      const next = step(snapshot.state, snapshot.context, event);
      return next === null ? { snapshot, effects: [] } : result(next);
    },
  };
}
