/**
 * The list value (Redis's quicklist, t_list.c's listType* API): a ring
 * buffer of latin1 strings (one char per byte, see store/value.ts).
 *
 *   slots: [ d  e  .  .  .  a  b  c ]      capacity is a power of two
 *                  ^tail       ^head       index i lives at (head + i) & mask
 *
 * Push and pop at both ends are O(1) amortised, LINDEX/LSET and every step
 * of LRANGE are O(1), so a range read is O(range) and never O(N^2).
 * Insertions and removals in the middle shift the shorter side (LINSERT,
 * LREM: O(N) as in Redis). The buffer doubles when full and halves when a
 * quarter full, so memory follows the length.
 *
 * Owns the element storage only: key lookup, empty-key deletion,
 * notifications and replies belong to commands/list.ts.
 *
 * OBJECT ENCODING: Redis 7.0 always reports "quicklist" for lists (the
 * listpack encoding for small lists arrived in 7.2), so encoding() does too.
 */
import type { Collection } from '../value';

const MIN_CAPACITY = 8;

export class ListValue implements Collection {
  readonly type = 'list';
  private slots: (string | undefined)[];
  private mask: number;
  private head = 0;
  private length = 0;

  constructor(capacity = MIN_CAPACITY) {
    const cap = capacityFor(capacity);
    this.slots = new Array<string | undefined>(cap);
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
    for (let i = 0; i < this.length; i++) copy.slots[i] = this.slots[(this.head + i) & this.mask];
    copy.length = this.length;
    return copy;
  }

  /** Head to tail. */
  *values(): IterableIterator<string> {
    for (let i = 0; i < this.length; i++) yield this.slots[(this.head + i) & this.mask] as string;
  }

  pushBack(v: string): void {
    if (this.length === this.slots.length) this.resize(this.slots.length * 2);
    this.slots[(this.head + this.length) & this.mask] = v;
    this.length++;
  }

  pushFront(v: string): void {
    if (this.length === this.slots.length) this.resize(this.slots.length * 2);
    this.head = (this.head - 1) & this.mask;
    this.slots[this.head] = v;
    this.length++;
  }

  popFront(): string | undefined {
    if (this.length === 0) return undefined;
    const v = this.slots[this.head];
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.length--;
    this.shrinkIfSparse();
    return v;
  }

  popBack(): string | undefined {
    if (this.length === 0) return undefined;
    const at = (this.head + this.length - 1) & this.mask;
    const v = this.slots[at];
    this.slots[at] = undefined;
    this.length--;
    this.shrinkIfSparse();
    return v;
  }

  /** The element at 0 <= index < size (callers resolve negative indexes). */
  at(index: number): string {
    return this.slots[(this.head + index) & this.mask] as string;
  }

  setAt(index: number, v: string): void {
    this.slots[(this.head + index) & this.mask] = v;
  }

  /** First index holding v (head to tail), or -1. */
  indexOf(v: string): number {
    for (let i = 0; i < this.length; i++) if (this.slots[(this.head + i) & this.mask] === v) return i;
    return -1;
  }

  /** Inserts v so that it ends up at `index` (0..size), shifting the shorter side. */
  insertAt(index: number, v: string): void {
    if (index === 0) return this.pushFront(v);
    if (index === this.length) return this.pushBack(v);
    if (this.length === this.slots.length) this.resize(this.slots.length * 2);
    const s = this.slots;
    const m = this.mask;
    if (index < this.length / 2) {
      this.head = (this.head - 1) & m;
      for (let i = 0; i < index; i++) s[(this.head + i) & m] = s[(this.head + i + 1) & m];
    } else {
      for (let i = this.length; i > index; i--) s[(this.head + i) & m] = s[(this.head + i - 1) & m];
    }
    s[(this.head + index) & m] = v;
    this.length++;
  }

  /** Drops `n` elements from the head (LTRIM, LPOP count). */
  removeFront(n: number): void {
    if (n >= this.length) return this.clear();
    for (let i = 0; i < n; i++) {
      this.slots[this.head] = undefined;
      this.head = (this.head + 1) & this.mask;
    }
    this.length -= n;
    this.shrinkIfSparse();
  }

  /** Drops `n` elements from the tail. */
  removeBack(n: number): void {
    if (n >= this.length) return this.clear();
    for (let i = 0; i < n; i++) this.slots[(this.head + this.length - 1 - i) & this.mask] = undefined;
    this.length -= n;
    this.shrinkIfSparse();
  }

  /**
   * LREM: removes up to `limit` elements equal to v (0 = all), scanning from
   * the tail when fromTail. One compaction pass; returns how many went.
   */
  removeMatching(v: string, limit: number, fromTail: boolean): number {
    const n = this.length;
    const s = this.slots;
    const m = this.mask;
    let removed = 0;
    if (!fromTail) {
      let write = 0;
      for (let read = 0; read < n; read++) {
        const e = s[(this.head + read) & m];
        if (e === v && (limit === 0 || removed < limit)) {
          removed++;
          continue;
        }
        if (write !== read) s[(this.head + write) & m] = e;
        write++;
      }
      for (let i = write; i < n; i++) s[(this.head + i) & m] = undefined;
    } else {
      let write = n - 1;
      for (let read = n - 1; read >= 0; read--) {
        const e = s[(this.head + read) & m];
        if (e === v && (limit === 0 || removed < limit)) {
          removed++;
          continue;
        }
        if (write !== read) s[(this.head + write) & m] = e;
        write--;
      }
      for (let i = 0; i <= write; i++) s[(this.head + i) & m] = undefined;
      this.head = (this.head + write + 1) & m;
    }
    this.length -= removed;
    this.shrinkIfSparse();
    return removed;
  }

  private clear(): void {
    this.slots = new Array<string | undefined>(MIN_CAPACITY);
    this.mask = MIN_CAPACITY - 1;
    this.head = 0;
    this.length = 0;
  }

  private shrinkIfSparse(): void {
    const cap = this.slots.length;
    if (cap > MIN_CAPACITY && this.length <= cap >>> 2) this.resize(cap >>> 1);
  }

  /** Re-lays the elements from slot 0 in a buffer of `capacity` (a power of two >= length). */
  private resize(capacity: number): void {
    const next = new Array<string | undefined>(capacity);
    for (let i = 0; i < this.length; i++) next[i] = this.slots[(this.head + i) & this.mask];
    this.slots = next;
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
