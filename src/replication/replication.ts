/**
 * The replication room's front: who this node replicates from (master
 * links), who replicates from it (Primary), the role it reports, and the
 * rules replication imposes on clients' commands — read-only replicas,
 * stale data while the link is down, min-replicas-to-write.
 */
import { D, MasterAddress } from '../config/directives';
import { log } from '../log';
import { addCommandGate } from '../commands/dispatch';
import { F } from '../commands/command';
import { err } from '../protocol/shared';
import { ClientFlag } from '../server/client';
import type { Server } from '../server/server';
import { Primary } from './primary/primary';
import { MasterLink, MasterLinkEvents } from './replica/master-link';
import type { SnapshotProvider } from './snapshot-source';

export class Replication implements MasterLinkEvents {
  readonly primary: Primary;
  masters: MasterLink[] = [];
  snapshotProvider: SnapshotProvider | null = null;

  /** Master links wait until the dataset is loaded (start()). */
  private isStarted = false;

  constructor(private readonly server: Server) {
    this.primary = new Primary(server, server.propagator);
    server.cron.every(1000, () => {
      if (this.isStarted) for (const m of this.masters) m.tick();
    });
    this.installGates();
    server.info.section('replication', () => this.infoSection());
    server.config.onChange(D.replBacklogSize, (size) => server.propagator.backlog?.resize(size));
    // Configured masters are known before loading (a replica keeps expired keys), but dialled after.
    for (const m of server.config.get(D.replicaof)) this.replicaOf(m);
  }

  /**
   * After the startup load. A dump that carried repl-id/repl-offset restores
   * the history it was saved with, so after a restart our replicas (as a
   * master) or our master (as a replica) can continue with PSYNC instead of a
   * full resync.
   */
  start(saved: { replId?: string; replOffset?: number }): void {
    const p = this.server.propagator;
    if (saved.replId !== undefined && saved.replId.length === 40 && saved.replOffset !== undefined && saved.replOffset >= 0) {
      p.replid = saved.replId;
      p.masterReplOffset = saved.replOffset;
      p.ensureBacklog(this.server.config.get(D.replBacklogSize), false);
      for (const m of this.masters) m.cached = { replid: saved.replId, offset: saved.replOffset };
      log.info({ replid: saved.replId, offset: saved.replOffset }, 'Replication history restored from the RDB: partial resync possible');
    }
    this.isStarted = true;
    for (const m of this.masters) m.tick();
  }

  /** repl-* AUX fields for a dump: the history our offset belongs to. */
  auxForSave(): { streamDb: number; replId: string; replOffset: number } {
    const p = this.server.propagator;
    return { streamDb: 0, replId: p.replid, replOffset: p.masterReplOffset };
  }

  setSnapshotProvider(p: SnapshotProvider): void {
    this.snapshotProvider = p;
    this.primary.snapshotProvider = p;
  }

  get isReplica(): boolean {
    return this.masters.length > 0;
  }

  get isLinkUp(): boolean {
    return this.masters.length > 0 && this.masters.every((m) => m.state === 'connected');
  }

  // ---- REPLICAOF -----------------------------------------------------------

  /** Returns the status text for the reply (OK or "OK Already connected..."). */
  replicaOf(address: MasterAddress): string {
    const existing = this.masters.find((m) => m.host === address.host && m.port === address.port);
    if (existing !== undefined) return 'OK Already connected to specified master';
    const isActive = this.server.active.isEnabled;
    let cached = null;
    if (!isActive) {
      // A former master offers its own history, so a node that was our replica can PSYNC us back.
      cached = this.isReplica ? this.masters[0].cached : { replid: this.server.propagator.replid, offset: this.server.propagator.masterReplOffset };
      // Our own replicas must follow the new history: they reconnect and PSYNC.
      for (const c of [...this.primary.links.keys()]) c.closeAsap('master changed');
    }
    // Without multi-master there is one master: a new one replaces it (KeyDB's multi-master adds).
    if (!this.server.config.get(D.multiMaster)) {
      for (const m of this.masters) m.stop();
      this.masters = [];
    }
    const link = new MasterLink(this.server, address.host, address.port, cached, this);
    this.masters.push(link);
    // Active replicas expire keys themselves; classic replicas wait for their master's DELs.
    this.server.keyspace.isReplica = !isActive;
    log.info({ master: `${address.host}:${address.port}` }, 'REPLICAOF: connecting to a new master (MASTER <-> REPLICA sync will start)');
    if (this.isStarted) link.tick();
    return 'OK';
  }

