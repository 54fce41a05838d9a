// A servable protocol, as the `serve` command sees it: the machines to register, the root
// machine to spawn, and the flags it understands. Each protocol has one file in this folder.

import type { MachineId } from '../../core/events.js';
import type { CompiledMachine } from '../../machine/compiled.js';
import { parseInteger, parsePort } from '../args.js';

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

/** --host and --port, the same for every server but for the default port. */
export function listenFlags(defaultPort: number): FlagHelp[] {
  return [
    { name: 'host', value: 'ADDR', help: 'address to listen on (default 127.0.0.1)' },
    { name: 'port', value: 'N', help: `TCP port, 0 for any free one (default ${defaultPort})` },
  ];
}

/** --host, --port and --max-connections (default 10000), as every server's input holds them. */
export function parseListen(flags: ReadonlyMap<string, string>, defaultPort: number): { host: string; port: number; maxConnections: number } {
  return {
    host: flags.get('host') ?? '127.0.0.1',
    port: parsePort('port', flags.get('port') ?? String(defaultPort)),
    maxConnections: parseInteger('max-connections', flags.get('max-connections') ?? '10000', 1, 1_000_000),
  };
}
