// The `sim` driver: the Driver interface over the simulated network, one per node
// incarnation. Its clock is the world's virtual clock seen through the node's drift (a
// rate near 1, from the node's boot); its one wake-up is an entry in the world's event
// queue. Every report comes from a world event or is deferred to one, never from a host
// timer, so a run is a function of the seed. A crash marks the driver dead: whatever it
// had scheduled is ignored from then on.

import type { CloseReason } from '../../core/close-reason.js';
import type { ConnectOptions, Driver, DriverHooks, ListenOptions } from '../../core/driver.js';
import type { CloseMode, OutputLimits } from '../../core/effects.js';
import type { Address, ConnId, IoEvent, ListenerId } from '../../core/events.js';
import type { EventQueue } from './event-queue.js';
import type { SimHandler } from './event-queue.js';
import { isQueued, SimEvent } from './event-queue.js';
import type { Network, Pipe } from './network.js';
import type { Prng } from './prng.js';
import type { EndpointHost } from './sim-connection.js';
import { Endpoint } from './sim-connection.js';

const utf8 = new TextEncoder();

/** How the simulated TCP cuts and paces a byte stream. */
export interface TcpOptions {
  /** Largest segment. */
  readonly maxSegmentBytes: number;
  /** Chance that a segment is cut at a random byte instead of at the largest size possible. */
  readonly splitProbability: number;
  /** Bytes a sender may have unread at the receiver; a paused reader stalls the sender past it. */
  readonly receiveWindowBytes: number;
}

export const DEFAULT_TCP: TcpOptions = { maxSegmentBytes: 16 * 1024, splitProbability: 0.25, receiveWindowBytes: 256 * 1024 };

/** What a driver sees of the world it runs in. */
export interface SimFabric {
  readonly queue: EventQueue;
  readonly network: Network;
  readonly prng: Prng;
  readonly tcp: TcpOptions;
  /** World (virtual) time. */
  now(): number;
  /** The node a host name means to `from` ("localhost" is `from` itself); undefined if none. */
  resolve(host: string, from: string): string | undefined;
  /** The live driver of a node; null while it is down. */
  driverOf(node: string): SimDriver | null;
  /** Call `sender.send()` right after the current world event, in the order asked. */
  sendSoon(sender: Endpoint): void;
  /** Connects to this node are refused (a refuse fault). */
  refusing(node: string): boolean;
  nextEphemeralPort(node: string): number;
}

interface SimListener {
  readonly id: ListenerId;
  readonly port: number;
  readonly limits: OutputLimits;
}

export class SimDriver implements Driver, EndpointHost {
  private hooks: DriverHooks | null = null;
  private alive = true;
  private readonly connections = new Map<ConnId, Endpoint>();
  private readonly listenersById = new Map<ListenerId, SimListener>();
  private readonly listenersByPort = new Map<number, SimListener>();
  private nextConnId = 1;
  /** The one wake-up, re-queued rather than re-made: it moves on almost every drain. */
  private readonly wakeEvent = new SimEvent<SimDriver>(WAKE, this);
  /** The node time the wake-up was asked for; its entry's `at` is the world time. */
  private wakeAt = 0;
  /** now() never goes below a wake-up it has fired: world-to-node time conversion rounds. */
  private floor = 0;
  readonly receiveWindowBytes: number;

  constructor(
    private readonly fabric: SimFabric,
    readonly node: string,
    /** World time at boot: the node's clock starts at 0 then, like performance.now() in a fresh process. */
    private readonly bootTime: number,
    /** Node ms per world ms (clock drift). */
    private readonly rate: number,
    private readonly storage: Map<string, unknown>,
  ) {
    this.receiveWindowBytes = fabric.tcp.receiveWindowBytes;
  }

  now(): number {
    const t = (this.fabric.now() - this.bootTime) * this.rate;
    return t < this.floor ? this.floor : t;
  }

  /** World time at which this node's clock reads `at`. */
  worldTimeOf(at: number): number {
    return this.bootTime + at / this.rate;
  }

  start(hooks: DriverHooks): void {
    this.hooks = hooks;
  }

