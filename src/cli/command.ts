// The shape of a CLI subcommand: it parses its own arguments and either finishes
// (returns an exit code) or starts something long-running (returns null).

import { parseArgs } from './args.js';
import type { ParsedArgs } from './args.js';

export interface Command {
  readonly name: string;
  /** e.g. "serve <protocol> [options]" */
  readonly synopsis: string;
  readonly summary: string;
  /** Throws UsageError for bad input. */
  run(argv: readonly string[]): number | null;
}

/**
 * How every subcommand starts: parse its arguments and answer `--help` before anything
 * else is checked, so help works next to bad input. Null when help was printed (exit 0).
 */
export function parseCommandArgs(argv: readonly string[], help: () => string, switches: readonly string[] = []): ParsedArgs | null {
  const args = parseArgs(argv, new Set(['help', ...switches]));
  if (!args.flags.has('help')) return args;
  process.stdout.write(`${help()}\n`);
  return null;
}
