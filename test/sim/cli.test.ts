// The simulation, handshake and replay commands as a user runs them (the built CLI):
// `sim` is reproducible from its arguments, `serve handshake` talks to `connect
// handshake` over loopback, and a `serve --record` log replays identically.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI, killAll, run, startCli } from '../support/processes.js';
import { connectClient } from '../support/tcp-client.js';

afterEach(killAll);

const statewire = (...args: string[]) => run(process.execPath, [CLI, ...args], '', 20_000);

describe('statewire sim', () => {
  it('prints the same summary and trace hash for the same arguments', async () => {
    const args = ['sim', 'handshake', '--seed', '5', '--clients', '6', '--duration', '2s', '--hash', '--quiet', '--faults', '[{"at":400,"fault":{"type":"crash","node":"server","downMs":200}}]'];
    const first = await statewire(...args);
    const second = await statewire(...args);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/trace sha256 [0-9a-f]{64}/);
    expect(first.stdout).toMatch(/faults applied 1, skipped 0/);
    const hash = (text: string) => /trace sha256 (\w+)/.exec(text)?.[1];
    expect(hash(second.stdout)).toBe(hash(first.stdout));
  });

  it('explores generated fault schedules and prints the command that explores them again', async () => {
    const args = ['sim', 'handshake', '--explore', '40', '--fc-seed', '3', '--max-faults', '4', '--clients', '4', '--duration', '2s', '--quiet'];
    const first = await statewire(...args);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^sim handshake: explored 40 seeds with up to 4 generated faults each \(fast-check seed 3\) in [\d.]+ s; \d+ invariant checks, no violation\n/);
    expect(first.stdout).toContain('again: npx statewire sim handshake --explore 40 --fc-seed 3 --max-faults 4 --clients 4 --duration 2000ms');
    // The same fast-check seed generates the same runs: the same number of checks.
    const checks = (text: string) => /(\d+) invariant checks/.exec(text)?.[1];
    expect(checks((await statewire(...args)).stdout)).toBe(checks(first.stdout));
  });

  it('splits an exploration over worker threads, share i under fast-check seed N + i', async () => {
    const common = ['--max-faults', '4', '--clients', '4', '--duration', '2s', '--quiet'];
    const split = await statewire('sim', 'handshake', '--explore', '41', '--workers', '2', '--fc-seed', '3', ...common);
    expect(split.code).toBe(0);
    expect(split.stdout).toMatch(/explored 41 seeds with up to 4 generated faults each \(fast-check seeds 3 to 4, 2 workers\)/);
    expect(split.stdout).toContain('again: npx statewire sim handshake --explore 41 --fc-seed 3 --workers 2 --max-faults 4');
    const checks = (text: string) => Number(/(\d+) invariant checks/.exec(text)?.[1]);
    const [first, second] = await Promise.all([
      statewire('sim', 'handshake', '--explore', '21', '--fc-seed', '3', ...common),
      statewire('sim', 'handshake', '--explore', '20', '--fc-seed', '4', ...common),
    ]);
    expect(checks(split.stdout)).toBe(checks(first!.stdout) + checks(second!.stdout));
  });

  it('refuses --explore with a fixed seed or schedule, and explore flags without it', async () => {
    const withTrace = await statewire('sim', 'handshake', '--explore', '5', '--trace', 'all');
    expect(withTrace.code).toBe(2);
    expect(withTrace.stderr).toMatch(/it takes no --trace/);
    const withSeed = await statewire('sim', 'handshake', '--explore', '5', '--seed', '1');
    expect(withSeed.code).toBe(2);
    expect(withSeed.stderr).toMatch(/--explore generates seeds and schedules; it takes no --seed/);
    const alone = await statewire('sim', 'handshake', '--fc-seed', '1', '--workers', '2');
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/--fc-seed and --workers go only with --explore/);
    const noWorkers = await statewire('sim', 'handshake', '--explore', '5', '--workers', '0');
    expect(noWorkers.code).toBe(2);
    expect(noWorkers.stderr).toMatch(/--workers must be an integer from 1 to 256, got "0"/);
  });

  it('rejects a malformed fault schedule with one line and exit code 2', async () => {
    const result = await statewire('sim', 'handshake', '--seed', '1', '--faults', '[{"at":1,"fault":{"type":"crash","node":"nowhere","downMs":1}}]');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--faults: fault 0 \(crash\): unknown node "nowhere"/);
  });
});

