// The facts that make a benchmark table readable later: which CPU, how many cores, which
// Node and kernel, how loaded the machine was, and whether server and load could be pinned.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface MachineFacts {
  readonly date: string;
  readonly cpuModel: string;
  readonly cores: number;
  readonly node: string;
  readonly kernel: string;
  readonly compiler: string;
  /** 1-minute load average when the run started: above ~0.5 the figures are noisy. */
  readonly loadAverage: number;
  /** CPU lists for `taskset -c`, or null when the machine cannot keep them apart. */
  readonly pinning: { readonly server: string; readonly load: string } | null;
}

function firstLine(command: string, args: readonly string[]): string | null {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0] ?? null;
  } catch {
    return null;
  }
}

export function machineFacts(): MachineFacts {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  const cores = os.availableParallelism();
  const hasTaskset = firstLine('taskset', ['--version']) !== null;
  return {
    date: new Date().toISOString(),
    cpuModel: model.trim(),
    cores,
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
    compiler: firstLine('cc', ['--version']) ?? 'cc not found',
    loadAverage: os.loadavg()[0] ?? 0,
    // Server on the first core, load generator on the last: they never share a core.
    pinning: hasTaskset && cores >= 2 ? { server: '0', load: String(cores - 1) } : null,
  };
}
