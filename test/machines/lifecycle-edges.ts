// The edges that connectionLifecycle() gives every machine built on it, as one set of test
// cases: the root handlers in each open state, backpressure before and after `connected`,
// the handshake, ack, idle and linger timers, and the events `closing` ignores. Each machine's test file
// calls `lifecycleEdges(...)` once, so these edges are asserted (and covered) per machine
// without a copy of the tests in every file.

import { describe, expect, it } from 'vitest';
import type { AnyStateMachine } from 'xstate';
import type { LifecycleTimeouts } from '../../machines/connection-lifecycle.js';
import type { CloseReason } from '../../src/core/close-reason.js';
import type { CloseMode, Effect } from '../../src/core/effects.js';
import type { AnyEventObject } from '../../src/core/events.js';
import { Drive, bytes, cancelTimer, startTimer } from './harness.js';

/** The lifecycle's states before `closing`, in lifecycle order; a machine has a subset. */
export type OpenState = 'accepting' | 'connecting' | 'handshake' | 'awaitingAck' | 'connected' | 'draining';

const OPEN_STATES: readonly OpenState[] = ['accepting', 'connecting', 'handshake', 'awaitingAck', 'connected', 'draining'];

/** The state timer the lifecycle arms in each state that has one (see LifecycleTimeouts). */
const STATE_TIMERS: Partial<Record<OpenState | 'closing', string>> = {
  handshake: 'handshakeTimeout',
  awaitingAck: 'ackTimeout',
  connected: 'idleTimeout',
  closing: 'lingerTimeout',
};

export interface LifecycleMachine {
  readonly machine: AnyStateMachine;
  readonly input: unknown;
  /** What the input resolves to; only the idle and linger timers show in these edges. */
  readonly timeouts: Pick<LifecycleTimeouts, 'idleMs' | 'lingerMs'>;
  /**
   * The events that lead from the start to each state the machine has up to `connected`
   * (the initial state's path is `[]`). `draining` and `closing` are reached from `connected`.
   */
  readonly paths: Partial<Record<Exclude<OpenState, 'draining'>, readonly AnyEventObject[]>> & {
    readonly connected: readonly AnyEventObject[];
  };
}

const backpressure = { type: 'backpressure', bufferedBytes: 70_000 };

/** The root handlers that close gracefully from any open state, with the reason each gives. */
const closingEvents: readonly { event: AnyEventObject; reason: CloseReason }[] = [
  { event: { type: 'peer-closed' }, reason: { kind: 'peer-closed' } },
  // The codec's message becomes the reason's.
  { event: { type: 'protocol-error', message: 'line too long' }, reason: { kind: 'protocol-error', message: 'line too long' } },
  { event: { type: 'shutdown' }, reason: { kind: 'server-shutdown' } },
];

/** A fresh drive in `state`, checked to be there. */
export function reach(spec: LifecycleMachine, state: OpenState | 'closing'): Drive {
  const path =
    state === 'draining'
      ? [...spec.paths.connected, backpressure]
      : state === 'closing'
        ? [...spec.paths.connected, { type: 'peer-closed' }]
        : spec.paths[state];
  if (path === undefined) throw new Error(`${spec.machine.id} has no path to '${state}'`);
  const drive = Drive.start(spec.machine, spec.input, ...path);
  expect(drive.state, `the path to ${state}`).toBe(state);
  return drive;
}

/** The open states `spec` reaches, in lifecycle order. */
function openStates(spec: LifecycleMachine): OpenState[] {
  return OPEN_STATES.filter((state) => state === 'draining' || spec.paths[state] !== undefined);
}

function close(reason: CloseReason, mode: CloseMode = 'graceful'): Effect {
  return { type: 'close', reason, mode };
}

/**
 * Registers the lifecycle's edges of `spec.machine` as test cases. The expected effects
 * are exact: leaving a state cancels its timer, entering `closing` arms the linger timer.
 */
