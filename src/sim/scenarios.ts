// The scenarios `statewire sim` runs by name; its exploring worker threads look them up
// here too, since a scenario object cannot cross a thread.

import { handshakeScenario } from './handshake-scenario.js';
import type { Scenario } from './scenario.js';

export const SCENARIOS: readonly Scenario[] = [handshakeScenario];

export function scenarioNamed(name: string | undefined): Scenario | undefined {
  return SCENARIOS.find((scenario) => scenario.name === name);
}
