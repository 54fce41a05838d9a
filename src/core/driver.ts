// The one interface between the dispatcher and the outside world. `net` implements it
// with node:net, `sim` with a seeded virtual network. A driver never calls a machine: it
// reports what happened through `sink`, and the dispatcher queues it.

import type { CloseReason } from './close-reason.js';
import type { CloseMode, OutputLimits } from './effects.js';
import type { ConnId, IoEvent, ListenerId } from './events.js';

export interface DriverHooks {
  /** Queue an event. May be called at any time, also synchronously from a driver method. */
  readonly sink: (event: IoEvent) => void;
  /** The wake-up armed with `setWakeup` is due. */
  readonly wake: () => void;
}

export interface ListenOptions {
  readonly host: string;
  readonly port: number;
  readonly limits: OutputLimits;
}

export interface ConnectOptions {
  readonly host: string;
  readonly port: number;
  readonly timeoutMs: number;
  readonly limits: OutputLimits;
}

export interface Driver {
  /** Milliseconds on this driver's monotonic clock (virtual in `sim`). */
  now(): number;
  start(hooks: DriverHooks): void;
  /**
   * Arm the single host timer for absolute time `at` (on `now()`'s clock), replacing the
   * previous one; `null` disarms it. This is the epoll_wait timeout of a C event loop.
   */
  setWakeup(at: number | null): void;
  /** Reports `listening` or `listen-failed`, then `accepted` per connection. */
  listen(listener: ListenerId, options: ListenOptions): void;
  /** Reports `listener-closed`. Open connections stay open. */
  stopListening(listener: ListenerId): void;
  /** Allocates the connection id now; reports `connected` or `connect-failed` later. */
  connect(options: ConnectOptions): ConnId;
  /**
   * Buffers bytes (a string is sent as UTF-8, encoded by the driver: node:net does it
   * natively); reports `backpressure`, `drained`, or `closed` with `output-buffer-limit`.
   */
  write(conn: ConnId, data: Uint8Array | string): void;
  /** Sends FIN once buffered output is flushed. */
  shutdown(conn: ConnId): void;
  /** Reports `closed` with `reason` once the connection is gone (after flushing, if graceful). */
  close(conn: ConnId, mode: CloseMode, reason: CloseReason): void;
  pauseReading(conn: ConnId): void;
  resumeReading(conn: ConnId): void;
  /** Bytes waiting in the connection's output buffer (0 for unknown connections). */
  bufferedBytes(conn: ConnId): number;
  /**
   * Durable storage for the `persist` effect, if the driver has any (`sim` keeps it per
   * node across crashes). Optional: without it the dispatcher logs and drops the effect.
   */
  persist?(key: string, value: unknown): void;
  /** Release everything: listeners, connections, the host timer. */
  stop(): void;
}
