// The simulation's one event queue, ordered by (virtual time, insertion order): events at
// the same instant run in the order they were scheduled, so a run is a pure function of
// the seed. It is a calendar queue (R. Brown, CACM 1988) with a heap for the far future:
//   - time is cut into days of one width; day d's entries wait in bucket d mod the bucket
//     count, a list through the entries themselves sorted by (at, seq). The earliest entry
//     is the first of the first non-empty day from the last one found: insert and pop are
//     O(1) on average, where a binary heap sifted ~10 levels on each (about a seventh of a
//     1,000-client handshake run);
//   - entries a year (as many days as buckets) or more ahead wait in a binary heap and move
//     into the calendar as the year reaches them: far-off entries cost O(log n) and never
//     lengthen a day;
//   - the width follows the spacing of the earliest entries, measured again whenever the
//     bucket count changes and whenever searching days and sorting cost more than they should.

/** What an entry does when its time comes. */
export interface SimHandler<T> {
  handle(event: SimEvent<T>): void;
}

const NOT_QUEUED = -1;

/**
 * A queue entry. Every entry is of this one class: the queue reads the fields below on each
 * entry it passes, and V8 keeps a field read fast only while it has seen at most four
 * object shapes there (a fifth kind of entry made a 1,000-client run 13% slower). What an
 * entry does is up to its handler; the hot paths (segments in flight, control packets)
 * keep their data in `value` and `index` and share one handler per pipe or link, which
 * saves a closure per packet.
 */
export class SimEvent<T = unknown> {
  /** Set by the queue. */
  at = 0;
  /** Insertion order; set by the queue. */
  seq = 0;
  /** Where it waits, set by the queue: a calendar day (>= 0), -2 - its heap position, or -1 once popped or cancelled. */
  slot = NOT_QUEUED;
  /** Its neighbours in its day's bucket, earliest first; set by the queue. */
  prev: SimEvent | null = null;
  next: SimEvent | null = null;

  constructor(
    public handler: SimHandler<T>,
    public value: T,
    /** A small integer for the handler (a segment's sequence number). */
    public index = 0,
  ) {}

  /** Make a popped entry a new one (see `Network`'s spare segments): fields as the constructor sets them. */
  reuse(handler: SimHandler<T>, value: T, index: number): void {
    this.handler = handler;
    this.value = value;
    this.index = index;
    this.next = null;
  }

  run(): void {
    this.handler.handle(this);
  }
}

/** The handler of `schedule`'s entries: the value is the function to run. */
const CALL: SimHandler<() => void> = { handle: (event) => event.value() };

/** Whether `event` waits in a queue. */
export function isQueued(event: SimEvent): boolean {
  return event.slot !== NOT_QUEUED;
}

const MIN_BUCKETS = 16;
/** Past this many buckets a longer year only spreads the calendar thinner: further entries wait in the heap. */
const MAX_BUCKETS = 4096;
/** Earliest entries whose spacing sets the day width. */
const WIDTH_SAMPLE = 25;
/**
 * Entries per day where the queue is busiest: a day three typical gaps wide (Brown's
 * factor). Measured at 1, 2, 3, 4 and 6 on the 1,000- and 5,000-client handshake: 3 was
 * fastest (+5% over 1): fewer empty days walked, and a longer year leaves fewer entries
 * to wait in the heap, against a slightly longer walk to file an entry.
 */
const ENTRIES_PER_DAY = 3;
/** Ops between two checks of what the calendar's shape costs (doubled after a rebuild that did not help). */
const CHECK_EVERY_OPS = 1024;
const MAX_CHECK_EVERY_OPS = 1 << 20;
/** Days skipped plus entries shifted, per op, above which the width is measured again. */
const MAX_WORK_PER_OP = 6;
/**
 * The narrowest day, in the queue's time unit (a nanosecond of simulated milliseconds):
 * entries closer than this share a day, and a day count stays far from overflow (a gap
 * of 5e-324 would make days infinitely many).
 */
const MIN_WIDTH = 1e-6;

export class EventQueue {
  /**
   * Bucket d mod length holds day d's entries as a list through their own `prev`/`next`,
   * sorted by (at, seq): its first and last entries. No array per bucket: a lookup touches
   * one slot of these two arrays and the entries themselves.
   */
  private firsts: (SimEvent | null)[] = newBuckets(MIN_BUCKETS);
  private lasts: (SimEvent | null)[] = newBuckets(MIN_BUCKETS);
  private perDay = 1;
  /** No entry in the calendar is filed under an earlier day. */
  private cursor = 0;
  private readonly later = new LaterHeap();
  private count = 0;
  private nextSeq = 0;
  /** The earliest entry, once found; null when unknown or empty. */
  private head: SimEvent | null = null;
  private ops = 0;
  private work = 0;
  private checkEvery = CHECK_EVERY_OPS;

