/**
 * What replication needs from persistence for a full sync: a point-in-time
 * RDB of the whole keyspace streamed into a sink with backpressure, and a
 * loader for an RDB received from a master. Persistence provides them when it
 * is installed; replication does not know how RDB bytes are made.
 */

export interface RdbSink {
  /** Accepts a chunk; false asks the producer to pause until resume() is called. */
  write(chunk: Buffer): boolean;
  /** Called once after the last chunk. */
  end(): void;
  /** The snapshot failed; no more calls follow. */
  fail(err: Error): void;
}

export interface RdbStreamHandle {
  /** Continue after write() returned false. */
  resume(): void;
  /** Stop early (all consumers went away). */
  abort(): void;
}

export interface ReplicationAux {
  replid: string;
  replOffset: number;
}

export interface SnapshotProvider {
  /** Starts a point-in-time snapshot now and streams it into sink. */
  streamRdb(sink: RdbSink, aux: ReplicationAux): RdbStreamHandle;
  /**
   * Replaces the dataset with the RDB in `file` (a replica's full sync), or
   * with `merge` folds it into the dataset key by key, the newer write
   * (mvcc-tstamp) winning (KeyDB active/multi-master replicas).
   */
  loadReplicaRdb(file: string, merge: boolean): Promise<void>;
}
