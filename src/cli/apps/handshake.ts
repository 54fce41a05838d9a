// `statewire serve handshake`: the handshake protocol's server (machines/handshake.ts).
// On `net` there is no durable storage, so every start is epoch 1.

import { handshakeConnection, handshakeServer } from '../../../machines/handshake.js';
import type { HandshakeServerInput } from '../../../machines/handshake.js';
import { compileMachine } from '../../machine/compile.js';
import { parseDuration } from '../args.js';
import type { AppDefinition } from './app.js';
import { listenFlags, parseListen } from './app.js';

export const handshakeApp: AppDefinition = {
  name: 'handshake',
  summary: 'HELLO/WELCOME/CONFIRM/ACK over length-prefixed frames, then PING/PONG; every step has a timeout',
  flags: [
    ...listenFlags(9100),
    { name: 'max-connections', value: 'N', help: 'connections past this are closed at once (default 10000)' },
    { name: 'handshake-timeout', value: 'DUR', help: 'time for the HELLO to arrive (default 10s)' },
    { name: 'ack-timeout', value: 'DUR', help: 'time for the CONFIRM to arrive after WELCOME (default 10s)' },
    { name: 'idle-timeout', value: 'DUR', help: 'close a connected client silent this long (default 60s)' },
  ],
  configure(flags) {
    const input: HandshakeServerInput = {
      ...parseListen(flags, 9100),
      previousEpoch: 0,
      connection: {
        handshakeMs: parseDuration('handshake-timeout', flags.get('handshake-timeout') ?? '10s'),
        ackMs: parseDuration('ack-timeout', flags.get('ack-timeout') ?? '10s'),
        idleMs: parseDuration('idle-timeout', flags.get('idle-timeout') ?? '60s'),
      },
    };
    return {
      machines: new Map([
        ['handshake-server', compileMachine(handshakeServer)],
        ['handshake-connection', compileMachine(handshakeConnection)],
      ]),
      root: { id: 'handshake-server', kind: 'handshake-server', input },
      failedStates: new Set(['failed']),
    };
  },
};
