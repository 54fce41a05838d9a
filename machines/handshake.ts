// The handshake protocol: a client and a server agree on a session in four frames before
// any traffic, each side bounded by a timeout at every step. Length-prefixed frames, each
// one UTF-8 line of text:
//
//   C: HELLO 1 <client>        S: WELCOME <session>   (session = <server epoch>.<client>)
//   C: CONFIRM <session>       S: ACK <session>
//   C: PING <n>                S: PONG <n>            (the client sends `pings` of them, then closes)
//
// A server that does not speak the version answers REJECT and closes. The client's states
// are the lifecycle's, named by what they wait for: Initiated = `connecting`,
// SentHandshake = `handshake` (HELLO sent, awaiting WELCOME), AwaitingAck = `awaitingAck`
// (CONFIRM sent), Connected = `connected`; every failure ends in `closed` with the reason
// in the context. The server's epoch goes up by one at each boot and is persisted, so
// session ids never repeat across server restarts.

import { assign, setup } from 'xstate';
import { encodeFrame } from '../src/codecs/index.js';
import type { CloseReason } from '../src/core/close-reason.js';
import type { CodecSpec } from '../src/core/codec-spec.js';
import type { OutputLimits } from '../src/core/effects.js';
import type { ConnectionEvent, ListenerEvent } from '../src/core/events.js';
import { effectActions } from '../src/machine/effect-actions.js';
import {
  closeAction,
  closeWith,
  connectionLifecycle,
  lifecycleContext,
  lifecycleDelays,
  type LifecycleContext,
  type LifecycleInput,
} from './connection-lifecycle.js';
import { listenFailedLog } from './listener.js';

export const HANDSHAKE_VERSION = '1';
export const HANDSHAKE_CODEC: CodecSpec = { kind: 'length-prefixed', maxFrameBytes: 1024 };
/** The listener id of the handshake server, also its connections' group. */
export const HANDSHAKE_LISTENER = 'handshake';
/** The storage key under which the server persists its epoch. */
export const EPOCH_KEY = 'handshake.epoch';

const decoder = new TextDecoder();

const NO_WORDS: readonly string[] = [];
const SPACE = 0x20;
// Guards and params of one step all read the same event: decode it once. Events are
// immutable by contract, so keying on identity is safe.
let lastEvent: object | null = null;
let lastWords: readonly string[] = NO_WORDS;

/** A frame split at spaces: `ACK 3.c1` -> ['ACK', '3.c1']. */
function words(event: { type: string; frame?: Uint8Array }): readonly string[] {
  if (event === lastEvent) return lastWords;
  lastEvent = event;
  lastWords = event.type === 'message' && event.frame !== undefined ? frameWords(event.frame) : NO_WORDS;
  return lastWords;
}

/**
 * `decoder.decode(bytes).split(' ')`, built straight from the bytes while they are ASCII
 * (every frame of this protocol): each word is made in one call and the array at its
 * exact length, where decoding, or adding a character at a time, allocates a string per
 * step. Any other byte (a BOM, UTF-8, garbage) goes through the decoder, so the result is
 * always the same.
 */
export function frameWords(bytes: Uint8Array): string[] {
  let first = -1;
  let second = -1;
  let more = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    if (byte >= 0x80) return decoder.decode(bytes).split(' ');
    if (byte === SPACE) {
      if (first < 0) first = i;
      else if (second < 0) second = i;
      else more = true;
    }
  }
  const end = bytes.length;
  if (first < 0) return [verbOf(bytes, end)];
  if (second < 0) return [verbOf(bytes, first), ascii(bytes, first + 1, end)];
  if (!more) return [verbOf(bytes, first), ascii(bytes, first + 1, second), ascii(bytes, second + 1, end)];
  const words: string[] = [verbOf(bytes, first)];
  let start = first + 1;
  for (let i = start; i <= end; i++) {
    if (i === end || bytes[i] === SPACE) {
      words.push(ascii(bytes, start, i));
      start = i + 1;
    }
  }
  return words;
}