export function lifecycleEdges(spec: LifecycleMachine): void {
  const { machine, timeouts } = spec;
  const exit = (state: OpenState | 'closing'): Effect[] => {
    const timer = STATE_TIMERS[state];
    return timer === undefined ? [] : [cancelTimer(machine, timer, state)];
  };
  const armed = (timer: string, state: string, delayMs: number): Effect[] =>
    Number.isFinite(delayMs) ? [startTimer(machine, timer, state, delayMs)] : [];
  const armedLinger = armed('lingerTimeout', 'closing', timeouts.lingerMs);
  const armedIdle = armed('idleTimeout', 'connected', timeouts.idleMs);
  const open = openStates(spec);
  const beforeConnected = open.filter((state) => state !== 'connected' && state !== 'draining');

  describe(`${machine.id}: every open state closes the same way`, () => {
    for (const { event, reason } of closingEvents) {
      it.each(open)(`%s: ${event.type} -> closing, graceful close (${reason.kind})`, (state) => {
        const drive = reach(spec, state);
        expect(drive.send(event)).toEqual([...exit(state), close(reason), ...armedLinger]);
        expect(drive.state).toBe('closing');
      });
    }

    it.each(open)('%s: closed -> closed (final), nothing more to do', (state) => {
      const drive = reach(spec, state);
      expect(drive.send({ type: 'closed', reason: { kind: 'reset', code: 'ECONNRESET' } })).toEqual(exit(state));
      expect(drive.state).toBe('closed');
      expect(drive.status).toBe('done');
    });

    it.each(open)('%s: connect-failed -> closed (final), no close to issue', (state) => {
      const drive = reach(spec, state);
      const error = { code: 'ECONNREFUSED', message: 'connection refused' };
      expect(drive.send({ type: 'connect-failed', error })).toEqual(exit(state));
      expect(drive.state).toBe('closed');
      expect(drive.status).toBe('done');
    });

    it.each(open)('%s: unknown events change nothing', (state) => {
      const drive = reach(spec, state);
      expect(drive.send({ type: 'bogus' })).toEqual([]);
      expect(drive.send({ type: `xstate.after.nope.${machine.id}.connected` })).toEqual([]);
      expect(drive.state).toBe(state);
    });
  });

  describe(`${machine.id}: backpressure`, () => {
    // Before connected the state stays, so its own timer keeps running: no cancel, no re-arm.
    it.each(beforeConnected)('%s: backpressure pauses reading and stays; drained resumes it', (state) => {
      const drive = reach(spec, state);
      expect(drive.send(backpressure)).toEqual([{ type: 'pauseReading' }]);
      expect(drive.state).toBe(state);
      expect(drive.send({ type: 'drained' })).toEqual([{ type: 'resumeReading' }]);
      expect(drive.state).toBe(state);
    });

    it('connected: backpressure -> draining, reading paused and the idle timer stopped', () => {
      const drive = reach(spec, 'connected');
      expect(drive.send(backpressure)).toEqual([...exit('connected'), { type: 'pauseReading' }]);
      expect(drive.state).toBe('draining');
    });

    it('draining: drained -> connected, reading resumed and the idle timer re-armed', () => {
      const drive = reach(spec, 'draining');
      expect(drive.send({ type: 'drained' })).toEqual([{ type: 'resumeReading' }, ...armedIdle]);
      expect(drive.state).toBe('connected');
    });
  });

  describe(`${machine.id}: timers`, () => {
    // The protocol's own handshake and ack states get their timeout from the lifecycle.
    for (const [state, timer] of [['handshake', 'handshake'], ['awaitingAck', 'ack']] as const) {
      if (!open.includes(state)) continue;
      it(`${state}: ${timer} timeout closes with reason timeout(${timer})`, () => {
        const drive = reach(spec, state);
        expect(drive.fire(STATE_TIMERS[state] as string, state)).toEqual([
          ...exit(state),
          close({ kind: 'timeout', timer }),
          ...armedLinger,
        ]);
        expect(drive.state).toBe('closing');
      });
    }

    if (Number.isFinite(timeouts.idleMs)) {
      it('connected: idle timeout closes with reason timeout(idle)', () => {
        const drive = reach(spec, 'connected');
        expect(drive.fire('idleTimeout', 'connected')).toEqual([
          ...exit('connected'),
          close({ kind: 'timeout', timer: 'idle' }),
          ...armedLinger,
        ]);
        expect(drive.state).toBe('closing');
      });
    }

    it('closing: linger timeout aborts (timeout(linger)) and waits for the closed it causes', () => {
      const drive = reach(spec, 'closing');
      expect(drive.fire('lingerTimeout', 'closing')).toEqual([close({ kind: 'timeout', timer: 'linger' }, 'abort')]);
      expect(drive.state).toBe('closing');
      drive.send({ type: 'closed', reason: { kind: 'timeout', timer: 'linger' } });
      expect(drive.state).toBe('closed');
      expect(drive.status).toBe('done');
    });
  });

  describe(`${machine.id}: closing and closed`, () => {
    const late: AnyEventObject[] = [
      { type: 'peer-closed' },
      { type: 'protocol-error', message: 'late' },
      { type: 'shutdown' },
      backpressure,
      { type: 'drained' },
      { type: 'message', frame: bytes('QUIT') },
      { type: 'data', bytes: bytes('late') },
    ];

    it.each(late)('closing ignores $type: the close is already under way', (event) => {
      const drive = reach(spec, 'closing');
      expect(drive.send(event)).toEqual([]);
      expect(drive.state).toBe('closing');
    });

    it('closing: closed ends it, cancelling the linger timer', () => {
      const drive = reach(spec, 'closing');
      expect(drive.send({ type: 'closed', reason: { kind: 'peer-closed' } })).toEqual(exit('closing'));
      expect(drive.state).toBe('closed');
      expect(drive.status).toBe('done');
    });

    it('closed ignores everything', () => {
      const drive = reach(spec, 'closing');
      drive.send({ type: 'closed', reason: { kind: 'peer-closed' } });
      for (const event of late) expect(drive.send(event)).toEqual([]);
      expect(drive.state).toBe('closed');
    });
  });
}
