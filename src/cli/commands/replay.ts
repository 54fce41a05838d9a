// `statewire replay FILE`: feed a log written by `serve --record` to the same machines
// under the recorded clock and check every step against the recording. Nothing touches
// the network. Exit code 1 at the first difference.

import { readFileSync } from 'node:fs';
import { parseLog } from '../../drivers/record/log-format.js';
import { replayLog } from '../../drivers/record/replay.js';
import { rejectExtraArguments, rejectUnknownFlags, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { parseCommandArgs } from '../command.js';
import { APPS } from './serve.js';

function help(): string {
  return 'usage: statewire replay FILE\n\nFILE is a log written by `statewire serve <protocol> --record FILE`.';
}

export const replayCommand: Command = {
  name: 'replay',
  synopsis: 'replay FILE',
  summary: 'replay a `serve --record` log and compare every step',
  run(argv) {
    const args = parseCommandArgs(argv, help);
    if (args === null) return 0;
    const [file] = args.positionals;
    if (file === undefined) throw new UsageError('replay needs the log file written by serve --record');
    rejectExtraArguments(args, 1);
    rejectUnknownFlags(args, [], 'replay');
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
    let lines;
    try {
      lines = parseLog(text);
    } catch (error) {
      throw new UsageError(`${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const header = lines[0];
    if (header?.k !== 'header') throw new UsageError(`${file}: no header`);
    const app = APPS.find((candidate) => candidate.name === header.app);
    if (app === undefined) throw new UsageError(`${file} was recorded with app "${header.app}", which this statewire does not have`);
    const report = replayLog(lines, app.configure(new Map(Object.entries(header.flags))));
    if (report.divergence !== null) {
      process.stdout.write(`replay ${file}: DIVERGED after ${report.inputs} inputs, ${report.steps.length} steps\n  ${report.divergence}\n`);
      return 1;
    }
    process.stdout.write(`replay ${file}: ${report.inputs} inputs, ${report.steps.length} steps, every step identical to the recording\n`);
    return 0;
  },
};
