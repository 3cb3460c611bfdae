/**
 * One numbered database: key → value, key → expiry time (ms), and the
 * per-key write timestamp slot that active replication fills. Expiries and
 * timestamps live in their own maps so keys without them cost nothing extra
 * (Redis's `expires` dict follows the same idea).
 *
 * Every read goes through lookupRead and every write through lookupWrite /
 * setKey / deleteKey, so lazy expiry, WATCH and snapshot copy-on-write have
 * one place to hook into (the Keyspace's hooks).
 */
import type { AccessTracker } from './evict';
import { ShardedMap } from './sharded-map';
import type { RedisValue } from './value';

export interface DbHooks {
  /** A key's TTL passed and this node may delete it; Keyspace removes it. */
  expireIfNeeded(db: Db, key: string, expiresAtMs: number): boolean;
  /** Called before a key's value or TTL is changed or the key removed. */
  willModify(db: Db, key: string): void;
  /** A key that did not exist was created (keyspace `new` events). */
  keyAdded(db: Db, key: string): void;
}

export class Db {
  /** Sharded so that no rehash of a big db stalls the event loop (sharded-map.ts). */
  dict = new ShardedMap<RedisValue>();
  expires = new ShardedMap<number>();
  /** Last-write timestamps (hybrid logical clock) for active replication; empty otherwise. */
  keyTimestamps = new ShardedMap<number>();
  /** Per-key LRU time / LFU counter while an LRU or LFU maxmemory policy is set (evict.ts); null otherwise. */
  access: AccessTracker | null = null;

  constructor(
    public id: number,
    private readonly hooks: DbHooks,
  ) {}

  get size(): number {
    return this.dict.size;
  }

  /** The value, or undefined when missing or expired. */
  lookupRead(key: string): RedisValue | undefined {
    const v = this.dict.get(key);
    if (v === undefined) return undefined;
    if (this.expires.size !== 0) {
      const when = this.expires.get(key);
      if (when !== undefined && when <= Date.now() && this.hooks.expireIfNeeded(this, key, when)) return undefined;
    }
    if (this.access !== null) this.access.touch(key);
    return v;
  }

  /** As lookupRead, for a command about to modify the key. */
  lookupWrite(key: string): RedisValue | undefined {
    const v = this.lookupRead(key);
    if (v !== undefined) this.hooks.willModify(this, key);
    return v;
  }

  has(key: string): boolean {
    return this.lookupRead(key) !== undefined;
  }

  /** Stores a value; the TTL is dropped unless keepTtl (SET semantics). */
  setKey(key: string, value: RedisValue, keepTtl = false): void {
    this.hooks.willModify(this, key);
    const sizeBefore = this.dict.size;
    this.dict.set(key, value);
    if (this.dict.size !== sizeBefore) this.hooks.keyAdded(this, key);
    if (!keepTtl && this.expires.size !== 0) this.expires.delete(key);
    if (this.access !== null) this.access.stored(key);
  }

  /** Replaces the value of an existing key in place (TTL kept). */
  overwrite(key: string, value: RedisValue): void {
    this.dict.set(key, value);
  }

  deleteKey(key: string): boolean {
    if (!this.dict.has(key)) return false;
    this.hooks.willModify(this, key);
    this.dict.delete(key);
    if (this.expires.size !== 0) this.expires.delete(key);
    if (this.keyTimestamps.size !== 0) this.keyTimestamps.delete(key);
    if (this.access !== null) this.access.meta.delete(key);
    return true;
  }

  getExpire(key: string): number | undefined {
    return this.expires.size === 0 ? undefined : this.expires.get(key);
  }

  setExpire(key: string, whenMs: number): void {
    this.hooks.willModify(this, key);
    this.expires.set(key, whenMs);
  }

  removeExpire(key: string): boolean {
    if (this.expires.size === 0 || !this.expires.has(key)) return false;
    this.hooks.willModify(this, key);
    return this.expires.delete(key);
  }

  /**
   * Drops everything in O(1): fresh maps replace the old ones, which the
   * garbage collector reclaims off the main path (FLUSHALL ASYNC never walks
   * the keyspace), and whoever still holds the old maps (a snapshot) keeps a
   * consistent view.
   */
  clear(): void {
    this.dict = new ShardedMap();
    this.expires = new ShardedMap();
    this.keyTimestamps = new ShardedMap();
    if (this.access !== null) this.access.reset();
  }

  /** SWAPDB: exchange contents with another db. */
  swapWith(other: Db): void {
    [this.dict, other.dict] = [other.dict, this.dict];
    [this.expires, other.expires] = [other.expires, this.expires];
    [this.keyTimestamps, other.keyTimestamps] = [other.keyTimestamps, this.keyTimestamps];
    [this.access, other.access] = [other.access, this.access];
  }
}
