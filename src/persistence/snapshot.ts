/**
 * Point-in-time snapshots without fork: the RDB image of the keyspace as it
 * was when `start` ran, produced a slice per event-loop turn (`sliceMs`,
 * ~1 ms) while clients keep writing. BGSAVE feeds it to a file; full sync
 * will feed the same bytes to any number of replica sockets at once.
 *
 * How it stays point-in-time (copy-on-write at key level):
 *
 *   start:   for each db, keep references to its Map objects (dict, expires,
 *            timestamps) and its sizes. FLUSHDB replaces a db's maps and
 *            SWAPDB exchanges them, so the captured maps are never emptied
 *            or swapped under us; only key-level changes need care.
 *   walk:    iterate each captured dict in insertion order; serialize every
 *            key not in `early` and append it to `visited`.
 *   change:  the keyspace calls `beforeChange(db, key)` BEFORE a key is
 *            modified or deleted (or created). A key of a captured dict not
 *            yet in `early` joins it, so the walk skips it from now on (a
 *            key deleted and created again, or created after the start,
 *            comes round at the end of the Map's order). If it existed at
 *            start, its current (= start-time) value is serialized now:
 *              - db not reached yet: into that db's early chunks, emitted
 *                right after its SELECTDB;
 *              - db being walked: into `pending`, because the walk may
 *                already have written it; when the walk of the db ends, a
 *                scan of `visited` drops the copies of keys it wrote and
 *                the rest go into the stream;
 *              - db walked completely: nothing to do.
 *
 * `visited` is a list of arrays, not a Set: appending costs a few ns and no
 * hashing, a big Set would rehash all its entries at once when it grows (a
 * stall of tens of ms at a million keys) and keep the GC busy, and the only
 * question asked of it ("was this key written?") is answered once per db by
 * a time-sliced scan, and only when keys changed during that db's walk.
 * Memory: 8 bytes per key of the db being walked, dropped when it is done.
 * SAVE runs with nothing changing, so it keeps nothing and uses forEach.
 *
 * Output: the encoder fills large chunks; each goes, CRC-64 updated, to
 * every ByteSink. A sink returns false from write when it is full; the walk
 * then pauses until every full sink calls its drain callback. The pause is
 * checked between keys, so a sink must still accept the few chunks that
 * come before it takes effect.
 *
 * Big collections: the walk writes a collection's elements in steps of
 * ELEMENTS_PER_CLOCK_CHECK and may end a slice inside one (`partial`, an
 * index or a sorted-set node). If that key is about to change, the rest of
 * it is written at once first, so the file holds its start-time content.
 * A copy-on-write of a big key not reached yet is still made in one go.
 */
import type { Db } from '../store/db';
import type { Keyspace } from '../store/keyspace';
import type { Collection, RedisValue } from '../store/value';
import { Crc64 } from './crc64';
import { DEFAULT_CHUNK_BYTES, ElementCursor, RdbEncoder } from './rdb-writer';
import type { ShardedMap } from '../store/sharded-map';

/** Where snapshot bytes go: a file (BGSAVE) or, later, a replica socket. */
export interface ByteSink {
  /** Takes a chunk (the sink may keep it). False: full, call the drain callback when it can take more. */
  write(chunk: Buffer): boolean;
  /** After write returned false: calls resume once when there is room again. */
  onDrain(resume: () => void): void;
  /** The RDB is complete (the last chunk held the checksum). */
  end(): void;
  /** The snapshot was abandoned: the bytes so far are not a valid RDB. */
  abort(reason: string): void;
}

export interface SnapshotOptions {
  /** rdbcompression: LZF for strings longer than 20 bytes. */
  isCompressing: boolean;
  /** rdbchecksum: a CRC-64 trailer, or 8 zero bytes (Redis's "checksum disabled"). */
  hasChecksum: boolean;
  /** AUX fields after the header, in order (redis-ver, redis-bits, ctime, ...). */
  aux: readonly (readonly [string, string])[];
  /** Work per event-loop turn, in ms. */
  sliceMs: number;
  chunkBytes?: number;
}

const enum State {
  New,
  Running,
  Finished,
  Aborted,
}

/** Keys between two clock reads while walking or scanning. */
const KEYS_PER_CLOCK_CHECK = 16;
/** Elements of one collection between two clock reads. */
const ELEMENTS_PER_CLOCK_CHECK = 256;
/** Chunk size for early copies of dbs not reached yet (usually few keys). */
const EARLY_CHUNK_BYTES = 16 * 1024;
/** Chunk size for one key's copy (copied out at its exact size: many may wait). */
const COPY_CHUNK_BYTES = 512;
/**
 * Arrays of `visited` kept for the next snapshot (cleared): allocating
 * megabytes of them per BGSAVE fed old-space growth and so the major GCs
 * whose final pause clients feel. Capped so an idle server keeps little.
 */
