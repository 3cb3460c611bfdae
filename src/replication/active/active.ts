/**
 * KeyDB active replication: every node accepts writes and replicates to and
 * from its peers at once. This file owns the node's identity (a UUID fresh at
 * each start), its write clock, the per-key write timestamps, and RREPLAY —
 * the frame every write travels in:
 *
 *   RREPLAY <origin-uuid> <the command as RESP bytes> <db> <timestamp>
 *
 * Loops and duplicates end here (KeyDB's replicaReplayCommand rules): a frame
 * whose origin is this node is ignored, and per origin only frames with a
 * timestamp above the highest one already applied are applied. An applied
 * frame is forwarded unchanged to our own replicas/peers, so in a mesh every
 * write reaches every node by some path and is applied once.
 *
 * Conflicts: a replicated command that replaces whole values (SET, DEL,
 * MSET, RENAME...) is dropped when every key it names already carries a
 * newer timestamp — last writer wins by write time on every node, so
 * concurrent SETs converge. Commands that merge into a value (INCR, HSET,
 * SADD, LPUSH...) always apply: when they commute they converge; when they
 * do not (the same hash field set on two nodes at the same moment) the
 * nodes can differ until that key is written again, as with KeyDB.
 */
import { randomUUID } from 'node:crypto';
import { D } from '../../config/directives';
import { lookupCommand } from '../../commands/table';
import { processCommand } from '../../commands/dispatch';
import { log } from '../../log';
import { RequestParser } from '../../protocol/request-parser';
import { Client, ClientFlag } from '../../server/client';
import type { Server } from '../../server/server';
import type { Db } from '../../store/db';
import { isCurrentKept } from './last-writer-wins';
import { MvccClock } from './mvcc-clock';

/** Commands whose effect on their keys does not depend on the keys' old values. */
const VALUE_REPLACING = new Set(['set', 'setex', 'psetex', 'getset', 'mset', 'msetnx', 'setnx', 'del', 'unlink', 'getdel', 'rename', 'renamenx', 'copy', 'restore']);

/** The string a value-replacing command writes to the key at argv[i], when it names one. */
function writtenValue(name: string, argv: string[], i: number): string | undefined {
  switch (name) {
    case 'set':
    case 'setnx':
    case 'getset':
    case 'mset':
    case 'msetnx':
      return argv[i + 1];
    case 'setex':
    case 'psetex':
      return argv[i + 2];
    default:
      return undefined;
  }
}

interface Origin {
  highest: number;
  client: Client;
}

export class ActiveReplication {
  readonly uuid = randomUUID();
  readonly clock = new MvccClock();
  readonly isEnabled: boolean;
  /** Timestamp of the write being executed; 0 until its first key change. */
  private pendingStamp = 0;
  /**
   * Commands running (EXEC and RREPLAY nest them). A key changed outside any
   * command (an RDB merge, an eviction, an expiry) takes no stamp here: a
   * stamp taken then and never consumed went to the next command instead,
   * so two nodes that merged each other's data in the same millisecond
   * could give their next writes the same stamp, and with ties then going
   * to the incoming write they swapped values and never converged.
   */
  private commandDepth = 0;
  private readonly origins = new Map<string, Origin>();

  constructor(private readonly server: Server) {
    this.isEnabled = server.config.get(D.activeReplica);
    if (!this.isEnabled) return;
    server.keyspace.addListener({
      keyWillChange: (db: Db, key: string) => {
        if (this.commandDepth === 0) return;
        const stamp = this.stampForWrite();
        const current = db.keyTimestamps.get(key);
        if (current === undefined || stamp > current) db.keyTimestamps.set(key, stamp);
      },
      // Each active node expires keys itself; that is not a replicated write.
      keyExpired: () => {
        this.pendingStamp = 0;
      },
    });
  }

  /** The dispatcher brackets every command with these, and blocking every served blocked command (only when active replication is on). */
  commandStarted(): void {
    this.commandDepth++;
  }

  /**
   * A stamp a command took but did not propagate (a write that failed) dies
   * with it. Only at the outermost command: EXEC propagates a lone queued
   * write after that write's own command has ended, with the stamp its keys got.
   */
  commandEnded(): void {
    if (--this.commandDepth === 0) this.pendingStamp = 0;
  }