  setWakeup(at: number | null): void {
    const wake = this.wakeEvent;
    if (at === null || !this.alive) {
      this.fabric.queue.cancel(wake);
      return;
    }
    const worldAt = Math.max(this.fabric.now(), this.worldTimeOf(at));
    // An armed wake-up at or before the new deadline stays: waking early is harmless (the
    // dispatcher finds nothing due and re-arms), and it spares the queue a removal.
    if (isQueued(wake)) {
      if (wake.at <= worldAt) return;
      this.fabric.queue.cancel(wake);
    }
    this.wakeAt = at;
    this.fabric.queue.insert(wake, worldAt);
  }

  /** The wake-up came due. */
  onWake(): void {
    const at = this.wakeAt;
    if (!this.alive || this.hooks === null) return;
    if (this.floor < at) this.floor = at;
    this.hooks.wake();
  }

  listen(listener: ListenerId, options: ListenOptions): void {
    const port = options.port === 0 ? this.fabric.nextEphemeralPort(this.node) : options.port;
    if (this.listenersByPort.has(port) || this.listenersById.has(listener)) {
      this.defer({
        type: 'listen-failed',
        listener,
        error: { code: 'EADDRINUSE', message: `listen EADDRINUSE: address already in use ${this.node}:${port}` },
      });
      return;
    }
    const entry: SimListener = { id: listener, port, limits: options.limits };
    this.listenersById.set(listener, entry);
    this.listenersByPort.set(port, entry);
    this.defer({ type: 'listening', listener, address: { host: this.node, port } });
  }

  stopListening(listener: ListenerId): void {
    const entry = this.listenersById.get(listener);
    if (entry === undefined) return;
    this.listenersById.delete(listener);
    this.listenersByPort.delete(entry.port);
    this.defer({ type: 'listener-closed', listener });
  }

  connect(options: ConnectOptions): ConnId {
    const id = this.nextConnId++;
    const local: Address = { host: this.node, port: this.fabric.nextEphemeralPort(this.node) };
    const endpoint = new Endpoint(this, id, local, { host: options.host, port: options.port }, options.limits, false);
    this.connections.set(id, endpoint);
    const target = this.fabric.resolve(options.host, this.node);
    if (target === undefined) {
      this.failConnect(endpoint, 'ENOTFOUND', `getaddrinfo ENOTFOUND ${options.host}`);
      return id;
    }
    endpoint.connectTimer = this.schedule(options.timeoutMs, () => {
      if (endpoint.established || endpoint.gone) return;
      this.failConnect(endpoint, 'ETIMEDOUT', `no answer within ${options.timeoutMs} ms`);
    });
    this.fabric.network.sendControl(this.node, target, () => {
      // A node that is down does not answer: the connect times out.
      this.fabric.driverOf(target)?.onSyn(endpoint, this, options.port);
    });
    return id;
  }

  write(conn: ConnId, data: Uint8Array | string): void {
    this.connections.get(conn)?.write(typeof data === 'string' ? utf8.encode(data) : data);
  }

  shutdown(conn: ConnId): void {
    this.connections.get(conn)?.shutdown();
  }

  close(conn: ConnId, mode: CloseMode, reason: CloseReason): void {
    const endpoint = this.connections.get(conn);
    if (endpoint === undefined) return;
    if (mode === 'abort') endpoint.abort(reason);
    else endpoint.closeGracefully(reason);
  }

  pauseReading(conn: ConnId): void {
    this.connections.get(conn)?.pauseReading();
  }

  resumeReading(conn: ConnId): void {
    this.connections.get(conn)?.resumeReading();
  }

  bufferedBytes(conn: ConnId): number {
    return this.connections.get(conn)?.bufferedBytes ?? 0;
  }

  /** Keep `value` (a copy: machines' contexts are immutable but shared) across crashes. */
  persist(key: string, value: unknown): void {
    this.storage.set(key, structuredClone(value));
  }

  stop(): void {
    this.setWakeup(null);
    this.listenersById.clear();
    this.listenersByPort.clear();
    for (const endpoint of [...this.connections.values()]) endpoint.abandon();
    this.hooks = null;
  }

  /** The node crashed: no more reports; peers of its connections are reset. */
  crash(): void {
    this.stop();
    this.alive = false;
  }

