// The CLI holds V8's young generation at its initial size while its modules load. Each case
// runs in its own node process: V8 flags and heap sizes are per process, and the heuristic
// under test only acts on a fresh heap.

import v8 from 'node:v8';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { holdYoungGenerationGrowth } from '../../src/cli/young-generation.js';
import { CLI, killAll, run } from '../support/processes.js';

afterEach(() => {
  killAll();
  vi.restoreAllMocks();
});

const MODULE = fileURLToPath(new URL('../../dist/src/cli/young-generation.js', import.meta.url));

/**
 * Committed young-generation bytes (MiB) after 8 MB of small objects survive scavenges, as
 * loading modules does, then again after the same once more past the release.
 */
async function youngGenerationAfterSurvivors(mode: 'hold' | 'none', nodeFlags: readonly string[] = []): Promise<{ held: number; released: number }> {
  const script = `
    import v8 from 'node:v8';
    import { holdYoungGenerationGrowth } from ${JSON.stringify(MODULE)};
    const committedMiB = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 2 ** 20;
    const keep = [];
    const survive = (n) => { for (let i = 0; i < n; i++) keep.push({ i, tag: 'survivor' + i }); };
    const release = ${mode === 'hold' ? 'holdYoungGenerationGrowth(process.execArgv, process.env.NODE_OPTIONS)' : '() => {}'};
    survive(200_000);
    const held = committedMiB();
    release();
    survive(200_000);
    console.log(JSON.stringify({ held, released: committedMiB() }));`;
  const { stdout, stderr, code } = await run(process.execPath, [...nodeFlags, '--input-type=module', '-e', script], '');
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return JSON.parse(stdout) as { held: number; released: number };
}

describe('holdYoungGenerationGrowth', () => {
  it('keeps survivors from growing the young generation until released', async () => {
    const grown = await youngGenerationAfterSurvivors('none');
    const held = await youngGenerationAfterSurvivors('hold');
    // Two semi-spaces of V8's initial 1 MiB; without the hold the same survivors grow it.
    expect(held.held).toBeLessThanOrEqual(2);
    expect(grown.held).toBeGreaterThan(held.held);
    // After the release V8 grows it by what survives, as it would have.
    expect(held.released).toBeGreaterThan(held.held);
  });

  it('leaves a young generation the user sized on the command line alone', async () => {
    const sized = await youngGenerationAfterSurvivors('hold', ['--semi-space-growth-factor=4']);
    expect(sized.held).toBeGreaterThan(2);
  });

  it('sets V8 flags only when neither the command line nor NODE_OPTIONS sizes the young generation', () => {
    // The flags are not really set here: this process is the test runner's.
    const setFlags = vi.spyOn(v8, 'setFlagsFromString').mockImplementation(() => {});
    holdYoungGenerationGrowth(['--max-semi-space-size=16'], undefined)();
    holdYoungGenerationGrowth([], '--require x.js --min_semi_space_size=4')();
    expect(setFlags).not.toHaveBeenCalled();
    const release = holdYoungGenerationGrowth(['--expose-gc'], '--max-old-space-size=4096');
    expect(setFlags.mock.calls).toEqual([['--semi-space-growth-factor=1']]);
    release();
    expect(setFlags.mock.calls).toEqual([['--semi-space-growth-factor=1'], ['--semi-space-growth-factor=2']]);
  });

  it('leaves the CLI without V8 flag warnings', async () => {
    const { stderr, code } = await run(process.execPath, [CLI, '--help'], '');
    expect(code).toBe(0);
    expect(stderr).toBe('');
  });
});