const spareVisitedArrays: (string | undefined)[][] = [];
const MAX_SPARE_VISITED_ARRAYS = 32;
/** Keys per array of `visited`. */
const VISITED_CHUNK_KEYS = 65536;

const enum DbPhase {
  /** The walk has not reached this db. */
  Waiting,
  Walking,
  /** Walk done; pending copies are being checked against `visited`. */
  Resolving,
  Done,
}

/** One db as it was when the snapshot began. */
class DbView {
  phase = DbPhase.Waiting;
  iterator: Iterator<[string, RedisValue]> | null = null;
  /** Keys the walk wrote, in arrays of VISITED_CHUNK_KEYS. */
  visited: (string | undefined)[][] = [];
  visitedCount = 0;
  /** Keys copied early, or created since the start: the walk skips them. */
  early = new Set<string>();
  /** Copies made while this db is walked, by key, until checked against `visited`. */
  pending = new Map<string, Buffer>();
  /** Resolving: how far the scan of `visited` got. */
  scanned = 0;
  /** Copies made before the walk reached this db (emitted after its SELECTDB). */
  earlyChunks: Buffer[] = [];
  earlyEncoder: RdbEncoder | null = null;

  constructor(
    readonly id: number,
    readonly dict: ShardedMap<RedisValue>,
    readonly expires: ShardedMap<number>,
    readonly timestamps: ShardedMap<number>,
    readonly keyCount: number,
    readonly expiresCount: number,
  ) {}

  addVisited(key: string): void {
    const i = this.visitedCount++ % VISITED_CHUNK_KEYS;
    if (i === 0) this.visited.push(spareVisitedArrays.pop() ?? new Array<string | undefined>(VISITED_CHUNK_KEYS));
    this.visited[this.visited.length - 1][i] = key;
  }

  /** Hands the arrays back, emptied so they hold no dead keys alive. */
  releaseVisited(): void {
    for (const arr of this.visited) {
      if (spareVisitedArrays.length >= MAX_SPARE_VISITED_ARRAYS) break;
      arr.fill(undefined);
      spareVisitedArrays.push(arr);
    }
    this.visited = [];
    this.visitedCount = 0;
  }
}

/**
 * The snapshots in progress, for the keyspace hook. The Keyspace keeps its
 * listeners for life, so one permanent listener forwards to whichever
 * snapshots run; with none running a write pays one length check.
 */
export class SnapshotRegistry {
  private active: Snapshot[] = [];

  constructor(readonly keyspace: Keyspace) {
    // First: active replication stamps the key in the same hook, and the copy needs the old stamp.
    keyspace.addListener(
      {
        keyWillChange: (db, key) => {
          const list = this.active;
          for (let i = 0; i < list.length; i++) list[i].beforeChange(db, key);
        },
      },
      true,
    );
  }

  get count(): number {
    return this.active.length;
  }

  add(s: Snapshot): void {
    this.active.push(s);
  }

  remove(s: Snapshot): void {
    const i = this.active.indexOf(s);
    if (i >= 0) this.active.splice(i, 1);
  }
}

export class Snapshot {
  private views: DbView[] = [];
  /** Captured dict → its view, while the db is not done (copy-on-write lookup). */
  private readonly viewByDict = new Map<ShardedMap<RedisValue>, DbView>();
  private current = 0;
  private readonly encoder: RdbEncoder;
  private readonly crc: Crc64 | null;
  private readonly sinks: ByteSink[] = [];
  private readonly waitingSinks = new Set<ByteSink>();
  private state = State.New;
  private isScheduled = false;

  keysTotal = 0;
  keysWritten = 0;
  /** Keys and bytes serialized early because they were about to change (INFO rdb_last_cow_size). */
  cowKeys = 0;
  cowBytes = 0;
  /** Called once every byte, checksum included, was handed to the sinks. */
  onFinish: (() => void) | null = null;
  /** A collection the walk is in the middle of (a slice ended inside it). */
  private partial: { dict: ShardedMap<RedisValue>; key: string; value: Collection; cursor: ElementCursor } | null = null;
  /** Serializes the copies made while their db is walked, one key at a time. */
  private readonly copyEncoder: RdbEncoder;
  private readonly copyParts: Buffer[] = [];

  constructor(
    private readonly registry: SnapshotRegistry,
    private readonly options: SnapshotOptions,
  ) {
    this.encoder = new RdbEncoder((chunk) => this.emit(chunk), options.isCompressing, options.chunkBytes ?? DEFAULT_CHUNK_BYTES);
    this.copyEncoder = new RdbEncoder((chunk) => this.copyParts.push(chunk), options.isCompressing, COPY_CHUNK_BYTES);
    this.crc = options.hasChecksum ? new Crc64() : null;
  }

