// toDot through the real Graphviz `dot` (Debian package graphviz, installed by .ci/run):
// every output renders without a warning, and the SVG shows every label unchanged.

import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { dotString, renderSvg, toDot } from '../../src/chart/dot.js';
import { drawing } from '../../src/chart/drawing.js';
import { chartModel } from '../../src/chart/model.js';
import { CHARTED_MACHINES, nestedMachine } from './fixtures.js';
import { svgTexts } from './svg.js';

describe('toDot', () => {
  test.each(CHARTED_MACHINES)('%s renders with dot -Tsvg without errors or warnings, every label intact', (_name, machine) => {
    const model = chartModel(machine);
    const svg = renderSvg(toDot(model));
    const texts = svgTexts(svg);
    for (const state of model.states.values()) {
      if (state.path.length > 0) expect(texts.some((t) => t.startsWith(state.key))).toBe(true);
    }
    for (const arrow of drawing(model).arrows) {
      for (const line of arrow.lines.flatMap((l) => l.split('\n'))) expect(texts).toContain(line);
    }
  });

  test('compound states are clusters; handlers on them leave from the cluster border', () => {
    const dot = toDot(chartModel(nestedMachine));
    expect(dot).toContain('subgraph "cluster_nested.session" {');
    expect(dot).toContain('"start:nested.session" -> "state:nested.session.opening";');
    expect(dot).toMatch(/"any:nested.session" -> "state:nested.backoff" \[label="fail\\l\/ assign\\l", ltail="cluster_nested.session"\];/);
    // Entering a compound state ends at its initial dot.
    expect(dot).toContain('"state:nested.idle" -> "start:nested.session" [label="connect\\l"];');
    expect(dot).toContain('"state:nested.stopped" [label="stopped", peripheries=2];');
  });

  test('dotString escapes quotes, backslashes and newlines', () => {
    expect(dotString('say "hi"')).toBe('"say \\"hi\\""');
    expect(dotString('a\\N\nb')).toBe('"a\\\\N\\nb"');
  });
});

test('dot is installed (Debian package graphviz; .ci/run installs it)', () => {
  const result = spawnSync('dot', ['-V'], { encoding: 'utf8' });
  expect(result.error, 'install graphviz: apt-get install -y graphviz').toBeUndefined();
});
