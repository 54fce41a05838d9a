// A small line protocol on the connection lifecycle: a greeting handshake, then
// PING/PONG heartbeats. The worked example of docs/writing-a-machine.md, which shows this
// file in full; keep the two the same.
//
//   S: HELLO ping/1          sent on accept
//   C: HELLO alice           within the handshake timeout, or the connection closes
//   S: WELCOME alice
//   C: PING 42               S: PONG 42     (the argument is optional and echoed)
//   C: QUIT                  S: BYE alice   then a graceful close (reason local: quit)
//   C: anything else         S: ERR unknown command; the third one closes (protocol-error)

import type { ConnectionEvent } from '../../src/core/events.js';
import { effectActions } from '../../src/machine/effect-actions.js';
import { assign, setup } from 'xstate';
import {
  closeAction,
  closeWith,
  connectionLifecycle,
  lifecycleContext,
  lifecycleDelays,
  type LifecycleContext,
  type LifecycleInput,
} from '../connection-lifecycle.js';

/** Unknown commands tolerated before the connection is closed as a protocol error. */
export const MAX_STRIKES = 3;

export interface PingContext extends LifecycleContext {
  /** The name the client gave in its HELLO. */
  readonly name: string;
  /** Unknown commands so far. */
  readonly strikes: number;
}

const decoder = new TextDecoder();

/** A line split at its first space: `PING 42` -> verb `PING`, argument `42`. */
function parse(event: ConnectionEvent): { verb: string; argument: string } {
  if (event.type !== 'message') return { verb: '', argument: '' };
  const text = decoder.decode(event.frame);
  const space = text.indexOf(' ');
  return space < 0
    ? { verb: text, argument: '' }
    : { verb: text.slice(0, space), argument: text.slice(space + 1).trim() };
}

const ping = setup({
  types: {
    context: {} as PingContext,
    events: {} as ConnectionEvent,
    input: {} as LifecycleInput,
  },
  actions: effectActions,
  guards: {
    isVerb: ({ event }, params: { verb: string }) => parse(event).verb === params.verb,
    isHello: ({ event }) => {
      const { verb, argument } = parse(event);
      return verb === 'HELLO' && argument !== '';
    },
    isLastStrike: ({ context }) => context.strikes + 1 >= MAX_STRIKES,
  },
  delays: lifecycleDelays,
});

export const pingConnection = ping.createMachine({
  id: 'ping-connection',
  context: ({ input }) => ({ ...lifecycleContext(input), name: '', strikes: 0 }),
  ...connectionLifecycle({
    handshake: ping.createStateConfig({
      entry: { type: 'write', params: { data: 'HELLO ping/1\n' } },
      on: {
        message: [
          {
            guard: 'isHello',
            target: 'connected',
            actions: [
              assign({ name: ({ event }) => parse(event).argument }),
              { type: 'write', params: ({ event }) => ({ data: `WELCOME ${parse(event).argument}\n` }) },
            ],
          },
          closeWith({ kind: 'protocol-error', message: 'expected HELLO <name>' }),
        ],
      },
    }),
    connected: ping.createStateConfig({
      on: {
        message: [
          {
            guard: { type: 'isVerb', params: { verb: 'PING' } },
            actions: {
              type: 'write',
              params: ({ event }) => {
                const { argument } = parse(event);
                return { data: argument === '' ? 'PONG\n' : `PONG ${argument}\n` };
              },
            },
          },
          {
            guard: { type: 'isVerb', params: { verb: 'QUIT' } },
            target: 'closing',
            actions: [
              { type: 'write', params: ({ context }) => ({ data: `BYE ${context.name}\n` }) },
              closeAction({ kind: 'local', detail: 'quit' }),
            ],
          },
          {
            guard: 'isLastStrike',
            target: 'closing',
            actions: [
              { type: 'write', params: { data: 'ERR too many unknown commands\n' } },
              closeAction({ kind: 'protocol-error', message: 'too many unknown commands' }),
            ],
          },
          {
            actions: [
              assign({ strikes: ({ context }) => context.strikes + 1 }),
              { type: 'write', params: { data: 'ERR unknown command\n' } },
            ],
          },
        ],
      },
    }),
  }),
});
