/**
 * SCAN cursors over Maps. A JS Map has no stable bucket order to encode in a
 * cursor, but its iterators survive inserts and deletes (deleted entries are
 * skipped, new ones are visited), which gives SCAN's guarantee: every element
 * present for the whole scan is returned. A cursor number names a live
 * iterator, kept in a bounded LRU cache (lru-cache); a cursor that fell out
 * of the cache (more than MAX_CURSORS scans in flight) ends its scan.
 */
import { LRUCache } from 'lru-cache';

const MAX_CURSORS = 100_000;

interface Entry {
  source: object;
  iterator: Iterator<unknown>;
}

export class ScanCursors {
  private readonly live = new LRUCache<number, Entry>({ max: MAX_CURSORS });
  private next = 1;

  /**
   * Continues the scan named by cursor over `source` (0 starts one). Calls
   * visit for up to `count` items; returns the next cursor, 0 when done.
   */
  step<T>(source: object, makeIterator: () => Iterator<T>, cursor: number, count: number, visit: (item: T) => void): number {
    let it: Iterator<T>;
    if (cursor === 0) {
      it = makeIterator();
    } else {
      const entry = this.live.get(cursor);
      if (entry === undefined || entry.source !== source) return 0;
      this.live.delete(cursor);
      it = entry.iterator as Iterator<T>;
    }
    for (let i = 0; i < count; i++) {
      const r = it.next();
      if (r.done) return 0;
      visit(r.value);
    }
    const id = this.next;
    this.next = this.next >= Number.MAX_SAFE_INTEGER ? 1 : this.next + 1;
    this.live.set(id, { source, iterator: it });
    return id;
  }
}
