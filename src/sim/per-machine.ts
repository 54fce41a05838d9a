// State an invariant keeps per machine incarnation, found from a step without building a
// key string per step: by the step's `nodeKey` (made once per node boot), then by machine
// id. A crashed incarnation's machines go with one delete.

import { incarnationKey } from '../drivers/sim/world.js';

export class PerMachine<T> {
  private readonly byNode = new Map<string, Map<string, T>>();

  get(nodeKey: string, machine: string): T | undefined {
    return this.byNode.get(nodeKey)?.get(machine);
  }

  set(nodeKey: string, machine: string, value: T): void {
    let machines = this.byNode.get(nodeKey);
    if (machines === undefined) this.byNode.set(nodeKey, (machines = new Map()));
    machines.set(machine, value);
  }

  /** The machine retired. */
  delete(node: string, incarnation: number, machine: string): void {
    this.byNode.get(incarnationKey(node, incarnation))?.delete(machine);
  }

  /** The node incarnation crashed: all its machines are gone. */
  deleteIncarnation(node: string, incarnation: number): void {
    this.byNode.delete(incarnationKey(node, incarnation));
  }

  /** Visit every entry until `visit` returns false. */
  forEach(visit: (value: T, nodeKey: string, machine: string) => boolean): void {
    for (const [nodeKey, machines] of this.byNode) {
      for (const [machine, value] of machines) if (!visit(value, nodeKey, machine)) return;
    }
  }
}

/** How invariants name a machine incarnation in their messages. */
export function machineId(nodeKey: string, machine: string): string {
  return `${nodeKey}/${machine}`;
}
