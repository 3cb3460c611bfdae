/**
 * THE write funnel and the replication stream it produces.
 *
 * Every change to the keyspace — a client's write, an expiry, an eviction —
 * reaches replication only through `propagate`, already in its deterministic
 * form (the dispatcher passes the command's rewritten argv when a handler set
 * one). Here each command is encoded once as RESP, preceded by SELECT when
 * its db differs from the last one emitted, appended to the backlog and
 * handed to every stream consumer (replica links). A replica that serves
 * sub-replicas instead forwards its master's bytes verbatim (feedFromMaster).
 *
 * Stream identity follows Redis: `replid`/`masterReplOffset` name the
 * history; `replid2`/`secondReplOffset` keep the previous history after a
 * promotion so siblings can still PSYNC. While no backlog exists (no replica
 * ever attached) nothing is counted, as in Redis.
 *
 * Only this file imports backlog.ts.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from '../server/server';
import type { Db } from '../store/db';
import { Backlog } from './backlog';
import type { ActiveReplication } from './active/active';

/** Receives the encoded stream (replica links); endOffset is the offset of its last byte. */
export interface StreamConsumer {
  onStreamBytes(bytes: Buffer, endOffset: number): void;
}

const DEL = 'DEL';
const RREPLAY = 'RREPLAY';
const SELECT = 'SELECT';
const MULTI = ['MULTI'];
const EXEC = ['EXEC'];
export const PING_FRAME = Buffer.from('*1\r\n$4\r\nping\r\n');
const GETACK_FRAME = Buffer.from('*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n');
const NO_REPLID = '0'.repeat(40);

export function newReplid(): string {
  return randomBytes(20).toString('hex');
}

/**
 * `*N\r\n$len\r\narg\r\n...` — the bytes a replica receives for one command.
 * Arguments are latin1 strings, or bytes (a whole frame wrapped in RREPLAY).
 */
export function encodeCommand(argv: readonly (string | Buffer)[]): Buffer {
  let size = 16;
  for (const a of argv) size += a.length + 16;
  const out = Buffer.allocUnsafe(size);
  let p = out.latin1Write(`*${argv.length}\r\n`, 0);
  for (const a of argv) {
    p += out.latin1Write(`$${a.length}\r\n`, p);
    p += typeof a === 'string' ? out.latin1Write(a, p) : a.copy(out, p);
    out[p++] = 13;
    out[p++] = 10;
  }
  return out.subarray(0, p);
}

export class Propagator {
  replid = newReplid();
  replid2 = NO_REPLID;
  secondReplOffset = -1;
  /** master_repl_offset: stream bytes produced (or, on a replica, received). */
  masterReplOffset = 0;
  backlog: Backlog | null = null;
  /** When the backlog was last needed (a replica attached or left), for repl-backlog-ttl. */
  backlogIdleSinceMs = 0;
  private lastDbId = -1;
  readonly consumers = new Set<StreamConsumer>();
  /** Inside EXEC: its writes, sent when it ends (one alone, two or more as a transaction). */
  private isInTransaction = false;
  private transactionWrites: [number, readonly string[]][] = [];

  constructor(server: Server) {
    server.keyspace.addListener({
      keyExpired: (db: Db, key: string) => {
        server.dirty++;
        // Active replicas each expire keys themselves (KeyDB): no DEL travels. Without
        // replicas nothing listens: skip the allocation (mass expiry runs through here).
        if (!server.active.isEnabled && this.backlog !== null) this.propagate(db.id, [DEL, key]);
      },
    });
    this.active = server.active;
  }

  private readonly active: ActiveReplication;

  propagate(dbId: number, argv: readonly string[]): void {
    if (this.isInTransaction) this.transactionWrites.push([dbId, argv]);
    else this.emit(dbId, argv);
  }

  beginTransaction(): void {
    this.isInTransaction = true;
  }

  endTransaction(): void {
    const writes = this.transactionWrites;
    this.isInTransaction = false;
    this.transactionWrites = [];
    if (writes.length === 1) this.emit(writes[0][0], writes[0][1]);
    else if (writes.length > 1 && this.active.isEnabled) this.emitActiveTransaction(writes);
    else if (writes.length > 1) {
      // Replicas get them atomically, as Redis sends them.
      this.emit(writes[0][0], MULTI);
      for (const [dbId, argv] of writes) this.emit(dbId, argv);
      this.emit(this.lastDbId, EXEC);
    }
  }

