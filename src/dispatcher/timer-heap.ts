// A binary min-heap of named timers keyed by (deadline, arming order). Each entry knows
// its heap index, so cancel is an O(log n) removal instead of a tombstone, and re-arming
// moves the entry in place: an idle timeout re-armed on every message neither grows the
// heap nor allocates.

export interface TimerEntry<T> {
  /** Changed only by the heap (`rearm`). */
  readonly deadline: number;
  /** Arming order: ties on deadline fire in the order they were armed. */
  readonly seq: number;
  readonly payload: T;
  /** Position in the heap array; -1 once removed. */
  index: number;
}

type MutableEntry<T> = { -readonly [K in keyof TimerEntry<T>]: TimerEntry<T>[K] };

export class TimerHeap<T> {
  private readonly items: TimerEntry<T>[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.items.length;
  }

  /** The earliest deadline, or null when empty. */
  peekDeadline(): number | null {
    const top = this.items[0];
    return top === undefined ? null : top.deadline;
  }

  push(deadline: number, payload: T): TimerEntry<T> {
    const entry: TimerEntry<T> = { deadline, seq: this.nextSeq++, payload, index: -1 };
    this.insert(entry);
    return entry;
  }

  /**
   * Arm `entry` again for `deadline` with `payload`, whether it is still armed or was
   * removed or fired: the same as `remove` then `push`, in order and in what fires when.
   */
  rearm(entry: TimerEntry<T>, deadline: number, payload: T): void {
    const mutable = entry as MutableEntry<T>;
    mutable.deadline = deadline;
    mutable.seq = this.nextSeq++;
    mutable.payload = payload;
    if (entry.index < 0) {
      this.insert(entry);
      return;
    }
    this.siftDown(entry.index);
    this.siftUp(entry.index);
  }

  /** Place an entry not in the heap. */
  private insert(entry: TimerEntry<T>): void {
    entry.index = this.items.length;
    this.items.push(entry);
    this.siftUp(entry.index);
  }

  /** Removes and returns the earliest entry if its deadline is at or before `now`. */
  popDue(now: number): TimerEntry<T> | null {
    const top = this.items[0];
    if (top === undefined || top.deadline > now) return null;
    this.remove(top);
    return top;
  }

  remove(entry: TimerEntry<T>): void {
    const i = entry.index;
    if (i < 0) return;
    const last = this.items.pop() as TimerEntry<T>;
    entry.index = -1;
    if (last === entry) return;
    this.items[i] = last;
    last.index = i;
    this.siftDown(i);
    this.siftUp(last.index);
  }

  private before(a: TimerEntry<T>, b: TimerEntry<T>): boolean {
    return a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq);
  }

  private siftUp(start: number): void {
    const items = this.items;
    let i = start;
    const entry = items[i] as TimerEntry<T>;
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = items[parentIndex] as TimerEntry<T>;
      if (!this.before(entry, parent)) break;
      items[i] = parent;
      parent.index = i;
      i = parentIndex;
    }
    items[i] = entry;
    entry.index = i;
  }

  private siftDown(start: number): void {
    const items = this.items;
    const n = items.length;
    let i = start;
    const entry = items[i] as TimerEntry<T>;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && this.before(items[right] as TimerEntry<T>, items[left] as TimerEntry<T>)) child = right;
      const childEntry = items[child] as TimerEntry<T>;
      if (!this.before(childEntry, entry)) break;
      items[i] = childEntry;
      childEntry.index = i;
      i = child;
    }
    items[i] = entry;
    entry.index = i;
  }
}
