// The events that enter the dispatcher's one queue. Drivers speak `IoEvent` (keyed by
// connection and listener ids); the dispatcher turns each into a `MachineEvent` for the
// one machine instance it belongs to. Both are discriminated unions on `type`.

import type { CloseReason } from './close-reason.js';

export type ConnId = number;
export type ListenerId = string;
export type MachineId = string;

export interface Address {
  readonly host: string;
  readonly port: number;
}

/** An OS-level error as data: the errno code (EADDRINUSE, ECONNREFUSED, ...) and a message. */
export interface IoErrorInfo {
  readonly code: string;
  readonly message: string;
}

/** What a driver reports about the outside world. */
export type IoEvent =
  | { type: 'listening'; listener: ListenerId; address: Address }
  | { type: 'listen-failed'; listener: ListenerId; error: IoErrorInfo }
  /** A transient accept failure (EMFILE, ENFILE, ECONNABORTED): the listener stays open. */
  | { type: 'accept-error'; listener: ListenerId; error: IoErrorInfo }
  | { type: 'accepted'; listener: ListenerId; conn: ConnId; remote: Address; local: Address }
  | { type: 'connected'; conn: ConnId; remote: Address; local: Address }
  | { type: 'connect-failed'; conn: ConnId; error: IoErrorInfo }
  | { type: 'data'; conn: ConnId; bytes: Uint8Array }
  /** The output buffer passed its high-water mark. */
  | { type: 'backpressure'; conn: ConnId; bufferedBytes: number }
  /** The output buffer fell back to empty after a `backpressure`. */
  | { type: 'drained'; conn: ConnId }
  /** The peer sent FIN: it will send no more, but may still read. */
  | { type: 'peer-closed'; conn: ConnId }
  | { type: 'closed'; conn: ConnId; reason: CloseReason }
  | { type: 'listener-closed'; listener: ListenerId };

export type IoEventType = IoEvent['type'];

/** Any event a machine can be sent: a `type` and plain data. */
export interface AnyEventObject {
  readonly type: string;
  readonly [key: string]: unknown;
}

/** What a machine bound to a connection sees. */
export type ConnectionEvent =
  /** First event of a machine spawned by a listener; `local` is the listener's bound address. */
  | { type: 'accepted'; remote: Address; local: Address }
  | { type: 'connected'; remote: Address; local: Address }
  | { type: 'connect-failed'; error: IoErrorInfo }
  /** Raw bytes, when the connection has no codec. */
  | { type: 'data'; bytes: Uint8Array }
  /** One decoded frame, when the connection has a codec. */
  | { type: 'message'; frame: Uint8Array }
  /** The codec rejected the input; the dispatcher closes the connection after this event. */
  | { type: 'protocol-error'; message: string }
  | { type: 'backpressure'; bufferedBytes: number }
  | { type: 'drained' }
  | { type: 'peer-closed' }
  | { type: 'closed'; reason: CloseReason }
  /** The process is shutting down: finish up and close within the shutdown deadline. */
  | { type: 'shutdown' };

/** What the machine that issued a `listen` effect hears about its listener. */
export type ListenerEvent =
  | { type: 'listening'; listener: ListenerId; address: Address }
  | { type: 'listen-failed'; listener: ListenerId; error: IoErrorInfo }
  | { type: 'connection-opened'; listener: ListenerId; machine: MachineId; remote: Address }
  | { type: 'connection-closed'; listener: ListenerId; machine: MachineId; reason: CloseReason }
  | { type: 'connection-refused'; listener: ListenerId; remote: Address; limit: number }
  | { type: 'accept-error'; listener: ListenerId; error: IoErrorInfo }
  | { type: 'listener-closed'; listener: ListenerId }
  | { type: 'shutdown' };

/** The default event a named timer delivers when it fires. */
export interface TimeoutEvent {
  readonly type: 'timeout';
  readonly timer: string;
}
