// Where the bench finds its parts. The same modules run from bench/*.ts (under vitest) and
// from dist/bench/*.js (npm run bench), so paths are resolved from the repository root.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`bench: no package.json above ${start}`);
  }
}

export const REPO_ROOT = findRoot();

/** The statewire CLI as `npm run build` leaves it. */
export const CLI = join(REPO_ROOT, 'dist/src/cli/main.js');

/** A compiled bench module that runs as its own process (servers, the timer probe). */
export function compiledBench(file: string): string {
  return join(REPO_ROOT, 'dist/bench', file);
}

/** A bench source that is not TypeScript (the C programs, the hand-written findings). */
export function benchSource(file: string): string {
  return join(REPO_ROOT, 'bench', file);
}
