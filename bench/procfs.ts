// What the bench reads from /proc: a server's CPU time, read from outside so the server runs
// unmodified, and the open-file limit that bounds how many connections a run can hold.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let clockTicks: number | null = null;

/** utime and stime come in clock ticks (USER_HZ, 100 on Linux unless told otherwise). */
function ticksPerSecond(): number {
  if (clockTicks === null) {
    const text = execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim();
    clockTicks = Number(text) > 0 ? Number(text) : 100;
  }
  return clockTicks;
}

/** User + system CPU seconds used so far by every thread of `pid` (resolution 1/USER_HZ). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: split after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of proc(5); the slice starts at field 3.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`cannot parse /proc/${pid}/stat`);
  return (utime + stime) / ticksPerSecond();
}

/** The soft limit on open files, which children inherit: it bounds the idle-connection rows. */
export function openFileLimit(): number {
  const match = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  if (match === null || match[1] === 'unlimited') return Number.POSITIVE_INFINITY;
  return Number(match[1]);
}
