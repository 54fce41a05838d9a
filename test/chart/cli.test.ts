// `statewire chart` as a user runs it: the built CLI (npm test builds first) in a child process.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { toDot } from '../../src/chart/dot.js';
import { toMermaid } from '../../src/chart/mermaid.js';
import { chartModel } from '../../src/chart/model.js';
import { connectionLifecycleMachine } from '../../machines/connection-lifecycle.js';
import { echoServer } from '../../machines/echo.js';
import { CLI } from '../support/processes.js';

function statewire(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
}

const dir = mkdtempSync(join(tmpdir(), 'statewire-chart-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('statewire chart', () => {
  test('prints a shipped machine as Mermaid by default', () => {
    const result = statewire('chart', 'connection-lifecycle');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(toMermaid(chartModel(connectionLifecycleMachine)));
  });

  test('writes DOT to --out', () => {
    const out = join(dir, 'lifecycle.dot');
    const result = statewire('chart', 'connection-lifecycle', '--format', 'dot', '--out', out);
    expect(result.status).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(toDot(chartModel(connectionLifecycleMachine)));
  });

  test('charts a machine exported by a compiled module, picked with #export', () => {
    const result = statewire('chart', 'dist/machines/echo.js#echoServer');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(toMermaid(chartModel(echoServer)));
  });

  test.each([
    [['chart', 'dist/machines/echo.js'], 2, 'exports 2 machines (echoConnection, echoServer): pick one with dist/machines/echo.js#<name>'],
    [['chart', 'dist/machines/echo.js#nope'], 2, 'has no machine export "nope" (machine exports: echoConnection, echoServer)'],
    [['chart', 'no-such-machine'], 2, 'no shipped machine "no-such-machine"'],
    [['chart', './missing.js'], 2, 'cannot load ./missing.js: Cannot find module'],
    [['chart', 'machines/echo.ts'], 2, 'chart loads compiled JavaScript'],
    [['chart', 'connection-lifecycle', '--format', 'svg'], 2, '--format must be mermaid or dot, got "svg"'],
    [['chart'], 2, 'chart needs a machine'],
  ])('statewire %j fails with one clear line', (args, status, message) => {
    const result = statewire(...args);
    expect(result.status).toBe(status);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(message);
  });
});
