/**
 * Loading an RDB file into the keyspace: `dir`/`dbfilename` at startup
 * (Redis's loadDataFromDisk + rdbLoad) and the file a replica received in a
 * full sync (readSyncBulkPayload). The server already listens: the file is decoded in slices of
 * LOAD_SLICE_MS so clients get `-LOADING` (the gate in persistence.ts) and
 * INFO shows `loading:1` with progress, instead of a server that hangs.
 * Reading the file is synchronous; that is allowed before serving.
 *
 * Keys go straight into the db maps: nobody can observe the keyspace while
 * it loads (every data command is refused), so WATCH and snapshot hooks have
 * nothing to do. As a master, keys already expired are dropped (counted in
 * rdb_last_load_keys_expired); a replica keeps them for its master's DELs.
 * A KeyDB active replica merges a master's RDB into its live data instead
 * (newer mvcc-tstamp wins per key), through the Db methods.
 *
 * A corrupt or truncated file rejects with the RdbError (offset and reason):
 * the caller refuses to start and the file is left untouched.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { D } from '../config/directives';
import { log } from '../log';
import type { Server } from '../server/server';
import { isCurrentKept } from '../replication/active/last-writer-wins';
import type { Db } from '../store/db';
import type { RedisValue } from '../store/value';
import { RdbLoadTarget, RdbReader, ReadStatus } from './rdb-reader';
import type { RdbPersistence, ReplicationAuxFields } from './save';

/** Event-loop time one loading slice may take before -LOADING replies go out. */
const LOAD_SLICE_MS = 20;
const READ_CHUNK_BYTES = 4 * 1024 * 1024;
const PROGRESS_LOG_INTERVAL_MS = 2000;

const enum LoadMode {
  /** Into empty dbs, dropping keys already expired (a master's dump). */
  Master,
  /** Into empty dbs, keeping every key (a replica waits for its master's DELs). */
  Replica,
  /** Into the live dataset, newer mvcc-tstamp winning per key (KeyDB active replica). */
  Merge,
}

/** Puts decoded keys into the keyspace and logs the AUX fields Redis logs. */
class KeyspaceLoadTarget implements RdbLoadTarget {
  keysLoaded = 0;
  keysExpired = 0;
  usedMem = 0;
  readonly replication: Partial<ReplicationAuxFields> = {};
  private readonly nowMs = Date.now();

  constructor(
    private readonly dbs: readonly Db[],
    private readonly mode: LoadMode,
  ) {}

  addKey(dbId: number, key: string, value: RedisValue, expireAtMs: number, mvcc: number): boolean {
    if (this.mode === LoadMode.Merge) return this.mergeKey(this.dbs[dbId], key, value, expireAtMs, mvcc);
    if (expireAtMs !== -1 && this.mode === LoadMode.Master && expireAtMs < this.nowMs) {
      this.keysExpired++;
      return true;
    }
    // Empty dbs nobody can read yet (-LOADING): straight into the maps, no hooks.
    const db = this.dbs[dbId];
    const dict = db.dict;
    const before = dict.size;
    dict.set(key, value);
    if (dict.size === before) return false;
    if (expireAtMs !== -1) db.expires.set(key, expireAtMs);
    if (mvcc !== -1) db.keyTimestamps.set(key, mvcc);
    this.keysLoaded++;
    return true;
  }

  /**
   * KeyDB's dbMerge (replace mode): a missing key is inserted; an existing
   * one is replaced unless last-writer-wins keeps it (a newer stamp; on a tie
   * between two strings, the greater). A key without a stamp in the file
   * counts as newest, as KeyDB reads the missing stamp as the maximum; a
   * local key without one counts as oldest. The dataset is live, so this
   * goes through the Db methods (WATCH, snapshot copy-on-write). Duplicates
   * inside the file cannot be told from local keys here: the last one wins.
   */
  private mergeKey(db: Db, key: string, value: RedisValue, expireAtMs: number, mvcc: number): boolean {
    const currentStamp = db.keyTimestamps.get(key);
    if (mvcc !== -1 && currentStamp !== undefined && db.dict.has(key) && isCurrentKept(currentStamp, db.dict.get(key), mvcc, value)) return true;
    db.setKey(key, value);
    if (expireAtMs !== -1) db.setExpire(key, expireAtMs);
    if (mvcc !== -1) db.keyTimestamps.set(key, mvcc);
    else db.keyTimestamps.delete(key);
    this.keysLoaded++;
    return true;
  }

  aux(name: string, value: string): void {
    switch (name) {
      case 'redis-ver':
        log.info(`Loading RDB produced by version ${value}`);
        break;
      case 'ctime': {
        const age = Math.floor(Date.now() / 1000) - Number(value);
        log.info(`RDB age ${age < 0 ? 0 : age} seconds`);
        break;
      }
      case 'used-mem':
        this.usedMem = Number(value) || 0;
        log.info(`RDB memory usage when created ${(this.usedMem / (1024 * 1024)).toFixed(2)} Mb`);
        break;
      case 'repl-stream-db':
        this.replication.streamDb = Number(value);
        break;
      case 'repl-id':
        this.replication.replId = value;
        break;
      case 'repl-offset':
        this.replication.replOffset = Number(value);
        break;
      case 'redis-bits':
      case 'aof-base':
      case 'aof-preamble':
      case 'lua':
        break;
      default:
        if (name.startsWith('%')) log.info(`RDB '${name}': ${value}`);
        else log.debug({ name }, 'Unrecognized RDB AUX field');
    }
  }

