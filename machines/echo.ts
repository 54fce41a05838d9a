// The echo + status server, statewire's reference application, as two machines: one per
// connection (echo every byte back, print status lines it is sent) and one that owns the
// listener (counts connections, broadcasts the status, shuts down).

import type { CodecSpec } from '../src/core/codec-spec.js';
import type { OutputLimits } from '../src/core/effects.js';
import type { ConnectionEvent, ListenerEvent } from '../src/core/events.js';
import { effectActions } from '../src/machine/effect-actions.js';
import { assign, setup } from 'xstate';
import {
  connectionLifecycle,
  lifecycleContext,
  lifecycleDelays,
  type LifecycleContext,
  type LifecycleInput,
} from './connection-lifecycle.js';
import { listenFailedLog } from './listener.js';

/**
 * Sent by the server to every echo connection each status interval. The server formats
 * `line` once per broadcast: ten thousand connections share one string.
 */
export interface StatusEvent {
  readonly type: 'status';
  readonly active: number;
  readonly line: string;
}

export function statusLine(active: number): string {
  return `Server status: ${active} active connections\n`;
}

export type EchoConnectionEvent = ConnectionEvent | StatusEvent;

/** Echo connection input: the lifecycle timeouts. Idle is disabled unless `idleMs` is given. */
export type EchoConnectionInput = LifecycleInput;

const connection = setup({
  types: {
    context: {} as LifecycleContext,
    events: {} as EchoConnectionEvent,
    input: {} as EchoConnectionInput,
  },
  actions: effectActions,
  delays: lifecycleDelays,
});

/**
 * No handshake: accepted -> connected. Bytes come back as they came (no codec). A client
 * that does not read its echoes gets `backpressure` and is no longer read until `drained`;
 * status lines are still written meanwhile, bounded by the driver's hard output limit.
 */
export const echoConnection = connection.createMachine({
  id: 'echo-connection',
  context: ({ input }) => lifecycleContext(input),
  ...connectionLifecycle({
    connected: connection.createStateConfig({
      on: {
        data: { actions: { type: 'write', params: ({ event }) => ({ data: event.bytes }) } },
        status: {
          actions: {
            type: 'write',
            params: ({ event }) => ({ data: event.line }),
          },
        },
      },
    }),
  }),
});

export interface EchoServerInput {
  readonly host: string;
  readonly port: number;
  /** Milliseconds between status broadcasts; must be > 0. Infinity disables them. */
  readonly statusIntervalMs: number;
  /** Connections past this many are accepted, told "Server busy" and closed (`max-connections`). */
  readonly maxConnections: number;
  /** The registered connection machine each accepted connection runs ('echo-connection'). */
  readonly connectionMachine: string;
  readonly connectionInput?: unknown;
  /** Frame the connections' input; the echo connection takes raw bytes, so none by default. */
  readonly codec?: CodecSpec;
  /** Per-connection output buffer bounds; the driver's defaults when left out. */
  readonly limits?: OutputLimits;
}

export interface EchoServerContext extends EchoServerInput {
  /** Connections open now: opened minus closed. */
  readonly active: number;
  readonly opened: number;
  readonly closed: number;
  readonly refused: number;
}

/** The listener id, which is also the broadcast group of its connections. */
export const ECHO_LISTENER = 'echo';

const server = setup({
  types: {
    context: {} as EchoServerContext,
    events: {} as ListenerEvent,
    input: {} as EchoServerInput,
  },
  actions: effectActions,
  delays: {
    statusInterval: ({ context }: { context: EchoServerContext }) => context.statusIntervalMs,
  },
});

function counts({ active, opened, closed, refused }: EchoServerContext): string {
  return `${active} active, ${opened} opened, ${closed} closed, ${refused} refused`;
}

/**
 * starting (listen) -> serving (count, broadcast status) -> stopping (stopListening) -> stopped.
 * `stopped` is reached when the listener reports `listener-closed`, not when the last
 * connection closes: each connection gets its own `shutdown` from the dispatcher and
 * closes within the shutdown deadline, which this machine need not wait for.
 */
export const echoServer = server.createMachine({
  id: 'echo-server',
  context: ({ input }) => ({ ...input, active: 0, opened: 0, closed: 0, refused: 0 }),
  initial: 'starting',
  // On the root so connections are still counted while stopping.
  on: {
    'connection-opened': {
      actions: assign({
        active: ({ context }) => context.active + 1,
        opened: ({ context }) => context.opened + 1,
      }),
    },
    'connection-closed': {
      actions: assign({
        active: ({ context }) => context.active - 1,
        closed: ({ context }) => context.closed + 1,
      }),
    },
    'connection-refused': {
      actions: [
        assign({ refused: ({ context }) => context.refused + 1 }),
        {
          type: 'log',
          params: ({ event }) => ({
            level: 'warn',
            message: `echo refused ${event.remote.host}:${event.remote.port}: at the limit of ${event.limit} connections`,
          }),
        },
      ],
    },
    'accept-error': {
      actions: {
        type: 'log',
        params: ({ event }) => ({
          level: 'warn',
          message: `echo accept error ${event.error.code}: ${event.error.message}; still listening`,
        }),
      },
    },
  },
  states: {
    starting: {
      entry: {
        type: 'listen',
        params: ({ context }) => ({
          listener: ECHO_LISTENER,
          host: context.host,
          port: context.port,
          machine: context.connectionMachine,
          input: context.connectionInput,
          ...(context.codec && { codec: context.codec }),
          ...(context.limits && { limits: context.limits }),
          maxConnections: context.maxConnections,
          refuseMessage: `Server busy: ${context.maxConnections} connections already, try again later\n`,
          group: ECHO_LISTENER,
        }),
      },
      on: {
        listening: {
          target: 'serving',
          actions: {
            type: 'log',
            params: ({ event }) => ({
              level: 'info',
              message: `echo listening on ${event.address.host}:${event.address.port}`,
            }),
          },
        },
        'listen-failed': { target: 'failed', actions: listenFailedLog('echo') },
        shutdown: {
          target: 'stopping',
          actions: [
            { type: 'stopListening', params: { listener: ECHO_LISTENER } },
            { type: 'log', params: { level: 'info', message: 'echo shutting down before it listened' } },
          ],
        },
      },
    },
    serving: {
      after: {
        // Re-entering re-arms the timer, so the broadcast repeats every interval.
        statusInterval: {
          target: 'serving',
          reenter: true,
          actions: [
            {
              type: 'broadcast',
              params: ({ context }) => ({
                group: ECHO_LISTENER,
                event: { type: 'status', active: context.active, line: statusLine(context.active) },
              }),
            },
            { type: 'log', params: ({ context }) => ({ level: 'info', message: `echo status: ${counts(context)}` }) },
          ],
        },
      },
      on: {
        shutdown: {
          target: 'stopping',
          actions: [
            { type: 'stopListening', params: { listener: ECHO_LISTENER } },
            {
              type: 'log',
              params: ({ context }) => ({
                level: 'info',
                message: `echo shutting down: no new connections, ${context.active} active`,
              }),
            },
          ],
        },
      },
    },
    stopping: {
      on: {
        'listener-closed': {
          target: 'stopped',
          actions: {
            type: 'log',
            params: ({ context }) => ({ level: 'info', message: `echo stopped: ${counts(context)}` }),
          },
        },
        // A shutdown that overtook the listen: there was never a listener to close.
        'listen-failed': { target: 'stopped' },
      },
    },
    stopped: { type: 'final' },
    failed: { type: 'final' },
  },
});