describe('statewire sim with a scenario module of your own', () => {
  // The handshake with the client's ack timeout never armed, as a user's module would
  // export a scenario: the default export, importing statewire's built modules.
  const dist = (path: string) => JSON.stringify(pathToFileURL(join(CLI, '../../..', path)).href);
  const brokenModule = [
    `import { compileMachine, handshakeScenario } from ${dist('src/index.js')};`,
    `import { handshakeClient } from ${dist('machines/handshake.js')};`,
    'const client = compileMachine(handshakeClient.provide({ delays: { ackTimeout: Number.POSITIVE_INFINITY } }));',
    "const machines = new Map([['handshake-client', client]]);",
    "export default { ...handshakeScenario, name: 'broken-handshake', run: (config) => handshakeScenario.run({ ...config, machines }) };",
  ].join('\n');
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'statewire-scenario-'));
    writeFileSync(join(dir, 'broken.mjs'), brokenModule);
    writeFileSync(join(dir, 'empty.mjs'), 'export const nothing = 1;\n');
    // A scenario whose own code throws on some seeds (a bug in an invariant, say).
    writeFileSync(
      join(dir, 'throws.mjs'),
      [
        `import { handshakeScenario } from ${dist('src/index.js')};`,
        'export const scenario = { ...handshakeScenario, run: (config) => {',
        "  if (config.seed % 3 === 0) throw new Error(`invariant code broke at seed ${config.seed}`);",
        '  return handshakeScenario.run(config);',
        '} };',
      ].join('\n'),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the failure, prints commands that name the module, and the replay fails the same way', async () => {
    const module = join(dir, 'broken.mjs');
    const found = await statewire('sim', module, '--explore', '300', '--fc-seed', '1', '--clients', '10', '--duration', '4s', '--quiet');
    expect(found.code).toBe(1);
    expect(found.stdout).toMatch(new RegExp(`^sim ${escape(module)}: invariant state-bounds failed`));
    expect(found.stdout).toContain(`explore again: npx statewire sim ${module} --explore 300 --fc-seed 1 --max-faults 6 --clients 10 --duration 4000ms`);
    const replay = new RegExp(`replay: npx statewire sim ${escape(module)} --seed (\\d+) --clients 10 --duration 4000ms --faults '(.*)'`).exec(found.stdout);
    expect(replay).not.toBeNull();
    const [, seed, faults] = replay as RegExpExecArray;
    const replayed = await statewire('sim', module, '--seed', seed!, '--clients', '10', '--duration', '4000ms', '--faults', faults!, '--quiet');
    expect(replayed.code).toBe(1);
    expect(replayed.stdout).toMatch(/VIOLATION \[state-bounds\] .* in awaitingAck/);

    // --trace with the machine the violation names tells its story, and only its (and the faults').
    const violation = /VIOLATION \[state-bounds\] at ([\d.]+) ms: (\S+) stayed/.exec(replayed.stdout);
    expect(violation).not.toBeNull();
    const [, at, machine] = violation as RegExpExecArray;
    const traced = await statewire('sim', module, '--seed', seed!, '--clients', '10', '--duration', '4000ms', '--faults', faults!, '--quiet', '--trace', machine!);
    const lines = traced.stdout.split('\n').filter((line) => / ms {2}/.test(line));
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.every((line) => line.includes(`  ${machine}  `) || line.includes('  fault '))).toBe(true);
    expect(lines.some((line) => / message "WELCOME \S+" {2}handshake -> awaitingAck: /.test(line))).toBe(true);
    // It left awaitingAck (too late) at the violation's time.
    expect(lines.some((line) => line.trimStart().startsWith(`${at} ms  ${machine}  `) && line.includes(' awaitingAck -> '))).toBe(true);
  });

  it('stops the other workers at the first failure and names the share that found it', async () => {
    const module = join(dir, 'broken.mjs');
    const found = await statewire('sim', module, '--explore', '600', '--workers', '2', '--fc-seed', '1', '--clients', '10', '--duration', '4s', '--quiet');
    expect(found.code).toBe(1);
    expect(found.stdout).toMatch(/invariant state-bounds failed .*fast-check seed [12]\)/);
    expect(found.stdout).toMatch(new RegExp(`explore again: npx statewire sim ${escape(module)} --explore 300 --fc-seed [12] --max-faults 6`));
  });

  it('reports a run that throws like a violation: shrunk, with the error and its replay', async () => {
    const module = join(dir, 'throws.mjs');
    const found = await statewire('sim', module, '--explore', '50', '--fc-seed', '1', '--clients', '4', '--duration', '2s', '--quiet');
    expect(found.code).toBe(1);
    expect(found.stdout).toMatch(new RegExp(`^sim ${escape(module)}: a run threw \\(after \\d+ runs, \\d+ shrinks; fast-check seed 1\\)\n  Error: invariant code broke at seed 0\n`));
    expect(found.stdout).toContain(`replay: npx statewire sim ${module} --seed 0 --clients 4 --duration 2000ms --faults '[]'`);
  });

  it('refuses a module that exports no scenario, with one line and exit code 2', async () => {
    const result = await statewire('sim', join(dir, 'empty.mjs'), '--seed', '1');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/empty\.mjs exports no scenario: its default export \(or `scenario`\) needs name, summary/);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('statewire serve handshake / connect handshake', () => {
  it('shakes hands over loopback and exits 0 after its PINGs', async () => {
    const server = await startCli(['serve', 'handshake', '--host', '127.0.0.1', '--port', '0']);
    const result = await run(process.execPath, [CLI, 'connect', 'handshake', '--host', '127.0.0.1', '--port', String(server.port), '--pings', '2'], '', 10_000);
    expect(result.stdout).toContain('connecting -> handshake (connected)');
    expect(result.stdout).toContain('awaitingAck -> connected (message)');
    expect(result.stdout).toMatch(/session 1\.cli, 2 pongs; closed: local: done/);
    expect(result.code).toBe(0);
  });

  it('exits 1 with the reason when nothing listens', async () => {
    const probe = await startCli(['serve', 'handshake', '--host', '127.0.0.1', '--port', '0']);
    probe.child.kill('SIGKILL');
    await probe.exited();
    const result = await run(process.execPath, [CLI, 'connect', 'handshake', '--port', String(probe.port)], '', 10_000);
    expect(result.stdout).toMatch(/closed: connect-failed: ECONNREFUSED/);
    expect(result.code).toBe(1);
  });
});

describe('statewire serve --record / replay', () => {
  it('replays a recorded echo session with every step identical', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'statewire-record-'));
    try {
      const file = join(dir, 'run.ndjson');
      const server = await startCli(['serve', 'echo', '--host', '127.0.0.1', '--port', '0', '--status-interval', '20ms', '--record', file]);
      const clients = await Promise.all([0, 1, 2].map(() => connectClient(server.port)));
      for (const [i, client] of clients.entries()) client.socket.write(`hello ${i}\n`);
      for (const [i, client] of clients.entries()) await client.waitFor(`hello ${i}\n`);
      for (const client of clients) client.socket.end();
      for (const client of clients) await client.closed();
      server.child.kill('SIGINT');
      expect(await server.exited()).toBe(0);
      expect(readFileSync(file, 'utf8').split('\n')[0]).toMatch(/^\{"k":"header","v":2,"app":"echo"/);
      const replay = await statewire('replay', file);
      expect(replay.stdout).toMatch(/every step identical to the recording/);
      expect(replay.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
