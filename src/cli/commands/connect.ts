// `statewire connect handshake --host H --port P`: run one protocol client machine over real
// TCP, print each state change, and exit 0 if it finished its exchange (1 if it closed for
// any other reason). The client counterpart of `serve`.

import { handshakeClient } from '../../../machines/handshake.js';
import type { HandshakeClientContext, HandshakeClientInput } from '../../../machines/handshake.js';
import { describeCloseReason } from '../../core/close-reason.js';
import { createStreamLogger } from '../../core/logger.js';
import { Dispatcher } from '../../dispatcher/dispatcher.js';
import { NetDriver } from '../../drivers/net/net-driver.js';
import { compileMachine } from '../../machine/compile.js';
import { parseDuration, parseInteger, parseLogLevel, parsePort, rejectExtraArguments, rejectUnknownFlags, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { parseCommandArgs } from '../command.js';

const FLAGS = ['host', 'port', 'client-id', 'pings', 'connect-timeout', 'handshake-timeout', 'ack-timeout', 'log-level'];

function help(): string {
  return [
    'usage: statewire connect handshake [--host ADDR] [--port N] [options]',
    '',
    '  --host ADDR               server address (default 127.0.0.1)',
    '  --port N                  server port (default 9100)',
    '  --client-id ID            the name sent in HELLO (default cli)',
    '  --pings N                 PING/PONG exchanges once connected (default 1)',
    '  --connect-timeout DUR     (default 5s)',
    '  --handshake-timeout DUR   time for WELCOME after HELLO (default 10s)',
    '  --ack-timeout DUR         time for ACK after CONFIRM (default 10s)',
    '  --log-level LEVEL         debug shows every transition (default warn)',
  ].join('\n');
}

export const connectCommand: Command = {
  name: 'connect',
  synopsis: 'connect handshake --host H --port P',
  summary: 'run a protocol client against a server (handshake)',
  run(argv) {
    const args = parseCommandArgs(argv, help);
    if (args === null) return 0;
    const [name] = args.positionals;
    if (name !== 'handshake') throw new UsageError(`connect needs a protocol, one of: handshake${name === undefined ? '' : ` (got "${name}")`}`);
    rejectExtraArguments(args, 1);
    rejectUnknownFlags(args, FLAGS, 'connect handshake (see statewire connect --help)');
    const level = parseLogLevel('log-level', args.flags.get('log-level') ?? 'warn');
    const clientId = args.flags.get('client-id') ?? 'cli';
    if (clientId === '' || clientId.includes(' ')) throw new UsageError('--client-id must be non-empty and without spaces');
    const input: HandshakeClientInput = {
      host: args.flags.get('host') ?? '127.0.0.1',
      port: parsePort('port', args.flags.get('port') ?? '9100'),
      clientId,
      pings: parseInteger('pings', args.flags.get('pings') ?? '1', 1, 1_000_000),
      connectTimeoutMs: parseDuration('connect-timeout', args.flags.get('connect-timeout') ?? '5s'),
      timeouts: {
        handshakeMs: parseDuration('handshake-timeout', args.flags.get('handshake-timeout') ?? '10s'),
        ackMs: parseDuration('ack-timeout', args.flags.get('ack-timeout') ?? '10s'),
        lingerMs: 2_000,
      },
    };
    const dispatcher = new Dispatcher({
      driver: new NetDriver(),
      logger: createStreamLogger(level),
      trace: (step) => {
        if (step.from !== step.to) process.stdout.write(`${step.from} -> ${step.to} (${step.event.type})\n`);
      },
      onRetire: (_id, snapshot) => {
        const context = snapshot.context as HandshakeClientContext;
        const reason = context.closeReason;
        const done = reason?.kind === 'local' && reason.detail === 'done';
        const session = context.sessionId === '' ? 'no session' : `session ${context.sessionId}`;
        process.stdout.write(`${session}, ${context.pongs} pongs; closed: ${reason === null ? 'without a reason (a bug)' : describeCloseReason(reason)}\n`);
        dispatcher.beginShutdown({ deadlineMs: 0, onDone: () => (process.exitCode = done ? 0 : 1) });
      },
    });
    dispatcher.register('handshake-client', compileMachine(handshakeClient));
    dispatcher.spawn('client', 'handshake-client', input);
    return null;
  },
};