const VERBS = ['HELLO', 'WELCOME', 'CONFIRM', 'ACK', 'PING', 'PONG', 'REJECT'] as const;
const VERB_BYTES = VERBS.map((verb) => Uint8Array.from(verb, (char) => char.charCodeAt(0)));

/**
 * The first word, bytes [0, end): the protocol's verb constant when it is one (no string
 * made, and a guard's compare with it is a pointer check), else a string of its own.
 */
function verbOf(b: Uint8Array, end: number): string {
  for (let v = 0; v < VERB_BYTES.length; v++) {
    const verb = VERB_BYTES[v] as Uint8Array;
    if (verb.length !== end) continue;
    let i = 0;
    while (i < end && b[i] === verb[i]) i++;
    if (i === end) return VERBS[v] as string;
  }
  return ascii(b, 0, end);
}

/** The ASCII bytes [s, end) as a string: one `fromCharCode` call for a word of up to 8. */
function ascii(b: Uint8Array, s: number, end: number): string {
  const chars = String.fromCharCode;
  switch (end - s) {
    case 0:
      return '';
    case 1:
      return chars(b[s]!);
    case 2:
      return chars(b[s]!, b[s + 1]!);
    case 3:
      return chars(b[s]!, b[s + 1]!, b[s + 2]!);
    case 4:
      return chars(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!);
    case 5:
      return chars(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!);
    case 6:
      return chars(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!);
    case 7:
      return chars(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!);
    case 8:
      return chars(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!);
    default: {
      let word = '';
      for (let i = s; i < end; i++) word += chars(b[i]!);
      return word;
    }
  }
}

function frame(text: string): { data: Uint8Array } {
  return { data: encodeFrame(text) };
}

// ---- client -----------------------------------------------------------------------

export interface HandshakeClientInput {
  readonly host: string;
  readonly port: number;
  /** Unique per client: it becomes part of the session id. No spaces. */
  readonly clientId: string;
  /** How long the connect may take (default 5 s). */
  readonly connectTimeoutMs?: number;
  /** PINGs to exchange once connected before closing with `local: done` (default 1). */
  readonly pings?: number;
  readonly limits?: OutputLimits;
  readonly timeouts?: LifecycleInput;
}

