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
import { QueueEntry } from './event-queue.js';
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

/** A segment or FIN of one connection direction; its own queue entry while in flight. */
export class Segment extends QueueEntry {
  constructor(
    private readonly network: Network,
    readonly pipe: Pipe,
    /** TCP's sequence number: position in the pipe. */
    readonly number: number,
    /** null for FIN. */
    readonly bytes: Uint8Array | null,
  ) {
    super();
  }

  run(): void {
    this.network.arrive(this);
  }
}

/** Where a pipe hands its in-order segments: the receiving end of the connection. */
export interface SegmentReceiver {
  onSegment(segment: Segment): void;
}

/** An unsequenced packet (SYN, SYN-ACK, refusal, RST) in flight: one queue entry, no closure around it. */
class ControlPacket extends QueueEntry {
  constructor(
    private readonly network: Network,
    private readonly link: Link,
    private readonly arrive: () => void,
  ) {
    super();
  }

  run(): void {
    this.network.arriveControl(this.link, this.arrive);
  }
}

/** One direction of one connection, as the network sees it. */
export interface Pipe {
  readonly from: string;
  readonly to: string;
  readonly link: Link;
  nextSeq: number;
  nextDeliver: number;
  /** Arrival times inside a pipe never go backwards: TCP does not reorder what it delivers. */
  lastArrival: number;
  /** Segments that arrived ahead of a stalled one, by number; made by the first (only a hold or a partition makes one). */
  reorder: Map<number, Segment> | null;
  readonly receiver: SegmentReceiver;
}

type Held = Segment | (() => void);

export class Link {
  config: LinkConfig;
  /** Partitions in force (they may overlap): segments stall, control packets are dropped. */
  partitions = 0;
  /** Holds in force: everything stalls until the last is released. */
  holds = 0;
  /** When the link finishes serializing what it was given (bandwidth). */
  nextFree = 0;
  readonly stalled: Held[] = [];

  constructor(config: LinkConfig) {
    this.config = config;
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
      link = new Link(from === to ? LOOPBACK_LINK : this.defaults);
      fromLinks.set(to, link);
    }
    return link;
  }

  configure(from: string, to: string, config: Partial<LinkConfig>): void {
    const link = this.link(from, to);
    link.config = { ...link.config, ...config };
  }

  pipe(from: string, to: string, receiver: SegmentReceiver): Pipe {
    return { from, to, link: this.link(from, to), nextSeq: 0, nextDeliver: 0, lastArrival: 0, reorder: null, receiver };
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
    this.transmit(new Segment(this, pipe, pipe.nextSeq++, bytes), done);
    return done;
  }

  /** An unsequenced packet: delivered after the link's delay unless a fault intervenes. */
  sendControl(from: string, to: string, arrive: () => void): void {
    const link = this.link(from, to);
    this.packetsSent++;
    this.queue.insert(new ControlPacket(this, link, arrive), this.clock() + this.delay(link));
  }

  /** A control packet reached the far end of its link (called by its queue entry). */
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
      if (item instanceof Segment) this.transmit(item, this.clock());
      else this.queue.schedule(this.clock() + this.delay(link), item);
    }
  }

  private transmit(segment: Segment, departs: number): void {
    const pipe = segment.pipe;
    this.packetsSent++;
    let at = departs + this.delay(pipe.link);
    if (at < pipe.lastArrival) at = pipe.lastArrival;
    pipe.lastArrival = at;
    this.queue.insert(segment, at);
  }

  /** A segment reached the far end of its link (called by the segment's queue entry). */
  arrive(segment: Segment): void {
    const pipe = segment.pipe;
    if (pipe.link.blocked) {
      pipe.link.stalled.push(segment);
      return;
    }
    if (segment.number !== pipe.nextDeliver) {
      (pipe.reorder ??= new Map()).set(segment.number, segment);
      return;
    }
    pipe.nextDeliver++;
    pipe.receiver.onSegment(segment);
    const reorder = pipe.reorder;
    // Almost always empty: only segments stalled by a hold or a partition arrive out of order.
    if (reorder === null || reorder.size === 0) return;
    for (let next = reorder.get(pipe.nextDeliver); next !== undefined; next = reorder.get(pipe.nextDeliver)) {
      reorder.delete(next.number);
      pipe.nextDeliver++;
      pipe.receiver.onSegment(next);
    }
  }

  private delay(link: Link): number {
    const { latencyMs, jitterMs } = link.config;
    return jitterMs > 0 ? latencyMs + this.prng.float() * jitterMs : latencyMs;
  }
}
