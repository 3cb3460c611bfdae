/**
 * Saving the dataset: SAVE (blocking, like Redis), BGSAVE (an incremental
 * snapshot written asynchronously), the `save <seconds> <changes>` rules
 * checked from the cron, the save at shutdown, and the counters INFO
 * persistence reports. Mirrors rdbSave / rdbSaveBackground /
 * backgroundSaveDoneHandler and the save-point check of serverCron.
 *
 * State: at most one BGSAVE (`job`) at a time. When it ends well, the dirty
 * counter drops by the changes it covered (those made while it ran remain,
 * as in Redis) and lastsave moves; when it fails, `isLastBgsaveOk` turns
 * false, which blocks writes with MISCONF under stop-writes-on-bgsave-error
 * and delays automatic retries by BGSAVE_RETRY_DELAY_MS.
 *
 * Loading at startup lives in load.ts; this file only carries its INFO
 * counters (`loading`) because INFO reads them all in one place.
 */
import { D } from '../config/directives';
import { log } from '../log';
import { usedMemory } from '../server/info';
import { Server, VERSION } from '../server/server';
import { RdbFileSink, rdbPaths, RdbSyncFileSink } from './rdb-file';
import { Snapshot, SnapshotRegistry } from './snapshot';

/** Event-loop time a BGSAVE slice may take. */
export const BGSAVE_SLICE_MS = 1;
/** CONFIG_BGSAVE_RETRY_DELAY: after a failure, automatic saves wait this long. */
const BGSAVE_RETRY_DELAY_MS = 5000;

/** Replication fields a snapshot carries (repl-stream-db, repl-id, repl-offset). */
export interface ReplicationAuxFields {
  streamDb: number;
  replId: string;
  replOffset: number;
}

/** A load in progress (INFO loading_* fields). */
export interface LoadingProgress {
  startedAtSec: number;
  totalBytes: number;
  loadedBytes: number;
  /** used-mem AUX of the file being loaded. */
  rdbUsedMem: number;
}

interface BgsaveJob {
  snapshot: Snapshot;
  sink: RdbFileSink;
  dirtyAtStart: number;
  startedAtMs: number;
}

export class RdbPersistence {
  readonly snapshots: SnapshotRegistry;
  /** Unix seconds of the last successful save (LASTSAVE); startup counts, as in Redis. */
  lastSaveSec = Math.floor(Date.now() / 1000);
  isLastBgsaveOk = true;
  lastBgsaveDurationSec = -1;
  private lastBgsaveTryMs = 0;
  saves = 0;
  /** Bytes the last BGSAVE serialized early because keys were about to change. */
  lastCowBytes = 0;
  /** BGSAVE inside EXEC is deferred to the cron, as Redis does. */
  isBgsaveScheduled = false;
  private job: BgsaveJob | null = null;
  loading: LoadingProgress | null = null;
  lastLoadKeysLoaded = 0;
  lastLoadKeysExpired = 0;
  /** Loads run one at a time (a full sync can arrive while the dump still loads at startup). */
  private loadChain: Promise<unknown> = Promise.resolve();
  /** Set by replication: when it returns fields, BGSAVE files carry them (a restart can then PSYNC). */
  replicationAux: (() => ReplicationAuxFields | null) | null = null;

  constructor(private readonly server: Server) {
    this.snapshots = new SnapshotRegistry(server.keyspace);
  }

  get isBgsaveInProgress(): boolean {
    return this.job !== null;
  }

  /** The running BGSAVE's snapshot (INFO progress fields), or null. */
  get currentSnapshot(): Snapshot | null {
    return this.job === null ? null : this.job.snapshot;
  }

  get currentBgsaveStartedAtMs(): number {
    return this.job === null ? -1 : this.job.startedAtMs;
  }

  /** AUX fields in the order Redis 7.0 writes them (rdbSaveInfoAuxFields). */
  auxFields(repl: ReplicationAuxFields | null): [string, string][] {
    const fields: [string, string][] = [
      ['redis-ver', VERSION],
      ['redis-bits', '64'],
      ['ctime', String(Math.floor(Date.now() / 1000))],
      ['used-mem', String(usedMemory())],
    ];
    if (repl !== null) {
      fields.push(['repl-stream-db', String(repl.streamDb)], ['repl-id', repl.replId], ['repl-offset', String(repl.replOffset)]);
    }
    fields.push(['aof-base', '0']);
    return fields;
  }

  /** A snapshot configured from rdbcompression / rdbchecksum; repl null: the replication hook's fields. */
  createSnapshot(sliceMs: number, repl: ReplicationAuxFields | null = null): Snapshot {
    const config = this.server.config;
    return new Snapshot(this.snapshots, {
      isCompressing: config.get(D.rdbcompression),
      hasChecksum: config.get(D.rdbchecksum),
      aux: this.auxFields(repl ?? (this.replicationAux === null ? null : this.replicationAux())),
      sliceMs,
    });
  }

  /** Runs a load after any load in progress has finished. */
  serializeLoad<T>(load: () => Promise<T>): Promise<T> {
    const run = this.loadChain.then(load);
    this.loadChain = run.catch(() => undefined);
    return run;
  }