  /** Sinks join before start (a sink joining later would miss the beginning). */
  addSink(sink: ByteSink): void {
    if (this.state !== State.New) throw new Error('a sink must join a snapshot before it starts');
    this.sinks.push(sink);
  }

  /** A sink that failed leaves; the snapshot ends when none is left. */
  removeSink(sink: ByteSink, reason: string): void {
    const i = this.sinks.indexOf(sink);
    if (i < 0) return;
    this.sinks.splice(i, 1);
    this.waitingSinks.delete(sink);
    if (this.sinks.length === 0) this.abort(reason);
    else if (this.waitingSinks.size === 0) this.schedule();
  }

  /** Takes the point-in-time view now and walks it in slices from the next turn on. */
  start(): void {
    this.begin();
    this.registry.add(this);
    this.schedule();
  }

  /** SAVE: the whole snapshot now, blocking; nothing changes meanwhile, so no bookkeeping. */
  runToCompletion(): void {
    this.begin();
    const enc = this.encoder;
    for (const view of this.views) {
      if (view.keyCount === 0) continue;
      this.enterDb(view);
      const { expires, timestamps } = view;
      view.dict.forEach((value, key) => {
        enc.keyValue(key, value, expires.size === 0 ? -1 : expires.get(key) ?? -1, timestamps.size === 0 ? -1 : timestamps.get(key) ?? -1);
      });
      this.keysWritten += view.keyCount;
      this.leaveDb(view);
    }
    this.finish();
  }

  abort(reason: string): void {
    if (this.state !== State.Running && this.state !== State.New) return;
    this.state = State.Aborted;
    this.release();
    for (const s of this.sinks.splice(0)) s.abort(reason);
  }

  private begin(): void {
    this.state = State.Running;
    for (const db of this.registry.keyspace.dbs) {
      const view = new DbView(db.id, db.dict, db.expires, db.keyTimestamps, db.dict.size, db.expires.size);
      this.views.push(view);
      this.keysTotal += view.keyCount;
      if (view.keyCount > 0) this.viewByDict.set(view.dict, view);
    }
    this.encoder.header();
    for (const [name, value] of this.options.aux) this.encoder.aux(name, value);
  }

  private schedule(): void {
    if (this.isScheduled || this.state !== State.Running) return;
    this.isScheduled = true;
    setImmediate(this.runSlice);
  }

  private readonly runSlice = (): void => {
    this.isScheduled = false;
    if (this.state !== State.Running || this.waitingSinks.size > 0) return;
    const isComplete = this.walk(performance.now() + this.options.sliceMs);
    if (this.state !== State.Running) return; // a sink aborted it mid-slice
    if (isComplete) this.finish();
    else this.schedule();
  };

  /** Serializes keys until the deadline or a full sink; true when every db is done. */
  private walk(deadline: number): boolean {
    const views = this.views;
    while (this.current < views.length) {
      const view = views[this.current];
      if (view.phase === DbPhase.Waiting) {
        if (view.keyCount === 0) {
          view.phase = DbPhase.Done;
          this.current++;
          continue;
        }
        this.enterDb(view);
        view.iterator = view.dict.entries();
        view.phase = DbPhase.Walking;
      }
      if (view.phase === DbPhase.Walking && !this.walkDb(view, deadline)) return false;
      if (view.phase === DbPhase.Resolving && !this.resolvePending(view, deadline)) return false;
      this.leaveDb(view);
      this.current++;
    }
    return true;
  }

  /** Writes the db's keys; true once its iterator is exhausted. */
  private walkDb(view: DbView, deadline: number): boolean {
    if (this.partial !== null && !this.continuePartial(deadline)) return false;
    const enc = this.encoder;
    const it = view.iterator!;
    const { expires, timestamps, early } = view;
    let n = 0;
    for (;;) {
      // entries(), not keys() + get(): the value comes without a second hash lookup.
      const r = it.next();
      if (r.done === true) break;
      const key = r.value[0];
      if (early.size !== 0 && early.has(key)) continue;
      view.addVisited(key);
      const value = r.value[1];
      const cursor = enc.beginKey(key, value, expires.size === 0 ? -1 : expires.get(key) ?? -1, timestamps.size === 0 ? -1 : timestamps.get(key) ?? -1);
      this.keysWritten++;
      if (cursor !== null) {
        this.partial = { dict: view.dict, key, value: value as Collection, cursor };
        if (!this.continuePartial(deadline)) return false;
      }
      if (++n % KEYS_PER_CLOCK_CHECK === 0 && this.mustPause(deadline)) return false;
    }
    view.iterator = null;
    view.phase = DbPhase.Resolving;
    return true;
  }

