// Path-based tests of the lifecycle machine: xstate/graph finds the shortest event path to
// every state reachable with the sample events below; each path is replayed through
// statewire's compiled step, which must arrive where XState does, step by step. Then every
// sample event is sent in every reachable state, which takes every transition of the
// definition: the file's last test asserts 100% transition coverage.

import { describe, expect, test } from 'vitest';
import { transition } from 'xstate';
import type { AnyStateMachine } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import { formatCoverage } from '../../src/chart/coverage.js';
import type { AnyEventObject } from '../../src/core/events.js';
import type { CompiledSnapshot } from '../../src/machine/compiled.js';
import { connectionLifecycleMachine } from '../../machines/connection-lifecycle.js';
import { shippedMachines } from '../../machines/index.js';
import { compileRecorded, coverageOf } from '../support/transition-coverage.js';

// Untyped, so that the sample events may include what the machine does not declare (timers).
const machine: AnyStateMachine = connectionLifecycleMachine;
const input = shippedMachines.find((shipped) => shipped.machine === machine)?.input;
const utf8 = new TextEncoder();
const line = (text: string): AnyEventObject => ({ type: 'message', frame: utf8.encode(text) });

const coverage = coverageOf(machine);
const timerEvents = [...coverage.model.states.values()].flatMap((state) => state.timers.map((timer) => ({ type: timer.event })));
const address = { host: '127.0.0.1', port: 4000 };
const sampleEvents: readonly AnyEventObject[] = [
  { type: 'accepted', remote: address, local: address },
  line('HELLO'),
  line('ACK'),
  line('QUIT'),
  line('something else'),
  { type: 'backpressure', bufferedBytes: 70_000 },
  { type: 'drained' },
  { type: 'peer-closed' },
  { type: 'protocol-error', message: 'bad frame' },
  { type: 'shutdown' },
  { type: 'closed', reason: { kind: 'reset', code: 'ECONNRESET' } },
  { type: 'connect-failed', error: { code: 'ECONNREFUSED', message: 'refused' } },
  ...timerEvents,
];

const paths = getShortestPaths(machine, {
  input,
  events: sampleEvents,
  filterEvents: (snapshot, event) => snapshot.can(event),
});
const compiled = compileRecorded(machine);

function replay(events: readonly AnyEventObject[]): CompiledSnapshot {
  let snapshot = compiled.initial(input).snapshot;
  for (const event of events) snapshot = compiled.step(snapshot, event).snapshot;
  return snapshot;
}

describe('connection-lifecycle: the compiled step follows xstate/graph shortest paths', () => {
  test('every state is reachable', () => {
    const reached = new Set(paths.map((path) => JSON.stringify(path.state.value)));
    const leaves = [...coverage.model.states.values()].filter((s) => s.children.length === 0).map((s) => JSON.stringify(s.key));
    expect([...reached].sort()).toEqual(leaves.sort());
  });

  test.each(paths.map((path) => [JSON.stringify(path.state.value), path.steps.map((s) => s.event.type).join(' → ') || '(initial)', path] as const))(
    'reaches %s via %s',
    (_state, _via, path) => {
      let snapshot = compiled.initial(input).snapshot;
      for (const step of path.steps) {
        snapshot = compiled.step(snapshot, step.event as AnyEventObject).snapshot;
        expect(snapshot.value).toEqual(step.state.value);
        expect(snapshot.context).toEqual(step.state.context);
      }
      expect(snapshot.value).toEqual(path.state.value);
      expect(snapshot.status).toBe(path.state.status === 'done' ? 'done' : 'active');
    },
  );

  test('every sample event, in every reachable state, lands where XState lands', () => {
    for (const path of paths) {
      if (path.state.status !== 'active') continue;
      const before = replay(path.steps.map((step) => step.event as AnyEventObject));
      // All of them, not only those `can` accepts: ignoring an event is a transition too.
      for (const event of sampleEvents) {
        const [expected] = transition(machine, path.state, event);
        expect(compiled.step(before, event).snapshot.value, `${JSON.stringify(path.state.value)} + ${event.type}`).toEqual(expected.value);
      }
    }
  });

  test('the paths take every transition of the definition', () => {
    const report = coverage.report();
    expect(report.missing, formatCoverage(report)).toEqual([]);
    expect(report.covered).toBe(report.total);
  });
});
