// The canonical connection lifecycle that every protocol machine plugs into:
//   accepting|connecting -> handshake -> awaitingAck -> connected <-> draining -> closing -> closed
// It owns what every connection shares (timeouts, backpressure, close reasons, how a close
// ends); a protocol only adds its handshake and what it does with traffic once connected.

import type { CloseReason } from '../src/core/close-reason.js';
import type { CloseMode, EffectParams } from '../src/core/effects.js';
import type { ConnectionEvent } from '../src/core/events.js';
import { effectActions } from '../src/machine/effect-actions.js';
import { setup } from 'xstate';

/** Every timeout of the lifecycle, in milliseconds. A non-finite value disables that timer. */
export interface LifecycleTimeouts {
  /** From entering `handshake` until the protocol leaves it. */
  readonly handshakeMs: number;
  /** From entering `awaitingAck` until the protocol leaves it. */
  readonly ackMs: number;
  /** In `connected`, since the last peer traffic (`data` or `message`). Not counted while `draining`. */
  readonly idleMs: number;
  /** In `closing`: how long a graceful close may take before the connection is aborted. */
  readonly lingerMs: number;
}

export const DEFAULT_LIFECYCLE_TIMEOUTS: LifecycleTimeouts = {
  handshakeMs: 10_000,
  ackMs: 10_000,
  idleMs: Infinity,
  lingerMs: 5_000,
};

/** The input of a lifecycle machine: any timeout left out takes its default. */
export type LifecycleInput = Partial<LifecycleTimeouts> | undefined;

/** The part of the context the lifecycle reads; a protocol's context extends it. */
export interface LifecycleContext {
  readonly timeouts: LifecycleTimeouts;
}

export function lifecycleContext(input: LifecycleInput): LifecycleContext {
  const defaults = DEFAULT_LIFECYCLE_TIMEOUTS;
  return {
    timeouts: {
      handshakeMs: input?.handshakeMs ?? defaults.handshakeMs,
      ackMs: input?.ackMs ?? defaults.ackMs,
      idleMs: input?.idleMs ?? defaults.idleMs,
      lingerMs: input?.lingerMs ?? defaults.lingerMs,
    },
  };
}

/**
 * The lifecycle's named delays, for `setup({ delays: lifecycleDelays })`. They read the
 * context, so one machine definition serves every configuration; the timer ids XState
 * gives them are `xstate.after.<delay>.<machine id>.<state>`.
 */
export const lifecycleDelays = {
  handshakeTimeout: ({ context }: { context: LifecycleContext }) => context.timeouts.handshakeMs,
  ackTimeout: ({ context }: { context: LifecycleContext }) => context.timeouts.ackMs,
  idleTimeout: ({ context }: { context: LifecycleContext }) => context.timeouts.idleMs,
  lingerTimeout: ({ context }: { context: LifecycleContext }) => context.timeouts.lingerMs,
};

export type LifecycleDelay = keyof typeof lifecycleDelays;

/** The effect action that closes the machine's connection. */
export function closeAction(reason: CloseReason, mode: CloseMode = 'graceful') {
  return { type: 'close', params: { reason, mode } } as const;
}

/** Leave for `closing` with a graceful close: the way a protocol ends a connection itself. */
export function closeWith(reason: CloseReason) {
  return { target: 'closing', actions: closeAction(reason) } as const;
}

function timeoutClose(timer: 'handshake' | 'ack' | 'idle') {
  return closeWith({ kind: 'timeout', timer });
}

/**
 * Handlers on the root, so they apply in every state that does not handle the event
 * itself (a child's handler hides the root's). `closing` swallows the ones that would
 * close twice.
 */
export const lifecycleOn = {
  closed: { target: '.closed' },
  'connect-failed': { target: '.closed' },
  'peer-closed': { target: '.closing', actions: closeAction({ kind: 'peer-closed' }) },
  'protocol-error': {
    target: '.closing',
    actions: {
      type: 'close',
      params: ({ event }: { event: { message: string } }): EffectParams<'close'> => ({
        reason: { kind: 'protocol-error', message: event.message },
        mode: 'graceful',
      }),
    },
  },
  shutdown: { target: '.closing', actions: closeAction({ kind: 'server-shutdown' }) },
  // Outside connected/draining (a handshake that backs up) only reading is paused; the
  // state does not change, so the handshake's own timer keeps running.
  backpressure: { actions: { type: 'pauseReading', params: {} } },
  drained: { actions: { type: 'resumeReading', params: {} } },
} as const;

/**
 * Graceful close issued: wait for `closed`. Past the linger time abort, and keep waiting:
 * the driver reports every close, an abort at once, so the machine always ends through a
 * `closed` event that carries the reason (`timeout (linger)` here).
 */
