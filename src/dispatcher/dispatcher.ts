// The dispatcher: one FIFO queue, one timer heap, run to completion. It takes one event at
// a time, routes it to the machine instance it belongs to, steps that machine, and
// carries out the returned effects in order. Effects never call a machine synchronously;
// whatever they cause (a send, a broadcast, a driver report) is queued. So a run is a
// function of the sequence of inputs, which is what makes simulation and replay possible.
//
// It knows nothing about protocols: listeners, connections, codecs and timers are
// bookkeeping around `CompiledMachine.step`.

import type { CloseReason } from '../core/close-reason.js';
import { describeCloseReason } from '../core/close-reason.js';
import type { Decoder } from '../codecs/index.js';
import { createDecoder, FrameBuffer } from '../codecs/index.js';
import type { Driver } from '../core/driver.js';
import type { CloseMode, Effect, OutputLimits } from '../core/effects.js';
import { DEFAULT_OUTPUT_LIMITS } from '../core/effects.js';
import type { AnyEventObject, ConnId, IoEvent, ListenerId, MachineId } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { silentLogger } from '../core/logger.js';
import type { CompiledMachine, CompiledSnapshot } from '../machine/compiled.js';
import { StepBuffer } from '../machine/compiled.js';
import { Fifo } from './fifo.js';
import { NamedTimers } from './named-timers.js';
import type { TimerEntry } from './timer-heap.js';
import { TimerHeap } from './timer-heap.js';

/** One step of one machine, as the tracing hook and `record` see it. */
export interface TraceStep {
  readonly time: number;
  readonly machine: MachineId;
  readonly from: string;
  readonly event: AnyEventObject;
  readonly to: string;
  readonly effects: readonly Effect[];
}

export interface DispatcherOptions {
  readonly driver: Driver;
  readonly logger?: Logger;
  /** Called after every machine step, before its effects are carried out. */
  readonly trace?: (step: TraceStep) => void;
  /** Called when a machine is removed (final state reached, connection gone, or its code threw). */
  readonly onRetire?: (id: MachineId, snapshot: CompiledSnapshot) => void;
}

