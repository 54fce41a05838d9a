// chartModel on the fixtures: the states tree, every transition as an edge in document
// order, timers with their delays, and entry/exit effects without XState's timer plumbing.

import { describe, expect, test } from 'vitest';
import { actionText, chartModel, edgeText } from '../../src/chart/model.js';
import { nestedMachine, parallelMachine } from './fixtures.js';

describe('chartModel', () => {
  const model = chartModel(nestedMachine);

  test('walks the states tree with kinds and initial states', () => {
    expect(model.root.key).toBe('nested');
    expect(model.root.initial).toBe('nested.idle');
    expect(model.root.children.map((s) => `${s.key}:${s.kind}`)).toEqual(['idle:atomic', 'session:compound', 'backoff:atomic', 'stopped:final']);
    const session = model.states.get('nested.session');
    expect(session?.initial).toBe('nested.session.opening');
    expect(session?.parent).toBe('nested');
    expect(session?.children.map((s) => s.path.join('.'))).toEqual(['session.opening', 'session.open', 'session.done']);
  });

  test('lists every transition in document order, with guard names, targets and effects', () => {
    expect(model.edges.map((edge) => edgeText(model, edge))).toEqual([
      '(nested): stop -> stopped',
      'idle: connect -> session',
      'idle: noise -> (ignored)',
      'session: fail -> backoff',
      'session: done -> stopped',
      'session: after 5000 ms -> backoff',
      'session.opening: ok [isOk] -> session.open',
      'session.opening: ok [hasCode(code: 204)] -> session.open',
      'session.opening: ok [(canRetry && !quiet)] -> session.opening (re-enter)',
      'session.opening: ok [(inline || quiet)] -> session.done',
      'session.open: tick -> (stays)',
      'session.open: internal -> (stays)',
      'session.open: after retryDelay -> session.done',
      'backoff: retry -> session',
      'backoff: noise -> (ignored)',
      'backoff: after backoff [canRetry] -> session',
      'backoff: after backoff -> stopped',
    ]);
    expect(model.edges.map((edge) => edge.index)).toEqual(model.edges.map((_, i) => i));
    const effects = (i: number): string[] => (model.edges[i]?.actions ?? []).map(actionText);
    expect(effects(0)).toEqual(['log(level: info, message: stop)']);
    expect(effects(3)).toEqual(['assign']);
    expect(effects(7)).toEqual(['raise(internal)']);
    expect(effects(10)).toEqual(['write(data: "ping\\n")']);
    expect(effects(11)).toEqual(['write(…)']);
  });

  test('names each timer with its delay, in milliseconds when known without running the machine', () => {
    const timers = (id: string) => model.states.get(id)?.timers.map(({ delay, ms }) => ({ delay, ms }));
    expect(timers('nested.session')).toEqual([{ delay: 5000, ms: 5000 }]);
    expect(timers('nested.session.open')).toEqual([{ delay: 'retryDelay', ms: 250 }]);
    expect(timers('nested.backoff')).toEqual([{ delay: 'backoff', ms: null }]);
    expect(model.states.get('nested.backoff')?.timers[0]?.event).toBe('xstate.after.backoff.nested.backoff');
    expect(model.edges[15]?.trigger).toEqual({ kind: 'after', timer: model.states.get('nested.backoff')?.timers[0] });
  });

  test('keeps entry and exit effects, without the raise/cancel pairs XState adds for `after`', () => {
    const session = model.states.get('nested.session');
    expect(session?.entry.map(actionText)).toEqual(['connect(host: "127.0.0.1", port: 7, timeoutMs: 1000)']);
    expect(session?.exit.map(actionText)).toEqual(['close(reason: {kind: local, detail: "session over"}, mode: graceful)']);
    expect(model.states.get('nested.backoff')?.entry).toEqual([]);
  });

  test('charts shapes the compiler rejects: parallel regions, history, always', () => {
    const parallel = chartModel(parallelMachine);
    expect(parallel.states.get('parallel.running')?.kind).toBe('parallel');
    expect(parallel.states.get('parallel.running.right.hist')?.kind).toBe('history');
    expect(parallel.edges.map((edge) => edgeText(parallel, edge))).toContain('running.right.x: always -> running.right.y');
  });
});
