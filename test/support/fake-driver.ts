// A scripted driver for dispatcher unit tests: a manual clock, a log of every call the
// dispatcher makes, and `emit` to play the outside world. (The seeded simulator is the
// `sim` driver; this one only records.)

import type { CloseReason } from '../../src/core/close-reason.js';
import type { ConnectOptions, Driver, DriverHooks, ListenOptions } from '../../src/core/driver.js';
import type { CloseMode } from '../../src/core/effects.js';
import type { ConnId, IoEvent, ListenerId } from '../../src/core/events.js';

export type DriverCall =
  | { op: 'listen'; listener: ListenerId; options: ListenOptions }
  | { op: 'stopListening'; listener: ListenerId }
  | { op: 'connect'; conn: ConnId; options: ConnectOptions }
  | { op: 'write'; conn: ConnId; text: string }
  | { op: 'shutdown'; conn: ConnId }
  | { op: 'close'; conn: ConnId; mode: CloseMode; reason: CloseReason }
  | { op: 'pauseReading'; conn: ConnId }
  | { op: 'resumeReading'; conn: ConnId }
  | { op: 'setWakeup'; at: number | null }
  | { op: 'stop' };

export class FakeDriver implements Driver {
  readonly calls: DriverCall[] = [];
  time = 0;
  wakeupAt: number | null = null;
  stopped = false;
  private hooks: DriverHooks | null = null;
  private nextConn = 100;

  now(): number {
    return this.time;
  }
  start(hooks: DriverHooks): void {
    this.hooks = hooks;
  }
  setWakeup(at: number | null): void {
    this.wakeupAt = at;
    this.calls.push({ op: 'setWakeup', at });
  }
  listen(listener: ListenerId, options: ListenOptions): void {
    this.calls.push({ op: 'listen', listener, options });
  }
  stopListening(listener: ListenerId): void {
    this.calls.push({ op: 'stopListening', listener });
  }
  connect(options: ConnectOptions): ConnId {
    const conn = this.nextConn++;
    this.calls.push({ op: 'connect', conn, options });
    return conn;
  }
  write(conn: ConnId, data: Uint8Array | string): void {
    this.calls.push({ op: 'write', conn, text: typeof data === 'string' ? data : Buffer.from(data).toString('utf8') });
  }
  shutdown(conn: ConnId): void {
    this.calls.push({ op: 'shutdown', conn });
  }
  close(conn: ConnId, mode: CloseMode, reason: CloseReason): void {
    this.calls.push({ op: 'close', conn, mode, reason });
  }
  pauseReading(conn: ConnId): void {
    this.calls.push({ op: 'pauseReading', conn });
  }
  resumeReading(conn: ConnId): void {
    this.calls.push({ op: 'resumeReading', conn });
  }
  bufferedBytes(): number {
    return 0;
  }
  stop(): void {
    this.stopped = true;
    this.calls.push({ op: 'stop' });
  }

  /** Report an event from the outside world. */
  emit(event: IoEvent): void {
    if (this.hooks === null) throw new Error('driver not started');
    this.hooks.sink(event);
  }

  /** Move the clock; fire the wake-up if it is due (as the host timer would). */
  advance(ms: number): void {
    this.time += ms;
    if (this.wakeupAt !== null && this.wakeupAt <= this.time) {
      this.wakeupAt = null;
      this.hooks?.wake();
    }
  }

  /** The calls of one kind, e.g. every write. */
  ops<K extends DriverCall['op']>(op: K): Extract<DriverCall, { op: K }>[] {
    return this.calls.filter((call): call is Extract<DriverCall, { op: K }> => call.op === op);
  }

  clearCalls(): void {
    this.calls.length = 0;
  }
}
