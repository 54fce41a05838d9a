// One end of a simulated TCP connection: the output buffer with the net driver's limits
// (backpressure at the high-water mark, `drained` when it empties, abort past the hard
// limit), a receive window that stalls the sender while the reader is paused, half-close
// with FIN, and RST. It mirrors NetDriver's close-reason rules: a requested close reason
// wins over an error, an error over a FIN, and a connection that just vanished is a reset.

import type { CloseReason } from '../../core/close-reason.js';
import type { OutputLimits } from '../../core/effects.js';
import type { Address, ConnId, IoEvent } from '../../core/events.js';
import type { SimEvent } from './event-queue.js';
import type { Pipe, Segment, SegmentReceiver } from './network.js';

/** What an endpoint needs from the driver and the world it lives in. */
export interface EndpointHost {
  readonly node: string;
  /** Report an event to this node's dispatcher now (inside a world event). */
  report(event: IoEvent): void;
  /** Report after the current world event, as node:net reports from a later tick. */
  defer(event: IoEvent): void;
  forget(endpoint: Endpoint): void;
  schedule(delayMs: number, run: () => void): SimEvent;
  /** Call `endpoint.send()` once the pipe's link is free: right after the current world event, or later. */
  sendWhenFree(endpoint: Endpoint, pipe: Pipe): void;
  sendSegment(pipe: Pipe, bytes: Uint8Array | null): void;
  sendControl(to: string, arrive: () => void): void;
  /** Where a segment may be cut: a length in [1, max], chosen by the seeded PRNG. */
  segmentLength(available: number): number;
  readonly receiveWindowBytes: number;
}

export class Endpoint implements SegmentReceiver {
  peer: Endpoint | null = null;
  /** This end's outgoing direction; set once the peer is known. */
  pipe: Pipe | null = null;
  /** The pending connect timeout of an outgoing connection, cancelled once it is up. */
  connectTimer: SimEvent | null = null;
  /** The driver's queue entry for a send that waits for a busy link (see `EndpointHost.sendWhenFree`). */
  sendLater: SimEvent<Endpoint> | null = null;
  /** Released: no more reports; late segments are answered with RST. */
  gone = false;

  private readonly out: Uint8Array[] = [];
  private outBytes = 0;
  /** A send is queued (see pump). */
  private sending = false;
  private backpressured = false;
  /** Bytes sent and not yet read by the peer's machine: bounded by the receive window. */
  private unacked = 0;
  private writableEnded = false;
  private finSent = false;

  private paused = false;
  /** Arrived while paused; null is a FIN. */
  private readonly inbox: (Uint8Array | null)[] = [];
  private flushEvent: SimEvent | null = null;
  private peerEnded = false;

  private closeReason: CloseReason | null = null;
  private errorReason: CloseReason | null = null;

  constructor(
    private readonly host: EndpointHost,
    readonly id: ConnId,
    readonly local: Address,
    readonly remote: Address,
    readonly limits: OutputLimits,
    /** False while an outgoing connect is pending. */
    public established: boolean,
  ) {}

  /** Wire the two ends together once the SYN reached the listener. */
  static pair(a: Endpoint, b: Endpoint, pipeAB: Pipe, pipeBA: Pipe): void {
    a.peer = b;
    b.peer = a;
    a.pipe = pipeAB;
    b.pipe = pipeBA;
  }

  get bufferedBytes(): number {
    return this.outBytes;
  }

  // ---- the driver's calls -----------------------------------------------------------

  write(bytes: Uint8Array): void {
    if (this.gone || this.writableEnded || bytes.byteLength === 0) return;
    this.out.push(bytes);
    this.outBytes += bytes.byteLength;
    if (this.outBytes > this.limits.hardLimitBytes) {
      // The peer does not read: drop what is queued rather than grow without bound.
      this.abort({ kind: 'output-buffer-limit', limitBytes: this.limits.hardLimitBytes });
      return;
    }
    if (!this.backpressured && this.outBytes >= this.limits.highWaterBytes) {
      this.backpressured = true;
      // Reported from inside the write, as NetDriver does.
      this.host.report({ type: 'backpressure', conn: this.id, bufferedBytes: this.outBytes });
    }
    this.pump();
  }

  shutdown(): void {
    if (this.gone || this.writableEnded) return;
    this.writableEnded = true;
    this.pump();
  }

  closeGracefully(reason: CloseReason): void {
    if (this.gone) return;
    this.closeReason ??= reason;
    this.writableEnded = true;
    this.pump();
    this.finishIfDone();
  }

  /** Drop buffered output, send RST, report `closed` with `reason`. */
  abort(reason: CloseReason): void {
    if (this.gone) return;
    this.closeReason = reason;
    this.release(true);
    this.host.defer({ type: 'closed', conn: this.id, reason });
  }

  pauseReading(): void {
    this.paused = true;
  }

  resumeReading(): void {
    if (!this.paused) return;
    this.paused = false;
    this.scheduleFlush();
  }

  // ---- the network's calls ----------------------------------------------------------

  /** The peer's SYN-ACK came back: the connect succeeded. */
  onEstablished(): void {
    this.established = true;
    this.host.report({ type: 'connected', conn: this.id, remote: this.remote, local: this.local });
    this.pump();
    this.scheduleFlush();
  }

