// Rows 2 and 4: many idle connections. A fresh server per run, so its memory before the
// connections is a clean baseline: memory idle, then N connections from the load
// generator, then CPU over a hold window that contains the status broadcasts, then memory
// again. Memory is read right after a full GC in the server (instrument.ts), so the Node
// servers are compared on live memory. Two reference runs frame the figures: the C server
// doing the same broadcast (what the kernel's writes cost alone) and statewire with no
// broadcast (what holding idle connections costs the framework itself).

import { setTimeout as sleep } from 'node:timers/promises';
import { holdConnections } from './loadgen.js';
import type { MachineFacts } from './machine.js';
import type { NativeTools } from './native.js';
import type { Plan } from './plan.js';
import { rotate } from './plan.js';
import { cpuSeconds, openFileLimit } from './procfs.js';
import type { LiveMemory, ServerKind } from './servers.js';
import { startServer } from './servers.js';

export type IdleConfig = 'node' | 'statewire' | 'c' | 'statewire-silent';

const CONFIGS: Readonly<Record<IdleConfig, { readonly kind: ServerKind; readonly broadcast: boolean }>> = {
  node: { kind: 'node', broadcast: true },
  statewire: { kind: 'statewire', broadcast: true },
  c: { kind: 'c', broadcast: true },
  'statewire-silent': { kind: 'statewire', broadcast: false },
};
const IDLE_CONFIGS = Object.keys(CONFIGS) as IdleConfig[];

export interface IdleRun {
  readonly connected: number;
  readonly connectS: number;
  readonly holdS: number;
  /** Server CPU (user + system, all threads) over the hold window. */
  readonly cpuSeconds: number;
  /** Live memory before the connections and at the end of the hold; null for the C server. */
  readonly idle: LiveMemory | null;
  readonly held: LiveMemory | null;
  /** Status-line bytes the clients received during the hold: the broadcasts did happen. */
  readonly bytesReceived: number;
}

export interface IdleRow {
  readonly connections: number;
  readonly runs: Readonly<Record<IdleConfig, readonly IdleRun[]>>;
}

export interface IdleSection {
  readonly holdS: number;
  readonly statusIntervalMs: number;
  readonly rows: readonly IdleRow[];
  readonly skipped: readonly { readonly connections: number; readonly reason: string }[];
}

/** Open files a process needs besides its connections (listener, epoll, pipes, libuv). */
const FD_HEADROOM = 64;
/** Connections per loopback source address: well inside the default ephemeral port range. */
const PER_SOURCE = 20_000;

/** Waits until `pid` used no CPU for two polls in a row (bounded): accepts and GC are done. */
async function settle(pid: number, maxMs = 10_000): Promise<void> {
  const started = Date.now();
  let last = cpuSeconds(pid);
  while (Date.now() - started < maxMs) {
    await sleep(250);
    const now = cpuSeconds(pid);
    if (now === last) return;
    last = now;
  }
}

async function idleRun(config: IdleConfig, connections: number, plan: Plan, native: NativeTools, facts: MachineFacts): Promise<IdleRun> {
  const { kind, broadcast } = CONFIGS[config];
  const server = await startServer(
    {
      kind,
      statusIntervalMs: broadcast ? plan.idleStatusIntervalMs : null,
      cpu: facts.pinning?.server ?? null,
      lifetimeMs: (plan.idleHoldS + 120) * 1000,
    },
    native,
  );
  try {
    await settle(server.pid);
    const idle = kind === 'c' ? null : await server.liveMemory();
    const sources = Math.ceil(connections / PER_SOURCE);
    const session = await holdConnections(native, server.port, connections, sources, plan.idleHoldS + 60, facts.pinning?.load ?? null);
    await settle(server.pid);
    const cpuBefore = cpuSeconds(server.pid);
    const started = performance.now();
    await sleep(plan.idleHoldS * 1000);
    const cpuAfter = cpuSeconds(server.pid);
    const holdS = (performance.now() - started) / 1000;
    const held = kind === 'c' ? null : await server.liveMemory();
    const done = await session.release();
    return {
      connected: session.connected,
      connectS: session.connectS,
      holdS,
      cpuSeconds: cpuAfter - cpuBefore,
      idle,
      held,
      bytesReceived: done.bytesReceived,
    };
  } finally {
    await server.stop();
  }
}

export async function runIdleBench(plan: Plan, native: NativeTools, facts: MachineFacts, log: (line: string) => void): Promise<IdleSection> {
  const fdLimit = openFileLimit();
  const rows: IdleRow[] = [];
  const skipped: { connections: number; reason: string }[] = [];
  for (const connections of plan.idleConnections) {
    if (connections + FD_HEADROOM > fdLimit) {
      skipped.push({
        connections,
        reason: `needs ${connections + FD_HEADROOM} open files in both the server and the load generator; the limit here is ${fdLimit} (ulimit -n)`,
      });
      continue;
    }
    const runs: Record<IdleConfig, IdleRun[]> = { node: [], statewire: [], c: [], 'statewire-silent': [] };
    for (let rep = 0; rep < plan.reps; rep++) {
      for (const config of rotate(IDLE_CONFIGS, rep)) {
        const run = await idleRun(config, connections, plan, native, facts);
        runs[config].push(run);
        const mib = (bytes: number | undefined): string => (bytes === undefined ? '-' : (bytes / 2 ** 20).toFixed(1));
        log(
          `idle ${config}: ${run.connected}/${connections} connected in ${run.connectS.toFixed(1)} s, ` +
            `${run.cpuSeconds.toFixed(2)} CPU s in ${run.holdS.toFixed(1)} s, RSS ${mib(run.idle?.rss)} -> ${mib(run.held?.rss)} MiB, ` +
            `heap ${mib(run.idle?.heapUsed)} -> ${mib(run.held?.heapUsed)} MiB, ${run.bytesReceived} status bytes`,
        );
      }
    }
    rows.push({ connections, runs });
  }
  return { holdS: plan.idleHoldS, statusIntervalMs: plan.idleStatusIntervalMs, rows, skipped };
}
