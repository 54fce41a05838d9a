// The real-TCP driver: node:net sockets in, typed IoEvents out. It owns the OS-facing
// policy that the machines cannot see: output buffer accounting (backpressure at the
// high-water mark, abort at the hard limit), half-close, error classification, connect
// timeouts, and the single host timer the dispatcher arms.

import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { CloseReason } from '../../core/close-reason.js';
import type { ConnectOptions, Driver, DriverHooks, ListenOptions } from '../../core/driver.js';
import type { CloseMode, OutputLimits } from '../../core/effects.js';
import type { Address, ConnId, IoErrorInfo, IoEvent, ListenerId } from '../../core/events.js';

interface NetConnection {
  readonly id: ConnId;
  readonly socket: net.Socket;
  readonly limits: OutputLimits;
  backpressured: boolean;
  /** The reason a close was requested with; wins over what the socket later reports. */
  closeReason: CloseReason | null;
  /** The first socket error, used as the reason when nobody asked to close. */
  errorReason: CloseReason | null;
  peerEnded: boolean;
  /** False while an outgoing connect is pending: its end is reported as connect-failed. */
  established: boolean;
  readonly owner: NetDriver;
}

/** Codes that mean the peer went away abruptly rather than a local failure. */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT']);

export class NetDriver implements Driver {
  private hooks: DriverHooks | null = null;
  private readonly connections = new Map<ConnId, NetConnection>();
  private readonly servers = new Map<ListenerId, net.Server>();
  private nextConnId = 1;
  private wakeupTimer: NodeJS.Timeout | null = null;
  private readonly onWakeupTimer = (): void => {
    this.wakeupTimer = null;
    this.hooks?.wake();
  };

  now(): number {
    return performance.now();
  }

  start(hooks: DriverHooks): void {
    this.hooks = hooks;
  }

  setWakeup(at: number | null): void {
    if (this.wakeupTimer !== null) {
      clearTimeout(this.wakeupTimer);
      this.wakeupTimer = null;
    }
    if (at === null) return;
    // setTimeout never fires early, only late; ceil keeps a fractional deadline from firing 1 ms early.
    this.wakeupTimer = setTimeout(this.onWakeupTimer, Math.max(0, Math.ceil(at - this.now())));
  }

  listen(listener: ListenerId, options: ListenOptions): void {
    const server = net.createServer({
      allowHalfOpen: true,
      noDelay: true,
      highWaterMark: options.limits.highWaterBytes,
    });
    this.servers.set(listener, server);
    // Accepted connections report the listener's address as their local one: reading each
    // socket's own would make Node cache an address object per connection.
    let bound: Address = { host: options.host, port: options.port };
    server.on('connection', (socket) => this.adopt(listener, socket, options.limits, bound));
    server.on('listening', () => {
      const address = server.address();
      if (address !== null && typeof address === 'object') bound = { host: address.address, port: address.port };
      this.report({ type: 'listening', listener, address: bound });
    });
    server.on('error', (error: NodeJS.ErrnoException) => {
      if (server.listening) {
        // Accept failures on an open listener (EMFILE, ENFILE, ECONNABORTED) are transient:
        // the listener stays open and libuv keeps accepting.
        this.report({ type: 'accept-error', listener, error: errorInfo(error) });
        return;
      }
      this.servers.delete(listener);
      this.report({ type: 'listen-failed', listener, error: errorInfo(error) });
    });
    server.on('close', () => {
      if (this.servers.get(listener) === server) this.servers.delete(listener);
      this.report({ type: 'listener-closed', listener });
    });
    try {
      server.listen({ host: options.host, port: options.port, backlog: 511 });
    } catch (error) {
      // Bad ports (out of range, not a number) throw synchronously instead of emitting.
      this.servers.delete(listener);
      this.report({ type: 'listen-failed', listener, error: errorInfo(error) });
    }
  }

  stopListening(listener: ListenerId): void {
    const server = this.servers.get(listener);
    if (server === undefined || !server.listening) return;
    server.close();
  }

  connect(options: ConnectOptions): ConnId {
    const id = this.nextConnId++;
    // Duplex accepts writableHighWaterMark though @types/node's SocketConstructorOpts omits it.
    const socketOptions: net.SocketConstructorOpts & { writableHighWaterMark: number } = {
      allowHalfOpen: true,
      writableHighWaterMark: options.limits.highWaterBytes,
    };
    const socket = new net.Socket(socketOptions);
    const conn = this.track(id, socket, options.limits, false);
    socket.setTimeout(options.timeoutMs);
    socket.once('timeout', () => {
      if (conn.established) return;
      conn.errorReason = { kind: 'connect-failed', code: 'ETIMEDOUT', message: `no answer within ${options.timeoutMs} ms` };
      socket.destroy();
    });
    socket.once('connect', () => {
      conn.established = true;
      socket.setTimeout(0);
      socket.setNoDelay(true);
      this.report({ type: 'connected', conn: id, remote: remoteOf(socket), local: localOf(socket) });
    });
    try {
      socket.connect({ host: options.host, port: options.port });
    } catch (error) {
      conn.errorReason = { kind: 'connect-failed', ...errorInfo(error) };
      socket.destroy();
    }
    return id;
  }

  write(conn: ConnId, data: Uint8Array | string): void {
    const c = this.connections.get(conn);
    if (c === undefined || c.socket.destroyed || c.socket.writableEnded) return;
    c.socket.write(data);
    const buffered = c.socket.writableLength;
    if (buffered > c.limits.hardLimitBytes) {
      // The peer does not read: drop what is queued rather than grow without bound.
      c.closeReason = { kind: 'output-buffer-limit', limitBytes: c.limits.hardLimitBytes };
      c.socket.resetAndDestroy();
      return;
    }
    if (!c.backpressured && buffered >= c.limits.highWaterBytes) {
      c.backpressured = true;
      this.report({ type: 'backpressure', conn, bufferedBytes: buffered });
    }
  }