export interface DispatcherStats {
  /** Queue items handled (IO reports, machine events, timer firings, spawns; a broadcast is one). */
  readonly events: number;
  /** Machine steps taken. */
  readonly steps: number;
  readonly machines: number;
  readonly connections: number;
  readonly accepted: number;
  readonly refused: number;
  readonly machineErrors: number;
  readonly timersArmed: number;
  readonly queueDepthMax: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

export interface ShutdownOptions {
  /** After this long, connections still open are aborted with `server-shutdown`. */
  readonly deadlineMs: number;
  /** Called once every connection and listener is gone and the driver is stopped. */
  readonly onDone: () => void;
}

interface Instance {
  readonly id: MachineId;
  readonly machine: CompiledMachine;
  snapshot: CompiledSnapshot;
  conn: Connection | null;
  /** Set for machines spawned by a listener: they live and die with their connection. */
  readonly listener: Listener | null;
  readonly group: string | null;
  /**
   * The latest entry of each timer name (armed or not: `TimerHeap.isArmed`). Fired and
   * cancelled entries stay, for the next arming, up to `KEPT_TIMER_NAMES` names; past that
   * they are dropped, so machines that make up timer names cannot grow it without bound.
   * Created by the first armed timer: most connections never arm one.
   */
  timers: NamedTimers<TimerEntry<MachineTimer>> | null;
  alive: boolean;
}

interface Connection {
  readonly id: ConnId;
  instance: Instance | null;
  readonly listener: Listener | null;
  readonly decoder: Decoder | null;
  /** A close was requested: further input is dropped, the `closed` report is awaited. */
  closing: boolean;
}

interface Listener {
  readonly id: ListenerId;
  readonly owner: MachineId;
  readonly machineKind: string;
  readonly input: unknown;
  readonly codec: Extract<Effect, { type: 'listen' }>['codec'];
  readonly limits: OutputLimits;
  readonly maxConnections: number;
  readonly refuseMessage: string | null;
  readonly group: string;
  open: number;
  active: boolean;
}

/** Reused for each name and event its entry is armed with: a firing copies what it delivers. */
interface MachineTimer {
  readonly kind: 'machine';
  readonly instance: Instance;
  name: string;
  event: AnyEventObject;
}

type TimerPayload = MachineTimer | { readonly kind: 'shutdown-deadline' };

/** A driver's report goes into the queue as it is (no wrapper per event); the dispatcher's own items have types no IoEvent uses. */
type QueueItem =
  | IoEvent
  | { readonly type: 'deliver'; readonly to: MachineId; readonly event: AnyEventObject }
  /**
   * One item for a whole broadcast, with its members as they were when it was sent: the
   * same order as an item per member (nothing can come between them in the FIFO), without
   * an item and an id lookup per member.
   */
  | { readonly type: 'broadcast'; readonly members: readonly Instance[]; readonly event: AnyEventObject }
  /** A machine's timer fired: what it delivers, copied from its entry's payload, which the next arming reuses. */
  | { readonly type: 'timer'; readonly instance: Instance; readonly event: AnyEventObject }
  | { readonly type: 'shutdown-deadline' }
  | { readonly type: 'spawn'; readonly id: MachineId; readonly machineKind: string; readonly input: unknown };

const SHUTDOWN_EVENT: AnyEventObject = { type: 'shutdown' };

export class Dispatcher {
  private readonly driver: Driver;
  private readonly logger: Logger;
  private trace: ((step: TraceStep) => void) | null;
  private readonly onRetire: ((id: MachineId, snapshot: CompiledSnapshot) => void) | null;
  private readonly kinds = new Map<string, CompiledMachine>();
  private readonly instances = new Map<MachineId, Instance>();
  private readonly connections = new Map<ConnId, Connection>();
  private readonly listeners = new Map<ListenerId, Listener>();
  private readonly groups = new Map<string, Set<Instance>>();
  private readonly queue = new Fifo<QueueItem>();
  private readonly timers = new TimerHeap<TimerPayload>();
  private running = false;
  private started = false;
  /** Where each step lands (see `run`). */
  private readonly stepped = new StepBuffer();
  /** Where each chunk's frames land (see `onData`). */
  private readonly decoded = new FrameBuffer();
  private armedWakeup: number | null = null;
  private shutdown: ShutdownOptions | null = null;
  private shutdownDeadline: TimerEntry<TimerPayload> | null = null;
  /** After shutdown completes the driver is released; nothing may arm it again. */
  private stopped = false;
  private counters = {
    events: 0,
    steps: 0,
    accepted: 0,
    refused: 0,
    machineErrors: 0,
    queueDepthMax: 0,
    bytesIn: 0,
    bytesOut: 0,
  };

  constructor(options: DispatcherOptions) {
    this.driver = options.driver;
    this.logger = options.logger ?? silentLogger;
    this.trace = options.trace ?? null;
    this.onRetire = options.onRetire ?? null;
  }

  /** Make a compiled machine available under `kind` for `spawn` and `listen`. */
  register(kind: string, machine: CompiledMachine): this {
    if (this.kinds.has(kind)) throw new Error(`machine kind "${kind}" is already registered`);
    this.kinds.set(kind, machine);
    return this;
  }

  /** Connect the driver; `spawn` does it too. Calling it again does nothing. */
  start(): this {
    if (this.started) return this;
    this.started = true;
    this.driver.start({ sink: (event) => this.enqueue(event), wake: () => this.onWake() });
    return this;
  }