  /**
   * Active replication sends a transaction as one RREPLAY frame, MULTI to
   * EXEC inside it, under the one stamp its keys got here: peers then give
   * those keys that same stamp (they run the EXEC under the frame's), so a
   * concurrent write to one of them is judged the same way on every node.
   * Separate frames each need a stamp of their own (per-origin order), and
   * the keys would carry none of them. A SELECT goes inside where the
   * transaction changes db.
   */
  private emitActiveTransaction(writes: [number, readonly string[]][]): void {
    const stamp = this.active.consumeStamp();
    if (this.backlog === null) return;
    const firstDb = writes[0][0];
    const commands: Buffer[] = [encodeCommand(MULTI)];
    let dbId = firstDb;
    for (const [writeDb, argv] of writes) {
      if (writeDb !== dbId) commands.push(encodeCommand([SELECT, String(writeDb)]));
      dbId = writeDb;
      commands.push(encodeCommand(argv));
    }
    commands.push(encodeCommand(EXEC));
    this.appendStream(this.wrapActive(Buffer.concat(commands), firstDb, stamp));
  }

  private emit(dbId: number, argv: readonly string[]): void {
    if (this.active.isEnabled) {
      // Active replication: every write travels as RREPLAY with its origin and timestamp; no SELECT.
      const stamp = this.active.consumeStamp();
      if (this.backlog !== null) this.appendStream(this.wrapActive(encodeCommand(argv), dbId, stamp));
      return;
    }
    if (this.backlog === null) return;
    if (dbId !== this.lastDbId) {
      this.lastDbId = dbId;
      this.appendStream(encodeCommand([SELECT, String(dbId)]));
    }
    this.appendStream(encodeCommand(argv));
  }

  private wrapActive(command: Buffer, dbId: number, stamp: number): Buffer {
    return encodeCommand([RREPLAY, this.active.uuid, command, String(dbId), String(stamp)]);
  }

  /** Replication PING (repl-ping-replica-period); counts toward offsets like any byte. */
  feedPing(): void {
    if (this.backlog === null) return;
    this.appendStream(this.active.isEnabled ? this.wrapActive(PING_FRAME, 0, this.active.consumeStamp()) : PING_FRAME);
  }

  /** An applied RREPLAY frame travels on unchanged to our replicas and peers. */
  forwardFrame(frame: Buffer): void {
    if (this.backlog !== null) this.appendStream(frame);
  }

  /** REPLCONF GETACK *: asks replicas for an immediate ACK (WAIT). */
  feedGetack(): void {
    if (this.backlog !== null) this.appendStream(GETACK_FRAME);
  }

  /** A replica forwards its master's stream to its own replicas byte for byte. */
  feedFromMaster(bytes: Buffer): void {
    if (this.backlog === null) {
      this.masterReplOffset += bytes.length;
      return;
    }
    this.appendStream(bytes);
  }

  private appendStream(bytes: Buffer): void {
    this.backlog!.append(bytes);
    this.masterReplOffset = this.backlog!.endOffset;
    for (const c of this.consumers) c.onStreamBytes(bytes, this.masterReplOffset);
  }

  /** The next command starts with SELECT (every full sync starts a new stream position). */
  forceSelect(): void {
    this.lastDbId = -1;
  }

  /**
   * Creates the backlog when the first replica attaches. A master that never
   * had one starts a new history (new replid, replid2 cleared), as Redis does.
   */
  ensureBacklog(sizeBytes: number, isMaster: boolean): void {
    if (this.backlog !== null) return;
    if (isMaster) {
      this.replid = newReplid();
      this.replid2 = NO_REPLID;
      this.secondReplOffset = -1;
    }
    this.backlog = new Backlog(sizeBytes, this.masterReplOffset);
  }

  freeBacklog(): void {
    this.backlog = null;
  }

  /** PSYNC acceptance (masterTryPartialResynchronization's checks). */
  canContinue(replid: string, offset: number): boolean {
    if (this.backlog === null) return false;
    const idMatches = replid === this.replid || (replid === this.replid2 && offset <= this.secondReplOffset);
    return idMatches && this.backlog.canServeFrom(offset);
  }

  readBacklogFrom(offset: number): Buffer[] {
    return this.backlog === null ? [] : this.backlog.readFrom(offset);
  }

  /** Promotion (REPLICAOF NO ONE) keeps the old history as replid2 so siblings can continue. */
  shiftReplicationId(): void {
    this.replid2 = this.replid;
    this.secondReplOffset = this.masterReplOffset + 1;
    this.replid = newReplid();
  }

  /** A replica adopts its master's history after a sync. */
  adoptHistory(replid: string, offset: number): void {
    this.replid = replid;
    this.masterReplOffset = offset;
    if (this.backlog !== null) this.backlog = new Backlog(this.backlog.size, offset);
    this.lastDbId = -1;
  }
}