  /** KeyDB's REPLICAOF REMOVE host port. */
  removeMaster(address: MasterAddress): boolean {
    const i = this.masters.findIndex((m) => m.host === address.host && m.port === address.port);
    if (i < 0) return false;
    this.masters[i].stop();
    this.masters.splice(i, 1);
    if (this.masters.length === 0) this.becomeMaster();
    return true;
  }

  /** REPLICAOF NO ONE: keep the data, become a master, let siblings PSYNC against our new id. */
  promote(): void {
    if (!this.isReplica) return;
    for (const m of this.masters) m.stop();
    this.masters = [];
    this.becomeMaster();
  }

  private becomeMaster(): void {
    this.server.keyspace.isReplica = false;
    const p = this.server.propagator;
    // An active node's stream was its own all along; a classic replica starts a new history.
    if (!this.server.active.isEnabled) {
      p.shiftReplicationId();
      p.forceSelect();
    }
    log.info({ replid: p.replid, replid2: p.replid2 }, 'MASTER MODE enabled (user request from REPLICAOF NO ONE)');
  }

  // ---- MasterLinkEvents ----------------------------------------------------

  async loadRdb(file: string): Promise<void> {
    if (this.snapshotProvider === null) throw new Error('RDB loading is not available');
    // KeyDB: active and multi-master replicas merge the master's data into theirs, newest write winning.
    const isMerge = this.server.active.isEnabled || this.server.config.get(D.multiMaster);
    await this.snapshotProvider.loadReplicaRdb(file, isMerge);
  }

  linkUp(link: MasterLink, replid: string, offset: number, isFullSync: boolean): void {
    const p = this.server.propagator;
    if (this.server.active.isEnabled) {
      // Our stream stays our own: nothing to adopt, and our replicas keep their link.
      p.ensureBacklog(this.server.config.get(D.replBacklogSize), false);
      return;
    }
    if (isFullSync || replid !== p.replid) {
      // A new history: sub-replicas must resync with us.
      for (const c of [...this.primary.links.keys()]) c.closeAsap('our master changed history');
    }
    if (isFullSync) {
      p.adoptHistory(replid, offset);
    } else if (replid !== p.replid) {
      p.shiftReplicationId();
      p.replid = replid;
    }
    p.ensureBacklog(this.server.config.get(D.replBacklogSize), false);
    void link;
  }

  linkDown(): void {
    /* INFO reads the link's state; nothing else to do. */
  }

  streamApplied(_link: MasterLink, frame: Buffer): void {
    // A classic replica proxies its master's stream; an active one propagated as it applied.
    if (!this.server.active.isEnabled) this.server.propagator.feedFromMaster(frame);
  }

  // ---- gates ---------------------------------------------------------------

  private installGates(): void {
    const server = this.server;
    const cfg = server.config;
    // Read on every write: kept here rather than looked up each time.
    let minReplicasToWrite = cfg.get(D.minReplicasToWrite);
    cfg.onChange(D.minReplicasToWrite, (v) => (minReplicasToWrite = v));
    addCommandGate({
      check: (c, cmd) => {
        if ((c.flags & ClientFlag.Master) !== 0) return null;
        if (this.isReplica) {
          if ((cmd.flags & F.write) !== 0 && cfg.get(D.replicaReadOnly)) return err.readonly;
          if (!this.isLinkUp && !cfg.get(D.replicaServeStaleData) && (cmd.flags & F.stale) === 0) return err.masterDown;
        } else if (minReplicasToWrite > 0 && (cmd.flags & F.write) !== 0) {
          if (this.primary.goodReplicas() < minReplicasToWrite) return 'NOREPLICAS Not enough good replicas to write.';
        }
        return null;
      },
    });
  }

