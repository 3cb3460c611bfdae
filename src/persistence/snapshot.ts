/**
 * Point-in-time snapshots without fork: the RDB image of the keyspace as it
 * was when `start` ran, produced a slice per event-loop turn (`sliceMs`,
 * ~2 ms) while clients keep writing. BGSAVE feeds it to a file; full sync
 * will feed the same bytes to any number of replica sockets at once.
 *
 * How it stays point-in-time (copy-on-write at key level):
 *
 *   start:   for each db, keep references to its Map objects (dict, expires,
 *            timestamps) and its sizes. FLUSHDB replaces a db's maps and
 *            SWAPDB exchanges them, so the captured maps are never emptied
 *            or swapped under us; only key-level changes need care.
 *   walk:    iterate each captured dict in order, serialize every key not
 *            yet `handled`, mark it handled.
 *   change:  the keyspace calls `beforeChange(db, key)` BEFORE a key is
 *            modified or deleted (or created). If the key belongs to a
 *            captured dict, is not handled and existed at start, its current
 *            (= start-time) value is serialized right now and marked; a key
 *            that did not exist is just marked, so the walk skips it when
 *            the Map's iterator reaches it at the end.
 *
 * Keys copied early for the db being written go straight into the stream
 * (slices end between keys, so the stream is at a key boundary); for a db
 * not reached yet they wait in that db's own chunk list and are emitted
 * right after its SELECTDB. A finished db needs nothing. `handled` holds
 * the keys of the db being walked (plus early copies of later dbs), so its
 * memory is bounded by the largest db, and it is dropped when the db is done.
 *
 * Output: the encoder fills large chunks; each goes, CRC-64 updated, to
 * every ByteSink. A sink returns false from write when it is full; the walk
 * then pauses until every full sink calls its drain callback (writes made by
 * copy-on-write still go out meanwhile: sinks must queue them). A huge
 * single key is serialized in one go (a known limit: keys are the unit).
 */
import type { Db } from '../store/db';
import type { Keyspace } from '../store/keyspace';
import type { RedisValue } from '../store/value';
import { Crc64 } from './crc64';
import { DEFAULT_CHUNK_BYTES, RdbEncoder } from './rdb-writer';

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

/** Records between two clock reads while walking. */
const KEYS_PER_CLOCK_CHECK = 16;
/** Chunk size for early copies of dbs not reached yet (usually few keys). */
const EARLY_CHUNK_BYTES = 16 * 1024;

/** One db as it was when the snapshot began. */
class DbView {
  /** Set while this db is being walked; null before and after. */
  iterator: Iterator<string> | null = null;
  isDone = false;
  /** Keys serialized (walked or copied early) or created since the start. */
  handled = new Set<string>();
  /** Early copies waiting for this db's turn. */
  earlyChunks: Buffer[] = [];
  earlyEncoder: RdbEncoder | null = null;

  constructor(
    readonly id: number,
    readonly dict: Map<string, RedisValue>,
    readonly expires: Map<string, number>,
    readonly timestamps: Map<string, number>,
    readonly keyCount: number,
    readonly expiresCount: number,
  ) {}
}

/**
 * The snapshots in progress, for the keyspace hook. The Keyspace keeps its
 * listeners for life, so one permanent listener forwards to whichever
 * snapshots run; with none running a write pays one length check.
 */
export class SnapshotRegistry {
  private active: Snapshot[] = [];

  constructor(readonly keyspace: Keyspace) {
    keyspace.addListener({
      keyExpired: () => undefined,
      keyWillChange: (db, key) => {
        const list = this.active;
        for (let i = 0; i < list.length; i++) list[i].beforeChange(db, key);
      },
    });
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
  private readonly viewByDict = new Map<Map<string, RedisValue>, DbView>();
  private current = 0;
  private readonly encoder: RdbEncoder;
  private readonly crc: Crc64 | null;
  private readonly sinks: ByteSink[] = [];
  private readonly waitingSinks = new Set<ByteSink>();
  private state = State.New;
  private isScheduled = false;

  startedAtMs = 0;
  keysTotal = 0;
  keysWritten = 0;
  /** Keys and bytes serialized early because they were about to change (INFO rdb_last_cow_size). */
  cowKeys = 0;
  cowBytes = 0;
  /** Called once every byte, checksum included, was handed to the sinks. */
  onFinish: (() => void) | null = null;

  constructor(
    private readonly registry: SnapshotRegistry,
    private readonly options: SnapshotOptions,
  ) {
    this.encoder = new RdbEncoder((chunk) => this.emit(chunk), options.isCompressing, options.chunkBytes ?? DEFAULT_CHUNK_BYTES);
    this.crc = options.hasChecksum ? new Crc64() : null;
  }

  get isRunning(): boolean {
    return this.state === State.Running;
  }

  /** Bytes produced so far. */
  get bytesWritten(): number {
    return this.encoder.bytesWritten;
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

  /** SAVE: the whole snapshot now, blocking (nothing can change meanwhile). */
  runToCompletion(): void {
    this.begin();
    this.walk(Infinity);
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
    this.startedAtMs = Date.now();
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
    const enc = this.encoder;
    let n = 0;
    while (this.current < views.length) {
      const view = views[this.current];
      if (view.keyCount === 0) {
        this.current++;
        continue;
      }
      if (view.iterator === null) this.enterDb(view);
      const it = view.iterator!;
      const { dict, expires, timestamps, handled } = view;
      for (;;) {
        const r = it.next();
        if (r.done === true) break;
        const key = r.value;
        if (handled.has(key)) continue;
        handled.add(key);
        enc.keyValue(key, dict.get(key)!, expires.size === 0 ? -1 : expires.get(key) ?? -1, timestamps.size === 0 ? -1 : timestamps.get(key) ?? -1);
        this.keysWritten++;
        if (++n % KEYS_PER_CLOCK_CHECK === 0 && (this.waitingSinks.size > 0 || this.state !== State.Running || performance.now() >= deadline)) return false;
      }
      this.leaveDb(view);
      this.current++;
    }
    return true;
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
    view.iterator = view.dict.keys();
  }

  private leaveDb(view: DbView): void {
    view.iterator = null;
    view.isDone = true;
    view.handled = new Set();
    this.viewByDict.delete(view.dict);
  }

  /** Keyspace hook: a key of some db is about to change. */
  beforeChange(db: Db, key: string): void {
    const view = this.viewByDict.get(db.dict);
    if (view === undefined || view.handled.has(key)) return;
    view.handled.add(key);
    const value = view.dict.get(key);
    if (value === undefined) return; // created after the start: not part of this snapshot
    const expireAt = view.expires.size === 0 ? -1 : view.expires.get(key) ?? -1;
    const mvcc = view.timestamps.size === 0 ? -1 : view.timestamps.get(key) ?? -1;
    let enc = this.encoder;
    if (view.iterator === null) {
      if (view.earlyEncoder === null) {
        const chunks = view.earlyChunks;
        view.earlyEncoder = new RdbEncoder((chunk) => chunks.push(chunk), this.options.isCompressing, EARLY_CHUNK_BYTES);
      }
      enc = view.earlyEncoder;
    }
    const before = enc.bytesWritten;
    enc.keyValue(key, value, expireAt, mvcc);
    this.cowBytes += enc.bytesWritten - before;
    this.cowKeys++;
    this.keysWritten++;
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
    this.registry.remove(this);
    this.viewByDict.clear();
    this.views = [];
  }
}
