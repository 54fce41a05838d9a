// A servable protocol, as the `serve` command sees it: the machines to register, the root
// machine to spawn, and the flags it understands. Each protocol has one file in this folder.

import type { MachineId } from '../../core/events.js';
import type { CompiledMachine } from '../../machine/compiled.js';

export interface FlagHelp {
  readonly name: string;
  readonly value: string;
  readonly help: string;
}

export interface ServeApp {
  readonly machines: ReadonlyMap<string, CompiledMachine>;
  readonly root: { readonly id: MachineId; readonly kind: string; readonly input: unknown };
  /** Leaf states of the root machine that mean "could not serve": exit code 1. */
  readonly failedStates: ReadonlySet<string>;
}

export interface AppDefinition {
  readonly name: string;
  readonly summary: string;
  readonly flags: readonly FlagHelp[];
  /** Reads its flags (and only those in `flags`); throws UsageError on bad values. */
  configure(flags: ReadonlyMap<string, string>): ServeApp;
}
