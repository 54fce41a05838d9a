// Replay: feed a record log to the same machines under the recorded clock and check every
// step against the recording. The ReplayDriver performs nothing: effects only produce the
// driver calls the recording made, which consume what the real driver reported during
// them (nested reports, connection ids). The first difference is reported and ends the run.

import type { ConnectOptions, Driver, DriverHooks } from '../../core/driver.js';
import type { ConnId } from '../../core/events.js';
import type { TraceStep } from '../../dispatcher/dispatcher.js';
import { Dispatcher } from '../../dispatcher/dispatcher.js';
import type { CompiledMachine } from '../../machine/compiled.js';
import type { LogLine } from './log-format.js';
import { loadEvent, stepLine } from './log-format.js';

/** What replay runs: the recorded app's machines and root, as `serve` built them. */
export interface ReplayTarget {
  readonly machines: ReadonlyMap<string, CompiledMachine>;
  readonly root: { readonly id: string; readonly kind: string; readonly input: unknown };
}

export interface ReplayReport {
  /** Inputs fed: IO reports, wake-ups, shutdowns. */
  readonly inputs: number;
  readonly steps: readonly TraceStep[];
  /** The first difference from the recording, or null if every step matched. */
  readonly divergence: string | null;
}

class Cursor {
  private at = 0;
  divergence: string | null = null;
  constructor(private readonly lines: readonly LogLine[]) {}

  peek(): LogLine | undefined {
    return this.lines[this.at];
  }

  next(): LogLine | undefined {
    return this.lines[this.at++];
  }

  get line(): number {
    return this.at;
  }

  fail(message: string): void {
    this.divergence ??= `log line ${this.at + 1}: ${message}`;
  }
}

class ReplayDriver implements Driver {
  time: number;
  hooks: DriverHooks | null = null;

  constructor(
    private readonly cursor: Cursor,
    start: number,
  ) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }
  start(hooks: DriverHooks): void {
    this.hooks = hooks;
  }
  setWakeup(): void {
    this.nested();
  }
  listen(): void {
    this.nested();
  }
  stopListening(): void {
    this.nested();
  }
  connect(_options: ConnectOptions): ConnId {
    this.nested();
    const line = this.cursor.next();
    if (line?.k === 'conn') return line.id;
    this.cursor.fail(`the replay connected where the recording has ${line?.k ?? 'the end'}`);
    return -1;
  }
  write(): void {
    this.nested();
  }
  shutdown(): void {
    this.nested();
  }
  close(): void {
    this.nested();
  }
  pauseReading(): void {
    this.nested();
  }
  resumeReading(): void {
    this.nested();
  }
  persist(): void {
    this.nested();
  }
  bufferedBytes(): number {
    return 0;
  }
  stop(): void {
    this.nested();
  }

  /** Reports the real driver made during this call. */
  private nested(): void {
    for (let line = this.cursor.peek(); line?.k === 'io' && line.n === 1; line = this.cursor.peek()) {
      this.cursor.next();
      this.hooks?.sink(loadEvent(line.e));
    }
  }
}

function describe(line: { m: string; f: string; ev: string; to: string; h: string }): string {
  return `${line.m}: ${line.f} --${line.ev}--> ${line.to} [${line.h}]`;
}

export function replayLog(lines: readonly LogLine[], target: ReplayTarget): ReplayReport {
  const header = lines[0];
  if (header?.k !== 'header') throw new Error('a record log starts with a header');
  const cursor = new Cursor(lines);
  cursor.next();
  const driver = new ReplayDriver(cursor, header.t);
  const steps: TraceStep[] = [];
  let stopping = false;
  const dispatcher = new Dispatcher({
    driver,
    trace: (step) => {
      steps.push(step);
      if (cursor.divergence !== null) return;
      const mine = stepLine(step);
      const line = cursor.peek();
      if (line?.k !== 'step') {
        cursor.fail(`the replay took a step the recording does not have: ${describe(mine)}`);
        return;
      }
      cursor.next();
      if (line.h !== mine.h) cursor.fail(`step differs: recorded ${describe(line)}, replayed ${describe(mine)}`);
    },
    // As `serve` does: the root machine ending shuts the server down.
    onRetire: (id) => {
      if (id !== target.root.id || stopping) return;
      stopping = true;
      dispatcher.beginShutdown({ deadlineMs: 0, onDone: () => {} });
    },
  });
  for (const [kind, machine] of target.machines) dispatcher.register(kind, machine);
  dispatcher.spawn(target.root.id, target.root.kind, target.root.input);
  let inputs = 0;
  for (let line = cursor.next(); line !== undefined && cursor.divergence === null; line = cursor.next()) {
    switch (line.k) {
      case 'io':
        if (line.n === 1) {
          cursor.fail(`a report made during a driver call that the replay did not make (${line.e.type})`);
          break;
        }
        driver.time = line.t;
        inputs++;
        driver.hooks?.sink(loadEvent(line.e));
        break;
      case 'wake':
        driver.time = line.t;
        inputs++;
        driver.hooks?.wake();
        break;
      case 'shutdown':
        driver.time = line.t;
        inputs++;
        stopping = true;
        dispatcher.beginShutdown({ deadlineMs: line.deadline, onDone: () => {} });
        break;
      case 'step':
        cursor.fail(`the recording has a step the replay did not take: ${describe(line)}`);
        break;
      case 'conn':
      case 'header':
        cursor.fail(`unexpected ${line.k} record between inputs`);
        break;
    }
  }
  return { inputs, steps, divergence: cursor.divergence };
}
