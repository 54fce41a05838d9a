// `statewire serve echo`: the echo + status server (machines/echo.ts) with its flags.

import { echoConnection, echoServer } from '../../../machines/echo.js';
import type { EchoConnectionInput, EchoServerInput } from '../../../machines/echo.js';
import type { OutputLimits } from '../../core/effects.js';
import { compileMachine } from '../../machine/compile.js';
import { parseDuration, parseSize, UsageError } from '../args.js';
import type { AppDefinition } from './app.js';
import { listenFlags, parseListen } from './app.js';

export const echoApp: AppDefinition = {
  name: 'echo',
  summary: 'every byte a client sends comes back; every interval each client gets "Server status: N active connections"',
  flags: [
    ...listenFlags(9000),
    { name: 'status-interval', value: 'DUR', help: 'time between status lines; "off" for none (default 5s)' },
    { name: 'max-connections', value: 'N', help: 'clients past this are told so and closed (default 10000)' },
    { name: 'idle-timeout', value: 'DUR', help: 'close a client silent this long; "off" never (default off)' },
    { name: 'output-high-water', value: 'SIZE', help: 'buffered output that pauses reading a client (default 64k)' },
    { name: 'output-limit', value: 'SIZE', help: 'buffered output that closes a client that does not read (default 8MiB)' },
  ],
  configure(flags) {
    const statusIntervalMs = parseDuration('status-interval', flags.get('status-interval') ?? '5s');
    if (statusIntervalMs <= 0) throw new UsageError('--status-interval must be positive (or "off")');
    const limits: OutputLimits = {
      highWaterBytes: parseSize('output-high-water', flags.get('output-high-water') ?? '64k'),
      hardLimitBytes: parseSize('output-limit', flags.get('output-limit') ?? '8MiB'),
    };
    if (limits.hardLimitBytes <= limits.highWaterBytes) {
      throw new UsageError('--output-limit must be larger than --output-high-water');
    }
    const connectionInput: EchoConnectionInput = {
      idleMs: parseDuration('idle-timeout', flags.get('idle-timeout') ?? 'off'),
    };
    const input: EchoServerInput = {
      ...parseListen(flags, 9000),
      statusIntervalMs,
      connectionMachine: 'echo-connection',
      connectionInput,
      limits,
    };
    return {
      machines: new Map([
        ['echo-server', compileMachine(echoServer)],
        ['echo-connection', compileMachine(echoConnection)],
      ]),
      root: { id: 'echo-server', kind: 'echo-server', input },
      failedStates: new Set(['failed']),
    };
  },
};
