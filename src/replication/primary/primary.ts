/**
 * The master side of replication: REPLCONF, PSYNC/SYNC, full and partial
 * resynchronization, replica liveness (pings, ACK timeouts), WAIT, and the
 * replica list INFO and ROLE show (Redis's replication.c, master half).
 *
 * Full sync shares snapshots: replicas that ask within
 * `repl-diskless-sync-delay` seconds of each other wait together and are fed
 * by ONE point-in-time snapshot, streamed to all of them at the pace of the
 * slowest (the snapshot pauses while any of them has more than
 * SYNC_WINDOW_BYTES unsent), so the master's memory does not grow with the
 * number of replicas. Diskless transfer uses `$EOF:<mark>` framing; replicas
 * that did not announce `capa eof` (or `repl-diskless-sync no`) get the RDB
 * written to a temp file first and sent as `$<len>`.
 */
import { createReadStream, createWriteStream, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { D } from '../../config/directives';
import { log } from '../../log';
import { addError } from '../../protocol/reply';
import { err } from '../../protocol/shared';
import { Client, ClientFlag } from '../../server/client';
import type { Server } from '../../server/server';
import type { Propagator } from '../propagate';
import type { RdbSink, RdbStreamHandle, SnapshotProvider } from '../snapshot-source';
import { ReplicaLink } from './replica-link';

const SYNC_WINDOW_BYTES = 4 * 1024 * 1024;
const NEWLINE = Buffer.from('\n');

export class Primary {
  readonly links = new Map<Client, ReplicaLink>();
  private waiting: ReplicaLink[] = [];
  private syncTimer: NodeJS.Timeout | null = null;
  private isSnapshotRunning = false;
  syncFull = 0;
  syncPartialOk = 0;
  syncPartialErr = 0;
  snapshotProvider: SnapshotProvider | null = null;
  private lastPingMs = Date.now();
  private waiters: { c: Client; replicas: number; offset: number; timer: NodeJS.Timeout | null }[] = [];
  private isGetackScheduled = false;

  constructor(
    private readonly server: Server,
    private readonly propagator: Propagator,
  ) {
    server.clientCloseHooks.push((c) => this.detach(c));
    server.cron.every(1000, () => this.cron());
  }

  get connectedReplicas(): number {
    return this.links.size;
  }

  /** Replicas that are online and acked within min-replicas-max-lag (min-replicas-to-write). */
  goodReplicas(): number {
    const maxLagMs = this.server.config.get(D.minReplicasMaxLag) * 1000;
    const now = Date.now();
    let n = 0;
    for (const l of this.links.values()) if (l.state === 'online' && now - l.ackTimeMs <= maxLagMs) n++;
    return n;
  }

  // ---- REPLCONF ------------------------------------------------------------

  /** Returns an error text or null; ack/getack produce no reply (the caller checks `isSilent`). */
  replconf(c: Client, options: [string, string][]): string | null {
    const link = this.linkOf(c);
    for (const [opt, value] of options) {
      switch (opt) {
        case 'listening-port': {
          const port = Number(value);
          if (!Number.isInteger(port) || port < 0 || port > 65535) return 'ERR value is not an integer or out of range';
          link.listeningPort = port;
          break;
        }
        case 'ip-address':
          link.announcedIp = value;
          break;
        case 'capa':
          if (value.toLowerCase() === 'eof') link.hasCapaEof = true;
          else if (value.toLowerCase() === 'psync2') link.hasCapaPsync2 = true;
          break;
        case 'ack':
          this.onAck(c, Number(value));
          break;
        case 'getack':
          break;
        case 'rdb-only':
          link.isRdbOnly = value === '1';
          break;
        case 'rdb-filter-only':
          break;
        case 'uuid':
          break; // KeyDB: the reply (our own UUID) is written by the command
        default:
          return `ERR Unrecognized REPLCONF option: ${opt}`;
      }
    }
    return null;
  }

  /** A client gets its link record when it first talks replication. */
  private linkOf(c: Client): ReplicaLink {
    let link = this.pendingLinks.get(c);
    if (link === undefined) link = this.links.get(c);
    if (link === undefined) {
      link = new ReplicaLink(c);
      this.pendingLinks.set(c, link);
    }
    return link;
  }

  /** Links of clients that sent REPLCONF but no PSYNC/SYNC yet. */
  private readonly pendingLinks = new Map<Client, ReplicaLink>();

  private onAck(c: Client, offset: number): void {
    const link = this.links.get(c);
    if (link === undefined || !Number.isFinite(offset)) return;
    if (offset > link.ackOffset) link.ackOffset = offset;
    link.ackTimeMs = Date.now();
    if (link.isWaitingFirstAck) {
      link.goOnline();
      log.info({ replica: c.addr }, 'Synchronization with replica succeeded');
    }
    if (this.waiters.length !== 0) this.checkWaiters();
  }

  // ---- PSYNC / SYNC --------------------------------------------------------

  /** PSYNC <replid> <offset> (isOldSync=false) or SYNC (true). Writes its replies itself. */
  sync(c: Client, replid: string, offset: number, isOldSync: boolean): void {
    if (c.hasFlag(ClientFlag.Replica)) return;
    const link = this.linkOf(c);
    this.pendingLinks.delete(c);
    link.isOldSync = isOldSync;
    c.flags |= ClientFlag.Replica;
    this.links.set(c, link);
    const p = this.propagator;
    const backlogSize = this.server.config.get(D.replBacklogSize);
    if (!isOldSync && !link.isRdbOnly && p.canContinue(replid, offset)) {
      this.syncPartialOk++;
      c.out.writeLatin1(link.hasCapaPsync2 ? `+CONTINUE ${p.replid}\r\n` : '+CONTINUE\r\n');
      for (const chunk of p.readBacklogFrom(offset)) c.out.writeBuffer(chunk);
      link.state = 'online';
      link.ackOffset = offset - 1;
      p.consumers.add(link);
      log.info({ replica: c.addr, offset, bytes: p.masterReplOffset - offset + 1 }, 'Partial resynchronization request accepted');
      return;
    }
    if (!isOldSync && replid !== '?') {
      this.syncPartialErr++;
      log.info({ replica: c.addr, replid, offset }, 'Partial resynchronization not accepted');
    }
    if (!isOldSync) this.syncFull++;
    p.ensureBacklog(backlogSize, !this.server.replication.isReplica);
    p.consumers.add(link);
    this.requestFullSync(link);
  }

  private requestFullSync(link: ReplicaLink): void {
    link.state = 'wait_bgsave';
    link.syncStartedMs = Date.now();
    this.waiting.push(link);
    log.info({ replica: link.client.addr }, 'Replica asks for synchronization; full resync requested');
    if (!this.isSnapshotRunning) this.scheduleSnapshot();
  }

  /** Diskless syncs wait repl-diskless-sync-delay seconds so more replicas can share the snapshot. */
  private scheduleSnapshot(): void {
    if (this.syncTimer !== null) return;
    const diskless = this.server.config.get(D.replDisklessSync);
    const delayMs = diskless ? this.server.config.get(D.replDisklessSyncDelay) * 1000 : 0;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = null;
      this.startSnapshot();
    }, delayMs);
  }

  private startSnapshot(): void {
    const links = this.waiting.filter((l) => this.links.has(l.client));
    this.waiting = [];
    if (links.length === 0) return;
    const provider = this.snapshotProvider;
    if (provider === null) {
      for (const l of links) l.client.closeAsap('full sync unavailable: persistence not installed');
      return;
    }
    this.isSnapshotRunning = true;
    const p = this.propagator;
    p.forceSelect();
    const offset = p.masterReplOffset;
    for (const l of links) {
      if (!l.isOldSync) l.client.out.writeLatin1(`+FULLRESYNC ${p.replid} ${offset}\r\n`);
      l.state = 'send_bulk';
    }
    const diskless = this.server.config.get(D.replDisklessSync) && links.every((l) => l.hasCapaEof);
    log.info({ replicas: links.map((l) => l.client.addr), offset, diskless }, 'Starting snapshot for replication');
    if (diskless) this.streamDiskless(provider, links, offset);
    else this.streamViaFile(provider, links, offset);
  }

  private finishSnapshot(): void {
    this.isSnapshotRunning = false;
    if (this.waiting.length > 0) this.scheduleSnapshot();
  }

  private streamDiskless(provider: SnapshotProvider, links: ReplicaLink[], offset: number): void {
    const mark = randomBytes(20).toString('hex');
    for (const l of links) l.client.out.writeLatin1(`$EOF:${mark}\r\n`);
    let handle: RdbStreamHandle | null = null;
    const alive = () => links.filter((l) => this.links.has(l.client));
    const sink: RdbSink = {
      write: (chunk) => {
        const live = alive();
        if (live.length === 0) {
          handle?.abort();
          this.finishSnapshot();
          return false;
        }
        let slowest: ReplicaLink | null = null;
        for (const l of live) {
          l.client.out.writeBuffer(chunk);
          l.rdbBytesSent += chunk.length;
          if (l.client.outputBytes - l.client.heldOutputBytes > SYNC_WINDOW_BYTES) slowest = l;
        }
        if (slowest === null) return true;
        this.resumeWhenDrained(slowest, () => handle?.resume());
        return false;
      },
      end: () => {
        for (const l of alive()) {
          l.client.out.writeLatin1(mark);
          // The stream starts once the replica has loaded the RDB and acked.
          l.isWaitingFirstAck = !l.isOldSync;
          l.state = 'online';
          this.logTransferEnd(l, offset);
          if (l.isRdbOnly) l.client.flags |= ClientFlag.CloseAfterReply;
          else if (l.isOldSync) l.goOnline();
        }
        this.finishSnapshot();
      },
      fail: (err) => {
        log.warn({ err: err.message }, 'Snapshot for replication failed');
        for (const l of alive()) l.client.closeAsap('snapshot for replication failed');
        this.finishSnapshot();
      },
    };
    handle = provider.streamRdb(sink, { replid: this.propagator.replid, replOffset: offset });
  }

  private streamViaFile(provider: SnapshotProvider, links: ReplicaLink[], offset: number): void {
    const file = join(this.server.config.get(D.dir), `temp-sync-${process.pid}-${Date.now()}.rdb`);
    const out = createWriteStream(file);
    let handle: RdbStreamHandle | null = null;
    const cleanup = () => {
      try {
        unlinkSync(file);
      } catch (e) {
        log.debug({ file, err: (e as Error).message }, 'sync temp file already gone');
      }
    };
    const sink: RdbSink = {
      write: (chunk) => {
        if (out.write(chunk)) return true;
        out.once('drain', () => handle?.resume());
        return false;
      },
      end: () => {
        out.end(() => {
          const size = statSync(file).size;
          let remaining = links.filter((l) => this.links.has(l.client)).length;
          if (remaining === 0) {
            cleanup();
            this.finishSnapshot();
            return;
          }
          for (const l of links) {
            if (!this.links.has(l.client)) continue;
            l.client.out.writeLatin1(`$${size}\r\n`);
            this.sendFile(l, file, () => {
              l.rdbBytesSent = size;
              this.logTransferEnd(l, offset);
              if (l.isRdbOnly) l.client.flags |= ClientFlag.CloseAfterReply;
              else l.goOnline();
              if (--remaining === 0) {
                cleanup();
                this.finishSnapshot();
              }
            });
          }
        });
      },
      fail: (err) => {
        out.destroy();
        cleanup();
        log.warn({ err: err.message }, 'Snapshot for replication failed');
        for (const l of links) l.client.closeAsap('snapshot for replication failed');
        this.finishSnapshot();
      },
    };
    handle = provider.streamRdb(sink, { replid: this.propagator.replid, replOffset: offset });
  }

  /** Streams a file into a replica's output buffer at the pace its socket drains. */
  private sendFile(link: ReplicaLink, file: string, done: () => void): void {
    const stream = createReadStream(file, { highWaterMark: 256 * 1024 });
    stream.on('data', (chunk) => {
      if (!this.links.has(link.client)) {
        stream.destroy();
        done();
        return;
      }
      link.client.out.writeBuffer(chunk as Buffer);
      if (link.client.outputBytes - link.client.heldOutputBytes > SYNC_WINDOW_BYTES) {
        stream.pause();
        this.resumeWhenDrained(link, () => stream.resume());
      }
    });
    stream.on('end', done);
    stream.on('error', (e) => {
      link.client.closeAsap(`reading sync file failed: ${e.message}`);
      done();
    });
  }

  private resumeWhenDrained(link: ReplicaLink, resume: () => void): void {
    const conn = link.client.conn;
    if (conn === null || conn.isClosed) {
      setImmediate(resume);
      return;
    }
    // The output is handed to the socket at the end of this loop turn; wait for it to drain.
    setImmediate(() => {
      if (conn.unsentBytes === 0) resume();
      else conn.onceDrained(resume);
    });
  }

  private logTransferEnd(l: ReplicaLink, offset: number): void {
    log.info(
      { replica: l.client.addr, bytes: l.rdbBytesSent, ms: Date.now() - l.syncStartedMs, offset },
      'Snapshot transfer to replica finished',
    );
  }

  private detach(c: Client): void {
    this.pendingLinks.delete(c);
    const link = this.links.get(c);
    if (link === undefined) return;
    this.links.delete(c);
    this.propagator.consumers.delete(link);
    this.waiting = this.waiting.filter((l) => l !== link);
    log.info({ replica: c.addr }, 'Connection with replica lost');
    if (this.links.size === 0) this.propagator.backlogIdleSinceMs = Date.now();
    this.waiters = this.waiters.filter((w) => w.c !== c);
  }

  // ---- WAIT ----------------------------------------------------------------

  /** WAIT numreplicas timeout: replies now or blocks the client. */
  wait(c: Client, replicas: number, timeoutMs: number, reply: (n: number) => void): void {
    const offset = c.lastWriteOffset;
    const acked = this.ackedAtLeast(offset);
    if (acked >= replicas || c.hasFlag(ClientFlag.Multi)) return reply(acked);
    c.flags |= ClientFlag.Blocked;
    const waiter = { c, replicas, offset, timer: null as NodeJS.Timeout | null };
    if (timeoutMs > 0) waiter.timer = setTimeout(() => this.releaseWaiter(waiter, reply), timeoutMs);
    this.waiters.push(waiter);
    this.waiterReplies.set(c, reply);
    this.scheduleGetack();
  }

  private readonly waiterReplies = new Map<Client, (n: number) => void>();

  private ackedAtLeast(offset: number): number {
    let n = 0;
    for (const l of this.links.values()) if (l.state === 'online' && !l.isWaitingFirstAck && l.ackOffset >= offset) n++;
    return n;
  }

  private releaseWaiter(w: { c: Client; replicas: number; offset: number; timer: NodeJS.Timeout | null }, reply: (n: number) => void): void {
    if (w.timer !== null) clearTimeout(w.timer);
    this.waiters = this.waiters.filter((x) => x !== w);
    this.waiterReplies.delete(w.c);
    w.c.flags &= ~ClientFlag.Blocked;
    reply(this.ackedAtLeast(w.offset));
    setImmediate(() => this.server.processInput(w.c));
  }

  /** CLIENT UNBLOCK of a client in WAIT: replies the acknowledgements so far (as a timeout would), or -UNBLOCKED. */
  unblockWaiter(id: number, withError: boolean): boolean {
    const w = this.waiters.find((x) => x.c.id === id);
    if (w === undefined) return false;
    this.releaseWaiter(w, withError ? () => addError(w.c, err.unblocked) : this.waiterReplies.get(w.c)!);
    return true;
  }

  private checkWaiters(): void {
    for (const w of [...this.waiters]) {
      if (this.ackedAtLeast(w.offset) >= w.replicas) this.releaseWaiter(w, this.waiterReplies.get(w.c)!);
    }
  }

  /** Asks every replica for an ACK now (REPLCONF GETACK *), once per loop turn. */
  private scheduleGetack(): void {
    if (this.isGetackScheduled) return;
    this.isGetackScheduled = true;
    setImmediate(() => {
      this.isGetackScheduled = false;
      if (this.waiters.length === 0) return;
      this.propagator.feedGetack();
    });
  }

  // ---- cron ----------------------------------------------------------------

  private cron(): void {
    const now = Date.now();
    const cfg = this.server.config;
    for (const l of this.waiting) l.client.out.writeBuffer(NEWLINE);
    if (this.links.size > 0 && now - this.lastPingMs >= cfg.get(D.replPingReplicaPeriod) * 1000) {
      this.lastPingMs = now;
      if (!this.server.replication.isReplica) this.propagator.feedPing();
    }
    const timeoutMs = cfg.get(D.replTimeout) * 1000;
    for (const l of this.links.values()) {
      if (l.state === 'online' && !l.isOldSync && now - l.ackTimeMs > timeoutMs) {
        log.warn({ replica: l.client.addr }, 'Disconnecting timedout replica');
        l.client.closeAsap('replica ack timeout');
      }
    }
    const ttlMs = cfg.get(D.replBacklogTtl) * 1000;
    const p = this.propagator;
    if (p.backlog !== null && this.links.size === 0 && !this.server.replication.isReplica && ttlMs > 0 && p.backlogIdleSinceMs > 0 && now - p.backlogIdleSinceMs > ttlMs) {
      log.info({ seconds: ttlMs / 1000 }, 'Replication backlog freed after its TTL with no replicas');
      p.freeBacklog();
    }
  }

  /** `slaveN:ip=...,port=...,state=...,offset=...,lag=...` lines. */
  infoLines(): [string, string | number][] {
    const out: [string, string | number][] = [];
    let i = 0;
    const now = Date.now();
    for (const l of this.links.values()) {
      const lag = l.state === 'online' ? Math.floor((now - l.ackTimeMs) / 1000) : 0;
      out.push([`slave${i++}`, `ip=${l.ip},port=${l.listeningPort},state=${l.state},offset=${l.ackOffset},lag=${lag}`]);
    }
    return out;
  }
}
