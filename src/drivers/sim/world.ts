// The simulated world: one virtual clock, one event queue, one seeded PRNG, the network,
// and the nodes. Each node is a Dispatcher over its own SimDriver, booted by the scenario
// and booted again after a crash with the storage it persisted. `run` takes queue
// entries in (time, insertion) order; an empty stretch of time is skipped at once, which
// is what lets a simulation cover hours of timeouts in milliseconds.

import type { Logger } from '../../core/logger.js';
import type { TraceStep } from '../../dispatcher/dispatcher.js';
import { Dispatcher } from '../../dispatcher/dispatcher.js';
import type { CompiledSnapshot } from '../../machine/compiled.js';
import { EventQueue } from './event-queue.js';
import type { Fault, FaultSchedule } from './faults.js';
import type { LinkConfig } from './network.js';
import { Network } from './network.js';
import { Prng } from './prng.js';
import type { Endpoint } from './sim-connection.js';
import type { SimFabric, TcpOptions } from './sim-driver.js';
import { DEFAULT_TCP, SimDriver } from './sim-driver.js';
import { canonicalStep, TraceHasher } from './trace-hash.js';

export interface NodeBoot {
  readonly node: string;
  /** 1 at the first boot, +1 per restart. */
  readonly incarnation: number;
  /** Fresh, started, with nothing registered. */
  readonly dispatcher: Dispatcher;
  /** What the node's machines persisted before any crash. */
  readonly storage: ReadonlyMap<string, unknown>;
  /** Run `fn` after `delayMs` of this node's clock, unless the node crashes first. */
  after(delayMs: number, fn: () => void): void;
}

export interface NodeSpec {
  readonly name: string;
  /** Called at every boot: register machines and spawn the node's application machines. */
  boot(node: NodeBoot): void;
}

/** One machine step as the world sees it. */
export interface SimStep {
  readonly worldTime: number;
  readonly node: string;
  readonly incarnation: number;
  /** `incarnationKey(node, incarnation)`, made once per boot: a key for per-incarnation state. */
  readonly nodeKey: string;
  readonly step: TraceStep;
}

/** One string per node incarnation (`server~2`), as in `SimStep.nodeKey` and the trace hash. */
export function incarnationKey(node: string, incarnation: number): string {
  return `${node}~${incarnation}`;
}

export interface SimObserver {
  step?(step: SimStep): void;
  retire?(node: string, incarnation: number, machine: string, snapshot: CompiledSnapshot): void;
  /** `at`: world time, ms. */
  boot?(node: string, incarnation: number, at: number): void;
  /** The node is going down: its dispatcher (`dispatcherOf`) can still be read, for the last time. */
  crash?(node: string, incarnation: number, at: number): void;
  fault?(at: number, fault: Fault, applied: boolean): void;
}

export interface WorldOptions {
  /** Decides every random choice: delays, segment cuts, clock rates. */
  readonly seed: number;
  /** Defaults for links between distinct nodes. */
  readonly link?: Partial<LinkConfig>;
  readonly tcp?: Partial<TcpOptions>;
  /** Bound on clock drift in parts per million: each node's clock runs at a rate in [1 - d, 1 + d]. */
  readonly maxDriftPpm?: number;
  /** Hash every step (see traceHash); costs a JSON serialization per step. */
  readonly hashTrace?: boolean;
  readonly logger?: Logger;
}

export interface RunOptions {
  /** Stop before the first event after this world time (ms); the clock then reads `until`. */
  readonly until?: number;
  /** Stop after this many queue entries. */
  readonly maxEvents?: number;
  /** Called every `everyEvents` queue entries with the stats so far. */
  readonly progress?: { readonly everyEvents: number; readonly report: (stats: WorldStats) => void };
}

export interface WorldStats {
  /** Virtual time covered, ms. */
  readonly time: number;
  /** Queue entries processed: packet arrivals, sends, wake-ups, faults. */
  readonly worldEvents: number;
  /** Items the nodes' dispatchers handled (IO reports, timer firings, machine events). */
  readonly dispatcherEvents: number;
  readonly steps: number;
  readonly faultsApplied: number;
  /** Faults that found nothing to act on (a crash of a node that is down, a reset with no connection). */
  readonly faultsSkipped: number;
  readonly packets: number;
  readonly packetsDropped: number;
}

interface SimNode {
  readonly spec: NodeSpec;
  /** Node ms per world ms: drawn once, a property of the node's hardware. */
  readonly rate: number;
  readonly storage: Map<string, unknown>;
  incarnation: number;
  driver: SimDriver | null;
  dispatcher: Dispatcher | null;
  nextPort: number;
  refuseUntil: number;
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1']);
const FIRST_EPHEMERAL_PORT = 49152;

export class SimWorld {
  readonly prng: Prng;
  readonly queue = new EventQueue();
  readonly network: Network;
  private time = 0;
  private readonly nodes = new Map<string, SimNode>();
  private readonly observers: SimObserver[] = [];
  private readonly hasher: TraceHasher | null;
  private readonly fabric: SimFabric;
  private readonly maxDrift: number;
  private readonly logger: Logger | undefined;
  private worldEvents = 0;
  /** Dispatcher events and steps of incarnations that crashed. */
  private retiredDispatcherEvents = 0;
  private retiredSteps = 0;
  private faultsApplied = 0;
  private faultsSkipped = 0;
  private stopRequested = false;
  /** Endpoints to send after the current event: cheaper than queue entries. */
  private readonly sendersSoon: Endpoint[] = [];

