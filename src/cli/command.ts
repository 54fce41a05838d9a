// The shape of a CLI subcommand: it parses its own arguments and either finishes
// (returns an exit code) or starts something long-running (returns null).

export interface Command {
  readonly name: string;
  /** e.g. "serve <protocol> [options]" */
  readonly synopsis: string;
  readonly summary: string;
  /** Throws UsageError for bad input. */
  run(argv: readonly string[]): number | null;
}