  /** A reset fault: the connection is torn down at both ends as by a middlebox RST. */
  resetConnection(conn: ConnId): void {
    const endpoint = this.connections.get(conn);
    if (endpoint === undefined) return;
    endpoint.abort({ kind: 'reset', code: 'ECONNRESET' });
  }

  /** Established connections, oldest first: the targets a reset fault picks from. */
  connectionIds(): ConnId[] {
    const ids: ConnId[] = [];
    for (const endpoint of this.connections.values()) if (endpoint.established && !endpoint.gone) ids.push(endpoint.id);
    return ids;
  }

  // ---- EndpointHost -----------------------------------------------------------------

  report(event: IoEvent): void {
    if (this.alive) this.hooks?.sink(event);
  }

  defer(event: IoEvent): void {
    this.fabric.queue.schedule(this.fabric.now(), () => this.report(event));
  }

  forget(endpoint: Endpoint): void {
    if (this.connections.get(endpoint.id) === endpoint) this.connections.delete(endpoint.id);
  }

  schedule(delayMs: number, run: () => void): SimEvent {
    return this.fabric.queue.schedule(this.fabric.now() + delayMs / this.rate, () => {
      if (this.alive) run();
    });
  }

  sendWhenFree(endpoint: Endpoint, pipe: Pipe): void {
    const free = pipe.link.nextFree;
    if (free <= this.fabric.now()) this.fabric.sendSoon(endpoint);
    // One entry per endpoint, re-queued: an endpoint waits for at most one send (`pump`).
    else this.fabric.queue.insert((endpoint.sendLater ??= new SimEvent(SEND, endpoint)), free);
  }

  sendSegment(pipe: Pipe, bytes: Uint8Array | null): void {
    this.fabric.network.sendSegment(pipe, bytes);
  }

  sendControl(to: string, arrive: () => void): void {
    // A crashed incarnation's kernel is gone: its node answers only once it is up again.
    if (!this.alive && this.fabric.driverOf(this.node) === null) return;
    this.fabric.network.sendControl(this.node, to, arrive);
  }

  segmentLength(available: number): number {
    const max = Math.min(available, this.fabric.tcp.maxSegmentBytes);
    return this.fabric.prng.chance(this.fabric.tcp.splitProbability) ? 1 + this.fabric.prng.int(max) : max;
  }

  // ---- connection setup -------------------------------------------------------------

  /** A SYN for `port` from `client` arrived at this node. */
  private onSyn(client: Endpoint, clientDriver: SimDriver, port: number): void {
    const listener = this.listenersByPort.get(port);
    if (listener === undefined || this.fabric.refusing(this.node)) {
      this.sendControl(clientDriver.node, () => {
        if (!client.gone && !client.established) clientDriver.failConnect(client, 'ECONNREFUSED', `connect ECONNREFUSED ${this.node}:${port}`);
      });
      return;
    }
    const id = this.nextConnId++;
    const server = new Endpoint(this, id, { host: this.node, port }, client.local, listener.limits, true);
    this.connections.set(id, server);
    const network = this.fabric.network;
    Endpoint.pair(
      client,
      server,
      network.pipe(clientDriver.node, this.node, server),
      network.pipe(this.node, clientDriver.node, client),
    );
    this.report({ type: 'accepted', listener: listener.id, conn: id, remote: client.local, local: server.local });
    this.sendControl(clientDriver.node, () => {
      if (!client.gone && clientDriver.alive) {
        if (client.connectTimer !== null) this.fabric.queue.cancel(client.connectTimer);
        client.onEstablished();
        return;
      }
      // The client gave up (connect timeout) or crashed meanwhile: its node, if up, answers with RST.
      this.fabric.driverOf(clientDriver.node)?.sendControl(this.node, () => server.onReset());
    });
  }

  private failConnect(endpoint: Endpoint, code: string, message: string): void {
    endpoint.abandon();
    this.defer({ type: 'connect-failed', conn: endpoint.id, error: { code, message } });
  }
}

// The handlers of the driver's own queue entries: plain objects of one shape, as the
// queue's `schedule` handler is, so they add no shape where the world runs entries.
const WAKE: SimHandler<SimDriver> = { handle: (event) => event.value.onWake() };
const SEND: SimHandler<Endpoint> = { handle: (event) => event.value.send() };
