// The benchmark harness, end to end but tiny: build the C load generator, run a ~1 s echo
// cell and a short idle hold against the statewire CLI, and check the reports' shape and
// that bytes really came back. No timing assertions: timing claims live in
// docs/benchmarks.md, where noise is measured, not in tests.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdConnections, runEchoCell } from '../../bench/loadgen.js';
import type { NativeTools } from '../../bench/native.js';
import { buildNative } from '../../bench/native.js';
import type { RunningServer } from '../../bench/servers.js';
import { startServer } from '../../bench/servers.js';

let native: NativeTools;
const servers: RunningServer[] = [];

/** statewire as the bench runs it; a status line would interleave with echoes, so echo cells run without one. */
async function statewire(statusIntervalMs: number | null): Promise<RunningServer> {
  const server = await startServer({ kind: 'statewire', statusIntervalMs, cpu: null, lifetimeMs: 60_000 }, native);
  servers.push(server);
  return server;
}

beforeAll(async () => {
  native = await buildNative();
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  native?.remove();
});

describe('bench harness', () => {
  it('runs an echo cell against statewire and reports messages and latency', async () => {
    const server = await statewire(null);
    const result = await runEchoCell(native, server.port, { connections: 4, size: 64, inflight: 4 }, { warmupS: 0.2, durationS: 1 }, null);
    expect(result.connected).toBe(4);
    expect(result.messages).toBeGreaterThan(0);
    expect(result.msgsPerS).toBeGreaterThan(0);
    expect(result.mismatches).toBe(0);
    expect(result.errors).toBe(0);
    for (const value of [result.p50Us, result.p99Us, result.p999Us]) expect(Number.isFinite(value)).toBe(true);
    expect(result.p50Us).toBeLessThanOrEqual(result.p99Us);
    expect(result.p99Us).toBeLessThanOrEqual(result.p999Us);
  });

  it('holds idle connections that receive the status broadcast', async () => {
    const server = await statewire(200);
    const session = await holdConnections(native, server.port, 20, 2, 30, null);
    expect(session.connected).toBe(20);
    expect(session.failed).toBe(0);
    // Two status intervals: every connection has had at least one status line by then.
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Memory as the report reads it: after a GC, with V8's new space broken out of RSS.
    const memory = await server.liveMemory();
    expect(memory.heapUsed).toBeGreaterThan(0);
    expect(memory.youngGen).toBeGreaterThan(0);
    expect(memory.youngGen).toBeLessThan(memory.rss);
    const done = await session.release();
    expect(done.closedByServer).toBe(0);
    expect(done.bytesReceived).toBeGreaterThanOrEqual(20 * 'Server status: 20 active connections\n'.length);
  });
});
