// The three echo servers a run compares, each in its own process, pinned to the server
// core: statewire (the CLI as users run it), plain node:net (baseline-echo.ts) and the C
// reference. Every one listens on 127.0.0.1 with port 0, announces its port on stderr, and
// ends by itself after its lifetime even if the bench dies (alarm in C, instrument.ts in Node).

import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import type { NativeTools } from './native.js';
import { CLI, compiledBench } from './paths.js';

export type ServerKind = 'statewire' | 'node' | 'c';

export const SERVER_LABELS: Record<ServerKind, string> = {
  statewire: 'statewire',
  node: 'node:net',
  c: 'C epoll',
};

export interface ServerOptions {
  readonly kind: ServerKind;
  /** Status broadcast period; null for none (statewire then gets 1h: its echo path is measured). */
  readonly statusIntervalMs: number | null;
  /** `taskset -c` CPU list, or null to leave the server unpinned. */
  readonly cpu: string | null;
  /** Hard bound on the process's life. */
  readonly lifetimeMs: number;
  /** Write a V8 CPU profile into this directory on exit (statewire and node only). */
  readonly cpuProfileDir?: string;
}

/** process.memoryUsage() of a Node server after a full GC (see instrument.ts). */
export interface LiveMemory {
  readonly rss: number;
  readonly heapUsed: number;
  readonly external: number;
  /** V8's new space, committed: part of `rss`, sized by allocation bursts, not by connections. */
  readonly youngGen: number;
}

export interface RunningServer {
  readonly kind: ServerKind;
  readonly pid: number;
  readonly port: number;
  /** Node servers only: collect garbage in the server, then report its memory (see instrument.ts). */
  liveMemory(timeoutMs?: number): Promise<LiveMemory>;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const LISTENING = /listening on [^\s:]+:(\d+)/;
const MEMORY_LINE = /^bench-memory (.+)$/gm;

function command(options: ServerOptions, native: NativeTools): { file: string; args: string[] } {
  const nodeFlags = [
    ...(options.cpuProfileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir]),
    '--expose-gc',
    '--import',
    pathToFileURL(compiledBench('instrument.js')).href,
  ];
  switch (options.kind) {
    case 'statewire': {
      const interval = options.statusIntervalMs === null ? '1h' : `${options.statusIntervalMs}ms`;
      const serve = ['serve', 'echo', '--host', '127.0.0.1', '--port', '0', '--status-interval', interval];
      return { file: process.execPath, args: [...nodeFlags, CLI, ...serve, '--max-connections', '100000', '--shutdown-timeout', '1s'] };
    }
    case 'node': {
      const interval = options.statusIntervalMs === null ? [] : ['--status-interval', String(options.statusIntervalMs)];
      return { file: process.execPath, args: [...nodeFlags, compiledBench('baseline-echo.js'), '--port', '0', ...interval] };
    }
    case 'c': {
      const interval = options.statusIntervalMs === null ? [] : ['--status-interval', String(options.statusIntervalMs)];
      return { file: native.echoServer, args: ['--port', '0', '--lifetime', String(Math.ceil(options.lifetimeMs / 1000)), ...interval] };
    }
  }
}

export async function startServer(options: ServerOptions, native: NativeTools, timeoutMs = 15_000): Promise<RunningServer> {
  const { file, args } = command(options, native);
  // taskset execs the server, so the child's pid is the server's own (what /proc is read for).
  const [bin, argv] = options.cpu === null ? [file, args] : ['taskset', ['-c', options.cpu, file, ...args]];
  const child: ChildProcessByStdio<null, null, Readable> = spawn(bin, argv, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, STATEWIRE_BENCH_LIFETIME_MS: String(options.lifetimeMs) },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => fail(`no "listening on" line within ${timeoutMs} ms`), timeoutMs);
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`bench: ${options.kind} server: ${why}; stderr:\n${stderr}`));
    };
    const onEarlyExit = (code: number | null, signal: NodeJS.Signals | null): void => fail(`exited (${code ?? signal}) before listening`);
    child.once('error', (error) => fail(error.message));
    child.once('exit', onEarlyExit);
    const onData = (): void => {
      const match = LISTENING.exec(stderr);
      if (match === null) return;
      clearTimeout(timer);
      child.off('exit', onEarlyExit);
      child.stderr.off('data', onData);
      resolve(Number(match[1]));
    };
    child.stderr.on('data', onData);
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`bench: ${options.kind} server has no pid`);

  return {
    kind: options.kind,
    pid,
    port,
    async liveMemory(timeoutMs = 10_000) {
      if (options.kind === 'c') throw new Error('bench: the C server does not report its memory');
      const seen = [...stderr.matchAll(MEMORY_LINE)].length;
      child.kill('SIGUSR2');
      const started = Date.now();
      for (;;) {
        const line = [...stderr.matchAll(MEMORY_LINE)][seen]?.[1];
        if (line !== undefined) return parseMemory(line);
        if (hasExited || Date.now() - started > timeoutMs) throw new Error(`bench: ${options.kind} server did not report its memory; stderr:\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async stop(graceMs = 5_000) {
      if (hasExited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

function parseMemory(line: string): LiveMemory {
  const value: unknown = JSON.parse(line);
  if (typeof value !== 'object' || value === null) throw new Error(`bench: bad memory line ${line}`);
  const { rss, heapUsed, external, youngGen } = value as Record<string, unknown>;
  if (typeof rss !== 'number' || typeof heapUsed !== 'number' || typeof external !== 'number' || typeof youngGen !== 'number') {
    throw new Error(`bench: bad memory line ${line}`);
  }
  return { rss, heapUsed, external, youngGen };
}