export const closingState = {
  after: {
    lingerTimeout: {
      actions: closeAction({ kind: 'timeout', timer: 'linger' }, 'abort'),
    },
  },
  on: {
    'peer-closed': {},
    'protocol-error': {},
    shutdown: {},
    backpressure: {},
    drained: {},
  },
} as const;

export const closedState = { type: 'final' } as const;

/** Events that count as peer traffic: handling one in `connected` restarts the idle timer. */
const TRAFFIC_EVENTS = ['data', 'message'] as const;
type TrafficEvent = (typeof TRAFFIC_EVENTS)[number];

/**
 * A traffic handler as it runs in `connected`: a targetless transition re-enters
 * `connected`, which restarts the idle timer; one with a target keeps it.
 */
type Reentering<T> = T extends string
  ? T
  : T extends readonly unknown[]
    ? { [I in keyof T]: Reentering<T[I]> }
    : T extends { readonly target: unknown }
      ? T
      : T & { readonly target: 'connected'; readonly reenter: true };

type ConnectedOn<TOn> = {
  [K in keyof TOn]: K extends TrafficEvent ? Reentering<TOn[K]> : TOn[K];
};

function reentering(transition: unknown): unknown {
  if (Array.isArray(transition)) return transition.map(reentering);
  if (typeof transition !== 'object' || transition === null || 'target' in transition) {
    return transition;
  }
  return { ...transition, target: 'connected', reenter: true };
}

/**
 * What a protocol plugs in. Make each part with the protocol's own
 * `setup(...).createStateConfig(...)`, so its guards, params and context are typed there.
 * The type parameters are deliberately unconstrained: a constraint stops TypeScript from
 * typing a `createStateConfig(...)` written inline in the call. The parts are checked
 * where it matters, when `createMachine` checks the merged config.
 */
export interface LifecycleParts<TConnected, THandshake, TAwaitingAck, TConnecting> {
  /**
   * For outgoing connections: the state whose entry issues the `connect` effect; the
   * lifecycle adds `connected` -> the next state. Without it the machine starts in
   * `accepting` and waits for the listener's `accepted`.
   */
  readonly connecting?: TConnecting;
  /** Entered first once the connection is up; its transitions lead to `awaitingAck` or `connected`. The lifecycle adds the handshake timeout. */
  readonly handshake?: THandshake;
  /** The protocol sent its part and waits for the peer's acknowledgement. The lifecycle adds the ack timeout. */
  readonly awaitingAck?: TAwaitingAck;
  /**
   * `{ on }` only: the protocol's handlers while the connection is open. They run in
   * `connected` and in `draining` (output backed up: reading is paused, but events already
   * queued still arrive). Traffic handlers (`data`, `message`) without a target re-enter
   * `connected`, restarting the idle timer. No entry, exit or after: re-entry would repeat
   * them, and `draining` would not have them.
   */
  readonly connected: TConnected;
}

type Field<S, K extends string> = S extends { readonly [Key in K]: infer F } ? F : unknown;

type TimeoutTransition = ReturnType<typeof timeoutClose>;

type Opening<TConnecting> = [TConnecting] extends [undefined]
  ? { accepting: { on: { accepted: { target: string } } } }
  : {
      connecting: Omit<TConnecting, 'on'> & {
        on: Field<TConnecting, 'on'> & { connected: { target: string } };
      };
    };

type WithTimeout<K extends string, S, D extends LifecycleDelay> = [S] extends [undefined]
  ? unknown
  : { [Key in K]: Omit<S, 'after'> & { after: Field<S, 'after'> & Record<D, TimeoutTransition> } };

export type LifecycleStates<TConnected, THandshake, TAwaitingAck, TConnecting> = Opening<TConnecting> &
  WithTimeout<'handshake', THandshake, 'handshakeTimeout'> &
  WithTimeout<'awaitingAck', TAwaitingAck, 'ackTimeout'> & {
    connected: {
      after: { idleTimeout: TimeoutTransition };
      on: ConnectedOn<Field<TConnected, 'on'>> & {
        backpressure: { target: 'draining'; actions: { type: 'pauseReading'; params: {} } };
      };
    };
    draining: {
      on: Field<TConnected, 'on'> & {
        drained: { target: 'connected'; actions: { type: 'resumeReading'; params: {} } };
      };
    };
    closing: typeof closingState;
    closed: typeof closedState;
  };

export interface LifecycleConfig<TConnected, THandshake, TAwaitingAck, TConnecting> {
  readonly initial: 'accepting' | 'connecting';
  readonly on: typeof lifecycleOn;
  readonly states: LifecycleStates<TConnected, THandshake, TAwaitingAck, TConnecting>;
}

/** A part's `on` or `after` map; the parts are only known to be objects here. */
function field(part: unknown, key: 'on' | 'after'): object {
  const value: unknown = typeof part === 'object' && part !== null ? Reflect.get(part, key) : undefined;
  return typeof value === 'object' && value !== null ? value : {};
}