  /** Start an application machine (a server, a client) with `input`. */
  spawn(id: MachineId, kind: string, input?: unknown): void {
    if (!this.kinds.has(kind)) throw new Error(`unknown machine kind "${kind}"; register it first`);
    this.start();
    this.enqueue({ type: 'spawn', id, machineKind: kind, input });
  }

  /** Queue an event for a machine from outside (a CLI command, a test). */
  send(to: MachineId, event: AnyEventObject): void {
    this.enqueue({ type: 'deliver', to, event });
  }

  /**
   * Graceful stop: listeners stop accepting, every machine receives `shutdown`, and
   * connections still open after the deadline are aborted.
   */
  beginShutdown(options: ShutdownOptions): void {
    if (this.shutdown !== null) return;
    this.shutdown = options;
    this.logger.log(
      'info',
      `shutting down: ${this.connections.size} connections, deadline ${options.deadlineMs} ms`,
    );
    for (const listener of this.listeners.values()) {
      if (listener.active) this.driver.stopListening(listener.id);
    }
    this.shutdownDeadline = this.timers.push(this.driver.now() + options.deadlineMs, { kind: 'shutdown-deadline' });
    this.queue.push({ type: 'broadcast', members: [...this.instances.values()], event: SHUTDOWN_EVENT });
    this.drain();
  }

  stats(): DispatcherStats {
    let timersArmed = 0;
    for (const instance of this.instances.values()) {
      for (const entry of instance.timers?.all() ?? []) if (this.timers.isArmed(entry)) timersArmed++;
    }
    return {
      ...this.counters,
      machines: this.instances.size,
      connections: this.connections.size,
      timersArmed,
    };
  }

  /** Attach the tracing hook (or, with null, detach it): the steps from now on are traced. */
  setTrace(trace: ((step: TraceStep) => void) | null): void {
    this.trace = trace;
  }

  /** The current snapshot of a machine, or undefined once it is gone. */
  snapshotOf(id: MachineId): CompiledSnapshot | undefined {
    return this.instances.get(id)?.snapshot;
  }

  /** Ids of the live members of a group, for inspection and tests. */
  groupMembers(group: string): MachineId[] {
    return [...(this.groups.get(group) ?? [])].map((instance) => instance.id);
  }

  // ---- the loop -------------------------------------------------------------------

  private enqueue(item: QueueItem): void {
    // The usual report finds nothing running and nothing waiting: it is handled at once,
    // without a trip through the queue. Otherwise it waits its turn.
    if (!this.running && this.queue.length === 0) {
      this.drain(item);
      return;
    }
    this.queue.push(item);
    this.drain();
  }

  /**
   * Handle queued items until the queue is empty. Called from every driver callback, so an
   * event is handled as soon as it arrives; the `running` flag makes nested calls (a driver
   * reporting synchronously from inside an effect) only queue.
   */
  private drain(first?: QueueItem): void {
    if (this.running) return;
    this.running = true;
    try {
      let item = first ?? this.queue.shift();
      while (item !== undefined) {
        if (this.queue.length + 1 > this.counters.queueDepthMax) this.counters.queueDepthMax = this.queue.length + 1;
        this.counters.events++;
        this.handle(item);
        item = this.queue.shift();
      }
    } finally {
      this.running = false;
    }
    this.checkShutdownDone();
    this.rearm();
  }

  private onWake(): void {
    this.armedWakeup = null;
    const now = this.driver.now();
    for (let entry = this.timers.popDue(now); entry !== null; entry = this.timers.popDue(now)) {
      const payload = entry.payload;
      if (payload.kind === 'machine') {
        this.forgetTimer(payload.instance, payload.name);
        this.queue.push({ type: 'timer', instance: payload.instance, event: payload.event });
      } else {
        this.queue.push({ type: 'shutdown-deadline' });
      }
    }
    this.drain();
  }

  /** Keep exactly one host timer armed, for the earliest deadline. */
  private rearm(): void {
    if (this.stopped) return;
    const next = this.timers.peekDeadline();
    if (next === this.armedWakeup) return;
    this.armedWakeup = next;
    this.driver.setWakeup(next);
  }

