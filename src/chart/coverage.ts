// Transition coverage: which edges of a machine's definition (chartModel's edges, one per
// transition as written) a test run took, and which it never did. Wrap the compiled
// machine a test drives. Each step asks XState which transitions the event enables in the
// same state (`getTransitionData`, a few microseconds). A machine that can take several
// transitions per event (immediate raises, `always`, nested final states) is replayed
// through an XState actor instead, whose inspection events name every transition taken
// (~0.1 ms a step). A test tool: never put it in front of the dispatcher.

import { createActor } from 'xstate';
import type { AnyMachineSnapshot, AnyStateMachine, InspectionEvent } from 'xstate';
import type { AnyEventObject } from '../core/events.js';
import type { CompiledMachine, CompiledSnapshot, MachineDefinition } from '../machine/compiled.js';
import { xstateMachine } from '../machine/xstate-internals.js';
import type { ChartModel } from './model.js';
import { edgeText, walkMachine } from './model.js';

export interface CoverageReport {
  /** The machine id. */
  readonly machine: string;
  readonly total: number;
  readonly covered: number;
  /** Indexes into `chartModel(machine).edges` taken at least once, ascending. */
  readonly coveredEdges: readonly number[];
  /** Each edge never taken, as `edgeText` prints it. */
  readonly missing: readonly string[];
}

// Timers are the dispatcher's business; the replaying actor must never arm a real one.
const NO_CLOCK = { setTimeout: () => 0, clearTimeout: () => {} };

export class TransitionCoverage {
  readonly model: ChartModel;
  private readonly edgeOf: ReadonlyMap<unknown, number>;
  private readonly internalEvents: boolean;
  private readonly hits: number[];
  // Compiled snapshots are immutable and reused while nothing changes: resolve each once.
  private readonly resolved = new WeakMap<CompiledSnapshot, AnyMachineSnapshot>();
  /** The same machine, typed for XState's own functions. */
  private readonly xstate: AnyStateMachine;

  constructor(readonly machine: MachineDefinition) {
    this.xstate = xstateMachine(machine, 'TransitionCoverage');
    const walked = walkMachine(machine);
    this.model = walked.model;
    this.edgeOf = walked.edgeOf;
    this.internalEvents = walked.internalEvents;
    this.hits = walked.model.edges.map(() => 0);
  }

  /** The same machine, recording the edges each `initial`, `step` and `stepInto` takes. */
  wrap<TContext>(compiled: CompiledMachine<TContext>): CompiledMachine<TContext> {
    if (compiled.definition !== this.machine) {
      throw new Error(`coverage of '${this.machine.id}' cannot wrap the compiled machine '${compiled.id}'`);
    }
    return {
      id: compiled.id,
      definition: compiled.definition,
      initial: (input) => {
        this.recordInitial(input);
        return compiled.initial(input);
      },
      step: (snapshot, event) => {
        this.record(snapshot, event);
        return compiled.step(snapshot, event);
      },
      // The dispatcher steps with stepInto when there is one: record that path too.
      ...(compiled.stepInto !== undefined && {
        stepInto: (snapshot, event, out) => {
          this.record(snapshot, event);
          compiled.stepInto?.(snapshot, event, out);
        },
      }),
    };
  }

  /** Records the edges taken while entering the initial state (raised events, `always`). */
  recordInitial(input?: unknown): void {
    if (this.internalEvents) this.replay({ input }, null);
  }

  /** Records the edges `event` takes from `snapshot`. A done machine takes none. */
  record(snapshot: CompiledSnapshot, event: AnyEventObject): void {
    if (snapshot.status !== 'active') return;
    let restored = this.resolved.get(snapshot);
    if (restored === undefined) {
      restored = this.xstate.resolveState({ value: snapshot.value, context: snapshot.context });
      this.resolved.set(snapshot, restored);
    }
    if (this.internalEvents) {
      this.replay({ snapshot: restored }, event);
      return;
    }
    try {
      this.hit(this.xstate.getTransitionData(restored, event));
    } catch {
      // A guard threw: no transition is taken, and the compiled step throws the error itself.
    }
  }

  report(): CoverageReport {
    const coveredEdges: number[] = [];
    const missing: string[] = [];
    this.model.edges.forEach((edge, i) => {
      if ((this.hits[i] ?? 0) > 0) coveredEdges.push(i);
      else missing.push(edgeText(this.model, edge));
    });
    return { machine: this.model.id, total: this.hits.length, covered: coveredEdges.length, coveredEdges, missing };
  }

  private hit(transitions: readonly unknown[]): void {
    for (const transition of transitions) {
      const index = this.edgeOf.get(transition);
      // Only the machine's own transitions count; XState's internal ones have no edge.
      if (index !== undefined) this.hits[index] = (this.hits[index] ?? 0) + 1;
    }
  }

  private replay(options: { input?: unknown; snapshot?: AnyMachineSnapshot }, event: AnyEventObject | null): void {
    const inspect = (inspection: InspectionEvent): void => {
      if (inspection.type === '@xstate.microstep') this.hit(inspection._transitions);
    };
    const actor = createActor(this.xstate, {
      ...(options.snapshot === undefined ? { input: options.input } : { snapshot: options.snapshot }),
      inspect,
      clock: NO_CLOCK,
    });
    // An error (a guard or an assign that throws) stops the actor; the compiled step reports it.
    actor.subscribe({ error: () => {} });
    actor.start();
    if (event !== null) actor.send(event);
    actor.stop();
  }
}

/** One line, then one indented line per missing edge: "connection-lifecycle  25/27 transitions (92.6%)". */
export function formatCoverage(report: CoverageReport, name: string = report.machine): string {
  const percent = report.total === 0 ? 100 : (100 * report.covered) / report.total;
  const shown = Number.isInteger(percent) ? String(percent) : percent.toFixed(1);
  const lines = [`${name}  ${report.covered}/${report.total} transitions (${shown}%)`];
  for (const edge of report.missing) lines.push(`  never taken: ${edge}`);
  return lines.join('\n');
}