  get size(): number {
    return this.count;
  }

  /** Run `run` at `at`: an entry of its own, for everything but the hot paths. */
  schedule(at: number, run: () => void): SimEvent {
    return this.insert(new SimEvent(CALL, run), at);
  }

  /** Queue `event` (not already queued) at `at`, a time >= 0 (Infinity: after everything finite). */
  insert<T extends SimEvent>(event: T, at: number): T {
    if (!(at >= 0)) throw new RangeError(`event time must be >= 0, got ${at}`);
    event.at = at;
    event.seq = this.nextSeq++;
    this.file(event);
    this.count++;
    const head = this.head;
    // A later insertion at the same time comes after the head: only a strictly earlier time replaces it.
    if (head !== null && at < head.at) this.head = event;
    if (this.count > 2 * this.firsts.length && this.firsts.length < MAX_BUCKETS) this.reshape(this.firsts.length * 2);
    else this.countOp();
    return event;
  }

  /** The earliest event, removed; null when empty. */
  pop(): SimEvent | null {
    const head = this.takeHead();
    if (head === null) return null;
    if (this.count < this.firsts.length / 2 && this.firsts.length > MIN_BUCKETS) this.reshape(this.firsts.length / 2);
    else this.countOp();
    return head;
  }

  peekTime(): number | null {
    const head = this.findHead();
    return head === null ? null : head.at;
  }

  cancel(event: SimEvent): void {
    if (isQueued(event)) this.remove(event);
  }

  private takeHead(): SimEvent | null {
    const head = this.findHead();
    if (head !== null) this.remove(head);
    return head;
  }

  private remove(event: SimEvent): void {
    const slot = event.slot;
    if (slot < 0) {
      this.later.remove(event);
    } else {
      const b = slot % this.firsts.length;
      const { prev, next } = event;
      if (prev === null) this.firsts[b] = next;
      else prev.next = next;
      if (next === null) this.lasts[b] = prev;
      else next.prev = prev;
      event.prev = null;
      event.next = null;
    }
    event.slot = NOT_QUEUED;
    this.count--;
    if (this.head === event) this.head = null;
  }

  private dayOf(at: number): number {
    return Math.floor(at * this.perDay);
  }

  /** Into the calendar if within a year of the cursor, else into the heap. */
  private file(event: SimEvent): void {
    const day = this.dayOf(event.at);
    if (day < this.cursor) this.cursor = day;
    if (day - this.cursor >= this.firsts.length) this.later.push(event);
    else this.fileIn(event, day);
  }

  /** Into day `day`'s bucket, after every entry there that comes before it (usually all of them). */
  private fileIn(event: SimEvent, day: number): void {
    event.slot = day;
    const b = day % this.firsts.length;
    let after = this.lasts[b] as SimEvent | null;
    while (after !== null && before(event, after)) {
      after = after.prev;
      this.work++;
    }
    event.prev = after;
    if (after === null) {
      event.next = this.firsts[b] as SimEvent | null;
      this.firsts[b] = event;
    } else {
      event.next = after.next;
      after.next = event;
    }
    if (event.next === null) this.lasts[b] = event;
    else event.next.prev = event;
  }

  /** Heap entries the year has reached move into the calendar. */
  private admit(): void {
    const later = this.later;
    const yearEnd = this.cursor + this.firsts.length;
    for (let next = later.peek(); next !== null; next = later.peek()) {
      const day = this.dayOf(next.at);
      if (day >= yearEnd) return;
      later.pop();
      this.fileIn(next, day);
    }
  }

  private findHead(): SimEvent | null {
    if (this.head !== null) return this.head;
    if (this.count === 0) return null;
    this.admit();
    const firsts = this.firsts;
    const n = firsts.length;
    let day = this.cursor;
    // Every calendar entry is within a year of the cursor: the first day with one holds the earliest.
    for (let k = 0; k < n; k++, day++) {
      const first = firsts[day % n] as SimEvent | null;
      // The day check keeps this right even after an insert before the cursor moved the year back.
      if (first !== null && first.slot === day) {
        this.work += k;
        this.cursor = day;
        return (this.head = first);
      }
    }
    // An empty year (or a year moved back by an insert before the cursor): the earliest of
    // the buckets' first entries and the heap's.
    this.work += n;
    let best = this.later.peek();
    for (let b = 0; b < n; b++) {
      const candidate = firsts[b] as SimEvent | null;
      if (candidate !== null && (best === null || before(candidate, best))) best = candidate;
    }
    const head = best as SimEvent;
    const headDay = this.dayOf(head.at);
    // An entry at Infinity has no day: it is popped from the heap where it waits.
    if (Number.isFinite(headDay)) this.cursor = headDay;
    return (this.head = head);
  }

