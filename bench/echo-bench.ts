// Row 1: echo ping-pong against the three servers, in the same run. All three are started
// once, pinned to the server core. Every cell runs node:net and statewire in pairs, back
// to back (which goes first alternates), so a ratio taken inside a pair compares two runs
// seconds apart under the same background load; the report's verdict is the median of
// those paired ratios. The C reference, which only shows that the load generator is not
// the bottleneck, runs once per cell, after the first pair.

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { EchoCell, EchoResult, EchoTiming } from './loadgen.js';
import { runEchoCell } from './loadgen.js';
import type { MachineFacts } from './machine.js';
import type { NativeTools } from './native.js';
import type { Plan } from './plan.js';
import { rotate } from './plan.js';
import { cpuSeconds } from './procfs.js';
import type { ProfileSummary } from './profile.js';
import { summarizeProfile } from './profile.js';
import type { RunningServer, ServerKind } from './servers.js';
import { startServer } from './servers.js';
import { median } from './stats.js';

const ECHO_SERVERS: readonly ServerKind[] = ['node', 'statewire', 'c'];
const PAIRED: readonly ServerKind[] = ['node', 'statewire'];

export interface EchoRun extends EchoResult {
  /**
   * Server CPU (user + system) per message echoed, over the whole run. Unlike msgs/s it
   * hardly moves when other processes steal the core, so it is the steadier comparison.
   */
  readonly serverCpuUsPerMsg: number;
}

export interface EchoRow {
  readonly cell: EchoCell;
  /** node:net's and statewire's runs in pair order (index i of each is pair i); C's one run. */
  readonly runs: Readonly<Record<ServerKind, readonly EchoRun[]>>;
}

export interface EchoSection {
  readonly timing: EchoTiming;
  readonly rows: readonly EchoRow[];
  /** Where the statewire server spent its CPU over the whole section (--profile only). */
  readonly profile: ProfileSummary | null;
}

export async function runEchoBench(plan: Plan, native: NativeTools, facts: MachineFacts, log: (line: string) => void): Promise<EchoSection> {
  const { echoCells: cells, echoTiming: timing, echoPairs: pairs } = plan;
  const perRunS = timing.warmupS + timing.durationS + 5;
  const lifetimeMs = (cells.length * (2 * pairs + 1) * perRunS + 120) * 1000;
  const profileDir = plan.profile ? mkdtempSync(join(os.tmpdir(), 'statewire-bench-prof-')) : null;
  const servers = new Map<ServerKind, RunningServer>();
  const rows: EchoRow[] = [];
  try {
    for (const kind of ECHO_SERVERS) {
      const server = await startServer(
        {
          kind,
          statusIntervalMs: null,
          cpu: facts.pinning?.server ?? null,
          lifetimeMs,
          ...(kind === 'statewire' && profileDir !== null && { cpuProfileDir: profileDir }),
        },
        native,
      );
      servers.set(kind, server);
    }
    for (const cell of cells) {
      const runs: Record<ServerKind, EchoRun[]> = { node: [], statewire: [], c: [] };
      const measure = async (kind: ServerKind): Promise<void> => {
        const server = servers.get(kind) as RunningServer;
        const cpuBefore = cpuSeconds(server.pid);
        const result = await runEchoCell(native, server.port, cell, timing, facts.pinning?.load ?? null);
        const cpuS = cpuSeconds(server.pid) - cpuBefore;
        runs[kind].push({ ...result, serverCpuUsPerMsg: (cpuS * 1e6) / Math.max(1, result.messagesTotal) });
      };
      for (let pair = 0; pair < pairs; pair++) {
        for (const kind of rotate(PAIRED, pair)) await measure(kind);
        if (pair === 0) await measure('c');
      }
      const line = ECHO_SERVERS.map((kind) => `${kind} ${Math.round(median(runs[kind].map((run) => run.msgsPerS)))}/s`).join(', ');
      log(`echo ${cell.connections} conns, ${cell.size} B, ${cell.inflight} in flight: ${line}`);
      rows.push({ cell, runs });
    }
  } finally {
    await Promise.all([...servers.values()].map((server) => server.stop()));
  }
  let profile: ProfileSummary | null = null;
  if (profileDir !== null) {
    const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
    if (file === undefined) {
      log('no CPU profile was written (did the statewire server exit cleanly?)');
      rmSync(profileDir, { recursive: true, force: true });
    } else {
      // Kept for a flame graph (Chrome DevTools, speedscope): the summary only ranks self time.
      log(`statewire CPU profile: ${join(profileDir, file)}`);
      profile = summarizeProfile(join(profileDir, file));
    }
  }
  return { timing, rows, profile };
}
