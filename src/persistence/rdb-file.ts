/**
 * RDB files on disk, crash-safe: bytes go to a temp file in the same
 * directory, which is fsynced, closed, renamed over the dump and the
 * directory fsynced (Redis's rdbSave + fsyncFileDir). A crash or kill -9 at
 * any point leaves either the old dump or the complete new one; a failed or
 * aborted save removes its temp file.
 *
 * Two sinks for snapshots: `RdbFileSink` writes asynchronously for BGSAVE
 * (chunks queue in memory and go out in writev batches; write() reports
 * "full" above HIGH_WATER_BYTES so the snapshot pauses instead of piling up
 * memory), `RdbSyncFileSink` blocks, for SAVE and the save at shutdown.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import * as fs from 'node:fs';
import { dirname, resolve } from 'node:path';
import { log } from '../log';
import type { ByteSink } from './snapshot';

const HIGH_WATER_BYTES = 16 * 1024 * 1024;
const LOW_WATER_BYTES = 4 * 1024 * 1024;
/** Buffers per writev call. */
const MAX_BATCH = 64;

export interface RdbPaths {
  /** The dump: `dir`/`dbfilename`. */
  final: string;
  /** Where the bytes go until they are complete and durable. */
  temp: string;
}

/** Paths for a save in `dir`; `tag` keeps concurrent temp files apart (Redis: temp-<pid>.rdb). */
export function rdbPaths(dir: string, dbfilename: string, tag: string): RdbPaths {
  const final = resolve(dir, dbfilename);
  return { final, temp: resolve(dirname(final), `temp-${tag}-${process.pid}.rdb`) };
}

/** Removes a temp file, tolerating that it is already gone. */
function removeTemp(path: string): void {
  fs.unlink(path, (err) => {
    if (err !== null && err.code !== 'ENOENT') log.warn({ file: path, err: err.message }, 'Could not remove the temporary RDB file');
  });
}

/** BGSAVE's sink: asynchronous, with backpressure. `onDone` fires once, after the rename or on failure. */
export class RdbFileSink implements ByteSink {
  private fd: number | null = null;
  private queue: Buffer[] = [];
  private queuedBytes = 0;
  private isWriting = false;
  private isEnded = false;
  /** Aborted by the snapshot or failed on I/O: nothing more is written. */
  private isStopped = false;
  private drainWaiters: (() => void)[] = [];
  bytesWritten = 0;

  constructor(
    private readonly paths: RdbPaths,
    private readonly onDone: (err: Error | null) => void,
  ) {
    fs.open(paths.temp, 'w', 0o644, (err, fd) => {
      if (err !== null) return this.fail(err);
      if (this.isStopped) {
        fs.close(fd, () => removeTemp(paths.temp));
        return;
      }
      this.fd = fd;
      this.pump();
    });
  }

  write(chunk: Buffer): boolean {
    if (this.isStopped) return true;
    this.queue.push(chunk);
    this.queuedBytes += chunk.length;
    this.pump();
    return this.queuedBytes < HIGH_WATER_BYTES;
  }

  onDrain(resume: () => void): void {
    this.drainWaiters.push(resume);
  }

  end(): void {
    this.isEnded = true;
    this.pump();
  }

  abort(reason: string): void {
    if (this.isStopped) return;
    log.warn({ file: this.paths.temp, reason }, 'Background save aborted');
    this.isStopped = true;
    this.queue = [];
    // A write in flight still owns the fd; its callback closes it.
    if (!this.isWriting) this.closeAndRemove();
  }

  private pump(): void {
    if (this.fd === null || this.isWriting || this.isStopped) return;
    if (this.queue.length === 0) {
      if (this.isEnded) this.commit(this.fd);
      return;
    }
    const batch = this.queue.length <= MAX_BATCH ? this.queue : this.queue.slice(0, MAX_BATCH);
    this.queue = this.queue.length <= MAX_BATCH ? [] : this.queue.slice(MAX_BATCH);
    this.isWriting = true;
    fs.writev(this.fd, batch, (err, written) => {
      this.isWriting = false;
      if (this.isStopped) return this.closeAndRemove();
      if (err !== null) return this.fail(err);
      this.requeueUnwritten(batch, written);
      this.queuedBytes -= written;
      this.bytesWritten += written;
      if (this.queuedBytes < LOW_WATER_BYTES && this.drainWaiters.length > 0) {
        const waiters = this.drainWaiters;
        this.drainWaiters = [];
        for (const w of waiters) w();
      }
      this.pump();
    });
  }

  /** A short write (rare on files) puts the rest back at the head of the queue. */
  private requeueUnwritten(batch: Buffer[], written: number): void {
    let skip = written;
    const rest: Buffer[] = [];
    for (const b of batch) {
      if (skip >= b.length) skip -= b.length;
      else {
        rest.push(skip > 0 ? b.subarray(skip) : b);
        skip = 0;
      }
    }
    if (rest.length > 0) this.queue = rest.concat(this.queue);
  }

  /** fsync, close, rename over the dump, fsync the directory. */
  private commit(fd: number): void {
    this.fd = null;
    const { temp, final } = this.paths;
    fs.fsync(fd, (syncErr) => {
      fs.close(fd, (closeErr) => {
        const err = syncErr ?? closeErr;
        if (err !== null) return this.fail(err);
        fs.rename(temp, final, (renameErr) => {
          if (renameErr !== null) return this.fail(renameErr);
          fsyncDirectory(dirname(final), (dirErr) => {
            // The data is complete and renamed; a directory fsync failure only weakens durability.
            if (dirErr !== null) log.warn({ dir: dirname(final), err: dirErr.message }, 'Could not fsync the RDB directory');
            this.onDone(null);
          });
        });
      });
    });
  }

  private fail(err: Error): void {
    if (this.isStopped && this.fd === null) return;
    this.isStopped = true;
    this.queue = [];
    this.closeAndRemove();
    this.onDone(err);
  }

  private closeAndRemove(): void {
    const fd = this.fd;
    this.fd = null;
    if (fd === null) removeTemp(this.paths.temp);
    else fs.close(fd, () => removeTemp(this.paths.temp));
  }
}

function fsyncDirectory(dir: string, done: (err: Error | null) => void): void {
  fs.open(dir, 'r', (err, fd) => {
    if (err !== null) return done(err);
    fs.fsync(fd, (syncErr) => fs.close(fd, () => done(syncErr)));
  });
}

/** SAVE's sink: every call blocks; errors throw (the caller aborts and reports). */
export class RdbSyncFileSink implements ByteSink {
  private fd: number | null;
  bytesWritten = 0;

  constructor(private readonly paths: RdbPaths) {
    this.fd = openSync(paths.temp, 'w', 0o644);
  }

  write(chunk: Buffer): boolean {
    let off = 0;
    while (off < chunk.length) off += writeSync(this.fd!, chunk, off, chunk.length - off);
    this.bytesWritten += chunk.length;
    return true;
  }

  onDrain(): void {
    // Never full.
  }

  end(): void {
    const fd = this.fd!;
    this.fd = null;
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(this.paths.temp, this.paths.final);
    const dirFd = openSync(dirname(this.paths.final), 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  }

  abort(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    try {
      unlinkSync(this.paths.temp);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') log.warn({ file: this.paths.temp, err: (e as Error).message }, 'Could not remove the temporary RDB file');
    }
  }
}
