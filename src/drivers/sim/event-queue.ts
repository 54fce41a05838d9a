// The simulation's one event queue: a binary min-heap keyed by (virtual time, insertion
// order), so events at the same instant run in the order they were scheduled and a run is
// a pure function of the seed. Entries know their heap index: a node's wake-up is moved on
// almost every dispatcher drain, and removing it must not leave tombstones behind.

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
  private nextSeq = 0;

  get size(): number {
    return this.items.length;
  }

  schedule(at: number, run: () => void): SimEvent {
    return this.insert({ at, seq: 0, index: -1, run }, at);
  }

  /** Queue `event` (not already queued) at `at`. */
  insert<T extends SimEvent>(event: T, at: number): T {
    event.at = at;
    event.seq = this.nextSeq++;
    event.index = this.items.length;
    this.items.push(event);
    this.siftUp(event.index);
    return event;
  }

  /** The earliest event, removed; null when empty. */
  pop(): SimEvent | null {
    const top = this.items[0];
    if (top === undefined) return null;
    this.cancel(top);
    return top;
  }

  peekTime(): number | null {
    return this.items[0]?.at ?? null;
  }

  cancel(event: SimEvent): void {
    const i = event.index;
    if (i < 0) return;
    event.index = -1;
    const last = this.items.pop() as SimEvent;
    if (last === event) return;
    this.items[i] = last;
    last.index = i;
    this.siftDown(i);
    this.siftUp(last.index);
  }

  private siftUp(start: number): void {
    const items = this.items;
    let i = start;
    const event = items[i] as SimEvent;
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = items[parentIndex] as SimEvent;
      if (!before(event, parent)) break;
      items[i] = parent;
      parent.index = i;
      i = parentIndex;
    }
    items[i] = event;
    event.index = i;
  }

  private siftDown(start: number): void {
    const items = this.items;
    const n = items.length;
    let i = start;
    const event = items[i] as SimEvent;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && before(items[right] as SimEvent, items[left] as SimEvent)) child = right;
      const childEvent = items[child] as SimEvent;
      if (!before(childEvent, event)) break;
      items[i] = childEvent;
      childEvent.index = i;
      i = child;
    }
    items[i] = event;
    event.index = i;
  }
}

function before(a: SimEvent, b: SimEvent): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
