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
    const wasMaster = !this.isReplica;
    // Without multi-master there is one master: a new one replaces it.
    const cached = wasMaster
      ? { replid: this.server.propagator.replid, offset: this.server.propagator.masterReplOffset }
      : (this.masters[0]?.cached ?? null);
    for (const m of this.masters) m.stop();
    this.masters = [];
    const link = new MasterLink(this.server, address.host, address.port, cached, this);
    this.masters.push(link);
    this.server.keyspace.isReplica = true;
    // Our own replicas must follow the new history: they reconnect and PSYNC.
    for (const c of [...this.primary.links.keys()]) c.closeAsap('master changed');
    log.info({ master: `${address.host}:${address.port}` }, 'REPLICAOF: connecting to a new master (MASTER <-> REPLICA sync will start)');
    if (this.isStarted) link.tick();
    return 'OK';
  }

  /** REPLICAOF NO ONE: keep the data, become a master, let siblings PSYNC against our new id. */
  promote(): void {
    if (!this.isReplica) return;
    const offset = this.masters[0].processedOffset;
    for (const m of this.masters) m.stop();
    this.masters = [];
    this.server.keyspace.isReplica = false;
    const p = this.server.propagator;
    if (offset >= 0) p.masterReplOffset = offset;
    p.shiftReplicationId();
    p.forceSelect();
    log.info({ replid: p.replid, replid2: p.replid2 }, 'MASTER MODE enabled (user request from REPLICAOF NO ONE)');
  }

  // ---- MasterLinkEvents ----------------------------------------------------

  async loadRdb(file: string): Promise<void> {
    if (this.snapshotProvider === null) throw new Error('RDB loading is not available');
    await this.snapshotProvider.loadReplicaRdb(file);
  }

  linkUp(link: MasterLink, replid: string, offset: number, isFullSync: boolean): void {
    const p = this.server.propagator;
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
    this.server.propagator.feedFromMaster(frame);
  }

  // ---- gates ---------------------------------------------------------------

  private installGates(): void {
    const server = this.server;
    const cfg = server.config;
    addCommandGate({
      check: (c, cmd) => {
        if ((c.flags & ClientFlag.Master) !== 0) return null;
        if (this.isReplica) {
          if ((cmd.flags & F.write) !== 0 && cfg.get(D.replicaReadOnly) && !cfg.get(D.activeReplica)) return err.readonly;
          if (!this.isLinkUp && !cfg.get(D.replicaServeStaleData) && (cmd.flags & F.stale) === 0) return err.masterDown;
        } else if ((cmd.flags & F.write) !== 0) {
          const min = cfg.get(D.minReplicasToWrite);
          if (min > 0 && this.primary.goodReplicas() < min) return 'NOREPLICAS Not enough good replicas to write.';
        }
        return null;
      },
    });
  }

  // ---- INFO / ROLE ---------------------------------------------------------

  private infoSection(): [string, string | number][] {
    const p = this.server.propagator;
    const out: [string, string | number][] = [];
    if (!this.isReplica) {
      out.push(['role', 'master']);
    } else {
      const m = this.masters[0];
      const now = Date.now();
      out.push(
        ['role', 'slave'],
        ['master_host', m.host],
        ['master_port', m.port],
        ['master_link_status', m.state === 'connected' ? 'up' : 'down'],
        ['master_last_io_seconds_ago', m.state === 'connected' ? Math.floor((now - m.lastIoMs) / 1000) : -1],
        ['master_sync_in_progress', m.state === 'sync' ? 1 : 0],
        ['slave_read_repl_offset', m.processedOffset],
        ['slave_repl_offset', m.processedOffset],
      );
      if (m.state === 'sync') {
        out.push(
          ['master_sync_total_bytes', m.syncTotalBytes],
          ['master_sync_read_bytes', m.syncReadBytes],
          ['master_sync_left_bytes', m.syncTotalBytes < 0 ? -1 : m.syncTotalBytes - m.syncReadBytes],
          ['master_sync_perc', m.syncTotalBytes <= 0 ? '0.00' : ((m.syncReadBytes * 100) / m.syncTotalBytes).toFixed(2)],
          ['master_sync_last_io_seconds_ago', Math.floor((now - m.lastIoMs) / 1000)],
        );
      }
      if (m.state !== 'connected') out.push(['master_link_down_since_seconds', Math.floor((now - m.linkDownSinceMs) / 1000)]);
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
