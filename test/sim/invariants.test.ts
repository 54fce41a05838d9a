// The reusable invariants on hand-made steps: each must fail exactly when its property is
// broken, name the machine incarnation, and forget machines that retired or crashed.

import { describe, expect, it } from 'vitest';
import type { Effect } from '../../src/core/effects.js';
import type { SimStep, SimWorld } from '../../src/drivers/sim/world.js';
import { incarnationKey } from '../../src/drivers/sim/world.js';
import type { Invariant, InvariantFactory } from '../../src/sim/invariant.js';
import { stateBounds } from '../../src/sim/state-bounds.js';
import { afterTimerState, timerScope } from '../../src/sim/timer-scope.js';

const CONNECTED_TIMER = 'xstate.after.1000.client.connected';

interface Harness {
  readonly invariant: Invariant;
  readonly failures: string[];
  /** Node clocks the sweep reads; a missing node is down. */
  readonly clocks: Map<string, number>;
  step(at: number, machine: string, from: string, event: string, to: string, effects?: Effect[], incarnation?: number): void;
}

function harness(factory: InvariantFactory): Harness {
  const failures: string[] = [];
  const clocks = new Map<string, number>();
  const world = { nodeTime: (node: string) => clocks.get(node) ?? null } as unknown as SimWorld;
  const invariant = factory({ world, fail: (message) => failures.push(message), check: () => {} });
  return {
    invariant,
    failures,
    clocks,
    step(at, machine, from, event, to, effects = [], incarnation = 1) {
      const step: SimStep = {
        worldTime: at,
        node: 'n',
        incarnation,
        nodeKey: incarnationKey('n', incarnation),
        step: { time: at, machine, from, event: { type: event }, to, effects },
      };
      invariant.step?.(step);
    },
  };
}

describe('afterTimerState', () => {
  it('reads the state path out of an XState after-timer name, and nothing out of other names', () => {
    expect(afterTimerState(CONNECTED_TIMER)).toBe('connected');
    expect(afterTimerState('xstate.after.500.client.connected.idle')).toBe('connected.idle');
    expect(afterTimerState('retry')).toBeNull();
  });
});

describe('timerScope', () => {
  const arm: Effect = { type: 'startTimer', name: CONNECTED_TIMER, delayMs: 1000 };

  it('accepts an after timer while its state or a state inside it is active', () => {
    const h = harness(timerScope());
    h.step(0, 'c1', 'awaitingAck', 'message', 'connected', [arm]);
    h.step(1, 'c1', 'connected', 'data', 'connected.idle');
    expect(h.failures).toEqual([]);
  });

  it('fails when the state is left with its timer armed, naming the incarnation', () => {
    const h = harness(timerScope());
    h.step(0, 'c1', 'awaitingAck', 'message', 'connected', [arm]);
    h.step(1, 'c1', 'connected', 'message', 'connectedLater');
    expect(h.failures).toEqual([`n~1/c1: timer ${CONNECTED_TIMER} is still armed in state connectedLater`]);
  });

  it('counts a cancelled or fired timer as disarmed', () => {
    const h = harness(timerScope());
    h.step(0, 'c1', 'awaitingAck', 'message', 'connected', [arm]);
    h.step(1, 'c1', 'connected', 'message', 'closing', [{ type: 'cancelTimer', name: CONNECTED_TIMER }]);
    h.step(2, 'c2', 'awaitingAck', 'message', 'connected', [arm]);
    h.step(3, 'c2', 'connected', CONNECTED_TIMER, 'closing');
    expect(h.failures).toEqual([]);
  });

  it('forgets a retired machine and a crashed incarnation', () => {
    const h = harness(timerScope());
    h.step(0, 'c1', 'awaitingAck', 'message', 'connected', [arm]);
    h.invariant.retire?.('n', 1, 'c1', { value: 'connected', state: 'connected', context: null, status: 'active' });
    h.step(1, 'c1', 'spawning', 'xstate.init', 'closing');
    h.step(2, 'c2', 'awaitingAck', 'message', 'connected', [arm]);
    h.invariant.crash?.('n', 1, 0);
    h.step(3, 'c2', 'spawning', 'xstate.init', 'closing', [], 2);
    h.step(4, 'c2', 'spawning', 'xstate.init', 'closing');
    expect(h.failures).toEqual([]);
  });
});

describe('stateBounds', () => {
  const bounds = stateBounds({
    applies: (_node, machine) => machine.startsWith('c'),
    bounds: { handshake: { maxMs: 1000 }, connected: { maxMs: 5000, sinceLastStep: true } },
  });

  it('fails when a machine leaves a bounded state too late', () => {
    const h = harness(bounds);
    h.step(0, 'c1', 'connecting', 'connected', 'handshake');
    h.step(900, 'c2', 'connecting', 'connected', 'handshake');
    h.step(1500, 'c1', 'handshake', 'message', 'awaitingAck');
    h.step(1800, 'c2', 'handshake', 'message', 'awaitingAck');
    expect(h.failures).toEqual(['n~1/c1 stayed 1500.0 ms in handshake (bound 1000 ms)']);
  });

  it('restarts the stay at every step where the bound says so, and ignores machines it does not apply to', () => {
    const h = harness(bounds);
    h.step(0, 'c1', 'awaitingAck', 'message', 'connected');
    h.step(4000, 'c1', 'connected', 'message', 'connected');
    h.step(8000, 'c1', 'connected', 'message', 'connected');
    h.step(0, 'server', 'idle', 'x', 'handshake');
    h.step(9000, 'server', 'handshake', 'x', 'idle');
    expect(h.failures).toEqual([]);
  });

  it('finds a machine stuck without a step at a sweep, on its node clock, unless the node is down', () => {
    const h = harness(bounds);
    h.step(0, 'c1', 'connecting', 'connected', 'handshake');
    h.step(0, 'c2', 'connecting', 'connected', 'handshake');
    h.invariant.retire?.('n', 1, 'c1', { value: 'handshake', state: 'handshake', context: null, status: 'active' });
    h.invariant.sweep?.(false);
    h.clocks.set('n', 900);
    h.invariant.sweep?.(false);
    expect(h.failures).toEqual([]);
    h.clocks.set('n', 1500);
    h.invariant.sweep?.(false);
    expect(h.failures).toEqual(['n~1/c2 has been in handshake for 1500.0 ms (bound 1000 ms): stuck']);
  });

  it('forgets a crashed incarnation', () => {
    const h = harness(bounds);
    h.step(0, 'c1', 'connecting', 'connected', 'handshake');
    h.invariant.crash?.('n', 1, 0);
    h.clocks.set('n', 5000);
    h.invariant.sweep?.(false);
    expect(h.failures).toEqual([]);
  });
});