  /**
   * One switch for the dispatcher's own items and the driver's reports: reading `type` off
   * objects of this many shapes is a slow (megamorphic) load, done once. Cases are compared
   * in order, so the commonest report comes first.
   */
  private handle(item: QueueItem): void {
    switch (item.type) {
      case 'data':
        this.onData(item);
        return;
      case 'closed':
        this.onClosed(item.conn, item.reason);
        return;
      case 'connected':
        this.toConnection(item.conn, { type: 'connected', remote: item.remote, local: item.local });
        return;
      case 'accepted':
        this.onAccepted(item);
        return;
      case 'peer-closed':
        this.toConnection(item.conn, { type: 'peer-closed' });
        return;
      case 'deliver': {
        const instance = this.instances.get(item.to);
        if (instance === undefined) {
          this.logger.log('debug', `dropped ${item.event.type} for unknown machine ${item.to}`);
          return;
        }
        this.deliver(instance, item.event);
        return;
      }
      case 'timer':
        this.deliver(item.instance, item.event);
        return;
      case 'backpressure':
        this.toConnection(item.conn, { type: 'backpressure', bufferedBytes: item.bufferedBytes });
        return;
      case 'drained':
        this.toConnection(item.conn, { type: 'drained' });
        return;
      case 'connect-failed': {
        const conn = this.connections.get(item.conn);
        if (conn === undefined) return;
        this.connections.delete(conn.id);
        const instance = conn.instance;
        if (instance !== null) {
          instance.conn = null;
          this.deliver(instance, { type: 'connect-failed', error: item.error });
        }
        return;
      }
      case 'broadcast': {
        const { members, event } = item;
        // A member retired since the broadcast was sent is skipped (deliver checks).
        for (let i = 0; i < members.length; i++) this.deliver(members[i] as Instance, event);
        return;
      }
      case 'spawn':
        this.spawnNow(item.id, item.machineKind, item.input, null, null);
        return;
      case 'shutdown-deadline':
        this.onShutdownDeadline();
        return;
      case 'listening':
      case 'listen-failed':
      case 'accept-error':
      case 'listener-closed': {
        const listener = this.listeners.get(item.listener);
        if (listener === undefined) return;
        if (item.type !== 'listening' && item.type !== 'accept-error') {
          listener.active = false;
          this.listeners.delete(listener.id);
        }
        this.notifyOwner(listener, item);
        return;
      }
      default:
        // A new item or report type must get a case above.
        item satisfies never;
    }
  }

  // ---- IO reports -----------------------------------------------------------------

  private onAccepted(event: Extract<IoEvent, { type: 'accepted' }>): void {
    const listener = this.listeners.get(event.listener);
    if (listener === undefined || !listener.active || this.shutdown !== null) {
      this.driver.close(event.conn, 'abort', { kind: 'server-shutdown' });
      this.connections.set(event.conn, this.refusedConnection(event.conn));
      return;
    }
    if (listener.open >= listener.maxConnections) {
      // Accept-and-close rather than leaving it in the backlog: the client learns why at once.
      this.counters.refused++;
      this.connections.set(event.conn, this.refusedConnection(event.conn));
      if (listener.refuseMessage !== null) this.driver.write(event.conn, listener.refuseMessage);
      this.driver.close(event.conn, 'graceful', { kind: 'max-connections', limit: listener.maxConnections });
      this.notifyOwner(listener, {
        type: 'connection-refused',
        listener: listener.id,
        remote: event.remote,
        limit: listener.maxConnections,
      });
      return;
    }
    this.counters.accepted++;
    listener.open++;
    const conn: Connection = {
      id: event.conn,
      instance: null,
      listener,
      decoder: listener.codec === undefined ? null : createDecoder(listener.codec),
      closing: false,
    };
    this.connections.set(conn.id, conn);
    const id = `${listener.id}#${conn.id}`;
    const instance = this.spawnNow(id, listener.machineKind, listener.input, conn, listener);
    this.notifyOwner(listener, { type: 'connection-opened', listener: listener.id, machine: id, remote: event.remote });
    if (instance !== null && instance.alive) {
      this.deliver(instance, { type: 'accepted', remote: event.remote, local: event.local });
    }
  }

