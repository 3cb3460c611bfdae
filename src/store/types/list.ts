/**
 * The list value (Redis's quicklist, t_list.c's listType* API): a ring
 * buffer of latin1 strings (one char per byte, see store/value.ts).
 *
 *   positions: [ d  e  .  .  .  a  b  c ]   capacity is a power of two
 *                      ^tail       ^head    index i lives at (head + i) & mask
 *
 * Push and pop at both ends are O(1) amortised, LINDEX/LSET and every step
 * of LRANGE are O(1), so a range read is O(range) and never O(N^2).
 * Insertions and removals in the middle shift the shorter side (LINSERT,
 * LREM: O(N) as in Redis).
 *
 * Storage: up to PAGE_SIZE positions the ring is one array, which doubles
 * when full and halves when a quarter full (a copy of at most PAGE_SIZE
 * elements). Past that it is split in pages of PAGE_SIZE positions. Growing
 * then moves page references, not elements: the pages before the head's
 * (the wrapped tail) move up by the old capacity and only the head's own
 * page is split (at most PAGE_SIZE copies). Copying a whole big ring took
 * 31.6 ms at 2M elements (node 20 here), a stall for every client. A page
 * no element occupies any more is released, and a paged ring going below
 * a quarter page is copied back into one small array.
 *
 * Owns the element storage only: key lookup, empty-key deletion,
 * notifications and replies belong to commands/list.ts.
 *
 * OBJECT ENCODING: Redis 7.0 always reports "quicklist" for lists (the
 * listpack encoding for small lists arrived in 7.2), so encoding() does too.
 */
import type { Collection } from '../value';
import { PAGE_BITS, PAGE_MASK, PAGE_SIZE } from './slot-array';

const MIN_CAPACITY = 8;

type Page = (string | undefined)[];

export class ListValue implements Collection {
  readonly type = 'list';
  /**
   * While capacity <= PAGE_SIZE the ring itself (one array, as a small list
   * must stay small: a page list around it cost 56 bytes a list, +34% for
   * five elements); past that its pages, null where released. `isPaged` says which.
   */
  private store: Page | (Page | null)[];
  /** capacity - 1 */
  private mask: number;
  private head = 0;
  private length = 0;

  constructor(capacity = MIN_CAPACITY) {
    const cap = capacityFor(capacity);
    this.store = cap <= PAGE_SIZE ? new Array<string | undefined>(cap) : new Array<Page | null>(cap >>> PAGE_BITS).fill(null);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.length;
  }

  encoding(): string {
    return 'quicklist';
  }

  clone(): ListValue {
    const copy = new ListValue(this.length);
    for (let i = 0; i < this.length; i++) copy.put(i, this.get((this.head + i) & this.mask));
    copy.length = this.length;
    return copy;
  }

  /** Head to tail. */
  *values(): IterableIterator<string> {
    for (let i = 0; i < this.length; i++) yield this.get((this.head + i) & this.mask) as string;
  }

  pushBack(v: string): void {
    if (this.length === this.mask + 1) this.grow();
    this.put((this.head + this.length) & this.mask, v);
    this.length++;
  }

  pushFront(v: string): void {
    if (this.length === this.mask + 1) this.grow();
    this.head = (this.head - 1) & this.mask;
    this.put(this.head, v);
    this.length++;
  }

  popFront(): string | undefined {
    if (this.length === 0) return undefined;
    const at = this.head;
    const v = this.get(at);
    this.clearAt(at);
    this.head = (at + 1) & this.mask;
    this.length--;
    if ((this.head & PAGE_MASK) === 0) this.releaseIfFree(at >>> PAGE_BITS);
    this.shrinkIfSparse();
    return v;
  }

  popBack(): string | undefined {
    if (this.length === 0) return undefined;
    const at = (this.head + this.length - 1) & this.mask;
    const v = this.get(at);
    this.clearAt(at);
    this.length--;
    if ((at & PAGE_MASK) === 0) this.releaseIfFree(at >>> PAGE_BITS);
    this.shrinkIfSparse();
    return v;
  }

  /** The element at 0 <= index < size (callers resolve negative indexes). */
  at(index: number): string {
    return this.get((this.head + index) & this.mask) as string;
  }

  setAt(index: number, v: string): void {
    this.put((this.head + index) & this.mask, v);
  }

  /** First index holding v (head to tail), or -1. */
  indexOf(v: string): number {
    for (let i = 0; i < this.length; i++) if (this.get((this.head + i) & this.mask) === v) return i;
    return -1;
  }

  /** Inserts v so that it ends up at `index` (0..size), shifting the shorter side. */
  insertAt(index: number, v: string): void {
    if (index === 0) return this.pushFront(v);
    if (index === this.length) return this.pushBack(v);
    if (this.length === this.mask + 1) this.grow();
    const m = this.mask;
    if (index < this.length / 2) {
      this.head = (this.head - 1) & m;
      for (let i = 0; i < index; i++) this.put((this.head + i) & m, this.get((this.head + i + 1) & m));
    } else {
      for (let i = this.length; i > index; i--) this.put((this.head + i) & m, this.get((this.head + i - 1) & m));
    }
    this.put((this.head + index) & m, v);
    this.length++;
  }

  /** Drops `n` elements from the head (LTRIM, LPOP count). */
  removeFront(n: number): void {
    if (n >= this.length) return this.clear();
    for (let i = 0; i < n; i++) {
      this.clearAt(this.head);
      this.head = (this.head + 1) & this.mask;
    }
    this.length -= n;
    this.releaseFreePages();
    this.shrinkIfSparse();
  }