  private countOp(): void {
    if (++this.ops < this.checkEvery) return;
    if (this.work <= MAX_WORK_PER_OP * this.ops) {
      this.checkEvery = CHECK_EVERY_OPS;
    } else {
      // A shape that still costs after a rebuild is checked less often: rebuilds stay amortized O(1) per op.
      const checkEvery = this.checkEvery;
      this.reshape(this.firsts.length);
      this.checkEvery = Math.min(checkEvery * 2, MAX_CHECK_EVERY_OPS);
    }
    this.ops = 0;
    this.work = 0;
  }

  /**
   * Rebuild with `bucketCount` buckets and a day as wide as ENTRIES_PER_DAY typical gaps
   * between the earliest entries. O(entries).
   */
  private reshape(bucketCount: number): void {
    const sample: SimEvent[] = [];
    while (sample.length < WIDTH_SAMPLE) {
      const head = this.takeHead();
      if (head === null) break;
      sample.push(head);
    }
    const width = widthOf(sample);
    if (width !== null) this.perDay = 1 / Math.max(width * ENTRIES_PER_DAY, MIN_WIDTH);
    const waiting: SimEvent[] = [];
    for (let first of this.firsts) {
      for (let event = first; event !== null; event = first) {
        first = event.next;
        event.prev = null;
        event.next = null;
        waiting.push(event);
      }
    }
    for (let event = this.later.pop(); event !== null; event = this.later.pop()) waiting.push(event);
    this.firsts = newBuckets(bucketCount);
    this.lasts = newBuckets(bucketCount);
    const firstDay = sample.length > 0 ? this.dayOf((sample[0] as SimEvent).at) : 0;
    this.cursor = Number.isFinite(firstDay) ? firstDay : 0;
    this.head = null;
    for (const event of sample) this.file(event);
    for (const event of waiting) this.file(event);
    this.count = sample.length + waiting.length;
    this.ops = 0;
    this.work = 0;
    this.checkEvery = CHECK_EVERY_OPS;
  }
}

/**
 * The entries a year or more ahead: a binary min-heap by (at, seq). An entry's `slot` is
 * -2 - its position, so a cancel finds it without a search. Not dispatcher/timer-heap.ts:
 * that heap wraps each payload in an entry of its own and orders by its own arming
 * sequence, where this one must keep the queue's `seq` and allocate nothing per event.
 */
class LaterHeap {
  private readonly items: SimEvent[] = [];

  peek(): SimEvent | null {
    return this.items[0] ?? null;
  }

  push(event: SimEvent): void {
    this.items.push(event);
    this.siftUp(this.items.length - 1, event);
  }

  pop(): SimEvent | null {
    const top = this.items[0];
    if (top === undefined) return null;
    this.removeAt(0);
    return top;
  }

  remove(event: SimEvent): void {
    this.removeAt(-2 - event.slot);
  }

  private removeAt(i: number): void {
    const items = this.items;
    const last = items.pop() as SimEvent;
    if (i === items.length) return;
    this.siftDown(i, last);
    if (items[i] === last) this.siftUp(i, last);
  }

  private place(event: SimEvent, i: number): void {
    this.items[i] = event;
    event.slot = -2 - i;
  }

  private siftUp(start: number, event: SimEvent): void {
    let i = start;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = this.items[parent] as SimEvent;
      if (!before(event, above)) break;
      this.place(above, i);
      i = parent;
    }
    this.place(event, i);
  }

  private siftDown(start: number, event: SimEvent): void {
    const items = this.items;
    const n = items.length;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && before(items[right] as SimEvent, items[left] as SimEvent) ? right : left;
      const below = items[child] as SimEvent;
      if (!before(below, event)) break;
      this.place(below, i);
      i = child;
    }
    this.place(event, i);
  }
}

function newBuckets(count: number): (SimEvent | null)[] {
  return new Array<SimEvent | null>(count).fill(null);
}

function before(a: SimEvent, b: SimEvent): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/**
 * The typical spacing of `sorted`: the mean of its gaps up to twice the median gap, so that
 * one far entry among near ones (a timer seconds after a burst of packets) does not widen
 * every day. Null when the entries say nothing (fewer than two, or all at one time).
 */
function widthOf(sorted: readonly SimEvent[]): number | null {
  const gaps: number[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const gap = (sorted[i] as SimEvent).at - (sorted[i - 1] as SimEvent).at;
    if (gap > 0 && Number.isFinite(gap)) gaps.push(gap);
  }
  if (gaps.length === 0) return null;
  gaps.sort((a, b) => a - b);
  const limit = 2 * (gaps[gaps.length >> 1] as number);
  let sum = 0;
  let kept = 0;
  for (const gap of gaps) {
    if (gap > limit) break;
    sum += gap;
    kept++;
  }
  return sum / kept;
}