  private refusedConnection(id: ConnId): Connection {
    return { id, instance: null, listener: null, decoder: null, closing: true };
  }

  private onData(event: Extract<IoEvent, { type: 'data' }>): void {
    const conn = this.connections.get(event.conn);
    if (conn === undefined || conn.closing) return;
    this.counters.bytesIn += event.bytes.byteLength;
    const instance = conn.instance;
    if (instance === null) return;
    if (conn.decoder === null) {
      // The driver's report is the machine's `data` event (its extra `conn` field is harmless):
      // one allocation less on the hottest path.
      this.deliver(instance, event);
      return;
    }
    // One buffer serves every chunk: onData only runs inside a drain, which never nests.
    const decoded = this.decoded;
    try {
      const error = conn.decoder.pushInto(event.bytes, decoded);
      const frames = decoded.frames;
      for (let i = 0; i < decoded.count; i++) {
        // A frame's effects may close the connection; the frames after it are then dropped.
        if (conn.closing || !instance.alive) return;
        this.deliver(instance, { type: 'message', frame: frames[i] as Uint8Array });
      }
      if (error !== null && !conn.closing && instance.alive) {
        this.deliver(instance, { type: 'protocol-error', message: error });
        // The machine may answer with an error line first; the connection closes either way.
        if (!conn.closing) this.closeConnection(conn, 'graceful', { kind: 'protocol-error', message: error });
      }
    } finally {
      decoded.release();
    }
  }

  private toConnection(connId: ConnId, event: AnyEventObject): void {
    const conn = this.connections.get(connId);
    if (conn === undefined || conn.instance === null) return;
    this.deliver(conn.instance, event);
  }

  private onClosed(connId: ConnId, reason: CloseReason): void {
    const conn = this.connections.get(connId);
    if (conn === undefined) return;
    this.connections.delete(connId);
    const instance = conn.instance;
    if (instance !== null) {
      instance.conn = null;
      if (instance.alive) this.deliver(instance, { type: 'closed', reason });
      // A machine spawned for an accepted connection lives exactly as long as it.
      if (instance.listener !== null && instance.alive) this.retire(instance);
    }
    const listener = conn.listener;
    if (listener !== null) {
      listener.open--;
      this.notifyOwner(listener, {
        type: 'connection-closed',
        listener: listener.id,
        machine: instance?.id ?? `${listener.id}#${connId}`,
        reason,
      });
      if (this.logger.enabled('debug')) {
        this.logger.log('debug', `${listener.id}#${connId} closed: ${describeCloseReason(reason)}`);
      }
    }
  }

  private notifyOwner(listener: Listener, event: AnyEventObject): void {
    this.queue.push({ type: 'deliver', to: listener.owner, event });
  }

  // ---- machines -------------------------------------------------------------------

  private spawnNow(
    id: MachineId,
    kind: string,
    input: unknown,
    conn: Connection | null,
    listener: Listener | null,
  ): Instance | null {
    const machine = this.kinds.get(kind);
    if (machine === undefined) {
      this.logger.log('error', `cannot spawn ${id}: unknown machine kind "${kind}"`);
      if (conn !== null) this.closeConnection(conn, 'abort', { kind: 'machine-error', message: `unknown machine kind "${kind}"` });
      return null;
    }
    if (this.instances.has(id)) {
      this.logger.log('error', `cannot spawn ${id}: a machine with that id is running`);
      return null;
    }
    const group = listener?.group ?? null;
    const instance: Instance = {
      id,
      machine,
      snapshot: INITIAL_PLACEHOLDER,
      conn,
      listener,
      group,
      timers: null,
      alive: true,
    };
    this.instances.set(id, instance);
    if (conn !== null) conn.instance = instance;
    if (group !== null) {
      let members = this.groups.get(group);
      if (members === undefined) this.groups.set(group, (members = new Set()));
      members.add(instance);
    }
    this.run(instance, SPAWN_EVENT, input);
    return instance;
  }

