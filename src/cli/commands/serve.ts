// `statewire serve <protocol>`: run a protocol's root machine on real TCP until SIGINT or
// SIGTERM, then drain connections within --shutdown-timeout and exit 0.

import { createStreamLogger } from '../../core/logger.js';
import { Dispatcher } from '../../dispatcher/dispatcher.js';
import { NetDriver } from '../../drivers/net/net-driver.js';
import { NdjsonFileWriter } from '../../drivers/record/ndjson-writer.js';
import { RecordingDriver } from '../../drivers/record/recording-driver.js';
import type { AppDefinition, FlagHelp } from '../apps/app.js';
import { echoApp } from '../apps/echo.js';
import { handshakeApp } from '../apps/handshake.js';
import { parseDuration, parseLogLevel, rejectExtraArguments, rejectUnknownFlags, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { parseCommandArgs } from '../command.js';

export const APPS: readonly AppDefinition[] = [echoApp, handshakeApp];

const COMMON_FLAGS: readonly FlagHelp[] = [
  { name: 'shutdown-timeout', value: 'DUR', help: 'on SIGINT/SIGTERM, how long connections may drain (default 5s)' },
  { name: 'log-level', value: 'LEVEL', help: 'debug (every transition), info, warn or error (default info)' },
  { name: 'record', value: 'FILE', help: 'write every input and step to FILE (NDJSON) for `statewire replay`' },
];

function help(): string {
  const sections = APPS.map((app) => {
    const flags = [...app.flags, ...COMMON_FLAGS].map((flag) => `  --${`${flag.name} ${flag.value}`.padEnd(26)} ${flag.help}`);
    return `statewire serve ${app.name}: ${app.summary}\n${flags.join('\n')}`;
  });
  return `usage: statewire serve <protocol> [options]\n\n${sections.join('\n\n')}\n\nDurations: 500ms, 5s, 1m, off. Sizes: 65536, 64k, 8MiB.`;
}

export const serveCommand: Command = {
  name: 'serve',
  synopsis: 'serve <protocol> [options]',
  summary: `run a protocol server on TCP (${APPS.map((app) => app.name).join(', ')})`,
  run(argv) {
    const args = parseCommandArgs(argv, help);
    if (args === null) return 0;
    const [name] = args.positionals;
    const app = APPS.find((candidate) => candidate.name === name);
    if (app === undefined) {
      throw new UsageError(`serve needs a protocol, one of: ${APPS.map((a) => a.name).join(', ')}${name === undefined ? '' : ` (got "${name}")`}`);
    }
    rejectExtraArguments(args, 1);
    rejectUnknownFlags(args, [...app.flags, ...COMMON_FLAGS].map((flag) => flag.name), `serve ${app.name} (see statewire serve --help)`);
    const level = parseLogLevel('log-level', args.flags.get('log-level') ?? 'info');
    const shutdownTimeoutMs = parseDuration('shutdown-timeout', args.flags.get('shutdown-timeout') ?? '5s');
    const served = app.configure(args.flags);

    const logger = createStreamLogger(level);
    const recordPath = args.flags.get('record');
    // Replay configures the app again from these flags; --record itself is not part of the run.
    const recorder =
      recordPath === undefined
        ? null
        : new RecordingDriver(new NetDriver(), new NdjsonFileWriter(recordPath), {
            app: app.name,
            flags: Object.fromEntries([...args.flags].filter(([flag]) => flag !== 'record')),
          });
    if (recorder !== null) process.on('exit', () => recorder.flush());
    let stopping = false;
    const dispatcher = new Dispatcher({
      driver: recorder ?? new NetDriver(),
      logger,
      ...(recorder !== null && { trace: (step) => recorder.recordStep(step) }),
      onRetire: (id, snapshot) => {
        // The root machine ending means the server cannot run (or is finished): exit.
        if (id !== served.root.id || stopping) return;
        stopping = true;
        const code = served.failedStates.has(snapshot.state) ? 1 : 0;
        dispatcher.beginShutdown({ deadlineMs: 0, onDone: () => process.exit(code) });
      },
    });
    for (const [kind, machine] of served.machines) dispatcher.register(kind, machine);

    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        logger.log('warn', `${signal} again: exiting without waiting for connections`);
        process.exit(1);
      }
      stopping = true;
      logger.log('info', `${signal}: stopping; connections may drain for ${shutdownTimeoutMs} ms`);
      recorder?.recordShutdown(shutdownTimeoutMs);
      dispatcher.beginShutdown({ deadlineMs: shutdownTimeoutMs, onDone: () => process.exit(0) });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);

    dispatcher.spawn(served.root.id, served.root.kind, served.root.input);
    return null;
  },
};
