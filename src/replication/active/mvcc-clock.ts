/**
 * The write clock of active replication: a hybrid logical clock whose value
 * is `milliseconds * 1024 + counter`. It never goes backwards, it moves past
 * any timestamp received from a peer (so a reply to a peer's write is always
 * newer than that write), and it stays a safe JS integer (< 2^53) until the
 * year 2248. Every write gets one value; every key remembers the value of
 * the write that last changed it (Db.keyTimestamps).
 *
 * KeyDB uses `ms << 20` for the same purpose; only the order matters to the
 * per-origin de-duplication, so the two interoperate on the wire.
 */

const COUNTER_SPAN = 1024;

export class MvccClock {
  private last = 0;

  /** A fresh timestamp, greater than every one issued or observed before. */
  next(): number {
    const wall = Date.now() * COUNTER_SPAN;
    this.last = wall > this.last ? wall : this.last + 1;
    return this.last;
  }

  /** Moves the clock past a timestamp seen on a replicated write. */
  observe(ts: number): void {
    if (ts > this.last) this.last = ts;
  }
}
