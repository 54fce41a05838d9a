// Runs a bench probe as its own process (optionally pinned) and returns the JSON object it
// prints last on stdout. The probe is killed if it outlives `timeoutMs`.

import { spawn } from 'node:child_process';

export function runJsonChild(file: string, args: readonly string[], cpu: string | null, timeoutMs: number): Promise<unknown> {
  const [bin, argv] = cpu === null ? [file, [...args]] : ['taskset', ['-c', cpu, file, ...args]];
  const child = spawn(bin, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        if (code !== 0) throw new Error(`exited (${code ?? signal})`);
        resolve(JSON.parse(line));
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        reject(new Error(`bench: ${file} ${args.join(' ')}: ${why}\nstdout: ${stdout}\nstderr: ${stderr}`));
      }
    });
  });
}
