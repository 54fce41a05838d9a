// Runs the C load generator (bench/loadgen.c) and turns its JSON lines into typed results.
// The load generator is pinned to the load core, targets 127.0.0.1 only, and bounds itself
// in time; the timeouts here are a second bound on top of its own alarm().

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { runJsonChild } from './child.js';
import type { NativeTools } from './native.js';

export interface EchoCell {
  readonly connections: number;
  readonly size: number;
  readonly inflight: number;
}

export interface EchoTiming {
  readonly warmupS: number;
  readonly durationS: number;
}

export interface EchoResult {
  readonly connected: number;
  /** Messages completed in the measured window. */
  readonly messages: number;
  /** Messages completed in the whole run, warm-up included. */
  readonly messagesTotal: number;
  readonly msgsPerS: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly p999Us: number;
  /** Connections the server closed or reset during the run. */
  readonly errors: number;
  /** Echoed bytes that differed from what was sent. */
  readonly mismatches: number;
}

export interface HoldSession {
  readonly connected: number;
  readonly failed: number;
  /** How long setting the connections up took (each proven accepted by a probe echo). */
  readonly connectS: number;
  /** Closes the load generator's stdin: it reports what it received, then exits (with RST). */
  release(): Promise<{ readonly bytesReceived: number; readonly closedByServer: number }>;
}

type Json = { readonly [key: string]: unknown };

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function num(record: Json, key: string): number {
  const value = record[key];
  if (typeof value !== 'number') throw new Error(`bench: loadgen output lacks number "${key}": ${JSON.stringify(record)}`);
  return value;
}

/** A report object from the load generator, which prints {"error": ...} when it cannot run. */
function asReport(value: unknown, line: string): Json {
  if (!isRecord(value)) throw new Error(`bench: loadgen printed ${line}`);
  if (typeof value.error === 'string') throw new Error(`bench: loadgen failed: ${value.error}`);
  return value;
}

function parseLine(line: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error(`bench: loadgen printed something that is not JSON: ${line}`);
  }
  return asReport(value, line);
}

/** One ping-pong run against `port`; resolves with the load generator's figures. */
export async function runEchoCell(native: NativeTools, port: number, cell: EchoCell, timing: EchoTiming, cpu: string | null): Promise<EchoResult> {
  const args = [
    ...['echo', '--port', String(port), '--connections', String(cell.connections), '--inflight', String(cell.inflight)],
    ...['--size', String(cell.size), '--warmup', String(timing.warmupS), '--duration', String(timing.durationS)],
  ];
  const output = await runJsonChild(native.loadgen, args, cpu, (timing.warmupS + timing.durationS + 60) * 1000);
  const report = asReport(output, JSON.stringify(output));
  const latency = report.latency_us;
  if (!isRecord(latency)) throw new Error(`bench: loadgen output lacks latency_us: ${JSON.stringify(report)}`);
  return {
    connected: num(report, 'connected'),
    messages: num(report, 'messages'),
    messagesTotal: num(report, 'messages_total'),
    msgsPerS: num(report, 'msgs_per_s'),
    p50Us: num(latency, 'p50'),
    p99Us: num(latency, 'p99'),
    p999Us: num(latency, 'p999'),
    errors: num(report, 'errors'),
    mismatches: num(report, 'mismatches'),
  };
}

/**
 * Opens `count` idle connections to `port`, spread over `sources` loopback addresses, and
 * keeps them open until `release()` (or `maxHoldS`, the load generator's own bound).
 */
export function holdConnections(native: NativeTools, port: number, count: number, sources: number, maxHoldS: number, cpu: string | null): Promise<HoldSession> {
  const args = ['hold', '--port', String(port), '--connections', String(count), '--sources', String(sources), '--max-hold', String(maxHoldS)];
  const [bin, argv] = cpu === null ? [native.loadgen, args] : ['taskset', ['-c', cpu, native.loadgen, ...args]];
  const child = spawn(bin, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const killer = setTimeout(() => child.kill('SIGKILL'), (maxHoldS + 90) * 1000);
  child.once('close', () => clearTimeout(killer));
  const next = async (): Promise<Json> => {
    const line = await lines.next();
    if (line.done === true) throw new Error(`bench: loadgen hold ended without a report; stderr: ${stderr}`);
    return parseLine(line.value);
  };
  return next().then(
    (connected) => ({
      connected: num(connected, 'connected'),
      failed: num(connected, 'connect_failed'),
      connectS: num(connected, 'connect_s'),
      async release() {
        child.stdin.end();
        const done = await next();
        return { bytesReceived: num(done, 'bytes_received'), closedByServer: num(done, 'closed_by_server') };
      },
    }),
    (error: unknown) => {
      child.kill('SIGKILL');
      throw error;
    },
  );
}
