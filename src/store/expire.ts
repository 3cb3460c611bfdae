/**
 * Active expiry: each cron tick spends a bounded slice of time removing keys
 * whose TTL passed, so keys nobody reads still go away (Redis's
 * activeExpireCycle). Instead of random sampling, each db keeps a cursor that
 * walks its expires map round-robin: every volatile key is visited once per
 * sweep, and a slice stops at its time budget so the loop never stalls.
 */
import type { Db } from './db';
import type { Keyspace } from './keyspace';
import type { ShardedMap } from './sharded-map';

const KEYS_PER_CHECK = 20;

export class ActiveExpire {
  private cursors = new WeakMap<ShardedMap<number>, Iterator<[string, number]>>();
  private nextDb = 0;
  /** DEBUG SET-ACTIVE-EXPIRE 0 turns the cycle off (tests of lazy expiry use it). */
  isEnabled = true;
  /** The last cycle ran out of time with expired keys still being found. */
  stoppedAtDeadline = false;

  constructor(private readonly keyspace: Keyspace) {}

  /** Runs for at most budgetMs; returns the number of keys removed. */
  cycle(budgetMs: number): number {
    this.stoppedAtDeadline = false;
    if (this.keyspace.isReplica || !this.isEnabled) return 0;
    const deadline = performance.now() + budgetMs;
    const dbs = this.keyspace.dbs;
    let removed = 0;
    for (let visited = 0; visited < dbs.length; visited++) {
      const db = dbs[this.nextDb];
      if (db.expires.size !== 0) removed += this.sweep(db, deadline);
      if (performance.now() >= deadline) {
        // Come back to this db next time: it may still hold expired keys.
        this.stoppedAtDeadline = true;
        break;
      }
      this.nextDb = (this.nextDb + 1) % dbs.length;
    }
    return removed;
  }

  private sweep(db: Db, deadline: number): number {
    let removed = 0;
    for (;;) {
      const now = Date.now();
      let expiredHere = 0;
      let checked = 0;
      for (; checked < KEYS_PER_CHECK; checked++) {
        const entry = this.advance(db.expires);
        if (entry === null) break;
        if (entry[1] <= now) {
          this.keyspace.deleteExpired(db, entry[0]);
          expiredHere++;
        }
      }
      removed += expiredHere;
      // Like Redis: keep going while more than 10% of what we saw had expired.
      if (checked === 0 || expiredHere * 10 < checked || performance.now() >= deadline) return removed;
    }
  }

  /** Next entry of the db's expires map, wrapping around; null when it is empty. */
  private advance(expires: ShardedMap<number>): [string, number] | null {
    let it = this.cursors.get(expires);
    if (it === undefined) {
      it = expires.entries();
      this.cursors.set(expires, it);
    }
    let r = it.next();
    if (r.done) {
      if (expires.size === 0) return null;
      it = expires.entries();
      this.cursors.set(expires, it);
      r = it.next();
      if (r.done) return null;
    }
    return r.value;
  }
}
