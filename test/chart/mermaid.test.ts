// toMermaid against the stateDiagram-v2 grammar (test/chart/mermaid-grammar.ts): every
// output parses, names every state it uses, and reads back the exact label text.

import { describe, expect, test } from 'vitest';
import { drawing } from '../../src/chart/drawing.js';
import { mermaidText, toMermaid } from '../../src/chart/mermaid.js';
import { chartModel } from '../../src/chart/model.js';
import { CHARTED_MACHINES, nestedMachine, trickyMachine } from './fixtures.js';
import { parseStateDiagram } from './mermaid-grammar.js';

describe('toMermaid', () => {
  test.each(CHARTED_MACHINES)('%s follows the stateDiagram-v2 grammar and loses no text', (_name, machine) => {
    const model = chartModel(machine);
    const parsed = parseStateDiagram(toMermaid(model));
    expect(parsed.errors).toEqual([]);
    // Every state is declared under its own name; every arrow's label reads back exactly.
    const keys = [...model.states.values()].filter((s) => s.path.length > 0).map((s) => (s.kind === 'history' ? `${s.key} (history)` : s.key));
    expect([...parsed.states.values()].map((s) => s.label).filter((l) => l !== '(any state)').sort()).toEqual(keys.sort());
    const drawn = drawing(model).arrows.map((arrow) => arrow.lines.join('\n'));
    const read = parsed.arrows.filter((a) => a.from !== '[*]' && a.to !== '[*]').map((a) => a.lines.join('\n'));
    expect(read.sort()).toEqual(drawn.sort());
  });

  test('nests compound states as composite blocks with their own [*] and finals', () => {
    const parsed = parseStateDiagram(toMermaid(chartModel(nestedMachine)));
    const arrow = (from: string, to: string) => parsed.arrows.find((a) => a.from === from && a.to === to);
    expect(parsed.states.get('session')?.group).toBe(true);
    expect(arrow('[*]', 'session_opening')?.block).toBe('session');
    expect(arrow('session_done', '[*]')?.block).toBe('session');
    expect(arrow('[*]', 'idle')?.block).toBe('');
    expect(arrow('stopped', '[*]')?.block).toBe('');
    // A handler on a compound state leaves from its "(any state)" pseudo-state.
    expect(arrow('session_any', 'backoff')?.lines).toEqual(['fail', '/ assign']);
    expect(arrow('any_state', 'stopped')?.lines).toEqual(['stop', '/ log(level: info, message: stop)']);
    expect(parsed.states.get('session_any')?.descriptions).toEqual([
      'entry / connect(host: "127.0.0.1", port: 7, timeoutMs: 1000)',
      'exit / close(reason: {kind: local, detail: "session over"}, mode: graceful)',
    ]);
    expect(parsed.states.get('idle')?.descriptions).toEqual(['ignores noise']);
    expect(parsed.states.get('session_open')?.descriptions).toEqual(['tick / write(data: "ping\\n")', 'internal / write(…)']);
  });

  test('gives keyword-like and punctuated keys safe identifiers', () => {
    const parsed = parseStateDiagram(toMermaid(chartModel(trickyMachine)));
    expect([...parsed.states.keys()]).toEqual(['s_default', 's_state', 's_note', 'note_direction_', 'note_class', 's_note_any', 's_end']);
  });

  test('mermaidText encodes what ends or breaks a label', () => {
    expect(mermaidText(['a: b; c'])).toBe('a#58; b#59; c');
    expect(mermaidText(['say "hi" <b> & #1 {x} 50%%'])).toBe('say #quot;hi#quot; #lt;b#gt; #amp; #35;1 #123;x#125; 50#37;#37;');
    expect(mermaidText(['one\ntwo', 'three'])).toBe('one<br/>two<br/>three');
    expect(mermaidText(['set Direction  lr now'])).toBe('set #68;irection  lr now');
    // Arrow labels are Markdown to Mermaid.
    expect(mermaidText(['*a* _b_ `c` \\'])).toBe('#42;a#42; #95;b#95; #96;c#96; #92;');
  });

  test('the grammar checker rejects what Mermaid rejects', () => {
    const errors = (source: string) => parseStateDiagram(source).errors;
    expect(errors('stateDiagram-v2\n  state "a" as a\n  a --> a : x: y')).toHaveLength(1);
    expect(errors('stateDiagram-v2\n  a --> b')).toHaveLength(2);
    expect(errors('stateDiagram-v2\n  state "a" as a {\n  state "b" as b')).toEqual(['unclosed composite state(s): a']);
    expect(errors('stateDiagram-v2\n  state "a" as a {\n  }\n  a : text')).toHaveLength(1);
    expect(errors('stateDiagram-v2\n  state "d" as defaults')).toHaveLength(1);
    expect(errors('stateDiagram-v2\n  state "a" as a\n  a : 100%% done')).toHaveLength(1);
  });
});