  /** SAVE: the whole dataset, now, blocking. False (and logged) on failure. */
  saveSync(): boolean {
    const config = this.server.config;
    const paths = rdbPaths(config.get(D.dir), config.get(D.dbfilename), 'save');
    let sink: RdbSyncFileSink;
    try {
      sink = new RdbSyncFileSink(paths);
    } catch (e) {
      log.warn({ file: paths.temp, err: (e as Error).message }, 'Failed opening the temp RDB file for saving');
      return false;
    }
    const startedAt = performance.now();
    const snapshot = this.createSnapshot(Infinity);
    snapshot.addSink(sink);
    try {
      snapshot.runToCompletion();
    } catch (e) {
      sink.abort();
      log.warn({ file: paths.final, err: (e as Error).message }, 'Write error saving DB on disk');
      return false;
    }
    this.server.dirty = 0;
    this.lastSaveSec = Math.floor(Date.now() / 1000);
    this.isLastBgsaveOk = true;
    this.saves++;
    log.info({ file: paths.final, keys: snapshot.keysWritten, bytes: sink.bytesWritten, ms: Math.round(performance.now() - startedAt) }, 'DB saved on disk');
    return true;
  }

  /** BGSAVE: starts an incremental snapshot to a temp file. False when one already runs. */
  startBgsave(): boolean {
    if (this.job !== null) return false;
    const config = this.server.config;
    const paths = rdbPaths(config.get(D.dir), config.get(D.dbfilename), 'bgsave');
    this.lastBgsaveTryMs = Date.now();
    const snapshot = this.createSnapshot(BGSAVE_SLICE_MS);
    const job: BgsaveJob = {
      snapshot,
      sink: new RdbFileSink(paths, (err) => this.bgsaveDone(job, err)),
      dirtyAtStart: this.server.dirty,
      startedAtMs: Date.now(),
    };
    this.job = job;
    snapshot.addSink(job.sink);
    snapshot.start();
    log.info({ file: paths.final, keys: snapshot.keysTotal }, 'Background saving started');
    return true;
  }

  /** backgroundSaveDoneHandler: the file is renamed in place, or the save failed. */
  private bgsaveDone(job: BgsaveJob, err: Error | null): void {
    if (this.job !== job) return; // killed meanwhile
    this.job = null;
    const now = Date.now();
    this.lastBgsaveDurationSec = Math.floor((now - job.startedAtMs) / 1000);
    this.lastCowBytes = job.snapshot.cowBytes;
    if (err !== null) {
      job.snapshot.abort(err.message);
      this.isLastBgsaveOk = false;
      log.warn({ err: err.message }, 'Background saving error');
      return;
    }
    this.server.dirty -= job.dirtyAtStart;
    this.lastSaveSec = Math.floor(now / 1000);
    this.isLastBgsaveOk = true;
    this.saves++;
    log.info(
      { keys: job.snapshot.keysWritten, bytes: job.sink.bytesWritten, cowKeys: job.snapshot.cowKeys, cowBytes: job.snapshot.cowBytes, ms: now - job.startedAtMs },
      'Background saving terminated with success',
    );
  }

  /** Stops a running BGSAVE and removes its temp file (shutdown, FLUSHALL). */
  killBgsave(reason: string): void {
    const job = this.job;
    if (job === null) return;
    this.job = null;
    job.snapshot.abort(reason);
  }

  /** serverCron's part: a scheduled BGSAVE, then the save points. */
  cron(): void {
    if (this.job !== null || this.loading !== null) return;
    const now = Date.now();
    const mayRetry = this.isLastBgsaveOk || now - this.lastBgsaveTryMs > BGSAVE_RETRY_DELAY_MS;
    if (this.isBgsaveScheduled && mayRetry) {
      this.isBgsaveScheduled = false;
      this.startBgsave();
      return;
    }
    const dirty = this.server.dirty;
    const elapsedSec = Math.floor(now / 1000) - this.lastSaveSec;
    for (const point of this.server.config.get(D.save)) {
      if (dirty >= point.changes && elapsedSec > point.seconds && mayRetry) {
        log.info(`${point.changes} changes in ${point.seconds} seconds. Saving...`);
        this.startBgsave();
        return;
      }
    }
  }

  /**
   * SHUTDOWN [SAVE|NOSAVE] and SIGTERM (save null: save when save points
   * exist). Kills a BGSAVE, saves if asked. False when the save failed: the
   * server must keep running (Redis: "Errors trying to SHUTDOWN").
   */
  prepareForShutdown(save: boolean | null): boolean {
    if (this.loading !== null) {
      // Saving now would replace the file being loaded with part of it.
      log.warn('Shutdown while loading the dataset: not saving');
      return true;
    }
    if (this.job !== null) {
      log.warn('There is a background save in progress. Killing it!');
      this.killBgsave('shutdown');
    }
    const mustSave = save === true || (save === null && this.server.config.get(D.save).length > 0);
    if (!mustSave) return true;
    log.info('Saving the final RDB snapshot before exiting.');
    if (this.saveSync()) return true;
    log.warn("Error trying to save the DB, can't exit.");
    return false;
  }
}