/**
 * The lifecycle skeleton with the protocol's parts merged in: spread it into
 * `createMachine({ id, context, ...connectionLifecycle(parts) })`. The setup must include
 * `actions: effectActions` and `delays: lifecycleDelays`, and the context must extend
 * `LifecycleContext`; `createMachine` type-checks the merged result against all three.
 */
export function connectionLifecycle<
  TConnected,
  THandshake = undefined,
  TAwaitingAck = undefined,
  TConnecting = undefined,
>(
  parts: LifecycleParts<TConnected, THandshake, TAwaitingAck, TConnecting>,
): LifecycleConfig<TConnected, THandshake, TAwaitingAck, TConnecting> {
  const { connecting, handshake, awaitingAck, connected } = parts;
  for (const key of Object.keys(typeof connected === 'object' && connected !== null ? connected : {})) {
    if (key !== 'on') throw new Error(`connectionLifecycle: 'connected' takes only 'on', not '${key}'`);
  }
  const first = handshake ? 'handshake' : awaitingAck ? 'awaitingAck' : 'connected';
  const protocolOn = field(connected, 'on');
  const connectedOn: Record<string, unknown> = { ...protocolOn };
  for (const type of TRAFFIC_EVENTS) {
    if (type in connectedOn) connectedOn[type] = reentering(connectedOn[type]);
  }
  const states = {
    ...(connecting
      ? { connecting: { ...connecting, on: { ...field(connecting, 'on'), connected: { target: first } } } }
      : { accepting: { on: { accepted: { target: first } } } }),
    ...(handshake && {
      handshake: {
        ...handshake,
        after: { ...field(handshake, 'after'), handshakeTimeout: timeoutClose('handshake') },
      },
    }),
    ...(awaitingAck && {
      awaitingAck: {
        ...awaitingAck,
        after: { ...field(awaitingAck, 'after'), ackTimeout: timeoutClose('ack') },
      },
    }),
    connected: {
      after: { idleTimeout: timeoutClose('idle') },
      on: { ...connectedOn, backpressure: { target: 'draining', actions: { type: 'pauseReading', params: {} } } },
    },
    draining: {
      on: { ...protocolOn, drained: { target: 'connected', actions: { type: 'resumeReading', params: {} } } },
    },
    closing: closingState,
    closed: closedState,
  };
  return {
    initial: connecting ? 'connecting' : 'accepting',
    on: lifecycleOn,
    // The spreads above build exactly LifecycleStates; TypeScript cannot follow the
    // optional parts and the traffic rewrite through object spread.
    states: states as unknown as LifecycleStates<TConnected, THandshake, TAwaitingAck, TConnecting>,
  };
}

/** The canonical machine's own events: the lifecycle's, nothing more. */
type CanonicalEvent = ConnectionEvent;

const decoder = new TextDecoder();

/** True when the event is a decoded line equal to `line` (the `lines` codec strips "\n"). */
function isLine({ event }: { event: CanonicalEvent }, params: { line: string }): boolean {
  return event.type === 'message' && decoder.decode(event.frame) === params.line;
}

const canonical = setup({
  types: {
    context: {} as LifecycleContext,
    events: {} as CanonicalEvent,
    input: {} as LifecycleInput,
  },
  actions: effectActions,
  guards: { isLine },
  delays: lifecycleDelays,
});

/**
 * The lifecycle with the smallest handshake that uses every phase, over the `lines` codec:
 *   client: HELLO   server: WELCOME   client: ACK   then each line is echoed; QUIT closes.
 * It exists so the lifecycle itself can be drawn, tested and served.
 */
export const connectionLifecycleMachine = canonical.createMachine({
  id: 'connection-lifecycle',
  context: ({ input }) => lifecycleContext(input),
  ...connectionLifecycle({
    handshake: canonical.createStateConfig({
      on: {
        message: [
          {
            guard: { type: 'isLine', params: { line: 'HELLO' } },
            target: 'awaitingAck',
            actions: { type: 'write', params: { data: 'WELCOME\n' } },
          },
          closeWith({ kind: 'protocol-error', message: 'expected HELLO' }),
        ],
      },
    }),
    awaitingAck: canonical.createStateConfig({
      on: {
        message: [
          { guard: { type: 'isLine', params: { line: 'ACK' } }, target: 'connected' },
          closeWith({ kind: 'protocol-error', message: 'expected ACK' }),
        ],
      },
    }),
    connected: canonical.createStateConfig({
      on: {
        message: [
          {
            guard: { type: 'isLine', params: { line: 'QUIT' } },
            target: 'closing',
            actions: [
              { type: 'write', params: { data: 'BYE\n' } },
              closeAction({ kind: 'local', detail: 'quit' }),
            ],
          },
          {
            actions: {
              type: 'write',
              params: ({ event }) => ({ data: `${decoder.decode(event.frame)}\n` }),
            },
          },
        ],
      },
    }),
  }),
});
