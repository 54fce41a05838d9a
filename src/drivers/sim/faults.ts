// The faults a simulation can inject, as plain data: a schedule is JSON that a failing
// property test prints and `statewire sim --faults` reads back. Each fault names its
// targets by node name and carries its own duration, so a schedule needs no "heal" or
// "restart" entries and any sub-list of it (what shrinking produces) is still valid.

export type Fault =
  /** Block traffic from `a` to `b` (and back unless `oneWay`): segments stall, SYNs and RSTs are lost. */
  | { readonly type: 'partition'; readonly a: string; readonly b: string; readonly oneWay: boolean; readonly durationMs: number }
  /** Deliver nothing from `from` to `to` until released, then everything in order. */
  | { readonly type: 'hold'; readonly from: string; readonly to: string; readonly durationMs: number }
  /** Reset one established connection of `node` (the `pick`-th, modulo their count): both ends see ECONNRESET. */
  | { readonly type: 'reset'; readonly node: string; readonly pick: number }
  /** Connects to `node` are refused (ECONNREFUSED) for a while. */
  | { readonly type: 'refuse'; readonly node: string; readonly durationMs: number }
  /** `node` crashes: machines, timers and connections gone, peers reset; it boots again after `downMs`. */
  | { readonly type: 'crash'; readonly node: string; readonly downMs: number }
  /** Change the delay of the link from `from` to `to` from now on. */
  | { readonly type: 'latency'; readonly from: string; readonly to: string; readonly latencyMs: number; readonly jitterMs: number };

export type FaultType = Fault['type'];

export interface ScheduledFault {
  /** World time, ms. */
  readonly at: number;
  readonly fault: Fault;
}

export type FaultSchedule = readonly ScheduledFault[];

/** The nodes a fault touches. */
export function faultNodes(fault: Fault): string[] {
  switch (fault.type) {
    case 'partition':
      return [fault.a, fault.b];
    case 'hold':
    case 'latency':
      return [fault.from, fault.to];
    case 'reset':
    case 'refuse':
    case 'crash':
      return [fault.node];
  }
}

const FIELDS: Record<FaultType, Record<string, 'string' | 'number' | 'boolean'>> = {
  partition: { a: 'string', b: 'string', oneWay: 'boolean', durationMs: 'number' },
  hold: { from: 'string', to: 'string', durationMs: 'number' },
  reset: { node: 'string', pick: 'number' },
  refuse: { node: 'string', durationMs: 'number' },
  crash: { node: 'string', downMs: 'number' },
  latency: { from: 'string', to: 'string', latencyMs: 'number', jitterMs: 'number' },
};

/**
 * Check a parsed JSON value against the schedule shape; throws an Error naming the first
 * bad entry. `nodes`, when given, are the only valid targets.
 */
export function parseFaultSchedule(value: unknown, nodes?: ReadonlySet<string>): FaultSchedule {
  if (!Array.isArray(value)) throw new Error('a fault schedule is a JSON array of {at, fault}');
  return value.map((entry: unknown, i): ScheduledFault => {
    const where = `fault ${i}`;
    if (typeof entry !== 'object' || entry === null) throw new Error(`${where}: expected {at, fault}`);
    const { at, fault } = entry as { at?: unknown; fault?: unknown };
    if (typeof at !== 'number' || !Number.isFinite(at) || at < 0) throw new Error(`${where}: "at" must be a time in ms >= 0`);
    if (typeof fault !== 'object' || fault === null) throw new Error(`${where}: "fault" must be an object`);
    const type = (fault as { type?: unknown }).type;
    const fields = typeof type === 'string' ? FIELDS[type as FaultType] : undefined;
    if (fields === undefined) throw new Error(`${where}: unknown fault type ${JSON.stringify(type)}; one of ${Object.keys(FIELDS).join(', ')}`);
    for (const [name, kind] of Object.entries(fields)) {
      const field = (fault as Record<string, unknown>)[name];
      if (typeof field !== kind || (kind === 'number' && (!Number.isFinite(field) || (field as number) < 0))) {
        throw new Error(`${where} (${String(type)}): "${name}" must be a ${kind === 'number' ? 'finite number >= 0' : kind}`);
      }
    }
    const checked = fault as Fault;
    if (nodes !== undefined) {
      for (const node of faultNodes(checked)) {
        if (!nodes.has(node)) throw new Error(`${where} (${checked.type}): unknown node "${node}"; nodes: ${[...nodes].join(', ')}`);
      }
    }
    return { at, fault: checked };
  });
}
