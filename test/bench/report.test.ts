// The report's arithmetic and its saved figures: echo verdicts come from within-pair
// ratios, and `--render` (figures read back from JSON) gives the report a run wrote.

import { describe, expect, it } from 'vitest';
import type { EchoRun } from '../../bench/echo-bench.js';
import { parsePlan } from '../../bench/plan.js';
import type { BenchResults } from '../../bench/report.js';
import { parseResults, renderReport, serializeResults } from '../../bench/report.js';

function run(msgsPerS: number, p99Us: number): EchoRun {
  return {
    connected: 64,
    messages: msgsPerS,
    messagesTotal: msgsPerS * 2,
    msgsPerS,
    p50Us: p99Us / 2,
    p99Us,
    p999Us: p99Us * 2,
    errors: 0,
    mismatches: 0,
    serverCpuUsPerMsg: 1e6 / msgsPerS,
  };
}

// Background load halves both servers in the second pair: medians of each side would
// compare 100k with 50k and 90k with 45k alike, but only the pairs say "0.90x".
const results: BenchResults = {
  plan: { ...parsePlan(['--reps', '3']), sections: new Set(['echo', 'sim']) },
  facts: {
    date: '2026-11-22T00:00:00.000Z',
    cpuModel: 'test CPU',
    cores: 2,
    node: 'v20.0.0',
    kernel: 'test',
    compiler: 'cc',
    loadAverage: 0.1,
    pinning: { server: '0', load: '1' },
  },
  loadAverageEnd: 0.2,
  elapsedS: 1,
  echo: {
    timing: { warmupS: 0.5, durationS: 1.5 },
    rows: [
      {
        cell: { connections: 64, size: 64, inflight: 1 },
        runs: {
          node: [run(100_000, 1000), run(50_000, 2000), run(100_000, 1000)],
          statewire: [run(90_000, 1100), run(45_000, 2600), run(70_000, 1300)],
          c: [run(150_000, 700)],
        },
      },
    ],
    profile: null,
  },
  idle: null,
  timers: null,
  step: null,
  sim: {
    scenario: 'handshake',
    clients: 1000,
    dispatcherEventsPerSecond: 600_000,
    runsPerSecond: [450_000, 600_000, 520_000],
    dispatcherEventsPerCpuSecond: 580_000,
    dispatcherEventsPerSecondWithInvariants: 300_000,
    dispatcherEventsPerRun: 20_000,
    virtualSecondsPerRun: 15.5,
    wallMsPerRun: 33,
    target: 1_000_000,
  },
  failures: [],
  findings: '## What dominated\n\nfindings text',
};

describe('bench report', () => {
  it('takes echo verdicts from the ratios within each pair', () => {
    const report = renderReport(results);
    // Pairs give 0.90, 0.90 and 0.70: median 0.90x, met; p99 ratios 1.1, 1.3, 1.3: median 1.30x, missed.
    expect(report).toContain('| echo throughput ≥ 0.9x node:net in every cell | worst 0.90x (64 conn, 64 B, 1 in flight); 0 of 1 cells below');
    expect(report).toContain('worst 1.30x (64 conn, 64 B, 1 in flight); 1 of 1 cells above, 1 of them with pairs on both sides of 1.2x');
  });

  it("gives the simulator's median run next to its best, in the summary and in its section", () => {
    const report = renderReport(results);
    expect(report).toContain('600k per wall second (best run; median 520k)');
    expect(report).toContain('| 600k | 520k | 580k | 300k | ≥ 1.00M |');
  });

  it('renders the same report again from the saved figures, with the findings of the day', () => {
    const saved = serializeResults(results);
    expect(saved).not.toContain('findings text');
    expect(renderReport(parseResults(saved, results.findings))).toBe(renderReport(results));
    expect(renderReport(parseResults(saved, 'newer findings'))).toContain('newer findings');
  });

  it('refuses figures saved in another shape', () => {
    const other = JSON.stringify({ ...JSON.parse(serializeResults(results)), version: 0 });
    expect(() => parseResults(other, '')).toThrow('saved figures are version 0');
  });
});