  constructor(options: WorldOptions) {
    this.prng = new Prng(options.seed);
    this.network = new Network(this.queue, this.prng, () => this.time, options.link);
    this.hasher = options.hashTrace === true ? new TraceHasher() : null;
    this.maxDrift = (options.maxDriftPpm ?? 0) / 1e6;
    this.logger = options.logger;
    const tcp: TcpOptions = { ...DEFAULT_TCP, ...options.tcp };
    this.fabric = {
      queue: this.queue,
      network: this.network,
      prng: this.prng,
      tcp,
      now: () => this.time,
      resolve: (host, from) => (LOOPBACK_NAMES.has(host) ? from : this.nodes.has(host) ? host : undefined),
      driverOf: (name) => this.nodes.get(name)?.driver ?? null,
      sendSoon: (sender) => {
        this.sendersSoon.push(sender);
      },
      refusing: (name) => (this.nodes.get(name)?.refuseUntil ?? 0) > this.time,
      nextEphemeralPort: (name) => {
        const node = this.nodes.get(name);
        if (node === undefined) return 0;
        const port = node.nextPort;
        node.nextPort = port >= 65535 ? FIRST_EPHEMERAL_PORT : port + 1;
        return port;
      },
    };
  }

  get now(): number {
    return this.time;
  }

  observe(observer: SimObserver): void {
    this.observers.push(observer);
    if (observer.step === undefined) return;
    for (const node of this.nodes.values()) node.dispatcher?.setTrace(this.traceOf(node));
  }

  /**
   * Steps are traced only while someone reads them (a step observer, the trace hash): a
   * dispatcher builds a record of every step it traces, ~10% of a simulation's time.
   */
  private tracing(): boolean {
    return this.hasher !== null || this.observers.some((observer) => observer.step !== undefined);
  }

  private traceOf(node: SimNode): (step: TraceStep) => void {
    const name = node.spec.name;
    const incarnation = node.incarnation;
    const nodeKey = incarnationKey(name, incarnation);
    return (step) => this.onStep(name, incarnation, nodeKey, step);
  }

  /** Add a node and boot it now. */
  addNode(spec: NodeSpec): void {
    if (this.nodes.has(spec.name)) throw new Error(`node "${spec.name}" already exists`);
    const rate = this.maxDrift === 0 ? 1 : 1 + (this.prng.float() * 2 - 1) * this.maxDrift;
    const node: SimNode = {
      spec,
      rate,
      storage: new Map(),
      incarnation: 0,
      driver: null,
      dispatcher: null,
      nextPort: FIRST_EPHEMERAL_PORT,
      refuseUntil: 0,
    };
    this.nodes.set(spec.name, node);
    this.boot(node);
  }

  /** The node's dispatcher while it is up. */
  dispatcherOf(name: string): Dispatcher | null {
    return this.nodes.get(name)?.dispatcher ?? null;
  }

  incarnationOf(name: string): number {
    return this.nodes.get(name)?.incarnation ?? 0;
  }

  /** The node's clock now, or null while it is down. */
  nodeTime(name: string): number | null {
    return this.nodes.get(name)?.driver?.now() ?? null;
  }

  /** Run `fn` at world time `at` (now if past). */
  at(at: number, fn: () => void): void {
    this.queue.schedule(Math.max(at, this.time), fn);
  }

  /** Queue every fault of a schedule at its time. */
  schedule(faults: FaultSchedule): void {
    for (const { at, fault } of faults) this.at(at, () => this.inject(fault));
  }

  inject(fault: Fault): void {
    const applied = this.apply(fault);
    if (applied) this.faultsApplied++;
    else this.faultsSkipped++;
    for (const observer of this.observers) observer.fault?.(this.time, fault, applied);
  }

  run(options: RunOptions = {}): WorldStats {
    const until = options.until ?? Number.POSITIVE_INFINITY;
    const maxEvents = options.maxEvents ?? Number.POSITIVE_INFINITY;
    const progress = options.progress;
    let nextReport = progress === undefined ? Number.POSITIVE_INFINITY : this.worldEvents + progress.everyEvents;
    const queue = this.queue;
    let budget = maxEvents;
    this.stopRequested = false;
    this.runSoon();
    while (budget > 0 && !this.stopRequested) {
      const next = queue.peekTime();
      if (next === null || next > until) break;
      const event = queue.pop() as NonNullable<ReturnType<EventQueue['pop']>>;
      this.time = event.at;
      event.run();
      this.runSoon();
      this.worldEvents++;
      budget--;
      if (this.worldEvents >= nextReport && progress !== undefined) {
        nextReport += progress.everyEvents;
        progress.report(this.stats());
      }
    }
    if (budget > 0 && !this.stopRequested && until !== Number.POSITIVE_INFINITY && this.time < until) this.time = until;
    return this.stats();
  }

