// The statewire command. Each subcommand lives in its own module under src/cli/commands;
// this file only picks one and turns a UsageError into one line and exit code 2.

import { reportUsageError, UsageError } from './args.js';
import type { Command } from './command.js';
import { chartCommand } from './commands/chart.js';
import { connectCommand } from './commands/connect.js';
import { replayCommand } from './commands/replay.js';
import { serveCommand } from './commands/serve.js';
import { simCommand } from './commands/sim.js';

const COMMANDS: readonly Command[] = [serveCommand, chartCommand, simCommand, connectCommand, replayCommand];

function usage(): string {
  const lines = COMMANDS.map((command) => `  ${command.synopsis.padEnd(44)} ${command.summary}`);
  return `usage: statewire <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nstatewire <command> --help shows a command's options.`;
}

function main(argv: readonly string[]): number | null {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (command === undefined) throw new UsageError(`unknown command "${name}"; commands: ${COMMANDS.map((c) => c.name).join(', ')}`);
  return command.run(rest);
}

/** Run one command line; a command that keeps serving returns and sets no exit code. */
export function runCli(argv: readonly string[]): void {
  try {
    const code = main(argv);
    if (code !== null) process.exitCode = code;
  } catch (error) {
    reportUsageError(error);
  }
}
