/**
 * A string-keyed map split over a fixed number of V8 Maps by a hash of the
 * key, with the Map methods the keyspace uses.
 *
 * Why: a V8 Map rehashes all of its entries at once when it grows past a
 * power of two or shrinks below a quarter of its capacity — 40 ms when a
 * map reaches 524,288 entries, 57 ms at 1,048,576, 22 ms when one of 1M
 * entries shrinks to 262,143 (node 20 here). Redis's dict rehashes
 * incrementally; splitting the db into SHARDS maps bounds every rehash to
 * one shard's share of the keys instead (1M keys: ~8k per shard, well under
 * a millisecond), at the cost of hashing the key once per operation.
 *
 * Iteration walks the shards in order; each shard's iterator is live as a
 * Map's is (entries added behind it are skipped, deleted ones never seen),
 * which SCAN and the snapshot rely on.
 */

/** A power of two: the shard is the hash's low bits. */
const SHARDS = 128;
/** Keys longer than twice this are hashed by their first and last HASH_EDGE chars and their length. */
const HASH_EDGE = 16;

/**
 * FNV-1a steps over the key's chars in two interleaved lanes, which halves
 * the chain of dependent multiplies. Sampling only some chars was cheaper
 * but put keys like `session:<id>:<constant tail>` all in one shard.
 */
function shardOf(key: string): number {
  const n = key.length;
  let a = 0x811c9dc5 ^ n;
  let b = 0x2c9277b5;
  if (n <= 2 * HASH_EDGE) {
    let i = 0;
    for (; i + 1 < n; i += 2) {
      a = Math.imul(a ^ key.charCodeAt(i), 0x01000193);
      b = Math.imul(b ^ key.charCodeAt(i + 1), 0x01000193);
    }
    if (i < n) a = Math.imul(a ^ key.charCodeAt(i), 0x01000193);
  } else {
    for (let i = 0; i < HASH_EDGE; i++) {
      a = Math.imul(a ^ key.charCodeAt(i), 0x01000193);
      b = Math.imul(b ^ key.charCodeAt(n - 1 - i), 0x01000193);
    }
  }
  const h = Math.imul(a ^ (b >>> 7), 0x9e3779b1);
  return (h >>> 16) & (SHARDS - 1);
}

export class ShardedMap<V> implements Iterable<[string, V]> {
  private readonly shards: Map<string, V>[] = [];
  size = 0;

  constructor() {
    for (let i = 0; i < SHARDS; i++) this.shards.push(new Map());
  }

  get(key: string): V | undefined {
    return this.shards[shardOf(key)].get(key);
  }

  has(key: string): boolean {
    return this.shards[shardOf(key)].has(key);
  }

  set(key: string, value: V): this {
    const shard = this.shards[shardOf(key)];
    const before = shard.size;
    shard.set(key, value);
    this.size += shard.size - before;
    return this;
  }

  delete(key: string): boolean {
    if (!this.shards[shardOf(key)].delete(key)) return false;
    this.size--;
    return true;
  }

  *keys(): IterableIterator<string> {
    for (const shard of this.shards) yield* shard.keys();
  }

  *values(): IterableIterator<V> {
    for (const shard of this.shards) yield* shard.values();
  }

  *entries(): IterableIterator<[string, V]> {
    for (const shard of this.shards) yield* shard.entries();
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }

  clone(): ShardedMap<V> {
    const copy = new ShardedMap<V>();
    for (let i = 0; i < SHARDS; i++) copy.shards[i] = new Map(this.shards[i]);
    copy.size = this.size;
    return copy;
  }

  forEach(visit: (value: V, key: string) => void): void {
    for (const shard of this.shards) shard.forEach(visit);
  }
}

/**
 * A collection's member index (hash fields, set members, sorted-set
 * members): a plain Map while small, so millions of small collections pay
 * nothing, and a ShardedMap once it passes SHARD_INDEX_AT entries, so the
 * SADD that brings a set to a million members does not rehash a million at
 * once. The switch copies SHARD_INDEX_AT entries in one go: 0.8-2.9 ms for
 * 4,096-8,192 entries, but 11-16 ms for 32,768 (node 20 here), so it
 * happens early; 128 small Maps cost little next to 4,096 members.
 */
export type MemberIndex<V> = Map<string, V> | ShardedMap<V>;

const SHARD_INDEX_AT = 1 << 12;

/**
 * Members a hash or set holds before it gets a member index at all; below
 * that a lookup scans its slots. A Map costs ~300 bytes even for 5 entries
 * (its table grows to 8, 3 slots each), more than the members themselves,
 * and scanning 16 strings, which compares pointers and lengths first, is as
 * fast as hashing one. A 5-field hash: 747 -> 450 bytes (heap after GC,
 * 200k hashes, node 20 here).
 */
export const MEMBER_INDEX_AT = 16;

/** The index to keep after an insertion: the same one, or its sharded copy once large. */
export function shardWhenLarge<V>(index: MemberIndex<V>): MemberIndex<V> {
  if (index.size <= SHARD_INDEX_AT || index instanceof ShardedMap) return index;
  const sharded = new ShardedMap<V>();
  index.forEach((value, key) => sharded.set(key, value));
  return sharded;
}

export function cloneIndex<V>(index: MemberIndex<V>): MemberIndex<V> {
  return index instanceof ShardedMap ? index.clone() : new Map(index);
}