  private runSoon(): void {
    const senders = this.sendersSoon;
    if (senders.length === 0) return;
    // A send may queue the next one (a FIN after the last segment): index, not iterator.
    for (let i = 0; i < senders.length; i++) (senders[i] as Endpoint).send();
    // pop, not `length = 0`: there are one or two, and setting length is a slow builtin.
    while (senders.length > 0) senders.pop();
  }

  /** End the current `run` after the event being processed (an invariant failed). */
  stop(): void {
    this.stopRequested = true;
  }

  stats(): WorldStats {
    let dispatcherEvents = this.retiredDispatcherEvents;
    let steps = this.retiredSteps;
    for (const node of this.nodes.values()) {
      const stats = node.dispatcher?.stats();
      dispatcherEvents += stats?.events ?? 0;
      steps += stats?.steps ?? 0;
    }
    return {
      time: this.time,
      worldEvents: this.worldEvents,
      dispatcherEvents,
      steps,
      faultsApplied: this.faultsApplied,
      faultsSkipped: this.faultsSkipped,
      packets: this.network.packetsSent,
      packetsDropped: this.network.packetsDropped,
    };
  }

  /** SHA-256 of every step so far; requires `hashTrace`. */
  traceHash(): string {
    if (this.hasher === null) throw new Error('traceHash needs a world created with hashTrace: true');
    return this.hasher.digest();
  }

  // ---- nodes ------------------------------------------------------------------------

  private boot(node: SimNode): void {
    node.incarnation++;
    const incarnation = node.incarnation;
    const name = node.spec.name;
    const driver = new SimDriver(this.fabric, name, this.time, node.rate, node.storage);
    const dispatcher = new Dispatcher({
      driver,
      ...(this.logger === undefined ? {} : { logger: this.logger }),
      ...(this.tracing() && { trace: this.traceOf(node) }),
      onRetire: (machine, snapshot) => {
        for (const observer of this.observers) observer.retire?.(name, incarnation, machine, snapshot);
      },
    });
    node.driver = driver;
    node.dispatcher = dispatcher;
    dispatcher.start();
    for (const observer of this.observers) observer.boot?.(name, incarnation, this.time);
    node.spec.boot({
      node: name,
      incarnation,
      dispatcher,
      storage: node.storage,
      after: (delayMs, fn) => {
        driver.schedule(delayMs, fn);
      },
    });
  }

  private onStep(node: string, incarnation: number, nodeKey: string, step: TraceStep): void {
    if (this.hasher !== null) this.hasher.add(canonicalStep(this.time, nodeKey, step));
    const observers = this.observers;
    if (observers.length === 0) return;
    const simStep: SimStep = { worldTime: this.time, node, incarnation, nodeKey, step };
    for (const observer of observers) observer.step?.(simStep);
  }

  private crash(node: SimNode, downMs: number): boolean {
    const driver = node.driver;
    if (driver === null) return false;
    // Told first, so an observer can still read what the node's machines were doing.
    for (const observer of this.observers) observer.crash?.(node.spec.name, node.incarnation, this.time);
    const stats = node.dispatcher?.stats();
    this.retiredDispatcherEvents += stats?.events ?? 0;
    this.retiredSteps += stats?.steps ?? 0;
    driver.crash();
    node.driver = null;
    node.dispatcher = null;
    this.at(this.time + downMs, () => this.boot(node));
    return true;
  }

  // ---- faults -----------------------------------------------------------------------

  private apply(fault: Fault): boolean {
    switch (fault.type) {
      case 'partition': {
        const links = [this.network.link(fault.a, fault.b)];
        if (!fault.oneWay) links.push(this.network.link(fault.b, fault.a));
        for (const link of links) link.partitions++;
        this.at(this.time + fault.durationMs, () => {
          for (const link of links) {
            link.partitions--;
            this.network.unblock(link);
          }
        });
        return true;
      }
      case 'hold': {
        const link = this.network.link(fault.from, fault.to);
        link.holds++;
        this.at(this.time + fault.durationMs, () => {
          link.holds--;
          this.network.unblock(link);
        });
        return true;
      }
      case 'reset': {
        const driver = this.nodes.get(fault.node)?.driver;
        const ids = driver?.connectionIds() ?? [];
        const id = ids[fault.pick % Math.max(1, ids.length)];
        if (driver === undefined || driver === null || id === undefined) return false;
        driver.resetConnection(id);
        return true;
      }
      case 'refuse': {
        const node = this.nodes.get(fault.node);
        if (node === undefined) return false;
        node.refuseUntil = Math.max(node.refuseUntil, this.time + fault.durationMs);
        return true;
      }
      case 'crash': {
        const node = this.nodes.get(fault.node);
        return node !== undefined && this.crash(node, fault.downMs);
      }
      case 'latency':
        this.network.configure(fault.from, fault.to, { latencyMs: fault.latencyMs, jitterMs: fault.jitterMs });
        return true;
    }
  }
}