export interface HandshakeClientContext extends LifecycleContext {
  readonly host: string;
  readonly port: number;
  readonly clientId: string;
  readonly connectTimeoutMs: number;
  readonly pings: number;
  readonly limits: OutputLimits | undefined;
  /** Given by the server's WELCOME. */
  readonly sessionId: string;
  readonly pongs: number;
  /** The server acknowledged the session: the client reached Connected (and may have left it since). */
  readonly connected: boolean;
  /** Why the connection ended, once `closed`: every path ends through the driver's `closed` event. */
  readonly closeReason: CloseReason | null;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

const client = setup({
  types: {
    context: {} as HandshakeClientContext,
    events: {} as ConnectionEvent,
    input: {} as HandshakeClientInput,
  },
  actions: effectActions,
  guards: {
    isWelcome: ({ event }) => {
      const [verb, session] = words(event);
      return verb === 'WELCOME' && session !== undefined && session !== '';
    },
    isAck: ({ context, event }) => {
      const [verb, session] = words(event);
      return verb === 'ACK' && session === context.sessionId;
    },
    isLastPong: ({ context, event }) => words(event)[0] === 'PONG' && context.pongs + 1 >= context.pings,
    isPong: ({ event }) => words(event)[0] === 'PONG',
  },
  delays: lifecycleDelays,
});

const clientLifecycle = connectionLifecycle({
  connecting: client.createStateConfig({
    entry: {
      type: 'connect',
      params: ({ context }) => ({
        host: context.host,
        port: context.port,
        timeoutMs: context.connectTimeoutMs,
        codec: HANDSHAKE_CODEC,
        ...(context.limits && { limits: context.limits }),
      }),
    },
  }),
  handshake: client.createStateConfig({
    entry: { type: 'write', params: ({ context }) => frame(`HELLO ${HANDSHAKE_VERSION} ${context.clientId}`) },
    on: {
      message: [
        {
          guard: 'isWelcome',
          target: 'awaitingAck',
          actions: [
            assign({ sessionId: ({ event }) => words(event)[1] ?? '' }),
            { type: 'write', params: ({ event }) => frame(`CONFIRM ${words(event)[1] ?? ''}`) },
          ],
        },
        closeWith({ kind: 'protocol-error', message: 'expected WELCOME' }),
      ],
    },
  }),
  awaitingAck: client.createStateConfig({
    on: {
      message: [
        { guard: 'isAck', target: 'connected', actions: [assign({ connected: true }), { type: 'write', params: frame('PING 1') }] },
        closeWith({ kind: 'protocol-error', message: 'bad ack' }),
      ],
    },
  }),
  connected: client.createStateConfig({
    on: {
      message: [
        { guard: 'isLastPong', target: 'closing', actions: [assign({ pongs: ({ context }) => context.pongs + 1 }), closeAction({ kind: 'local', detail: 'done' })] },
        {
          guard: 'isPong',
          actions: [
            assign({ pongs: ({ context }) => context.pongs + 1 }),
            { type: 'write', params: ({ context }) => frame(`PING ${context.pongs + 1}`) },
          ],
        },
        closeWith({ kind: 'protocol-error', message: 'expected PONG' }),
      ],
    },
  }),
});

export const handshakeClient = client.createMachine({
  id: 'handshake-client',
  context: ({ input }) => ({
    timeouts: lifecycleContext(input.timeouts).timeouts,
    host: input.host,
    port: input.port,
    clientId: input.clientId,
    connectTimeoutMs: input.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    pings: input.pings ?? 1,
    limits: input.limits,
    sessionId: '',
    pongs: 0,
    connected: false,
    closeReason: null,
  }),
  ...clientLifecycle,
  // The lifecycle's root handlers, plus the reason kept in the context.
  on: {
    ...clientLifecycle.on,
    closed: { target: '.closed', actions: assign({ closeReason: ({ event }) => event.reason }) },
    'connect-failed': {
      target: '.closed',
      actions: assign({
        closeReason: ({ event }): CloseReason => ({ kind: 'connect-failed', code: event.error.code, message: event.error.message }),
      }),
    },
  },
});

// ---- server connection --------------------------------------------------------------

export interface HandshakeConnectionInput {
  /** The server's boot count: the first part of every session id it gives. */
  readonly epoch: number;
  readonly timeouts?: LifecycleInput;
}

export interface HandshakeConnectionContext extends LifecycleContext {
  readonly epoch: number;
  readonly sessionId: string;
}

const connection = setup({
  types: {
    context: {} as HandshakeConnectionContext,
    events: {} as ConnectionEvent,
    input: {} as HandshakeConnectionInput,
  },
  actions: effectActions,
  guards: {
    isHello: ({ event }) => {
      const [verb, version, id] = words(event);
      return verb === 'HELLO' && version === HANDSHAKE_VERSION && id !== undefined && id !== '';
    },
    isOtherVersion: ({ event }) => {
      const [verb, version] = words(event);
      return verb === 'HELLO' && version !== HANDSHAKE_VERSION;
    },
    isConfirm: ({ context, event }) => {
      const [verb, session] = words(event);
      return verb === 'CONFIRM' && session === context.sessionId;
    },
    isPing: ({ event }) => words(event)[0] === 'PING',
  },
  delays: lifecycleDelays,
});

export const handshakeConnection = connection.createMachine({
  id: 'handshake-connection',
  context: ({ input }) => ({ timeouts: lifecycleContext(input.timeouts).timeouts, epoch: input.epoch, sessionId: '' }),
  ...connectionLifecycle({
    handshake: connection.createStateConfig({
      on: {
        message: [
          {
            guard: 'isHello',
            target: 'awaitingAck',
            actions: [
              assign({ sessionId: ({ context, event }) => `${context.epoch}.${words(event)[2] ?? ''}` }),
              { type: 'write', params: ({ context, event }) => frame(`WELCOME ${context.epoch}.${words(event)[2] ?? ''}`) },
            ],
          },
          {
            guard: 'isOtherVersion',
            target: 'closing',
            actions: [
              { type: 'write', params: frame(`REJECT version ${HANDSHAKE_VERSION} only`) },
              closeAction({ kind: 'protocol-error', message: 'unsupported version' }),
            ],
          },
          closeWith({ kind: 'protocol-error', message: 'expected HELLO' }),
        ],
      },
    }),
    awaitingAck: connection.createStateConfig({
      on: {
        message: [
          { guard: 'isConfirm', target: 'connected', actions: { type: 'write', params: ({ context }) => frame(`ACK ${context.sessionId}`) } },
          closeWith({ kind: 'protocol-error', message: 'bad confirm' }),
        ],
      },
    }),
    connected: connection.createStateConfig({
      on: {
        message: [
          { guard: 'isPing', actions: { type: 'write', params: ({ event }) => frame(`PONG ${words(event)[1] ?? ''}`) } },
          closeWith({ kind: 'protocol-error', message: 'expected PING' }),
        ],
      },
    }),
  }),
});

// ---- server -----------------------------------------------------------------------

export interface HandshakeServerInput {
  readonly host: string;
  readonly port: number;
  readonly maxConnections: number;
  /** The epoch persisted by the previous boot (0 on the first). */
  readonly previousEpoch: number;
  /** Timeouts of each connection. */
  readonly connection?: LifecycleInput;
  readonly limits?: OutputLimits;
}

export interface HandshakeServerContext extends HandshakeServerInput {
  readonly epoch: number;
  readonly active: number;
}

const server = setup({
  types: {
    context: {} as HandshakeServerContext,
    events: {} as ListenerEvent,
    input: {} as HandshakeServerInput,
  },
  actions: effectActions,
});

/** starting (persist the epoch, listen) -> serving -> stopping -> stopped; `failed` if it cannot listen. */
export const handshakeServer = server.createMachine({
  id: 'handshake-server',
  context: ({ input }) => ({ ...input, epoch: input.previousEpoch + 1, active: 0 }),
  initial: 'starting',
  on: {
    'connection-opened': { actions: assign({ active: ({ context }) => context.active + 1 }) },
    'connection-closed': { actions: assign({ active: ({ context }) => context.active - 1 }) },
  },
  states: {
    starting: {
      entry: [
        { type: 'persist', params: ({ context }) => ({ key: EPOCH_KEY, value: context.epoch }) },
        {
          type: 'listen',
          params: ({ context }) => ({
            listener: HANDSHAKE_LISTENER,
            host: context.host,
            port: context.port,
            machine: 'handshake-connection',
            input: { epoch: context.epoch, ...(context.connection && { timeouts: context.connection }) } satisfies HandshakeConnectionInput,
            codec: HANDSHAKE_CODEC,
            maxConnections: context.maxConnections,
            ...(context.limits && { limits: context.limits }),
          }),
        },
      ],
      on: {
        listening: {
          target: 'serving',
          actions: {
            type: 'log',
            params: ({ context, event }) => ({
              level: 'info',
              message: `handshake listening on ${event.address.host}:${event.address.port} (epoch ${context.epoch})`,
            }),
          },
        },
        'listen-failed': { target: 'failed', actions: listenFailedLog('handshake') },
        shutdown: { target: 'stopping', actions: { type: 'stopListening', params: { listener: HANDSHAKE_LISTENER } } },
      },
    },
    serving: {
      on: {
        shutdown: { target: 'stopping', actions: { type: 'stopListening', params: { listener: HANDSHAKE_LISTENER } } },
      },
    },
    stopping: {
      on: {
        'listener-closed': { target: 'stopped' },
        'listen-failed': { target: 'stopped' },
      },
    },
    stopped: { type: 'final' },
    failed: { type: 'final' },
  },
});
