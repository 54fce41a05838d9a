// A Driver decorator that writes the record log (log-format.ts) while the wrapped driver
// does the work. It also freezes the clock per input: while the dispatcher handles one
// input, now() reads the time the input arrived, so timer deadlines and trace times
// depend only on what was recorded, and a replay reproduces them to the bit.

import type { CloseReason } from '../../core/close-reason.js';
import type { ConnectOptions, Driver, DriverHooks, ListenOptions } from '../../core/driver.js';
import type { CloseMode } from '../../core/effects.js';
import type { ConnId, IoEvent, ListenerId } from '../../core/events.js';
import type { TraceStep } from '../../dispatcher/dispatcher.js';
import type { LogLine } from './log-format.js';
import { dataLine, LOG_VERSION, stepLine } from './log-format.js';
import type { LineSink } from './ndjson-writer.js';

export interface RecordingHeader {
  /** The app (`serve <app>`) whose machines ran. */
  readonly app: string;
  /** Its flags, as given: replay configures the app with them again. */
  readonly flags: Readonly<Record<string, string>>;
}

export class RecordingDriver implements Driver {
  private time: number;
  /** Inside a call the dispatcher made: a report now is nested in that call. */
  private depth = 0;
  readonly persist?: (key: string, value: unknown) => void;

  constructor(
    private readonly inner: Driver,
    private readonly out: LineSink,
    header: RecordingHeader,
  ) {
    this.time = inner.now();
    this.emit({ k: 'header', v: LOG_VERSION, app: header.app, flags: { ...header.flags }, t: this.time });
    if (inner.persist !== undefined) {
      const persist = inner.persist.bind(inner);
      this.persist = (key, value) => this.call(() => persist(key, value));
    }
  }

  now(): number {
    return this.time;
  }

  start(hooks: DriverHooks): void {
    this.inner.start({
      sink: (event) => this.onSink(event, hooks),
      wake: () => {
        this.time = this.inner.now();
        this.emit({ k: 'wake', t: this.time });
        hooks.wake();
      },
    });
  }

  /** The dispatcher's trace hook: pass every step here. */
  recordStep(step: TraceStep): void {
    this.emit(stepLine(step));
  }

  /** Call just before `dispatcher.beginShutdown` from outside (a signal handler). */
  recordShutdown(deadlineMs: number): void {
    this.time = this.inner.now();
    this.emit({ k: 'shutdown', t: this.time, deadline: deadlineMs });
  }

  /** Write out what is buffered (before the process exits). */
  flush(): void {
    this.out.flush();
  }

  setWakeup(at: number | null): void {
    this.call(() => this.inner.setWakeup(at));
  }

  listen(listener: ListenerId, options: ListenOptions): void {
    this.call(() => this.inner.listen(listener, options));
  }

  stopListening(listener: ListenerId): void {
    this.call(() => this.inner.stopListening(listener));
  }

  connect(options: ConnectOptions): ConnId {
    const id = this.call(() => this.inner.connect(options));
    this.emit({ k: 'conn', id });
    return id;
  }

  write(conn: ConnId, data: Uint8Array | string): void {
    this.call(() => this.inner.write(conn, data));
  }

  shutdown(conn: ConnId): void {
    this.call(() => this.inner.shutdown(conn));
  }

  close(conn: ConnId, mode: CloseMode, reason: CloseReason): void {
    this.call(() => this.inner.close(conn, mode, reason));
  }

  pauseReading(conn: ConnId): void {
    this.call(() => this.inner.pauseReading(conn));
  }

  resumeReading(conn: ConnId): void {
    this.call(() => this.inner.resumeReading(conn));
  }

  bufferedBytes(conn: ConnId): number {
    return this.inner.bufferedBytes(conn);
  }

  stop(): void {
    this.call(() => this.inner.stop());
    this.out.close();
  }

  private call<T>(fn: () => T): T {
    this.depth++;
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }

  private onSink(event: IoEvent, hooks: DriverHooks): void {
    const nested = this.depth > 0;
    if (!nested) this.time = this.inner.now();
    if (event.type === 'data') this.out.write(dataLine(this.time, nested, event));
    else this.emit(nested ? { k: 'io', t: this.time, n: 1, e: event } : { k: 'io', t: this.time, e: event });
    hooks.sink(event);
  }

  private emit(line: LogLine): void {
    this.out.write(JSON.stringify(line));
  }
}
