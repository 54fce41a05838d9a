// A binary min-heap of named timers that fire in (deadline, arming order). Entries are
// reused: an idle timeout cancelled and re-armed on every message neither grows the heap
// nor allocates.
//
// Cancelling and re-arming later are O(1), as in node's own timer lists: both only change
// the entry, which keeps its place in the heap under the key it was filed with (its
// `key`/`keySeq`, never later than its real deadline). When an entry reaches the top with
// a stale key it is filed again under its real deadline, or dropped if it was cancelled;
// the top is always put right before it is read, so what fires, and when, is exactly what
// eager removal and re-insertion would give. Re-arming earlier moves the entry up at once.
// An entry nobody will re-arm must be removed for good (`remove`), so the heap does not keep
// its payload alive until its old deadline.

export interface TimerEntry<T> {
  /** Changed only by the heap (`rearm`). */
  readonly deadline: number;
  /** Arming order: ties on deadline fire in the order they were armed. */
  readonly seq: number;
  readonly payload: T;
}

class Entry<T> implements TimerEntry<T> {
  /** Position in the heap array; -1 when not in it. */
  index = -1;
  /** The (deadline, seq) the entry is filed under: at or before its real one. */
  key: number;
  keySeq: number;
  /** Cancelled while in the heap: dropped when it reaches the top, unless re-armed first. */
  cancelled = false;

  constructor(
    public deadline: number,
    public seq: number,
    public payload: T,
  ) {
    this.key = deadline;
    this.keySeq = seq;
  }
}

export class TimerHeap<T> {
  private readonly items: Entry<T>[] = [];
  private nextSeq = 0;
  /** Armed entries: those in the heap and not cancelled. */
  private armed = 0;

  get size(): number {
    return this.armed;
  }

  /** Whether `entry` will fire: pushed or re-armed, and not fired, cancelled or removed since. */
  isArmed(timer: TimerEntry<T>): boolean {
    const entry = timer as Entry<T>;
    return entry.index >= 0 && !entry.cancelled;
  }

  /** The earliest deadline, or null when no timer is armed. */
  peekDeadline(): number | null {
    const top = this.settleTop();
    return top === null ? null : top.deadline;
  }

  push(deadline: number, payload: T): TimerEntry<T> {
    const entry = new Entry(deadline, this.nextSeq++, payload);
    this.insert(entry);
    return entry;
  }

  /**
   * Arm `entry` again for `deadline` with `payload`, whether it is armed, cancelled or
   * fired: the same as `remove` then `push`, in order and in what fires when.
   */
  rearm(timer: TimerEntry<T>, deadline: number, payload: T): void {
    const entry = timer as Entry<T>;
    entry.deadline = deadline;
    entry.seq = this.nextSeq++;
    entry.payload = payload;
    if (entry.index < 0) {
      entry.key = deadline;
      entry.keySeq = entry.seq;
      this.insert(entry);
      return;
    }
    if (entry.cancelled) {
      entry.cancelled = false;
      this.armed++;
    }
    // The new seq is the newest, so only an earlier deadline files the entry earlier.
    if (deadline < entry.key) {
      entry.key = deadline;
      entry.keySeq = entry.seq;
      this.siftUp(entry.index);
    }
  }

  /** Disarm `entry`, keeping it in the heap for a cheap re-arm; nothing if it is not armed. */
  cancel(timer: TimerEntry<T>): void {
    const entry = timer as Entry<T>;
    if (entry.index < 0 || entry.cancelled) return;
    entry.cancelled = true;
    this.armed--;
  }

  /** Take `entry` out of the heap for good (it keeps no reference to the payload's owner). */
  remove(timer: TimerEntry<T>): void {
    const entry = timer as Entry<T>;
    if (entry.index < 0) return;
    if (!entry.cancelled) this.armed--;
    entry.cancelled = false;
    this.removeAt(entry.index);
  }

  /** Removes and returns the earliest entry if its deadline is at or before `now`. */
  popDue(now: number): TimerEntry<T> | null {
    const top = this.settleTop();
    if (top === null || top.deadline > now) return null;
    this.armed--;
    this.removeAt(0);
    return top;
  }

  /** Drop cancelled entries from the top and file stale ones under their real deadline, until the top is right. */
  private settleTop(): Entry<T> | null {
    for (;;) {
      const top = this.items[0];
      if (top === undefined) return null;
      if (top.cancelled) {
        top.cancelled = false;
        this.removeAt(0);
      } else if (top.key !== top.deadline || top.keySeq !== top.seq) {
        top.key = top.deadline;
        top.keySeq = top.seq;
        this.siftDown(0);
      } else {
        return top;
      }
    }
  }

  private insert(entry: Entry<T>): void {
    this.armed++;
    entry.index = this.items.length;
    this.items.push(entry);
    this.siftUp(entry.index);
  }

  private removeAt(i: number): void {
    const entry = this.items[i] as Entry<T>;
    const last = this.items.pop() as Entry<T>;
    entry.index = -1;
    if (last === entry) return;
    this.items[i] = last;
    last.index = i;
    this.siftDown(i);
    this.siftUp(last.index);
  }

  private before(a: Entry<T>, b: Entry<T>): boolean {
    return a.key < b.key || (a.key === b.key && a.keySeq < b.keySeq);
  }

  private siftUp(start: number): void {
    const items = this.items;
    let i = start;
    const entry = items[i] as Entry<T>;
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = items[parentIndex] as Entry<T>;
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
    const entry = items[i] as Entry<T>;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && this.before(items[right] as Entry<T>, items[left] as Entry<T>)) child = right;
      const childEntry = items[child] as Entry<T>;
      if (!this.before(childEntry, entry)) break;
      items[i] = childEntry;
      childEntry.index = i;
      i = child;
    }
    items[i] = entry;
    entry.index = i;
  }
}
