/**
 * The set value (Redis's t_set.c object layer). Members are latin1 strings
 * (one char per byte, binary-safe).
 *
 * Two representations, mirroring Redis's two encodings so OBJECT ENCODING,
 * the RDB encoder and the reply order of small integer sets agree with Redis:
 *
 *   intset     every member is a canonical 64-bit integer (string2ll rules)
 *              and there are at most set-max-intset-entries of them:
 *              `items` is kept sorted by numeric value, `index` is null and
 *              lookups binary-search. Iteration is in ascending numeric order,
 *              exactly as Redis walks an intset (SMEMBERS, SSCAN, SINTER...).
 *              Inserts shift the array: O(N) for N <= the intset limit, the
 *              same cost Redis pays for intsetAdd.
 *
 *   hashtable  `items` is an unordered array (paged past 4,096 members, so
 *              growing never copies them all: slot-array.ts) and, past
 *              MEMBER_INDEX_AT members, `index` maps member → its slot
 *              (below that a lookup scans `items`). Removal swaps the last
 *              item into the hole, so add, delete, membership and random
 *              choice (SPOP, SRANDMEMBER) are all O(1). Iteration and SSCAN
 *              walk the Map, whose iterators survive concurrent inserts and
 *              deletes, or a copy of the few items of a set without one.
 *
 * Conversion is one-way, as in Redis: once a set is a hashtable it stays one
 * even if it shrinks back to a few integers.
 */
import { parseI64 } from '../../common/numbers';
import type { Collection } from '../value';
import { cloneIndex, shardWhenLarge, type MemberIndex } from '../sharded-map';
import { cloneSlots, copySlots, indexWhenLarge, memberSlot, popSlot, pushSlot, setSlot, slotAt, type Slots } from './slot-array';

/** set-max-intset-entries default (Redis 7.0). */
export const SET_MAX_INTSET_ENTRIES = 512;

export class SetValue implements Collection {
  readonly type = 'set';
  /** Members; sorted numerically while intset (a plain array then), slot order once hashtable. */
  private items: Slots<string> = [];
  private isHashtable = false;
  /** member → slot in items; null while the set is an intset or a hashtable of few members. */
  private index: MemberIndex<number> | null = null;

  get size(): number {
    return this.items.length;
  }

  get isIntset(): boolean {
    return !this.isHashtable;
  }

  encoding(): string {
    return this.isHashtable ? 'hashtable' : 'intset';
  }

  clone(): SetValue {
    const copy = new SetValue();
    copy.items = cloneSlots(this.items);
    copy.isHashtable = this.isHashtable;
    copy.index = this.index === null ? null : cloneIndex(this.index);
    return copy;
  }

  /**
   * Ascending for an intset (Redis's order); Map order for a hashtable, whose
   * iterator skips deleted members and visits added ones, so SSCAN can keep
   * it between calls.
   */
  *members(): IterableIterator<string> {
    if (!this.isHashtable) yield* this.items as string[];
    else if (this.index !== null) yield* this.index.keys();
    else yield* copySlots(this.items);
  }

  /** Adds m; false when already present. `maxIntsetEntries` is set-max-intset-entries. */
  add(m: string, maxIntsetEntries = SET_MAX_INTSET_ENTRIES): boolean {
    if (this.isHashtable) return this.addToHashtable(m);
    if (parseI64(m) === null) {
      this.convertToHashtable();
      return this.addToHashtable(m);
    }
    const items = this.items as string[];
    const at = findIntsetSlot(items, m);
    if (at < items.length && items[at] === m) return false;
    items.splice(at, 0, m);
    if (items.length > maxIntsetEntries) this.convertToHashtable();
    return true;
  }

  has(m: string): boolean {
    if (this.isHashtable) return memberSlot(this.index, this.items, m) >= 0;
    const items = this.items as string[];
    if (items.length === 0 || parseI64(m) === null) return false;
    const at = findIntsetSlot(items, m);
    return at < items.length && items[at] === m;
  }

  delete(m: string): boolean {
    if (!this.isHashtable) {
      const items = this.items as string[];
      if (items.length === 0 || parseI64(m) === null) return false;
      const at = findIntsetSlot(items, m);
      if (at >= items.length || items[at] !== m) return false;
      items.splice(at, 1);
      return true;
    }
    const slot = memberSlot(this.index, this.items, m);
    if (slot < 0) return false;
    const index = this.index;
    if (index !== null) index.delete(m);
    const items = this.items;
    const last = popSlot(items);
    if (slot < items.length) {
      setSlot(items, slot, last);
      if (index !== null) index.set(last, slot);
    }
    return true;
  }


  /** A uniformly random member; the set must not be empty. O(1). */
  randomMember(): string {
    return slotAt(this.items, Math.floor(Math.random() * this.items.length));
  }

  /** Member at a slot (0 <= i < size), for sampling without repeats. */
  memberAt(i: number): string {
    return slotAt(this.items, i);
  }

  private addToHashtable(m: string): boolean {
    const index = this.index;
    if (memberSlot(index, this.items, m) >= 0) return false;
    if (index !== null) {
      index.set(m, this.items.length);
      this.index = shardWhenLarge(index);
    }
    this.items = pushSlot(this.items, m);
    if (this.index === null) this.index = indexWhenLarge(this.items);
    return true;
  }

  /** setTypeConvert: the slot order starts as the intset's ascending order. */
  private convertToHashtable(): void {
    this.isHashtable = true;
    this.index = indexWhenLarge(this.items);
  }
}

/**
 * Numeric order of two canonical integer strings (no leading zeros, no "+",
 * no "-0"), exact for the whole 64-bit range without parsing: the sign
 * decides, then the digit count, then the digits.
 */
function compareIntegers(a: string, b: string): number {
  const aNeg = a.charCodeAt(0) === 45;
  const bNeg = b.charCodeAt(0) === 45;
  if (aNeg !== bNeg) return aNeg ? -1 : 1;
  let cmp: number;
  if (a.length !== b.length) cmp = a.length < b.length ? -1 : 1;
  else cmp = a < b ? -1 : a > b ? 1 : 0;
  return aNeg ? -cmp : cmp;
}

/** First slot whose member is >= m in numeric order (binary search). */
function findIntsetSlot(items: readonly string[], m: string): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareIntegers(items[mid], m) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