  private deliver(instance: Instance, event: AnyEventObject): void {
    if (!instance.alive) return;
    this.run(instance, event, undefined);
  }

  /**
   * Step a machine (or start it, for the spawn event, with `input`), trace it, carry out its
   * effects; contain whatever its code throws.
   */
  private run(instance: Instance, event: AnyEventObject, input: unknown): void {
    const from = instance.snapshot.state;
    const machine = instance.machine;
    // One buffer serves every step: run only happens inside a drain, which never nests.
    const out = this.stepped;
    try {
      let effects: readonly (Effect | undefined)[];
      let count: number;
      if (event !== SPAWN_EVENT && machine.stepInto !== undefined) {
        machine.stepInto(instance.snapshot, event, out);
        instance.snapshot = out.snapshot;
        effects = out.effects;
        count = out.count;
      } else {
        const result = event === SPAWN_EVENT ? machine.initial(input) : machine.step(instance.snapshot, event);
        instance.snapshot = result.snapshot;
        effects = result.effects;
        count = effects.length;
      }
      this.counters.steps++;
      const to = instance.snapshot.state;
      if (this.trace !== null) {
        this.trace({ time: this.driver.now(), machine: instance.id, from, event, to, effects: effects.slice(0, count) as Effect[] });
      }
      if (this.logger.enabled('debug')) {
        const types = effects.slice(0, count).map((effect) => (effect as Effect).type).join(',');
        this.logger.log('debug', `${instance.id} ${from} --${event.type}--> ${to} [${types}]`);
      }
      for (let i = 0; i < count && instance.alive; i++) this.perform(instance, effects[i] as Effect);
    } catch (error) {
      this.onMachineError(instance, event, error);
      return;
    } finally {
      out.release();
    }
    if (instance.alive && instance.snapshot.status === 'done') this.retire(instance);
  }

  private onMachineError(instance: Instance, event: AnyEventObject, error: unknown): void {
    this.counters.machineErrors++;
    const message = error instanceof Error ? error.message : String(error);
    this.logger.log('error', `${instance.id} threw in state ${instance.snapshot.state} on ${event.type}: ${message}`);
    const conn = instance.conn;
    // Abort rather than flush: output from a machine in an unknown state is not trustworthy.
    if (conn !== null && !conn.closing) this.closeConnection(conn, 'abort', { kind: 'machine-error', message });
    this.retire(instance);
  }

  /** Remove a machine: its timers, its group membership; its connection outlives it only to be closed. */
  private retire(instance: Instance): void {
    instance.alive = false;
    this.instances.delete(instance.id);
    const timers = instance.timers?.all();
    if (timers !== undefined) for (let i = 0; i < timers.length; i++) this.timers.remove(timers[i] as TimerEntry<MachineTimer>);
    instance.timers = null;
    if (instance.group !== null) this.groups.get(instance.group)?.delete(instance);
    const conn = instance.conn;
    if (conn !== null && !conn.closing) {
      this.closeConnection(conn, 'graceful', { kind: 'local', detail: `machine ${instance.id} finished` });
    }
    this.onRetire?.(instance.id, instance.snapshot);
  }

  // ---- effects --------------------------------------------------------------------

