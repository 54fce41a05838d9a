// The effect vocabulary as XState action implementations. A protocol machine is written
// with `setup({ actions: effectActions, ... })` and names effects as parameterized
// actions, e.g. `{ type: 'write', params: ({ event }) => ({ data: event.bytes }) }`.
// The implementations do nothing on purpose: statewire's compiler turns each such action
// into an `Effect` value that the dispatcher carries out; XState's interpreter is only used
// as the reference in the differential test.

import type { EffectParams, EffectType } from '../core/effects.js';

type EffectAction<T extends EffectType> = (_args: unknown, _params: EffectParams<T>) => void;

function effect<T extends EffectType>(): EffectAction<T> {
  return () => {};
}

export const effectActions = {
  write: effect<'write'>(),
  close: effect<'close'>(),
  shutdown: effect<'shutdown'>(),
  pauseReading: effect<'pauseReading'>(),
  resumeReading: effect<'resumeReading'>(),
  connect: effect<'connect'>(),
  listen: effect<'listen'>(),
  stopListening: effect<'stopListening'>(),
  startTimer: effect<'startTimer'>(),
  cancelTimer: effect<'cancelTimer'>(),
  send: effect<'send'>(),
  broadcast: effect<'broadcast'>(),
  log: effect<'log'>(),
  persist: effect<'persist'>(),
} satisfies { [T in EffectType]: EffectAction<T> };
