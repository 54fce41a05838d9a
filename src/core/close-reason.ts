// Why a connection ended. Every close carries one, so a trace or a log line always says
// which side or which limit ended it. Discriminated by `kind` (events use `type`).

export type CloseReason =
  /** The peer sent FIN and the machine chose to close in turn. */
  | { kind: 'peer-closed' }
  /** The peer reset the connection (ECONNRESET, EPIPE) or vanished without FIN. */
  | { kind: 'reset'; code: string }
  /** A named timer fired in a state that does not tolerate waiting (handshake, ack, idle, linger, connect). */
  | { kind: 'timeout'; timer: string }
  /** The codec or the machine rejected the peer's bytes. */
  | { kind: 'protocol-error'; message: string }
  /** The output buffer passed its hard limit: the peer does not read fast enough. */
  | { kind: 'output-buffer-limit'; limitBytes: number }
  /** The listener was at its connection limit when this connection arrived. */
  | { kind: 'max-connections'; limit: number }
  /** The process is shutting down (SIGINT, SIGTERM or an explicit shutdown). */
  | { kind: 'server-shutdown' }
  /** The machine's own code threw; only its connection is closed. */
  | { kind: 'machine-error'; message: string }
  /** An outgoing connection never got established. */
  | { kind: 'connect-failed'; code: string; message: string }
  /** Any other socket error, with the OS code. */
  | { kind: 'io-error'; code: string; message: string }
  /** The machine closed on purpose, with its own words for why (for example "quit"). */
  | { kind: 'local'; detail: string };

export type CloseReasonKind = CloseReason['kind'];

/** One short human-readable phrase, for logs and status lines. */
export function describeCloseReason(reason: CloseReason): string {
  switch (reason.kind) {
    case 'peer-closed':
    case 'server-shutdown':
      return reason.kind;
    case 'reset':
      return `reset (${reason.code})`;
    case 'timeout':
      return `timeout (${reason.timer})`;
    case 'protocol-error':
      return `protocol-error: ${reason.message}`;
    case 'output-buffer-limit':
      return `output-buffer-limit (${reason.limitBytes} bytes)`;
    case 'max-connections':
      return `max-connections (${reason.limit})`;
    case 'machine-error':
      return `machine-error: ${reason.message}`;
    case 'connect-failed':
    case 'io-error':
      return `${reason.kind}: ${reason.code} ${reason.message}`;
    case 'local':
      return `local: ${reason.detail}`;
  }
}