  shutdown(conn: ConnId): void {
    const c = this.connections.get(conn);
    if (c === undefined || c.socket.destroyed) return;
    c.socket.end();
  }

  close(conn: ConnId, mode: CloseMode, reason: CloseReason): void {
    const c = this.connections.get(conn);
    if (c === undefined || c.socket.destroyed) return;
    if (mode === 'abort') {
      c.closeReason = reason;
      c.socket.resetAndDestroy();
      return;
    }
    c.closeReason ??= reason;
    // With allowHalfOpen the socket closes once both FINs are exchanged; a peer that never
    // sends its FIN is the machine's linger timeout to handle.
    c.socket.end();
    if (c.peerEnded) c.socket.destroySoon();
  }

  pauseReading(conn: ConnId): void {
    this.connections.get(conn)?.socket.pause();
  }

  resumeReading(conn: ConnId): void {
    this.connections.get(conn)?.socket.resume();
  }

  bufferedBytes(conn: ConnId): number {
    return this.connections.get(conn)?.socket.writableLength ?? 0;
  }

  stop(): void {
    this.setWakeup(null);
    for (const server of this.servers.values()) server.close();
    this.servers.clear();
    for (const c of this.connections.values()) c.socket.destroy();
    this.connections.clear();
    this.hooks = null;
  }

  // ---- internals ------------------------------------------------------------------

  private adopt(listener: ListenerId, socket: net.Socket, limits: OutputLimits, local: Address): void {
    const id = this.nextConnId++;
    this.track(id, socket, limits, true);
    this.report({ type: 'accepted', listener, conn: id, remote: remoteOf(socket), local });
  }

  private track(id: ConnId, socket: net.Socket, limits: OutputLimits, established: boolean): NetConnection {
    const conn: NetConnection = {
      id,
      socket,
      limits,
      owner: this,
      backpressured: false,
      closeReason: null,
      errorReason: null,
      peerEnded: false,
      established,
    };
    this.connections.set(id, conn);
    (socket as TrackedSocket)[CONNECTION] = conn;
    socket.on('data', onSocketData);
    socket.on('end', onSocketEnd);
    socket.on('drain', onSocketDrain);
    socket.on('error', onSocketError);
    socket.on('close', onSocketClose);
    return conn;
  }

  /** Hand an event to the dispatcher (also used by the shared socket listeners below). Not part of the Driver API. */
  report(event: IoEvent): void {
    this.hooks?.sink(event);
  }

  /** For the shared socket listeners below: forget a closed connection. Not part of the Driver API. */
  forget(conn: NetConnection): void {
    if (this.connections.get(conn.id) === conn) this.connections.delete(conn.id);
  }
}

// Socket listeners are shared functions that find their connection on the socket, not
// closures per socket: five closures and their context cost ~300 B per connection.
const CONNECTION = Symbol('statewire.connection');
type TrackedSocket = net.Socket & { [CONNECTION]?: NetConnection };

function onSocketData(this: TrackedSocket, bytes: Buffer): void {
  const conn = this[CONNECTION];
  if (conn !== undefined) conn.owner.report({ type: 'data', conn: conn.id, bytes });
}

function onSocketEnd(this: TrackedSocket): void {
  const conn = this[CONNECTION];
  if (conn === undefined) return;
  conn.peerEnded = true;
  // Both directions done: let the socket close instead of waiting on a machine.
  if (conn.closeReason !== null || this.writableEnded) {
    this.destroySoon();
    return;
  }
  conn.owner.report({ type: 'peer-closed', conn: conn.id });
}

function onSocketDrain(this: TrackedSocket): void {
  const conn = this[CONNECTION];
  if (conn === undefined || !conn.backpressured) return;
  conn.backpressured = false;
  conn.owner.report({ type: 'drained', conn: conn.id });
}

function onSocketError(this: TrackedSocket, error: NodeJS.ErrnoException): void {
  const conn = this[CONNECTION];
  if (conn === undefined) return;
  const info = errorInfo(error);
  conn.errorReason ??= RESET_CODES.has(info.code)
    ? { kind: 'reset', code: info.code }
    : { kind: 'io-error', code: info.code, message: info.message };
}

function onSocketClose(this: TrackedSocket): void {
  const conn = this[CONNECTION];
  if (conn === undefined) return;
  conn.owner.forget(conn);
  if (!conn.established) {
    conn.owner.report({ type: 'connect-failed', conn: conn.id, error: connectError(conn.errorReason) });
    return;
  }
  const reason: CloseReason =
    conn.closeReason ?? conn.errorReason ?? (conn.peerEnded ? { kind: 'peer-closed' } : { kind: 'reset', code: 'ECONNRESET' });
  conn.owner.report({ type: 'closed', conn: conn.id, reason });
}

function errorInfo(error: unknown): IoErrorInfo {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code ?? error.name;
    return { code, message: error.message };
  }
  return { code: 'EUNKNOWN', message: String(error) };
}

function connectError(reason: CloseReason | null): IoErrorInfo {
  switch (reason?.kind) {
    case 'connect-failed':
    case 'io-error':
      return { code: reason.code, message: reason.message };
    case 'reset':
      return { code: reason.code, message: 'connection reset before it was established' };
    default:
      return { code: 'ECONNABORTED', message: 'connection closed before it was established' };
  }
}

function remoteOf(socket: net.Socket): Address {
  return { host: socket.remoteAddress ?? '?', port: socket.remotePort ?? 0 };
}

function localOf(socket: net.Socket): Address {
  return { host: socket.localAddress ?? '?', port: socket.localPort ?? 0 };
}
