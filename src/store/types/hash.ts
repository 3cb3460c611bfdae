/**
 * The hash value (Redis's t_hash.c object layer). Fields and values are
 * latin1 strings (one char per byte, binary-safe).
 *
 *   fields: [f0, f1, f2, ...]     parallel slot arrays (paged past 4,096
 *   values: [v0, v1, v2, ...]     fields, see slot-array.ts)
 *   index:  field → slot          (a Map: O(1) lookups, scan iterators that
 *                                  survive inserts and deletes), made once
 *                                  the hash passes MEMBER_INDEX_AT fields;
 *                                  below that a lookup scans `fields`
 *
 * Slots give HRANDFIELD O(1) random picks. The two Redis encodings differ
 * only in what a delete does to the order, which is observable:
 *
 *   listpack   (at most hash-max-listpack-entries fields, none of them and no
 *              value longer than hash-max-listpack-value bytes) keeps
 *              insertion order, as a listpack does: a delete closes the gap
 *              (O(N) for N under the small limit, Redis's cost too), so
 *              HGETALL, HKEYS and HSCAN reply in Redis's order.
 *   hashtable  order is unspecified, as in a dict: a delete moves the last
 *              slot into the hole, O(1).
 *
 * Conversion is one-way, as in Redis: once a hashtable, always one. The
 * thresholds come from a limits object shared with the server's config, so
 * CONFIG SET applies to existing hashes at their next write, as in Redis.
 */
import type { Collection } from '../value';
import { cloneIndex, shardWhenLarge, type MemberIndex } from '../sharded-map';
import { cloneSlots, copySlots, indexWhenLarge, memberSlot, popSlot, pushSlot, removeSlotAt, setSlot, slotAt, type Slots } from './slot-array';

export interface ListpackLimits {
  /** hash-max-listpack-entries */
  maxEntries: number;
  /** hash-max-listpack-value, in bytes */
  maxValueBytes: number;
}

/** Redis 7.0's defaults, for hashes built outside a server (RDB loading, tests). */
export const DEFAULT_HASH_LIMITS: Readonly<ListpackLimits> = { maxEntries: 512, maxValueBytes: 64 };

export class HashValue implements Collection {
  readonly type = 'hash';
  private fields: Slots<string> = [];
  private values: Slots<string> = [];
  private index: MemberIndex<number> | null = null;
  private isHashtable = false;

  constructor(private readonly limits: Readonly<ListpackLimits> = DEFAULT_HASH_LIMITS) {}

  get size(): number {
    return this.fields.length;
  }

  encoding(): string {
    return this.isHashtable ? 'hashtable' : 'listpack';
  }

  clone(): HashValue {
    const copy = new HashValue(this.limits);
    copy.fields = cloneSlots(this.fields);
    copy.values = cloneSlots(this.values);
    copy.index = this.index === null ? null : cloneIndex(this.index);
    copy.isHashtable = this.isHashtable;
    return copy;
  }

  /** Field/value pairs: insertion order while listpack. */
  *entries(): IterableIterator<[string, string]> {
    for (let i = 0; i < this.fields.length; i++) yield [slotAt(this.fields, i), slotAt(this.values, i)];
  }

  /**
   * The fields through the index Map, for HSCAN: the iterator survives
   * changes between calls and visits every field present throughout. A
   * hash without one is small: a copy of its fields does the same.
   */
  fieldIterator(): IterableIterator<string> {
    return this.index !== null ? this.index.keys() : copySlots(this.fields).values();
  }

  get(field: string): string | undefined {
    const slot = memberSlot(this.index, this.fields, field);
    return slot < 0 ? undefined : slotAt(this.values, slot);
  }

  has(field: string): boolean {
    return memberSlot(this.index, this.fields, field) >= 0;
  }

  /** Sets a field; true when it is new. May turn a listpack into a hashtable. */
  set(field: string, value: string): boolean {
    if (!this.isHashtable && (field.length > this.limits.maxValueBytes || value.length > this.limits.maxValueBytes)) this.isHashtable = true;
    const slot = memberSlot(this.index, this.fields, field);
    if (slot >= 0) {
      setSlot(this.values, slot, value);
      return false;
    }
    if (this.index !== null) {
      this.index.set(field, this.fields.length);
      this.index = shardWhenLarge(this.index);
    }
    this.fields = pushSlot(this.fields, field);
    this.values = pushSlot(this.values, value);
    if (this.index === null) this.index = indexWhenLarge(this.fields);
    if (!this.isHashtable && this.fields.length > this.limits.maxEntries) this.isHashtable = true;
    return true;
  }

  /** Removes a field; false when it was not there. */
  delete(field: string): boolean {
    const slot = memberSlot(this.index, this.fields, field);
    if (slot < 0) return false;
    const index = this.index;
    if (index !== null) index.delete(field);
    const last = this.fields.length - 1;
    if (this.isHashtable) {
      const lastField = popSlot(this.fields);
      const lastValue = popSlot(this.values);
      if (slot !== last) {
        setSlot(this.fields, slot, lastField);
        setSlot(this.values, slot, lastValue);
        if (index !== null) index.set(lastField, slot);
      }
      return true;
    }
    removeSlotAt(this.fields, slot);
    removeSlotAt(this.values, slot);
    if (index !== null) for (let i = slot; i < last; i++) index.set(slotAt(this.fields, i), i);
    return true;
  }

  /** The pair in slot 0 <= i < size (HRANDFIELD). */
  fieldAt(i: number): string {
    return slotAt(this.fields, i);
  }

  valueAt(i: number): string {
    return slotAt(this.values, i);
  }
}