  // ---- INFO / ROLE ---------------------------------------------------------

  /** One master's fields; the first master's have Redis's plain names. */
  private masterBlock(m: MasterLink, prefix: string): [string, string | number][] {
    const now = Date.now();
    const out: [string, string | number][] = [
      [`${prefix}host`, m.host],
      [`${prefix}port`, m.port],
      [`${prefix}link_status`, m.state === 'connected' ? 'up' : 'down'],
      [`${prefix}last_io_seconds_ago`, m.state === 'connected' ? Math.floor((now - m.lastIoMs) / 1000) : -1],
      [`${prefix}sync_in_progress`, m.state === 'sync' ? 1 : 0],
      ['slave_read_repl_offset', m.processedOffset],
      ['slave_repl_offset', m.processedOffset],
    ];
    if (m.state === 'sync') {
      out.push(
        [`${prefix}sync_total_bytes`, m.syncTotalBytes],
        [`${prefix}sync_read_bytes`, m.syncReadBytes],
        [`${prefix}sync_left_bytes`, m.syncTotalBytes < 0 ? -1 : m.syncTotalBytes - m.syncReadBytes],
        [`${prefix}sync_perc`, m.syncTotalBytes <= 0 ? '0.00' : ((m.syncReadBytes * 100) / m.syncTotalBytes).toFixed(2)],
        [`${prefix}sync_last_io_seconds_ago`, Math.floor((now - m.lastIoMs) / 1000)],
      );
    }
    if (m.state !== 'connected') out.push([`${prefix}link_down_since_seconds`, Math.floor((now - m.linkDownSinceMs) / 1000)]);
    return out;
  }

  private infoSection(): [string, string | number][] {
    const p = this.server.propagator;
    const out: [string, string | number][] = [];
    const isActive = this.server.active.isEnabled;
    if (this.masters.length === 0) {
      out.push(['role', 'master']);
    } else {
      if (isActive) {
        // KeyDB's layout: a global status, then one block per master (master_1_..., master_2_...).
        const connected = this.masters.filter((m) => m.state === 'connected').length;
        out.push(['role', 'active-replica'], ['master_global_link_status', this.isLinkUp ? 'up' : 'down'], ['connected_masters', connected]);
      } else {
        out.push(['role', 'slave']);
      }
      this.masters.forEach((m, i) => out.push(...this.masterBlock(m, i === 0 ? 'master_' : `master_${i}_`)));
      out.push(
        ['slave_priority', this.server.config.get(D.replicaPriority)],
        ['slave_read_only', this.server.config.get(D.replicaReadOnly) ? 1 : 0],
        ['replica_announced', 1],
      );
    }
    out.push(['connected_slaves', this.primary.connectedReplicas], ...this.primary.infoLines());
    const min = this.server.config.get(D.minReplicasToWrite);
    if (min > 0) out.push(['min_slaves_good_slaves', this.primary.goodReplicas()]);
    const b = p.backlog;
    out.push(
      ['master_failover_state', 'no-failover'],
      ['master_replid', p.replid],
      ['master_replid2', p.replid2],
      ['master_repl_offset', p.masterReplOffset],
      ['second_repl_offset', p.secondReplOffset],
      ['repl_backlog_active', b === null ? 0 : 1],
      ['repl_backlog_size', b === null ? this.server.config.get(D.replBacklogSize) : b.size],
      ['repl_backlog_first_byte_offset', b === null ? 0 : b.firstByteOffset],
      ['repl_backlog_histlen', b === null ? 0 : b.histlen],
    );
    return out;
  }
}