  private stampForWrite(): number {
    if (this.pendingStamp === 0) this.pendingStamp = this.clock.next();
    return this.pendingStamp;
  }

  /** The timestamp of the command being propagated (the one its keys got). */
  consumeStamp(): number {
    const stamp = this.pendingStamp === 0 ? this.clock.next() : this.pendingStamp;
    this.pendingStamp = 0;
    return stamp;
  }

  /**
   * RREPLAY from a master link. Returns the error text to reply, or null.
   * `frame` is the frame's exact bytes, forwarded when applied.
   */
  replay(c: Client, argv: string[], frame: Buffer): string | null {
    if (argv.length < 3) return 'ERR Invalid number of arguments';
    const uuid = argv[1];
    if (uuid.length !== 36) return 'ERR Expected UUID arg1';
    if (uuid === this.uuid) return null; // our own write came back around the mesh
    let dbId = c.db.id;
    if (argv.length > 3) {
      dbId = Number(argv[3]);
      if (!Number.isInteger(dbId) || dbId < 0 || dbId >= this.server.keyspace.dbs.length) return 'ERR Invalid database ID';
    }
    let stamp = 0;
    if (argv.length > 4) {
      stamp = Number(argv[4]);
      if (!Number.isSafeInteger(stamp) || stamp < 0) return 'ERR Invalid MVCC Timestamp';
    }
    const origin = this.originFor(uuid);
    if (stamp !== 0 && stamp <= origin.highest) return null; // seen already, by another path
    if (stamp !== 0) {
      origin.highest = stamp;
      this.clock.observe(stamp);
    }
    const inner = new RequestParser({ maxBulkBytes: Number.MAX_SAFE_INTEGER, isUnauthenticated: false });
    inner.feed(Buffer.from(argv[2], 'latin1'));
    const dbs = this.server.keyspace.dbs;
    // A transaction's frame (propagate.ts) may SELECT inside it: later checks look at that db.
    let checkDb = dbs[dbId];
    for (let cmdArgv = inner.next(); cmdArgv !== null; cmdArgv = inner.next()) {
      if (cmdArgv.length === 2 && cmdArgv[0].toLowerCase() === 'select' && dbs[Number(cmdArgv[1])] !== undefined) checkDb = dbs[Number(cmdArgv[1])];
      if (stamp !== 0 && this.isOlderThanItsKeys(cmdArgv, checkDb, stamp)) continue;
      origin.client.db = dbs[dbId];
      this.pendingStamp = stamp;
      processCommand(origin.client, cmdArgv);
      this.pendingStamp = 0;
      origin.client.out.clear();
    }
    if (inner.error !== null) return `ERR Error in rreplay command: ${inner.error}`;
    this.server.propagator.forwardFrame(frame);
    return null;
  }

  /** Last-writer-wins for value-replacing commands: every key keeps its current value (see last-writer-wins.ts). */
  private isOlderThanItsKeys(argv: string[], db: Db, stamp: number): boolean {
    const cmd = lookupCommand(argv[0]);
    if (cmd === undefined || !VALUE_REPLACING.has(cmd.name)) return false;
    const { first, last, step } = cmd.keys;
    if (first === 0) return false;
    const end = last < 0 ? argv.length + last : last;
    for (let i = first; i <= end && i < argv.length; i += step) {
      const current = db.keyTimestamps.get(argv[i]);
      if (current === undefined || !isCurrentKept(current, db.dict.get(argv[i]), stamp, writtenValue(cmd.name, argv, i))) return false;
    }
    return true;
  }

  private originFor(uuid: string): Origin {
    let o = this.origins.get(uuid);
    if (o === undefined) {
      const client = new Client(this.server.allocateClientId(), this.server, null);
      client.flags |= ClientFlag.Master | ClientFlag.NoPropagate;
      client.isAuthenticated = true;
      client.name = `rreplay:${uuid}`;
      o = { highest: 0, client };
      this.origins.set(uuid, o);
      log.info({ origin: uuid }, 'Active replication: first write from a new origin node');
    }
    return o;
  }
}
