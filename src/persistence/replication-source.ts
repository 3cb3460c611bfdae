/**
 * What persistence gives replication (its SnapshotProvider contract in
 * replication/snapshot-source.ts): a full sync streams the same incremental
 * point-in-time snapshot BGSAVE uses into replication's sink, with the
 * repl-* AUX fields of the FULLRESYNC; a replica loads what it received
 * with the same loader as startup (keeping expired keys: the master sends
 * their DELs), or merges it into its data (KeyDB active replicas).
 */
import type { RdbSink, RdbStreamHandle, ReplicationAux, SnapshotProvider } from '../replication/snapshot-source';
import type { Server } from '../server/server';
import { loadReplicaRdb } from './load';
import { BGSAVE_SLICE_MS, RdbPersistence } from './save';
import type { ByteSink } from './snapshot';

/** Adapts replication's sink (resume through the handle) to a snapshot ByteSink (resume callback). */
class ReplicationSink implements ByteSink {
  private resumeSnapshot: (() => void) | null = null;
  /** The consumer stopped the stream: it expects no more calls. */
  isCancelled = false;

  constructor(private readonly sink: RdbSink) {}

  write(chunk: Buffer): boolean {
    return this.sink.write(chunk);
  }

  onDrain(resume: () => void): void {
    this.resumeSnapshot = resume;
  }

  resume(): void {
    const resume = this.resumeSnapshot;
    this.resumeSnapshot = null;
    if (resume !== null) resume();
  }

  end(): void {
    this.sink.end();
  }

  abort(reason: string): void {
    if (!this.isCancelled) this.sink.fail(new Error(reason));
  }
}

export function createSnapshotProvider(server: Server, persistence: RdbPersistence): SnapshotProvider {
  return {
    streamRdb(sink: RdbSink, aux: ReplicationAux): RdbStreamHandle {
      // The stream re-selects its db after a full sync, so the RDB says db 0 (Redis: slaveseldb -1 → 0).
      const snapshot = persistence.createSnapshot(BGSAVE_SLICE_MS, { streamDb: 0, replId: aux.replid, replOffset: aux.replOffset });
      const adapter = new ReplicationSink(sink);
      snapshot.addSink(adapter);
      snapshot.start();
      return {
        resume: () => adapter.resume(),
        abort: () => {
          adapter.isCancelled = true;
          snapshot.abort('every replica of this full sync went away');
        },
      };
    },
    async loadReplicaRdb(file: string, merge = false): Promise<void> {
      await loadReplicaRdb(server, persistence, file, merge);
    },
  };
}
