// Effects are what a machine asks the world to do: plain data returned by a transition
// and carried out, in order, by the dispatcher. A machine never performs IO itself, so
// the same machine runs on real sockets, in the simulator, and under replay.

import type { CloseReason } from './close-reason.js';
import type { CodecSpec } from './codec-spec.js';
import type { AnyEventObject, ListenerId, MachineId } from './events.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Bounds on a connection's output buffer (see docs/architecture.md, "Backpressure"). */
export interface OutputLimits {
  /** Past this many buffered bytes the machine gets `backpressure`; `drained` when it empties. */
  readonly highWaterBytes: number;
  /** Past this many buffered bytes the connection is aborted with `output-buffer-limit`. */
  readonly hardLimitBytes: number;
}

export type CloseMode =
  /** Flush buffered output, send FIN, then release the socket. */
  | 'graceful'
  /** Drop buffered output and reset the connection now. */
  | 'abort';

export type Effect =
  /** Queue bytes on the machine's own connection. Strings are sent as UTF-8. */
  | { type: 'write'; data: Uint8Array | string }
  /** Close the machine's own connection; the machine later receives `closed` with this reason. */
  | { type: 'close'; reason: CloseReason; mode: CloseMode }
  /** Half-close: send FIN after buffered output, keep reading. */
  | { type: 'shutdown' }
  /** Stop delivering `data` from the machine's connection (the kernel buffer then fills, and TCP pushes back). */
  | { type: 'pauseReading' }
  | { type: 'resumeReading' }
  /** Open a TCP connection bound to this machine: it receives `connected` or `connect-failed`. */
  | {
      type: 'connect';
      host: string;
      port: number;
      timeoutMs: number;
      codec?: CodecSpec;
      limits?: OutputLimits;
    }
  /**
   * Open a listener. Each accepted connection gets a fresh instance of the registered
   * machine `machine` (started with `input`, first event `accepted`); the issuing machine
   * receives the `ListenerEvent`s of this listener.
   */
  | {
      type: 'listen';
      listener: ListenerId;
      host: string;
      port: number;
      machine: string;
      input?: unknown;
      codec?: CodecSpec;
      limits?: OutputLimits;
      /** Connections past this count are accepted and closed at once with `max-connections`. */
      maxConnections?: number;
      /** Written to a refused connection before it is closed, so a human with nc sees why. */
      refuseMessage?: string;
      /** Accepted machines join this group, the target of `broadcast`. Defaults to the listener id. */
      group?: string;
    }
  | { type: 'stopListening'; listener: ListenerId }
  /**
   * Arm a named timer of this machine, replacing one of the same name. When it fires the
   * machine receives `event` (default `{ type: 'timeout', timer: name }`).
   */
  | { type: 'startTimer'; name: string; delayMs: number; event?: AnyEventObject }
  | { type: 'cancelTimer'; name: string }
  /** Queue an event for another machine. Unknown targets are logged and dropped. */
  | { type: 'send'; to: MachineId; event: AnyEventObject }
  /** Queue an event for every machine of a group (for example all connections of a listener). */
  | { type: 'broadcast'; group: string; event: AnyEventObject }
  | { type: 'log'; level: LogLevel; message: string }
  /**
   * Keep `value` (plain data) under `key` in the node's durable storage, so that it outlives
   * a crash: after a restart it is handed to the machines it boots as input. Drivers
   * without durable storage (`net`) drop it (a debug log line).
   */
  | { type: 'persist'; key: string; value: unknown };

export type EffectType = Effect['type'];

/** The params object of effect `T`: the effect without its `type`. */
export type EffectParams<T extends EffectType> = Omit<Extract<Effect, { type: T }>, 'type'>;

export const EFFECT_TYPES: readonly EffectType[] = [
  'write',
  'close',
  'shutdown',
  'pauseReading',
  'resumeReading',
  'connect',
  'listen',
  'stopListening',
  'startTimer',
  'cancelTimer',
  'send',
  'broadcast',
  'log',
  'persist',
];

export const DEFAULT_OUTPUT_LIMITS: OutputLimits = {
  highWaterBytes: 64 * 1024,
  hardLimitBytes: 8 * 1024 * 1024,
};