  private perform(instance: Instance, effect: Effect): void {
    switch (effect.type) {
      case 'write': {
        const conn = this.ownConnection(instance, effect.type);
        if (conn === null || conn.closing) return;
        const data = effect.data;
        // Strings go to the driver as they are: node:net encodes them natively, without a copy.
        this.counters.bytesOut += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
        this.driver.write(conn.id, data);
        return;
      }
      case 'close': {
        const conn = this.ownConnection(instance, effect.type);
        if (conn === null) return;
        // A second close may only escalate a graceful close to an abort (a linger timeout).
        if (conn.closing && effect.mode !== 'abort') return;
        this.closeConnection(conn, effect.mode, effect.reason);
        return;
      }
      case 'shutdown': {
        const conn = this.ownConnection(instance, effect.type);
        if (conn !== null && !conn.closing) this.driver.shutdown(conn.id);
        return;
      }
      case 'pauseReading':
      case 'resumeReading': {
        const conn = this.ownConnection(instance, effect.type);
        if (conn === null || conn.closing) return;
        if (effect.type === 'pauseReading') this.driver.pauseReading(conn.id);
        else this.driver.resumeReading(conn.id);
        return;
      }
      case 'connect':
        this.connect(instance, effect);
        return;
      case 'listen':
        this.listen(instance, effect);
        return;
      case 'stopListening': {
        const listener = this.listeners.get(effect.listener);
        if (listener !== undefined && listener.active) this.driver.stopListening(listener.id);
        return;
      }
      case 'startTimer':
        this.startTimer(instance, effect.name, effect.delayMs, effect.event ?? { type: 'timeout', timer: effect.name });
        return;
      case 'cancelTimer': {
        const entry = instance.timers?.get(effect.name);
        if (entry !== undefined) {
          this.timers.cancel(entry);
          this.forgetTimer(instance, effect.name);
        }
        return;
      }
      case 'send':
        this.queue.push({ type: 'deliver', to: effect.to, event: effect.event });
        return;
      case 'broadcast': {
        const members = this.groups.get(effect.group);
        if (members !== undefined && members.size > 0) this.queue.push({ type: 'broadcast', members: [...members], event: effect.event });
        return;
      }
      case 'log':
        this.logger.log(effect.level, `${instance.id}: ${effect.message}`);
        return;
      case 'persist':
        // Documented behaviour on `net`, so not a warning: it would repeat at every start.
        if (this.driver.persist === undefined) this.logger.log('debug', `${instance.id}: persist ${effect.key} dropped: the driver has no durable storage`);
        else this.driver.persist(effect.key, effect.value);
        return;
    }
  }

  private ownConnection(instance: Instance, effect: Effect['type']): Connection | null {
    if (instance.conn === null) {
      this.logger.log('warn', `${instance.id}: ${effect} ignored in state ${instance.snapshot.state}: no connection`);
    }
    return instance.conn;
  }

  private closeConnection(conn: Connection, mode: CloseMode, reason: CloseReason): void {
    conn.closing = true;
    this.driver.close(conn.id, mode, reason);
  }

  /**
   * A stopped timer's entry is kept for the next arming of its name, up to KEPT_TIMER_NAMES
   * names; past that it leaves the heap for good, so nothing there outlives its instance.
   */
  private forgetTimer(instance: Instance, name: string): void {
    const timers = instance.timers;
    if (timers === null || timers.size <= KEPT_TIMER_NAMES) return;
    const entry = timers.delete(name);
    if (entry !== undefined) this.timers.remove(entry);
  }

