/**
 * The member slots of sets and hashes (O(1) access by position for random
 * picks and swap-removes): a plain array while they fit in one page, a
 * SlotArray of fixed-size pages past that.
 *
 * Why pages: V8 grows an array by reallocating it 1.5x larger and copying
 * every element in one go, so the SADD that took a set past ~900k members
 * spent 9.4 ms copying (node 20 here), a stall for every client. A page is
 * allocated when the last one is full and dropped when emptied; nothing is
 * ever copied as the array grows.
 *
 *   pages: [ 0 .. 4095 ][ 4096 .. 8191 ] ... [ .. length-1 | unused ]
 *
 * Why a plain array first: the SlotArray object, its page list and first
 * page cost ~220 bytes more than one array, +60% for a 5-field hash.
 */
import { MEMBER_INDEX_AT, type MemberIndex } from '../sharded-map';

/** Page geometry, shared with the paged list ring (list.ts). */
export const PAGE_BITS = 12;
export const PAGE_SIZE = 1 << PAGE_BITS;
export const PAGE_MASK = PAGE_SIZE - 1;

export class SlotArray<T> {
  private pages: T[][] = [];
  length = 0;

  static from<T>(items: readonly T[]): SlotArray<T> {
    const slots = new SlotArray<T>();
    for (let i = 0; i < items.length; i += PAGE_SIZE) slots.pages.push(items.slice(i, i + PAGE_SIZE));
    slots.length = items.length;
    return slots;
  }

  get(i: number): T {
    return this.pages[i >>> PAGE_BITS][i & PAGE_MASK];
  }

  set(i: number, value: T): void {
    this.pages[i >>> PAGE_BITS][i & PAGE_MASK] = value;
  }

  push(value: T): void {
    if ((this.length & PAGE_MASK) === 0) this.pages.push([]);
    this.pages[this.pages.length - 1].push(value);
    this.length++;
  }

  /** Removes and returns the last slot; the array must not be empty. */
  pop(): T {
    const page = this.pages[this.pages.length - 1];
    const value = page.pop()!;
    if (page.length === 0) this.pages.pop();
    this.length--;
    return value;
  }

  /** Removes slot i and moves every later slot down by one (order kept): O(length), by page-sized moves. */
  removeAt(i: number): void {
    const pages = this.pages;
    let p = i >>> PAGE_BITS;
    pages[p].splice(i & PAGE_MASK, 1);
    // Every page but the last stays full: each later page lends its first slot to the one before.
    for (p++; p < pages.length; p++) pages[p - 1].push(pages[p].shift()!);
    if (pages[pages.length - 1].length === 0) pages.pop();
    this.length--;
  }

  clone(): SlotArray<T> {
    const copy = new SlotArray<T>();
    copy.pages = this.pages.map((page) => page.slice());
    copy.length = this.length;
    return copy;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (const page of this.pages) yield* page;
  }
}

/** A set's or hash's slots: see the header. */
export type Slots<T> = T[] | SlotArray<T>;

export function slotAt<T>(slots: Slots<T>, i: number): T {
  return Array.isArray(slots) ? slots[i] : slots.get(i);
}

export function setSlot<T>(slots: Slots<T>, i: number, value: T): void {
  if (Array.isArray(slots)) slots[i] = value;
  else slots.set(i, value);
}

/** Appends a slot; returns the slots to keep (past one page a plain array becomes paged). */
export function pushSlot<T>(slots: Slots<T>, value: T): Slots<T> {
  slots.push(value);
  return Array.isArray(slots) && slots.length > PAGE_SIZE ? SlotArray.from(slots) : slots;
}

/** Removes and returns the last slot; there must be one. */
export function popSlot<T>(slots: Slots<T>): T {
  return Array.isArray(slots) ? (slots.pop() as T) : slots.pop();
}

/** Removes slot i, keeping the order of the rest. */
export function removeSlotAt<T>(slots: Slots<T>, i: number): void {
  if (Array.isArray(slots)) slots.splice(i, 1);
  else slots.removeAt(i);
}

/**
 * A member's slot, or -1: through the collection's member index, or by a
 * scan while it is small enough to go without one (MEMBER_INDEX_AT).
 */
export function memberSlot(index: MemberIndex<number> | null, slots: Slots<string>, member: string): number {
  if (index !== null) return index.get(member) ?? -1;
  for (let i = 0; i < slots.length; i++) if (slotAt(slots, i) === member) return i;
  return -1;
}

/**
 * For a collection without a member index whose slots grew: none up to
 * MEMBER_INDEX_AT members, then one built from them. (Callers with an
 * index skip the call: storing the field again costs a write barrier.)
 */
export function indexWhenLarge(slots: Slots<string>): MemberIndex<number> | null {
  if (slots.length <= MEMBER_INDEX_AT) return null;
  const built = new Map<string, number>();
  for (let i = 0; i < slots.length; i++) built.set(slotAt(slots, i), i);
  return built;
}

/** A copy of the values in slot order (iteration that must not see later changes). */
export function copySlots<T>(slots: Slots<T>): T[] {
  const out: T[] = [];
  for (let i = 0; i < slots.length; i++) out.push(slotAt(slots, i));
  return out;
}

export function cloneSlots<T>(slots: Slots<T>): Slots<T> {
  return Array.isArray(slots) ? slots.slice() : slots.clone();
}
