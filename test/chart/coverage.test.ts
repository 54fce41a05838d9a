// TransitionCoverage on its own: which edge each step takes, on both of its paths.

import { describe, expect, test } from 'vitest';
import { setup } from 'xstate';
import { formatCoverage, TransitionCoverage } from '../../src/chart/coverage.js';
import { edgeText } from '../../src/chart/model.js';
import type { AnyEventObject } from '../../src/core/events.js';
import { compileMachine } from '../../src/machine/compile.js';
import type { CompiledMachine, CompiledSnapshot } from '../../src/machine/compiled.js';
import { connectionLifecycleMachine } from '../../machines/connection-lifecycle.js';
import { nestedMachine } from './fixtures.js';

function run(machine: CompiledMachine, input: unknown, events: readonly AnyEventObject[]): CompiledSnapshot {
  let snapshot = machine.initial(input).snapshot;
  for (const event of events) snapshot = machine.step(snapshot, event).snapshot;
  return snapshot;
}

/** The edges taken so far, as edgeText prints them, in document order. */
const taken = (coverage: TransitionCoverage): string[] =>
  coverage.model.edges.filter((edge) => coverage.report().coveredEdges.includes(edge.index)).map((edge) => edgeText(coverage.model, edge));

describe('TransitionCoverage', () => {
  test('records the edge each event takes, guards deciding between candidates', () => {
    const coverage = new TransitionCoverage(connectionLifecycleMachine);
    const lifecycle = coverage.wrap(compileMachine(connectionLifecycleMachine));
    const line = (text: string): AnyEventObject => ({ type: 'message', frame: new TextEncoder().encode(text) });
    // "nope" is unhandled in accepting: no edge. "x" in handshake takes the guardless fallback.
    const end = run(lifecycle, {}, [{ type: 'nope' }, { type: 'accepted' }, line('x'), { type: 'peer-closed' }, { type: 'closed' }]);
    expect(end.status).toBe('done');
    expect(taken(coverage)).toEqual([
      '(connection-lifecycle): closed -> closed',
      'accepting: accepted -> handshake',
      'handshake: message -> closing',
      'closing: peer-closed -> (ignored)',
    ]);
    expect(coverage.report()).toMatchObject({ machine: 'connection-lifecycle', total: 27, covered: 4 });
  });

  test('follows raised events and done events through an XState actor', () => {
    const coverage = new TransitionCoverage(nestedMachine);
    const nested = coverage.wrap(compileMachine(nestedMachine));
    const end = run(nested, undefined, [{ type: 'connect' }, { type: 'ok', code: 204 }, { type: 'xstate.after.retryDelay.nested.session.open' }]);
    expect(end.state).toBe('stopped');
    // `internal` was raised by the 204 transition; `done` by reaching session.done.
    expect(taken(coverage)).toEqual([
      'idle: connect -> session',
      'session: done -> stopped',
      'session.opening: ok [hasCode(code: 204)] -> session.open',
      'session.open: internal -> (stays)',
      'session.open: after retryDelay -> session.done',
    ]);
  });

  test('a guard that throws takes no edge and the compiled step reports the error', () => {
    const machine = setup({ guards: { boom: () => { throw new Error('boom'); } } }).createMachine({
      id: 'boom',
      initial: 'a',
      states: { a: { on: { go: { guard: 'boom', target: 'b' } } }, b: {} },
    });
    const coverage = new TransitionCoverage(machine);
    const wrapped = coverage.wrap(compileMachine(machine));
    const start = wrapped.initial().snapshot;
    expect(() => wrapped.step(start, { type: 'go' })).toThrow('boom');
    expect(coverage.report().covered).toBe(0);
  });

  test('wraps only a compiled form of its own machine', () => {
    const coverage = new TransitionCoverage(nestedMachine);
    expect(() => coverage.wrap(compileMachine(connectionLifecycleMachine))).toThrow(/cannot wrap/);
  });

  test('formatCoverage prints one line, then each transition never taken', () => {
    const coverage = new TransitionCoverage(nestedMachine);
    const text = formatCoverage(coverage.report(), 'nested (fixture)');
    expect(text.split('\n')[0]).toBe('nested (fixture)  0/17 transitions (0%)');
    expect(text.split('\n')[1]).toBe('  never taken: (nested): stop -> stopped');
    expect(text.split('\n')).toHaveLength(18);
  });
});
