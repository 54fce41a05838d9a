// The simulated network between nodes: directed links with latency, jitter and bandwidth,
// and the faults that act on links (partitions, holds). It moves two kinds of packets:
// sequenced segments of one connection direction (a `Pipe`) and unsequenced control
// packets (SYN, SYN-ACK, refusal, RST).
//
// TCP's guarantees inside a connection come from sequence numbers, as in TCP: a segment
// that arrives early (a released hold racing newer segments) waits in the pipe's
// reassembly buffer, so delivery is in order, without loss or duplication. A partition
// stalls segments (TCP retransmits them after the heal) but drops control packets (a SYN
// across a partition goes unanswered and the connect times out; an RST is lost). A hold
// stalls everything on the link until it is released.

import type { EventQueue } from './event-queue.js';
import type { SimHandler } from './event-queue.js';
import { SimEvent } from './event-queue.js';
import type { Prng } from './prng.js';

export interface LinkConfig {
  /** One-way propagation delay, ms. */
  readonly latencyMs: number;
  /** Extra delay, uniform in [0, jitterMs), per packet. Order inside a connection is kept regardless. */
  readonly jitterMs: number;
  /** Bytes per ms (1 byte/ms = 1 kB/s); Infinity for no serialization delay. */
  readonly bandwidthBytesPerMs: number;
}

export const DEFAULT_LINK: LinkConfig = { latencyMs: 5, jitterMs: 2, bandwidthBytesPerMs: 10_000 };
/** A node talking to itself (localhost). */
export const LOOPBACK_LINK: LinkConfig = { latencyMs: 0.05, jitterMs: 0, bandwidthBytesPerMs: Infinity };

/**
 * A segment or FIN of one connection direction, in flight: a queue entry whose value is
 * its bytes (null for FIN) and whose index is TCP's sequence number, its position in the
 * pipe. Its handler is the pipe.
 */
export type Segment = SimEvent<Uint8Array | null>;

/**
 * Where a pipe hands its in-order segments: the receiving end of the connection. The
 * network reuses a segment once `onSegment` returns: keep its value, not the segment.
 */
export interface SegmentReceiver {
  onSegment(segment: Segment): void;
}

/** One direction of one connection, as the network sees it; the handler of its segments. */
export class Pipe implements SimHandler<Uint8Array | null> {
  nextSeq = 0;
  nextDeliver = 0;
  /** Arrival times inside a pipe never go backwards: TCP does not reorder what it delivers. */
  lastArrival = 0;
  /** Segments that arrived ahead of a stalled one, by number; made by the first (only a hold or a partition makes one). */
  reorder: Map<number, Segment> | null = null;

  constructor(
    private readonly network: Network,
    readonly from: string,
    readonly to: string,
    readonly link: Link,
    readonly receiver: SegmentReceiver,
  ) {}

  /** A segment reached the far end. */
  handle(segment: Segment): void {
    this.network.arrive(this, segment);
  }
}

/** An unsequenced packet (SYN, SYN-ACK, refusal, RST) in flight: its value is what it does on arrival. */
type ControlPacket = SimEvent<() => void>;

/** A stalled segment, or the arrival of a stalled control packet. */
type Held = Segment | (() => void);

/** A directed link between two nodes; the handler of its control packets. */
export class Link implements SimHandler<() => void> {
  config: LinkConfig;
  /** Partitions in force (they may overlap): segments stall, control packets are dropped. */
  partitions = 0;
  /** Holds in force: everything stalls until the last is released. */
  holds = 0;
  /** When the link finishes serializing what it was given (bandwidth). */
  nextFree = 0;
  readonly stalled: Held[] = [];

  constructor(
    private readonly network: Network,
    config: LinkConfig,
  ) {
    this.config = config;
  }

  /** A control packet reached the far end. */
  handle(packet: ControlPacket): void {
    this.network.arriveControl(this, packet.value);
  }

  get partitioned(): boolean {
    return this.partitions > 0;
  }

  get held(): boolean {
    return this.holds > 0;
  }

  get blocked(): boolean {
    return this.partitions > 0 || this.holds > 0;
  }
}

export class Network {
  /** from -> to -> link: two lookups, no key string built per packet. */
  private readonly links = new Map<string, Map<string, Link>>();
  private readonly defaults: LinkConfig;
  packetsSent = 0;
  packetsDropped = 0;
  /**
   * Delivered segments, linked through `next`, that the next sends reuse: a segment is
   * the one allocation every packet made, and nothing holds one once it is delivered.
   */
  private spare: Segment | null = null;

