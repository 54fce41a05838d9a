// Invariants are observers of a simulated world that may complain. The suite feeds them
// every step, crash and retirement, calls their `sweep` at a fixed virtual interval (for
// properties about time passing with no step at all, such as a machine stuck waiting), and
// stops the world at the first violation so that a failing schedule shrinks quickly.

import type { SimObserver, SimWorld } from '../drivers/sim/world.js';

export interface Violation {
  readonly invariant: string;
  /** World time, ms. */
  readonly time: number;
  readonly message: string;
}

/** Where an invariant reports; `check` counts one evaluation of it. */
export interface InvariantContext {
  readonly world: SimWorld;
  fail(message: string): void;
  check(): void;
}

export interface Invariant extends SimObserver {
  readonly name: string;
  /** Called every sweep interval and once at the end of the run. */
  sweep?(final: boolean): void;
}

export type InvariantFactory = (context: InvariantContext) => Invariant;

export class InvariantSuite {
  readonly violations: Violation[] = [];
  checks = 0;
  private readonly invariants: Invariant[];

  constructor(
    private readonly world: SimWorld,
    factories: readonly InvariantFactory[],
  ) {
    this.invariants = factories.map((factory) => {
      let invariant: Invariant | null = null;
      const context: InvariantContext = {
        world,
        fail: (message) => {
          this.violations.push({ invariant: invariant?.name ?? '?', time: world.now, message });
          world.stop();
        },
        check: () => {
          this.checks++;
        },
      };
      invariant = factory(context);
      return invariant;
    });
    for (const invariant of this.invariants) world.observe(invariant);
  }

  /** Sweep every `intervalMs` of world time until `until`. */
  sweepEvery(intervalMs: number, until: number): void {
    const tick = (): void => {
      this.sweep(false);
      if (this.world.now + intervalMs <= until) this.world.at(this.world.now + intervalMs, tick);
    };
    this.world.at(this.world.now + intervalMs, tick);
  }

  sweep(final: boolean): void {
    for (const invariant of this.invariants) {
      if (this.violations.length > 0) return;
      invariant.sweep?.(final);
    }
  }
}
