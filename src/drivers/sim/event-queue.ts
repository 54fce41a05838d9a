// The simulation's one event queue: a binary min-heap keyed by (virtual time, insertion
// order), so events at the same instant run in the order they were scheduled and a run is
// a pure function of the seed. Entries know their heap index: a node's wake-up is moved on
// almost every dispatcher drain, and removing it must not leave tombstones behind.
// Kept apart from dispatcher/timer-heap.ts: one shared heap measured ~5% slower here (polymorphic entries).

/**
 * A queue entry. Hot paths (segments in flight) implement it on their own objects and
 * `insert` them, which saves a closure and an entry object per packet.
 */
export interface SimEvent {
  /** Set by the queue. */
  at: number;
  /** Insertion order; set by the queue. */
  seq: number;
  /** Position in the heap; -1 once popped or cancelled. */
  index: number;
  run(): void;
}

export class EventQueue {
  private readonly items: SimEvent[] = [];
  // Each item's (at, seq) also sits in these arrays at the item's heap position: the
  // comparisons, most of the queue's work, read plain doubles side by side instead of
  // loading fields from events of several classes.
  private times: Float64Array = new Float64Array(INITIAL_CAPACITY);
  private seqs: Float64Array = new Float64Array(INITIAL_CAPACITY);
  private nextSeq = 0;

  get size(): number {
    return this.items.length;
  }

  schedule(at: number, run: () => void): SimEvent {
    return this.insert({ at, seq: 0, index: -1, run }, at);
  }

  /** Queue `event` (not already queued) at `at`. */
  insert<T extends SimEvent>(event: T, at: number): T {
    const i = this.items.length;
    if (i === this.times.length) this.grow();
    event.at = at;
    event.seq = this.nextSeq++;
    this.items.push(event);
    this.siftUp(i, event);
    return event;
  }

  /** The earliest event, removed; null when empty. */
  pop(): SimEvent | null {
    const items = this.items;
    const top = items[0];
    if (top === undefined) return null;
    this.removeAt(0, top);
    return top;
  }

  peekTime(): number | null {
    return this.items.length === 0 ? null : (this.times[0] as number);
  }

  cancel(event: SimEvent): void {
    if (event.index >= 0) this.removeAt(event.index, event);
  }

  private grow(): void {
    const times = new Float64Array(this.times.length * 2);
    times.set(this.times);
    this.times = times;
    const seqs = new Float64Array(this.seqs.length * 2);
    seqs.set(this.seqs);
    this.seqs = seqs;
  }

  private place(event: SimEvent, i: number): void {
    this.items[i] = event;
    this.times[i] = event.at;
    this.seqs[i] = event.seq;
    event.index = i;
  }

  /** Whether the entry at heap position `i` comes before the one at `j`. */
  private before(i: number, j: number): boolean {
    const ti = this.times[i] as number;
    const tj = this.times[j] as number;
    return ti < tj || (ti === tj && (this.seqs[i] as number) < (this.seqs[j] as number));
  }

  /**
   * Take out `event`, at heap position `start`, by Floyd's method: the hole walks down
   * along the earlier child to a leaf, then the old bottom entry (which belongs near the
   * bottom) fills it and sifts up. One comparison per level instead of a sift-down's two;
   * it serves pop (start 0) and cancel alike, since (at, seq) orders every entry.
   */
  private removeAt(start: number, event: SimEvent): void {
    event.index = -1;
    const last = this.items.pop() as SimEvent;
    if (last === event) return;
    const n = this.items.length;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && this.before(right, left) ? right : left;
      this.place(this.items[child] as SimEvent, i);
      i = child;
    }
    this.place(last, i);
    this.siftUp(i, last);
  }

  /** Move `event`, already placed at `start`, up to where it belongs. */
  private siftUp(start: number, event: SimEvent): void {
    const items = this.items;
    const times = this.times;
    const seqs = this.seqs;
    const at = event.at;
    const seq = event.seq;
    let i = start;
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parentAt = times[parentIndex] as number;
      if (!(at < parentAt || (at === parentAt && seq < (seqs[parentIndex] as number)))) break;
      this.place(items[parentIndex] as SimEvent, i);
      i = parentIndex;
    }
    this.place(event, i);
  }
}

const INITIAL_CAPACITY = 64;
