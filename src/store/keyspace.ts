/**
 * The keyspace: the numbered dbs and the policy hooks every Db calls —
 * lazy expiry (a master deletes an expired key and reports it, a replica
 * only hides it and waits for its master's DEL) and the modification hook
 * that WATCH and snapshots subscribe to.
 */
import { Db, DbHooks } from './db';
import type { ShardedMap } from './sharded-map';

/** A room interested in key events implements the ones it needs. */
export interface KeyspaceListener {
  /** An expired key was removed by this node (lazily or by the active cycle). */
  keyExpired?(db: Db, key: string): void;
  /** A key is about to change (WATCH invalidation, snapshot copy-on-write); runs on every write. */
  keyWillChange?(db: Db, key: string): void;
}

type KeyCallback = (db: Db, key: string) => void;

export class Keyspace implements DbHooks {
  readonly dbs: Db[];
  /** Replicas leave expiry to their master (Redis's expireIfNeeded). */
  isReplica = false;
  /** Set while a command from the master link runs: its keys are not logically expired. */
  isApplyingMasterStream = false;
  expiredKeys = 0;
  /** Per event, only the callbacks that exist: the write path calls no empty functions. */
  private expiredCallbacks: KeyCallback[] = [];
  private willChangeCallbacks: KeyCallback[] = [];

  constructor(count: number) {
    this.dbs = new Array(count);
    for (let i = 0; i < count; i++) this.dbs[i] = new Db(i, this);
  }

  /**
   * `isFirst` puts its keyWillChange ahead of the others: a snapshot must copy
   * a key (with its write timestamp) before any listener touches it.
   */
  addListener(l: KeyspaceListener, isFirst = false): void {
    if (l.keyExpired) this.expiredCallbacks.push(l.keyExpired.bind(l));
    if (l.keyWillChange) {
      const cb = l.keyWillChange.bind(l);
      if (isFirst) this.willChangeCallbacks.unshift(cb);
      else this.willChangeCallbacks.push(cb);
    }
  }

  expireIfNeeded(db: Db, key: string): boolean {
    if (this.isApplyingMasterStream) return false;
    if (this.isReplica) return true;
    this.deleteExpired(db, key);
    return true;
  }

  /** Removes a key whose TTL passed and tells the listeners (propagation as DEL). */
  deleteExpired(db: Db, key: string): void {
    db.deleteKey(key);
    this.expiredKeys++;
    for (const cb of this.expiredCallbacks) cb(db, key);
  }

  willModify(db: Db, key: string): void {
    const cbs = this.willChangeCallbacks;
    for (let i = 0; i < cbs.length; i++) cbs[i](db, key);
  }

  /** Set by the server: fires the keyspace `new` event (only when notifications are on). */
  onKeyAdded: ((db: Db, key: string) => void) | null = null;

  keyAdded(db: Db, key: string): void {
    if (this.onKeyAdded !== null) this.onKeyAdded(db, key);
  }

  /**
   * RANDOMKEY and random eviction: a Map offers no O(1) random access, so a
   * per-db iterator walks the keys round-robin and skips a random few each
   * call. Every key is reachable, each call is O(1) amortised; the choice is
   * spread out rather than uniform.
   */
  randomKey(db: Db): string | undefined {
    const dict = db.dict;
    if (dict.size === 0) return undefined;
    for (let attempt = 0; attempt < 100 && dict.size !== 0; attempt++) {
      const key = this.sampleKey(dict);
      if (key === undefined) return undefined;
      if (db.lookupRead(key) !== undefined) return key;
    }
    return undefined;
  }

  /**
   * A key of `map` (a db's dict or expires) by the round-robin walk with a
   * random skip, without lookup side effects (eviction samples with it).
   */
  sampleKey(map: ShardedMap<unknown>): string | undefined {
    const skip = Math.floor(Math.random() * Math.min(map.size, 16));
    let key: string | undefined;
    for (let i = 0; i <= skip; i++) key = this.nextRoundRobinKey(map);
    return key;
  }

  private roundRobin = new WeakMap<ShardedMap<unknown>, Iterator<string>>();

  private nextRoundRobinKey(dict: ShardedMap<unknown>): string | undefined {
    let it = this.roundRobin.get(dict);
    if (it === undefined) this.roundRobin.set(dict, (it = dict.keys()));
    let r = it.next();
    if (r.done) {
      it = dict.keys();
      this.roundRobin.set(dict, it);
      r = it.next();
    }
    return r.done ? undefined : r.value;
  }

  totalKeys(): number {
    let n = 0;
    for (const db of this.dbs) n += db.size;
    return n;
  }
}
