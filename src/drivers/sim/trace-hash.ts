// A run's fingerprint: every step of every node in one canonical text form, hashed with
// SHA-256 as it goes. Two runs with the same hash took the same steps at the same times
// with the same events and effects, byte for byte.

import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { canonicalJson } from '../../core/canonical-json.js';
import type { TraceStep } from '../../dispatcher/dispatcher.js';

/** One step as one line: world time, node, node time, machine, from, event, to, effects. */
export function canonicalStep(worldTime: number, node: string, step: TraceStep): string {
  return `${worldTime} ${node} ${step.time} ${step.machine} ${step.from} ${canonicalJson(step.event)} ${step.to} ${canonicalJson(step.effects)}\n`;
}

export class TraceHasher {
  private readonly hash: Hash = createHash('sha256');
  steps = 0;

  add(line: string): void {
    this.hash.update(line);
    this.steps++;
  }

  /** Hex digest of everything added so far (the hasher keeps going). */
  digest(): string {
    return this.hash.copy().digest('hex');
  }
}