  warn(message: string): void {
    log.warn(message);
  }
}

export interface LoadResult {
  keysLoaded: number;
  keysExpired: number;
  /** repl-stream-db, repl-id, repl-offset when the file carried them. */
  replication: Partial<ReplicationAuxFields>;
}

/**
 * Loads the dump if there is one (nothing happens when the file is missing).
 * Rejects with an RdbError or an I/O error: the caller refuses to start.
 */
export async function loadAtStartup(server: Server, persistence: RdbPersistence): Promise<LoadResult | null> {
  const config = server.config;
  const path = resolve(config.get(D.dir), config.get(D.dbfilename));
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  return persistence.serializeLoad(() => loadRdbFile(server, persistence, path, fd, server.keyspace.isReplica ? LoadMode.Replica : LoadMode.Master));
}

/**
 * A replica's full sync: the dataset is replaced by the RDB in path (a
 * running BGSAVE of the old dataset is stopped, as Redis does). On failure
 * the half-loaded data is flushed again, so a failed sync never leaves a mix.
 * With `merge` (KeyDB active replicas) the file is folded into the live
 * dataset instead, key by key (see mergeKey); a failure leaves what was merged.
 */
export function loadReplicaRdb(server: Server, persistence: RdbPersistence, path: string, merge: boolean): Promise<LoadResult> {
  return persistence.serializeLoad(async () => {
    if (merge) return loadRdbFile(server, persistence, path, openSync(path, 'r'), LoadMode.Merge);
    persistence.killBgsave('replaced by a full sync from the master');
    flushAll(server);
    try {
      return await loadRdbFile(server, persistence, path, openSync(path, 'r'), LoadMode.Replica);
    } catch (e) {
      flushAll(server);
      throw e;
    }
  });
}

/** Empties every db as FLUSHALL does (WATCHers see their keys change; snapshots keep the old maps). */
function flushAll(server: Server): void {
  for (const db of server.keyspace.dbs) {
    server.watches.touchAllInDb(db);
    db.clear();
  }
}

/** Decodes the open file into the keyspace in slices; closes fd. */
async function loadRdbFile(server: Server, persistence: RdbPersistence, path: string, fd: number, mode: LoadMode): Promise<LoadResult> {
  const config = server.config;
  const startedAt = performance.now();
  const target = new KeyspaceLoadTarget(server.keyspace.dbs, mode);
  const reader = new RdbReader(target, { databases: server.keyspace.dbs.length, verifyChecksum: config.get(D.rdbchecksum) });
  const progress = { startedAtSec: Math.floor(Date.now() / 1000), totalBytes: fstatSync(fd).size, loadedBytes: 0, rdbUsedMem: 0 };
  persistence.loading = progress;
  let nextProgressLogMs = Date.now() + PROGRESS_LOG_INTERVAL_MS;
  try {
    await new Promise<void>((done, fail) => {
      const slice = (): void => {
        try {
          const deadline = performance.now() + LOAD_SLICE_MS;
          for (;;) {
            const status = reader.parse(Math.max(0, deadline - performance.now()));
            progress.loadedBytes = reader.offset;
            progress.rdbUsedMem = target.usedMem;
            if (status === ReadStatus.Done) return done();
            if (status === ReadStatus.Yield) break;
            const chunk = Buffer.allocUnsafe(READ_CHUNK_BYTES);
            const n = readSync(fd, chunk, 0, READ_CHUNK_BYTES, null);
            if (n === 0) reader.finish();
            else reader.feed(n === READ_CHUNK_BYTES ? chunk : chunk.subarray(0, n));
          }
          if (Date.now() >= nextProgressLogMs) {
            nextProgressLogMs = Date.now() + PROGRESS_LOG_INTERVAL_MS;
            const perc = progress.totalBytes === 0 ? 100 : (progress.loadedBytes * 100) / progress.totalBytes;
            log.info({ loadedBytes: progress.loadedBytes, totalBytes: progress.totalBytes, keys: target.keysLoaded }, `Loading RDB: ${perc.toFixed(1)}%`);
          }
          setImmediate(slice);
        } catch (e) {
          fail(e);
        }
      };
      slice();
    });
  } finally {
    closeSync(fd);
    persistence.loading = null;
  }
  persistence.lastLoadKeysLoaded = target.keysLoaded;
  persistence.lastLoadKeysExpired = target.keysExpired;
  log.info(`Done loading RDB, keys loaded: ${target.keysLoaded}, keys expired: ${target.keysExpired}.`);
  log.info({ file: path, bytes: progress.totalBytes }, `DB loaded from disk: ${((performance.now() - startedAt) / 1000).toFixed(3)} seconds`);
  return { keysLoaded: target.keysLoaded, keysExpired: target.keysExpired, replication: target.replication };
}
