/**
 * The sorted-set value (Redis's t_zset.c object layer): a Map member → entry
 * for O(1) score lookups beside an ordered index (sorted-index.ts, a B+tree
 * where Redis has its skip list) for order, ranks and ranges, the pairing of
 * Redis's `zset { dict, zsl }`. Members are latin1 strings (binary-safe);
 * scores are doubles, never NaN.
 *
 * The member map is made once the set passes MEMBER_INDEX_AT members
 * (below that a lookup walks the few entries: a Map costs more than they
 * do). Otherwise every size uses the same structure; encoding() only reports what Redis
 * would use, so OBJECT ENCODING, ZSCAN (a listpack is returned whole) and
 * the RDB encoder agree with Redis: 'listpack' until the set has held more
 * than zset-max-listpack-entries members or a member longer than
 * zset-max-listpack-value bytes, then 'skiplist' for good (Redis converts
 * one way only, in zsetAdd).
 */
import { SortedIndex, type SortedEntry } from './sorted-index';
import type { Range } from './zset-range';
import { MEMBER_INDEX_AT, shardWhenLarge, type MemberIndex } from '../sharded-map';
import { formatDouble } from '../../common/numbers';
import type { Collection } from '../value';

/** zset-max-listpack-entries / zset-max-listpack-value defaults (Redis 7.0). */
export const ZSET_MAX_LISTPACK_ENTRIES = 128;
export const ZSET_MAX_LISTPACK_VALUE = 64;

/** LLONG_MAX / 2 as a double (2^62): d2string prints integral scores up to it as integers. */
const MAX_INTEGRAL_SCORE = 4611686018427387904;

/**
 * A score as Redis 7.0 writes it into a listpack (d2string): integral values
 * within ±2^62 as integers ("100000000000000000", "0" for -0), the rest as
 * %.17g. ZSCAN of a listpack and the RDB listpack encoding show this text.
 */
export function formatListpackScore(score: number): string {
  if (Number.isInteger(score) && score <= MAX_INTEGRAL_SCORE && score >= -MAX_INTEGRAL_SCORE) {
    return Number.isSafeInteger(score) ? String(score + 0) : BigInt(score).toString();
  }
  return formatDouble(score);
}

export class ZSetValue implements Collection {
  readonly type = 'zset';
  /** member → entry; null while the set holds at most MEMBER_INDEX_AT members. */
  private dict: MemberIndex<SortedEntry> | null = null;
  private readonly index = new SortedIndex();
  private isListpack = true;

  get size(): number {
    return this.index.length;
  }

  private entryOf(member: string): SortedEntry | undefined {
    return this.dict !== null ? this.dict.get(member) : this.index.findMember(member);
  }

  /** Whether Redis would still hold this set as a listpack. */
  get isCompact(): boolean {
    return this.isListpack;
  }

  encoding(): string {
    return this.isListpack ? 'listpack' : 'skiplist';
  }

  clone(): ZSetValue {
    const copy = new ZSetValue();
    copy.isListpack = this.isListpack;
    for (let x = this.index.first; x !== null; x = x.next) copy.index.insert(x.score, x.member);
    if (this.dict !== null) copy.dict = indexEntries(copy.index);
    return copy;
  }

  /** (member, score) pairs in ascending (score, member) order. */
  *entries(): IterableIterator<[string, number]> {
    for (let x = this.index.first; x !== null; x = x.next) yield [x.member, x.score];
  }

  /**
   * Inserts a member or moves it to a new score. Returns true when the
   * member is new. The limits are zset-max-listpack-entries/-value.
   */
  add(member: string, score: number, maxListpackEntries = ZSET_MAX_LISTPACK_ENTRIES, maxListpackValue = ZSET_MAX_LISTPACK_VALUE): boolean {
    const node = this.entryOf(member);
    if (node !== undefined) {
      if (this.isListpack && score === 0) score = 0;
      // -0 and 0 are the same score: Redis leaves the stored one alone.
      if (node.score !== score) this.index.updateScore(node, score);
      return false;
    }
    if (this.isListpack && (this.index.length + 1 > maxListpackEntries || member.length > maxListpackValue)) this.isListpack = false;
    // A listpack holds scores as d2string text, which turns -0 into "0" (for updates too).
    if (this.isListpack && score === 0) score = 0;
    const entry = this.index.insert(score, member);
    if (this.dict !== null) {
      this.dict.set(member, entry);
      this.dict = shardWhenLarge(this.dict);
    } else if (this.index.length > MEMBER_INDEX_AT) {
      this.dict = indexEntries(this.index);
    }
    return true;
  }

  score(member: string): number | undefined {
    const node = this.entryOf(member);
    return node === undefined ? undefined : node.score;
  }

  delete(member: string): boolean {
    const node = this.entryOf(member);
    if (node === undefined) return false;
    if (this.dict !== null) this.dict.delete(member);
    this.index.delete(node.score, member);
    return true;
  }

  /** 0-based rank in ascending order, or undefined when absent. */
  rank(member: string): number | undefined {
    const node = this.entryOf(member);
    return node === undefined ? undefined : this.index.rankOf(node.score, member) - 1;
  }

  /** The entry at a 0-based ascending rank, or null. */
  nodeAt(rank: number): SortedEntry | null {
    return rank < 0 || rank >= this.index.length ? null : this.index.byRank(rank + 1);
  }

  get first(): SortedEntry | null {
    return this.index.first;
  }

  get last(): SortedEntry | null {
    return this.index.tail;
  }

  /** First entry in a score or lex range (lex: when scores are equal, as Redis assumes). */
  firstInRange(r: Range): SortedEntry | null {
    return this.index.firstInRange(r);
  }

  lastInRange(r: Range): SortedEntry | null {
    return this.index.lastInRange(r);
  }

  /**
   * ZCOUNT / ZLEXCOUNT from the ranks of the range's ends, O(log N),
   * computed like Redis's zsetCount (so even lex counts over mixed scores agree).
   */
  countInRange(r: Range): number {
    const index = this.index;
    const first = index.firstInRange(r);
    if (first === null) return 0;
    let count = index.length - index.rankOf(first.score, first.member) + 1;
    const last = index.lastInRange(r);
    if (last !== null) count -= index.length - index.rankOf(last.score, last.member);
    return count;
  }

  /** ZREMRANGEBYSCORE / ZREMRANGEBYLEX */
  deleteRange(r: Range): number {
    return this.index.deleteRange(r, this.dict);
  }

  /** Removes 0-based ranks start..end inclusive (already clamped by the caller). */
  deleteRangeByRank(start: number, end: number): number {
    return this.index.deleteRangeByRank(start + 1, end + 1, this.dict);
  }

  /**
   * The live Map iterator ZSCAN keeps between calls: it skips deleted
   * members and visits added ones; each entry carries its current score.
   * A set without a member map is small: a copy of its entries does the same.
   */
  scanIterator(): IterableIterator<SortedEntry> {
    return this.dict !== null ? this.dict.values() : this.index.entryList().values();
  }
}

/** A member map over every entry of an index. */
function indexEntries(index: SortedIndex): MemberIndex<SortedEntry> {
  const dict = new Map<string, SortedEntry>();
  for (const entry of index.entryList()) dict.set(entry.member, entry);
  return shardWhenLarge(dict);
}
