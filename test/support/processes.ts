// Child processes for loopback integration tests: the statewire CLI as a user runs it,
// and real clients (nc, socat). Every wait has a deadline, and every process started here
// is killed when its test ends.

import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Readable, Writable } from 'node:stream';

export const CLI = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

type Child = ChildProcessByStdio<Writable, Readable, Readable>;

export interface RunningCli {
  readonly child: Child;
  readonly port: number;
  /** Everything the process wrote to stderr so far (its log). */
  log(): string;
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (or the signal name). */
  exited(timeoutMs?: number): Promise<number | string>;
}

const live = new Set<Child>();

/** Kill whatever a test left running; call from afterEach. */
export function killAll(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

export interface StartOptions {
  readonly timeoutMs?: number;
  /** Run under `ulimit -n` (the shell's open-file limit), to exhaust file descriptors on purpose. */
  readonly maxOpenFiles?: number;
}

/** Start `statewire <args>` and wait for its "listening on HOST:PORT" log line. */
export async function startCli(args: readonly string[], options: StartOptions = {}): Promise<RunningCli> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const argv = [process.execPath, CLI, ...args];
  const child =
    options.maxOpenFiles === undefined
      ? spawn(argv[0] as string, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] })
      : spawn('bash', ['-c', `ulimit -n ${options.maxOpenFiles} && exec "$@"`, 'bash', ...argv], { stdio: ['pipe', 'pipe', 'pipe'] });
  live.add(child);
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr += chunk));
  const exit = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => {
      live.delete(child);
      resolve(code ?? signal ?? 'unknown');
    });
  });
  const waitForLog = (pattern: RegExp, waitMs = 10_000): Promise<RegExpMatchArray> =>
    new Promise((resolve, reject) => {
      const started = Date.now();
      const poll = (): void => {
        const match = pattern.exec(stderr);
        if (match !== null) return resolve(match);
        if (Date.now() - started > waitMs) return reject(new Error(`no log line matching ${pattern} within ${waitMs} ms; log:\n${stderr}`));
        setTimeout(poll, 10);
      };
      poll();
    });
  const running: RunningCli = {
    child,
    port: 0,
    log: () => stderr,
    waitForLog,
    exited: (waitMs = 10_000) =>
      Promise.race([
        exit,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`process still running after ${waitMs} ms; log:\n${stderr}`)), waitMs)),
      ]),
  };
  const match = await Promise.race([
    waitForLog(/listening on [^\s:]+:(\d+)/, timeoutMs),
    exit.then((code) => {
      throw new Error(`statewire exited (${code}) before listening; log:\n${stderr}`);
    }),
  ]);
  return { ...running, port: Number(match[1]) };
}

/** Run a command to completion with stdin, returning stdout, stderr and the exit code. */
export function run(
  command: string,
  args: readonly string[],
  input: string,
  timeoutMs = 10_000,
): Promise<{ stdout: string; stderr: string; code: number | string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    live.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (stdout += chunk));
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not finish within ${timeoutMs} ms; stdout: ${stdout}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      resolve({ stdout, stderr, code: code ?? signal ?? 'unknown' });
    });
    child.stdin.end(input);
  });
}
