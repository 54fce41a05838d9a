// One machine instance's timer entries, by timer name. Most machines arm a handful of
// names, and a timeout re-armed on every message is found fastest by a scan: a compare or
// two, the name being the same string object each time, where a Map lookup hashes. A
// machine with many timers at once (one per peer, in a membership or replication
// protocol) would pay a scan of every entry on every arming, ~3 us at 1,000 names: past
// SCAN_LIMIT entries they move to a Map, and finding a name stays O(1).

import type { TimerEntry } from './timer-heap.js';

/** Entries a scan looks through before a Map is faster (measured: ~20 ns either way at 4, 42 against 22 at 16). */
const SCAN_LIMIT = 8;

export class NamedTimers<E extends TimerEntry<{ readonly name: string }>> {
  /** Entries in arming order while there are few; null once they are indexed. */
  private list: E[] | null = [];
  private index: Map<string, E> | null = null;

  get size(): number {
    return this.list !== null ? this.list.length : (this.index as Map<string, E>).size;
  }

  get(name: string): E | undefined {
    const list = this.list;
    if (list === null) return (this.index as Map<string, E>).get(name);
    for (let i = 0; i < list.length; i++) {
      const entry = list[i] as E;
      if (entry.payload.name === name) return entry;
    }
    return undefined;
  }

  /** Add an entry whose name none of the others has. */
  add(entry: E): void {
    const list = this.list;
    if (list === null) {
      (this.index as Map<string, E>).set(entry.payload.name, entry);
      return;
    }
    list.push(entry);
    if (list.length > SCAN_LIMIT) {
      this.index = new Map(list.map((each) => [each.payload.name, each]));
      this.list = null;
    }
  }

  /** Take out the entry named `name`, and return it. */
  delete(name: string): E | undefined {
    const list = this.list;
    if (list === null) {
      const index = this.index as Map<string, E>;
      const entry = index.get(name);
      if (entry !== undefined) index.delete(name);
      return entry;
    }
    const at = list.findIndex((entry) => entry.payload.name === name);
    return at < 0 ? undefined : list.splice(at, 1)[0];
  }

  /**
   * The first entry `heap` has not armed, which the caller may arm again under another
   * name (the index is by name, so only while the entries are a list); undefined otherwise.
   */
  stopped(heap: { isArmed(entry: E): boolean }): E | undefined {
    const list = this.list;
    if (list === null) return undefined;
    for (let i = 0; i < list.length; i++) {
      const entry = list[i] as E;
      if (!heap.isArmed(entry)) return entry;
    }
    return undefined;
  }

  /** Every entry: the list itself while there is one (read it, do not keep it), else a copy. */
  all(): readonly E[] {
    return this.list ?? [...(this.index as Map<string, E>).values()];
  }
}