  onSegment(segment: Segment): void {
    if (this.gone) {
      // As a closed TCP port does: whatever still arrives is answered with a reset.
      this.resetPeer();
      return;
    }
    // Segments can overtake the SYN-ACK (it is a control packet): hold them until connected.
    if (this.paused || this.inbox.length > 0 || !this.established) {
      this.inbox.push(segment.value);
      return;
    }
    this.take(segment.value);
  }

  /** The peer reset the connection (or vanished and a middlebox said so). */
  onReset(code = 'ECONNRESET'): void {
    if (this.gone) return;
    if (!this.established) {
      // As NetDriver: a connection that ends before it is up is a failed connect.
      this.release(false);
      this.host.report({ type: 'connect-failed', conn: this.id, error: { code, message: 'connection reset before it was established' } });
      return;
    }
    this.errorReason ??= { kind: 'reset', code };
    const reason = this.closeReason ?? this.errorReason;
    this.release(false);
    this.host.report({ type: 'closed', conn: this.id, reason });
  }

  /** Gone without a report of its own (a crash, a failed connect); a paired peer is reset. */
  abandon(): void {
    if (this.gone) return;
    this.release(true);
  }

  // ---- internals --------------------------------------------------------------------

  private take(bytes: Uint8Array | null): void {
    const peer = this.peer;
    if (bytes === null) {
      this.onFin();
      return;
    }
    // Reading frees window at the sender at once: acknowledgements are not modelled.
    if (peer !== null) peer.acknowledge(bytes.byteLength);
    this.host.report({ type: 'data', conn: this.id, bytes });
  }

  private scheduleFlush(): void {
    if (this.inbox.length === 0 || this.flushEvent !== null) return;
    this.flushEvent = this.host.schedule(0, () => {
      this.flushEvent = null;
      while (!this.paused && !this.gone && this.inbox.length > 0) this.take(this.inbox.shift() as Uint8Array | null);
    });
  }

  private acknowledge(bytes: number): void {
    this.unacked -= bytes;
    if (!this.sending && this.outBytes > 0) this.pump();
  }

  private onFin(): void {
    this.peerEnded = true;
    if (this.closeReason !== null || this.writableEnded) {
      this.finishIfDone();
      return;
    }
    this.host.report({ type: 'peer-closed', conn: this.id });
  }

  /**
   * Send what the window allows, one segment at a time, each when the link has finished
   * serializing the previous one (so a large write drains at the link's bandwidth); FIN
   * once the buffer is empty. Sending waits for the end of the current world event so that
   * the writes of one dispatcher drain can share a segment.
   */
  private pump(): void {
    if (this.sending || this.gone || !this.established || this.pipe === null) return;
    if (this.outBytes === 0 && (!this.writableEnded || this.finSent)) return;
    if (this.outBytes > 0 && this.unacked >= this.host.receiveWindowBytes) return;
    this.sending = true;
    this.host.sendWhenFree(this, this.pipe);
  }

  /** One segment (or the FIN) goes out now. */
  send(): void {
    this.sending = false;
    if (this.gone || this.pipe === null) return;
    if (this.outBytes === 0) {
      if (this.writableEnded && !this.finSent) {
        this.finSent = true;
        this.host.sendSegment(this.pipe, null);
        this.finishIfDone();
      }
      return;
    }
    const window = this.host.receiveWindowBytes - this.unacked;
    if (window <= 0) return;
    const length = this.host.segmentLength(Math.min(this.outBytes, window));
    const bytes = this.takeOut(length);
    this.unacked += length;
    this.host.sendSegment(this.pipe, bytes);
    if (this.outBytes === 0 && this.backpressured) {
      this.backpressured = false;
      this.host.report({ type: 'drained', conn: this.id });
    }
    this.pump();
  }

  private takeOut(length: number): Uint8Array {
    const first = this.out[0] as Uint8Array;
    this.outBytes -= length;
    if (first.byteLength === length) {
      this.out.shift();
      return first;
    }
    if (first.byteLength > length) {
      this.out[0] = first.subarray(length);
      return first.subarray(0, length);
    }
    // A segment spanning several writes: TCP does not keep write boundaries.
    const bytes = new Uint8Array(length);
    let at = 0;
    while (at < length) {
      const chunk = this.out[0] as Uint8Array;
      const n = Math.min(chunk.byteLength, length - at);
      bytes.set(chunk.subarray(0, n), at);
      at += n;
      if (n === chunk.byteLength) this.out.shift();
      else this.out[0] = chunk.subarray(n);
    }
    return bytes;
  }

  /** Both FINs exchanged and ours is out: the connection is gone (NetDriver's destroySoon). */
  private finishIfDone(): void {
    if (this.gone || !this.peerEnded || !this.finSent) return;
    const reason = this.closeReason ?? this.errorReason ?? { kind: 'peer-closed' as const };
    this.release(false);
    this.host.report({ type: 'closed', conn: this.id, reason });
  }

  private release(sendReset: boolean): void {
    this.gone = true;
    // Usually empty already; setting length is a slow builtin.
    if (this.out.length > 0) this.out.length = 0;
    this.outBytes = 0;
    if (this.inbox.length > 0) this.inbox.length = 0;
    this.flushEvent = null;
    if (sendReset) this.resetPeer();
    this.host.forget(this);
  }

  private resetPeer(): void {
    const peer = this.peer;
    if (peer === null || peer.gone) return;
    this.host.sendControl(peer.host.node, () => peer.onReset());
  }
}