  constructor(
    private readonly queue: EventQueue,
    private readonly prng: Prng,
    private readonly clock: () => number,
    defaults: Partial<LinkConfig> = {},
  ) {
    this.defaults = { ...DEFAULT_LINK, ...defaults };
  }

  link(from: string, to: string): Link {
    let fromLinks = this.links.get(from);
    if (fromLinks === undefined) this.links.set(from, (fromLinks = new Map()));
    let link = fromLinks.get(to);
    if (link === undefined) {
      link = new Link(this, from === to ? LOOPBACK_LINK : this.defaults);
      fromLinks.set(to, link);
    }
    return link;
  }

  configure(from: string, to: string, config: Partial<LinkConfig>): void {
    const link = this.link(from, to);
    link.config = { ...link.config, ...config };
  }

  pipe(from: string, to: string, receiver: SegmentReceiver): Pipe {
    return new Pipe(this, from, to, this.link(from, to), receiver);
  }

  /**
   * Serialize `size` bytes onto the link from `pipe.from` to `pipe.to` starting no earlier
   * than now; returns when the link is free again (the sender's next chance to send).
   */
  sendSegment(pipe: Pipe, bytes: Uint8Array | null): number {
    const link = pipe.link;
    const now = this.clock();
    const start = link.nextFree > now ? link.nextFree : now;
    const size = bytes === null ? 0 : bytes.byteLength;
    const done = link.config.bandwidthBytesPerMs === Infinity ? start : start + size / link.config.bandwidthBytesPerMs;
    link.nextFree = done;
    // The pipe's next segment: a spare one when there is one.
    let segment = this.spare;
    if (segment === null) {
      segment = new SimEvent(pipe, bytes, pipe.nextSeq++);
    } else {
      this.spare = segment.next as Segment | null;
      segment.reuse(pipe, bytes, pipe.nextSeq++);
    }
    this.transmit(pipe, segment, done);
    return done;
  }

  /** An unsequenced packet: delivered after the link's delay unless a fault intervenes. */
  sendControl(from: string, to: string, arrive: () => void): void {
    const link = this.link(from, to);
    this.packetsSent++;
    this.queue.insert(new SimEvent(link, arrive), this.clock() + this.delay(link));
  }

  /** A control packet reached the far end of its link. */
  arriveControl(link: Link, arrive: () => void): void {
    if (link.partitioned) {
      this.packetsDropped++;
    } else if (link.held) {
      link.stalled.push(arrive);
    } else {
      arrive();
    }
  }

  /** The link carries traffic again: everything it stalled is sent on, in order. */
  unblock(link: Link): void {
    if (link.blocked) return;
    const stalled = link.stalled.splice(0);
    for (const item of stalled) {
      if (typeof item === 'function') this.queue.schedule(this.clock() + this.delay(link), item);
      else this.transmit(item.handler as Pipe, item, this.clock());
    }
  }

  private transmit(pipe: Pipe, segment: Segment, departs: number): void {
    this.packetsSent++;
    let at = departs + this.delay(pipe.link);
    if (at < pipe.lastArrival) at = pipe.lastArrival;
    pipe.lastArrival = at;
    this.queue.insert(segment, at);
  }

  /** A segment of `pipe` reached the far end of its link. */
  arrive(pipe: Pipe, segment: Segment): void {
    if (pipe.link.blocked) {
      pipe.link.stalled.push(segment);
      return;
    }
    if (segment.index !== pipe.nextDeliver) {
      (pipe.reorder ??= new Map()).set(segment.index, segment);
      return;
    }
    pipe.nextDeliver++;
    this.deliver(pipe, segment);
    const reorder = pipe.reorder;
    // Almost always empty: only segments stalled by a hold or a partition arrive out of order.
    if (reorder === null || reorder.size === 0) return;
    for (let next = reorder.get(pipe.nextDeliver); next !== undefined; next = reorder.get(pipe.nextDeliver)) {
      reorder.delete(next.index);
      pipe.nextDeliver++;
      this.deliver(pipe, next);
    }
  }

  /** Hand `segment` to its receiver, then keep it for a later send. */
  private deliver(pipe: Pipe, segment: Segment): void {
    pipe.receiver.onSegment(segment);
    segment.value = null;
    segment.next = this.spare;
    this.spare = segment;
  }

  private delay(link: Link): number {
    const { latencyMs, jitterMs } = link.config;
    return jitterMs > 0 ? latencyMs + this.prng.float() * jitterMs : latencyMs;
  }
}
