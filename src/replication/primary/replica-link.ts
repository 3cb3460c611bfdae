/**
 * One attached replica, seen from its master: its sync state, what it
 * announced (REPLCONF listening-port/ip-address/capa), the offset it last
 * acknowledged, and — while its full sync is in flight — the stream bytes
 * produced after the snapshot point, held until the RDB is through.
 *
 *   wait_bgsave ──(snapshot starts)──▶ send_bulk ──(RDB sent[, first ACK])──▶ online
 *
 * The replica is a normal Client of class `replica`: everything it is sent
 * goes through its output buffer and client-output-buffer-limit, and the held
 * stream bytes count toward that limit too.
 */
import type { Client } from '../../server/client';
import type { StreamConsumer } from '../propagate';

export type ReplicaState = 'wait_bgsave' | 'send_bulk' | 'online';

export class ReplicaLink implements StreamConsumer {
  state: ReplicaState = 'wait_bgsave';
  listeningPort = 0;
  announcedIp = '';
  hasCapaEof = false;
  hasCapaPsync2 = false;
  /** REPLCONF rdb-only 1: send the RDB then close (redis-cli --rdb). */
  isRdbOnly = false;
  /** Old SYNC: no ACKs expected. */
  isOldSync = false;
  ackOffset = 0;
  ackTimeMs = Date.now();
  /** EOF-framed transfer: the stream starts only after the replica's first ACK. */
  isWaitingFirstAck = false;
  syncStartedMs = 0;
  rdbBytesSent = 0;
  private held: Buffer[] = [];

  constructor(readonly client: Client) {}

  onStreamBytes(bytes: Buffer): void {
    if (this.state === 'online' && !this.isWaitingFirstAck) {
      this.client.out.writeBuffer(bytes);
      return;
    }
    if (this.state === 'wait_bgsave') return; // its snapshot has not started: these bytes are in it
    this.held.push(bytes);
    this.client.heldOutputBytes += bytes.length;
    this.client.server.outputLimits.check(this.client);
  }

  /** Sends what was held during the sync and goes live. */
  goOnline(): void {
    this.state = 'online';
    this.isWaitingFirstAck = false;
    const c = this.client;
    for (const b of this.held) c.out.writeBuffer(b);
    this.held = [];
    c.heldOutputBytes = 0;
  }

  get ip(): string {
    if (this.announcedIp !== '') return this.announcedIp;
    const colon = this.client.addr.lastIndexOf(':');
    return colon > 0 ? this.client.addr.slice(0, colon) : this.client.addr;
  }
}