  /** Writes the elements of the collection in progress; false when the slice ends first. */
  private continuePartial(deadline: number): boolean {
    const p = this.partial!;
    let cursor: ElementCursor | null = p.cursor;
    while (cursor !== null) {
      cursor = this.encoder.elements(p.value, cursor, ELEMENTS_PER_CLOCK_CHECK);
      if (cursor !== null && this.mustPause(deadline)) {
        p.cursor = cursor;
        return false;
      }
    }
    this.partial = null;
    return true;
  }

  /** Drops the pending copies of keys the walk wrote, then emits the others. */
  private resolvePending(view: DbView, deadline: number): boolean {
    const pending = view.pending;
    let n = 0;
    while (pending.size !== 0 && view.scanned < view.visitedCount) {
      const i = view.scanned++;
      pending.delete(view.visited[(i / VISITED_CHUNK_KEYS) | 0][i % VISITED_CHUNK_KEYS]!);
      if (++n % (KEYS_PER_CLOCK_CHECK * 64) === 0 && this.mustPause(deadline)) return false;
    }
    if (pending.size !== 0) {
      this.encoder.flush();
      for (const copy of pending.values()) this.emit(copy);
      this.keysWritten += pending.size;
    }
    return true;
  }

  private mustPause(deadline: number): boolean {
    return this.waitingSinks.size > 0 || this.state !== State.Running || performance.now() >= deadline;
  }

  /** SELECTDB, RESIZEDB with the start-time sizes, then the db's early copies. */
  private enterDb(view: DbView): void {
    this.encoder.selectDb(view.id);
    this.encoder.resizeDb(view.keyCount, view.expiresCount);
    if (view.earlyEncoder !== null) {
      view.earlyEncoder.flush();
      view.earlyEncoder = null;
      this.encoder.flush();
      for (const chunk of view.earlyChunks) this.emit(chunk);
      view.earlyChunks = [];
    }
  }

  private leaveDb(view: DbView): void {
    view.phase = DbPhase.Done;
    view.releaseVisited();
    view.early = new Set();
    view.pending = new Map();
    this.viewByDict.delete(view.dict);
  }

  /** Keyspace hook: a key of some db is about to change. */
  beforeChange(db: Db, key: string): void {
    const partial = this.partial;
    // The collection being written is finished before it changes: the rest is its start-time content.
    if (partial !== null && partial.key === key && partial.dict === db.dict) this.continuePartial(Infinity);
    const view = this.viewByDict.get(db.dict);
    if (view === undefined || view.early.has(key)) return;
    view.early.add(key);
    // After its walk, every key of the db not in `early` is already written.
    if (view.phase !== DbPhase.Waiting && view.phase !== DbPhase.Walking) return;
    const value = view.dict.get(key);
    if (value === undefined) return; // created after the start: not part of this snapshot
    const expireAt = view.expires.size === 0 ? -1 : view.expires.get(key) ?? -1;
    const mvcc = view.timestamps.size === 0 ? -1 : view.timestamps.get(key) ?? -1;
    let enc = view.earlyEncoder;
    if (view.phase === DbPhase.Walking) {
      enc = this.copyEncoder;
    } else if (enc === null) {
      const chunks = view.earlyChunks;
      enc = view.earlyEncoder = new RdbEncoder((chunk) => chunks.push(chunk), this.options.isCompressing, EARLY_CHUNK_BYTES);
    }
    const before = enc.bytesWritten;
    enc.keyValue(key, value, expireAt, mvcc);
    this.cowBytes += enc.bytesWritten - before;
    this.cowKeys++;
    if (view.phase === DbPhase.Walking) {
      enc.flush();
      view.pending.set(key, Buffer.concat(this.copyParts));
      this.copyParts.length = 0;
    } else {
      this.keysWritten++;
    }
  }

  private emit(chunk: Buffer): void {
    if (this.crc !== null) this.crc.update(chunk);
    this.deliver(chunk);
  }

  private deliver(chunk: Buffer): void {
    for (let i = 0; i < this.sinks.length; i++) {
      const sink = this.sinks[i];
      if (!sink.write(chunk) && !this.waitingSinks.has(sink)) {
        this.waitingSinks.add(sink);
        sink.onDrain(() => {
          this.waitingSinks.delete(sink);
          if (this.waitingSinks.size === 0) this.schedule();
        });
      }
    }
  }

  private finish(): void {
    this.encoder.eof();
    this.encoder.flush();
    this.deliver(this.crc !== null ? this.crc.digestBytes() : Buffer.alloc(8));
    this.state = State.Finished;
    this.release();
    for (const s of this.sinks) s.end();
    if (this.onFinish !== null) this.onFinish();
  }

  private release(): void {
    this.partial = null;
    for (const view of this.views) view.releaseVisited();
    this.registry.remove(this);
    this.viewByDict.clear();
    this.views = [];
  }
}
