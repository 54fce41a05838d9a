// Builds the C load generator and the C reference echo server with the machine's own
// `cc -O2`, into a fresh temporary directory that nothing commits and `remove()` deletes.

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { benchSource } from './paths.js';

const run = promisify(execFile);

export interface NativeTools {
  readonly loadgen: string;
  readonly echoServer: string;
  remove(): void;
}

export async function buildNative(): Promise<NativeTools> {
  const dir = mkdtempSync(join(os.tmpdir(), 'statewire-bench-'));
  const compile = async (source: string, output: string): Promise<string> => {
    const path = join(dir, output);
    try {
      await run('cc', ['-O2', '-Wall', '-o', path, benchSource(source)], { timeout: 60_000 });
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      const detail = error instanceof Error ? error.message : String(error);
      throw new Error(`bench: cannot compile bench/${source} with cc (is a C compiler installed?): ${detail}`);
    }
    return path;
  };
  const loadgen = await compile('loadgen.c', 'loadgen');
  const echoServer = await compile('echo-server.c', 'echo-server');
  return { loadgen, echoServer, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
