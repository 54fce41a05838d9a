// The scenarios `statewire sim` runs: statewire's own by name, and a user's from the ES
// module that exports it. Exploring worker threads load them here too, since a scenario
// object cannot cross a thread.

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { handshakeScenario } from './handshake-scenario.js';
import type { Scenario } from './scenario.js';

export const SCENARIOS: readonly Scenario[] = [handshakeScenario];

export function scenarioNamed(name: string | undefined): Scenario | undefined {
  return SCENARIOS.find((scenario) => scenario.name === name);
}

/** What `statewire sim` takes as a scenario, for error messages. */
export function scenarioChoices(): string {
  return `one of ${SCENARIOS.map((scenario) => scenario.name).join(', ')}, or the path of a module that exports one`;
}

/** Whether `spec` names a module file rather than one of statewire's scenarios. */
function isScenarioModule(spec: string): boolean {
  return spec.includes('/') || /\.m?js$/.test(spec);
}

/**
 * A scenario by name, or the default export (else the `scenario` export) of the module at
 * path `spec`. A module's scenario is renamed to `spec`, so every command printed for it
 * (a replay, an exploration to run again) names the module as it was given.
 */
export async function loadScenario(spec: string): Promise<Scenario> {
  const named = scenarioNamed(spec);
  if (named !== undefined) return named;
  if (!isScenarioModule(spec)) {
    throw new Error(`unknown scenario "${spec}": ${scenarioChoices()}`);
  }
  let exported: Record<string, unknown>;
  try {
    exported = (await import(pathToFileURL(resolve(spec)).href)) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`cannot load scenario module ${spec}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const scenario = exported['default'] ?? exported['scenario'];
  if (!isScenario(scenario)) {
    throw new Error(`${spec} exports no scenario: its default export (or \`scenario\`) needs name, summary, nodes(clients), settleMs() and run(config)`);
  }
  return {
    name: spec,
    summary: scenario.summary,
    nodes: (clients) => scenario.nodes(clients),
    settleMs: () => scenario.settleMs(),
    run: (config) => scenario.run(config),
  };
}

function isScenario(value: unknown): value is Scenario {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate['name'] === 'string' &&
    typeof candidate['summary'] === 'string' &&
    typeof candidate['nodes'] === 'function' &&
    typeof candidate['settleMs'] === 'function' &&
    typeof candidate['run'] === 'function'
  );
}