  /** Drops `n` elements from the tail. */
  removeBack(n: number): void {
    if (n >= this.length) return this.clear();
    for (let i = 0; i < n; i++) this.clearAt((this.head + this.length - 1 - i) & this.mask);
    this.length -= n;
    this.releaseFreePages();
    this.shrinkIfSparse();
  }

  /**
   * LREM: removes up to `limit` elements equal to v (0 = all), scanning from
   * the tail when fromTail. One compaction pass; returns how many went.
   */
  removeMatching(v: string, limit: number, fromTail: boolean): number {
    const n = this.length;
    const m = this.mask;
    let removed = 0;
    if (!fromTail) {
      let write = 0;
      for (let read = 0; read < n; read++) {
        const e = this.get((this.head + read) & m);
        if (e === v && (limit === 0 || removed < limit)) {
          removed++;
          continue;
        }
        if (write !== read) this.put((this.head + write) & m, e);
        write++;
      }
      for (let i = write; i < n; i++) this.clearAt((this.head + i) & m);
    } else {
      let write = n - 1;
      for (let read = n - 1; read >= 0; read--) {
        const e = this.get((this.head + read) & m);
        if (e === v && (limit === 0 || removed < limit)) {
          removed++;
          continue;
        }
        if (write !== read) this.put((this.head + write) & m, e);
        write--;
      }
      for (let i = 0; i <= write; i++) this.clearAt((this.head + i) & m);
      this.head = (this.head + write + 1) & m;
    }
    this.length -= removed;
    if (removed > 0) this.releaseFreePages();
    this.shrinkIfSparse();
    return removed;
  }

  private get isPaged(): boolean {
    return this.mask >= PAGE_SIZE;
  }

  private get(pos: number): string | undefined {
    if (!this.isPaged) return (this.store as Page)[pos];
    return ((this.store as (Page | null)[])[pos >>> PAGE_BITS] as Page)[pos & PAGE_MASK];
  }

  private put(pos: number, v: string | undefined): void {
    if (!this.isPaged) {
      (this.store as Page)[pos] = v;
      return;
    }
    const pages = this.store as (Page | null)[];
    const p = pos >>> PAGE_BITS;
    let page = pages[p];
    if (page === null) page = pages[p] = new Array<string | undefined>(PAGE_SIZE);
    page[pos & PAGE_MASK] = v;
  }

  /** Drops the reference a position holds, so the element can be collected. */
  private clearAt(pos: number): void {
    if (!this.isPaged) {
      (this.store as Page)[pos] = undefined;
      return;
    }
    const page = (this.store as (Page | null)[])[pos >>> PAGE_BITS];
    if (page !== null) page[pos & PAGE_MASK] = undefined;
  }

  /** A page of a paged ring holding no element any more is released (allocated again when written). */
  private releaseIfFree(p: number): void {
    if (!this.isPaged) return;
    // Where the page starts, counted from the head: free when all of it lies past the last element.
    const fromHead = ((p << PAGE_BITS) - this.head) & this.mask;
    if (fromHead >= this.length && fromHead + PAGE_SIZE <= this.mask + 1) (this.store as (Page | null)[])[p] = null;
  }

  private releaseFreePages(): void {
    if (!this.isPaged) return;
    const pages = this.store as (Page | null)[];
    for (let p = 0; p < pages.length; p++) if (pages[p] !== null) this.releaseIfFree(p);
  }

  private clear(): void {
    this.store = new Array<string | undefined>(MIN_CAPACITY);
    this.mask = MIN_CAPACITY - 1;
    this.head = 0;
    this.length = 0;
  }

  private shrinkIfSparse(): void {
    const cap = this.mask + 1;
    if (cap > PAGE_SIZE) {
      if (this.length <= PAGE_SIZE >>> 2) this.relayout(PAGE_SIZE >>> 1);
    } else if (cap > MIN_CAPACITY && this.length <= cap >>> 2) {
      this.relayout(cap >>> 1);
    }
  }

  /** Doubles a full ring. */
  private grow(): void {
    const cap = this.mask + 1;
    if (cap < PAGE_SIZE) return this.relayout(cap * 2);
    const n = cap >>> PAGE_BITS;
    // At exactly one page the ring is still one array: it becomes the first page.
    const old = cap === PAGE_SIZE ? [this.store as Page] : (this.store as (Page | null)[]);
    const next = new Array<Page | null>(2 * n).fill(null);
    const headPage = this.head >>> PAGE_BITS;
    const headOffset = this.head & PAGE_MASK;
    // Full, so the elements run from the head to the end of the ring, then wrap to its start.
    // The pages after the head's keep their places; those before it move up by the old capacity.
    for (let p = headPage + 1; p < n; p++) next[p] = old[p];
    for (let p = 0; p < headPage; p++) next[n + p] = old[p];
    // The head's page holds both ends: its part before the head moves up too.
    const split = old[headPage] as Page;
    next[headPage] = split;
    if (headOffset > 0) {
      const moved = new Array<string | undefined>(PAGE_SIZE);
      for (let i = 0; i < headOffset; i++) {
        moved[i] = split[i];
        split[i] = undefined;
      }
      next[n + headPage] = moved;
    }
    this.store = next;
    this.mask = 2 * cap - 1;
  }

  /** Copies the elements, from position 0, into one array of `capacity` (<= PAGE_SIZE, >= length). */
  private relayout(capacity: number): void {
    const next = new Array<string | undefined>(capacity);
    for (let i = 0; i < this.length; i++) next[i] = this.get((this.head + i) & this.mask);
    this.store = next;
    this.mask = capacity - 1;
    this.head = 0;
  }
}

/** Smallest power of two >= n, at least MIN_CAPACITY. */
function capacityFor(n: number): number {
  let cap = MIN_CAPACITY;
  while (cap < n) cap *= 2;
  return cap;
}