  private startTimer(instance: Instance, name: string, delayMs: number, event: AnyEventObject): void {
    const previous = instance.timers?.get(name);
    // A non-finite delay means "never": the idiom for a disabled timeout.
    if (!Number.isFinite(delayMs)) {
      if (previous !== undefined) this.timers.cancel(previous);
      return;
    }
    const deadline = this.driver.now() + Math.max(0, delayMs);
    // A re-armed timeout (every message restarts an idle timer) reuses its entry. So does a
    // new name while the instance has a stopped one: a state's timeout is cancelled as the
    // next state arms its own, so an instance files as many entries as it has timers
    // running at once (the heap stays smaller, and a retiring machine has fewer entries to
    // take out of it). A payload changes in place: a firing already queued holds a copy.
    const reused = previous ?? instance.timers?.stopped(this.timers);
    if (reused === undefined) {
      const payload: MachineTimer = { kind: 'machine', instance, name, event };
      (instance.timers ??= new NamedTimers()).add(this.timers.push(deadline, payload) as TimerEntry<MachineTimer>);
      return;
    }
    const payload = reused.payload;
    payload.name = name;
    payload.event = event;
    this.timers.rearm(reused, deadline, payload);
  }

  private connect(instance: Instance, effect: Extract<Effect, { type: 'connect' }>): void {
    if (instance.conn !== null) {
      this.logger.log('warn', `${instance.id}: connect ignored: it already has a connection`);
      return;
    }
    const id = this.driver.connect({
      host: effect.host,
      port: effect.port,
      timeoutMs: effect.timeoutMs,
      limits: effect.limits ?? DEFAULT_OUTPUT_LIMITS,
    });
    const conn: Connection = {
      id,
      instance,
      listener: null,
      decoder: effect.codec === undefined ? null : createDecoder(effect.codec),
      closing: false,
    };
    this.connections.set(id, conn);
    instance.conn = conn;
  }

  private listen(instance: Instance, effect: Extract<Effect, { type: 'listen' }>): void {
    if (this.listeners.has(effect.listener)) {
      this.queue.push({
        type: 'deliver',
        to: instance.id,
        event: {
          type: 'listen-failed',
          listener: effect.listener,
          error: { code: 'EEXIST', message: `listener "${effect.listener}" is already open` },
        },
      });
      return;
    }
    // Fail here, in the machine's own step, on a bad codec spec rather than at the first accept.
    if (effect.codec !== undefined) createDecoder(effect.codec);
    const listener: Listener = {
      id: effect.listener,
      owner: instance.id,
      machineKind: effect.machine,
      input: effect.input,
      codec: effect.codec,
      limits: effect.limits ?? DEFAULT_OUTPUT_LIMITS,
      maxConnections: effect.maxConnections ?? Number.POSITIVE_INFINITY,
      refuseMessage: effect.refuseMessage ?? null,
      group: effect.group ?? effect.listener,
      open: 0,
      active: true,
    };
    this.listeners.set(listener.id, listener);
    this.driver.listen(listener.id, { host: effect.host, port: effect.port, limits: listener.limits });
  }

  // ---- shutdown -------------------------------------------------------------------

  private onShutdownDeadline(): void {
    this.shutdownDeadline = null;
    if (this.connections.size > 0) {
      this.logger.log('warn', `shutdown deadline passed: aborting ${this.connections.size} connections`);
    }
    for (const conn of this.connections.values()) this.driver.close(conn.id, 'abort', { kind: 'server-shutdown' });
  }

  private checkShutdownDone(): void {
    const shutdown = this.shutdown;
    if (shutdown === null || this.connections.size > 0 || this.listeners.size > 0) return;
    this.shutdown = null;
    this.stopped = true;
    for (const instance of [...this.instances.values()]) this.retire(instance);
    if (this.shutdownDeadline !== null) this.timers.remove(this.shutdownDeadline);
    this.driver.stop();
    this.logger.log('info', 'shutdown complete');
    shutdown.onDone();
  }
}

/** How many timer names an instance keeps after their timers stopped (see `Instance.timers`). */
const KEPT_TIMER_NAMES = 8;

/** Stands in for the snapshot until `initial()` has produced the real one. */
const INITIAL_PLACEHOLDER: CompiledSnapshot = { value: '(spawning)', state: '(spawning)', context: undefined, status: 'active' };
const SPAWN_EVENT: AnyEventObject = { type: 'xstate.init' };
