/**
 * The replica side of one master link (Redis's syncWithMaster and
 * readSyncBulkPayload): connect, handshake, PSYNC, receive and load the RDB
 * on a full sync, then apply the master's stream as a client flagged Master
 * whose replies are discarded, acknowledging the processed offset every
 * second. A dropped link reconnects from the cron and asks PSYNC for the
 * next byte it needs, so a short outage costs only the missed bytes.
 *
 *   connect ─▶ connecting ─▶ handshake ─▶ sync ─▶ connected
 *      ▲                                              │
 *      └──────────── link lost / error ◀──────────────┘
 *
 * Handshake (replies read in order after the pipelined REPLCONFs):
 *   PING → +PONG (or -NOAUTH when AUTH follows)
 *   [AUTH [user] pass] REPLCONF listening-port <p>  REPLCONF capa eof capa psync2
 *   PSYNC <replid> <offset+1> | PSYNC ? -1
 *   → +FULLRESYNC <replid> <offset>, then `\n`* and `$<len>` or `$EOF:<mark>`
 *   → +CONTINUE [<replid>], then the stream
 */
import { connect, Socket } from 'node:net';
import { createWriteStream, unlinkSync, WriteStream } from 'node:fs';
import { join } from 'node:path';
import { D } from '../../config/directives';
import { log } from '../../log';
import { Client, ClientFlag } from '../../server/client';
import { StreamConnection } from '../../server/stream-connection';
import type { Server } from '../../server/server';
import { encodeCommand } from '../propagate';

export type MasterLinkState = 'connect' | 'connecting' | 'handshake' | 'sync' | 'connected';

export interface CachedMaster {
  replid: string;
  /** Last stream offset processed; PSYNC asks for the byte after it. */
  offset: number;
}

/** What the link reports to the replication room. */
export interface MasterLinkEvents {
  /** A full sync is about to replace the dataset with the RDB in file. */
  loadRdb(file: string): Promise<void>;
  /** The link is up with this history (after FULLRESYNC + load, or CONTINUE). */
  linkUp(link: MasterLink, replid: string, offset: number, isFullSync: boolean): void;
  /** The link went down. */
  linkDown(link: MasterLink): void;
  /** A command from the master was applied; `frame` is its exact stream bytes. */
  streamApplied(link: MasterLink, frame: Buffer): void;
}

const EMPTY: Buffer = Buffer.alloc(0);

export class MasterLink {
  state: MasterLinkState = 'connect';
  private socket: Socket | null = null;
  private input: Buffer = EMPTY;
  private lineWaiter: ((line: string) => void) | null = null;
  private failWaiter: ((e: Error) => void) | null = null;
  private transfer: { file: string; out: WriteStream; remaining: number; mark: string | null; tail: Buffer } | null = null;
  private transferDone: (() => void) | null = null;
  /** The master as a client, once the stream flows. */
  client: Client | null = null;
  /** Stream offset at which the current client's parser started. */
  private baseOffset = 0;
  lastIoMs = Date.now();
  linkDownSinceMs = Date.now();
  syncTotalBytes = -1;
  syncReadBytes = 0;
  private isStopped = false;

  constructor(
    private readonly server: Server,
    readonly host: string,
    readonly port: number,
    public cached: CachedMaster | null,
    private readonly events: MasterLinkEvents,
  ) {}

  /** The processed offset (what REPLCONF ACK reports). */
  get processedOffset(): number {
    if (this.client === null) return this.cached?.offset ?? -1;
    return this.baseOffset + this.client.parser.consumedBytes;
  }

  /** Cron, once a second: connect when due, ACK, time out a silent master. */
  tick(): void {
    if (this.isStopped) return;
    const now = Date.now();
    if (this.state === 'connect') {
      void this.run();
      return;
    }
    const timeoutMs = this.server.config.get(D.replTimeout) * 1000;
    if (now - this.lastIoMs > timeoutMs) {
      log.warn({ master: `${this.host}:${this.port}` }, 'MASTER timeout: no data nor PING received...');
      this.drop('timeout');
      return;
    }
    if (this.state === 'connected') this.sendAck(this.processedOffset);
  }

  sendAck(offset: number): void {
    this.socket?.write(encodeCommand([Buffer.from('REPLCONF'), Buffer.from('ACK'), Buffer.from(String(offset))]));
  }

  stop(): void {
    this.isStopped = true;
    this.drop('replicaof changed', false);
  }

  private async run(): Promise<void> {
    this.state = 'connecting';
    log.info({ master: `${this.host}:${this.port}` }, 'Connecting to MASTER');
    try {
      await this.open();
      this.state = 'handshake';
      await this.handshake();
    } catch (e) {
      if (!this.isStopped) log.warn({ master: `${this.host}:${this.port}`, err: (e as Error).message }, 'MASTER <-> REPLICA sync failed; will retry');
      this.drop('handshake failed');
    }
  }

  private open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: this.host, port: this.port });
      socket.setNoDelay(true);
      this.socket = socket;
      socket.once('connect', () => {
        socket.off('error', reject);
        socket.on('error', (e) => log.debug({ err: e.message }, 'master link socket error'));
        resolve();
      });
      socket.once('error', reject);
      socket.on('data', (d: Buffer) => this.onData(d));
      socket.on('close', () => {
        if (this.socket === socket) this.drop('connection lost');
      });
    });
  }

  private send(...args: string[]): void {
    this.socket!.write(encodeCommand(args.map((a) => Buffer.from(a, 'latin1'))));
  }

  private async handshake(): Promise<void> {
    this.send('PING');
    const pong = await this.readLine();
    if (pong.startsWith('-') && !/^-(NOAUTH|NOPERM|ERR operation not permitted)/.test(pong)) {
      throw new Error(`Error reply to PING from master: '${pong}'`);
    }
    const cfg = this.server.config;
    const pass = cfg.get(D.masterauth);
    const user = cfg.get(D.masteruser);
    if (pass !== '') {
      if (user !== '') this.send('AUTH', user, pass);
      else this.send('AUTH', pass);
    }
    const announcedPort = cfg.get(D.replicaAnnouncePort) || this.server.boundPort;
    this.send('REPLCONF', 'listening-port', String(announcedPort));
    const announcedIp = cfg.get(D.replicaAnnounceIp);
    if (announcedIp !== '') this.send('REPLCONF', 'ip-address', announcedIp);
    const active = this.server.active;
    if (active.isEnabled) {
      // KeyDB: tell the master we expire keys ourselves, and exchange node UUIDs.
      this.send('REPLCONF', 'capa', 'eof', 'capa', 'psync2', 'capa', 'activeExpire');
      this.send('REPLCONF', 'uuid', active.uuid);
    } else {
      this.send('REPLCONF', 'capa', 'eof', 'capa', 'psync2');
    }
    if (pass !== '') {
      const auth = await this.readLine();
      if (auth.startsWith('-')) throw new Error(`Unable to AUTH to MASTER: ${auth}`);
    }
    await this.readLine(); // listening-port: errors tolerated, as Redis does
    if (announcedIp !== '') await this.readLine();
    await this.readLine(); // capa
    // The reply to `REPLCONF uuid` (the master's UUID, or an error from a plain Redis) is not needed:
    // loops are cut by the origin UUID inside each RREPLAY frame.
    if (active.isEnabled) await this.readLine();
    const cached = this.cached;
    if (cached !== null) this.send('PSYNC', cached.replid, String(cached.offset + 1));
    else this.send('PSYNC', '?', '-1');
    let reply = '';
    while (reply === '') reply = await this.readLine();
    if (reply.startsWith('+FULLRESYNC')) {
      const [, replid, offset] = reply.split(' ');
      await this.fullSync(replid, Number(offset));
    } else if (reply.startsWith('+CONTINUE')) {
      const newId = reply.split(' ')[1];
      const backlogBytes = this.input;
      this.input = EMPTY;
      this.startStream(newId ?? cached!.replid, cached!.offset, false);
      // The backlog often arrives in the same packet as the +CONTINUE line.
      if (backlogBytes.length > 0) this.onData(backlogBytes, true);
    } else {
      throw new Error(`Unexpected reply to PSYNC from master: ${reply}`);
    }
  }

  private async fullSync(replid: string, offset: number): Promise<void> {
    this.state = 'sync';
    let header = '';
    while (header === '') header = await this.readLine(); // `\n` keepalives while the master prepares
    if (header.startsWith('-')) throw new Error(`Master aborted replication with an error: ${header}`);
    if (!header.startsWith('$')) throw new Error(`Bad protocol from MASTER, the first byte is not '$': ${header}`);
    const isEof = header.startsWith('$EOF:');
    const size = isEof ? -1 : Number(header.slice(1));
    log.info({ master: `${this.host}:${this.port}`, bytes: isEof ? 'EOF-framed' : size }, 'MASTER <-> REPLICA sync: receiving streamed RDB from master');
    const file = join(this.server.config.get(D.dir), `temp-${process.pid}-${Date.now()}.rdb`);
    this.syncTotalBytes = size;
    this.syncReadBytes = 0;
    await new Promise<void>((resolve, reject) => {
      this.failWaiter = reject;
      this.transfer = { file, out: createWriteStream(file), remaining: size, mark: isEof ? header.slice(5, 45) : null, tail: EMPTY };
      this.transferDone = resolve;
      if (this.input.length > 0) {
        const rest = this.input;
        this.input = EMPTY;
        this.onData(rest, true);
      }
    });
    const leftover = this.input;
    this.input = EMPTY;
    log.info({ master: `${this.host}:${this.port}`, bytes: this.syncReadBytes }, 'MASTER <-> REPLICA sync: loading DB in memory');
    try {
      await this.events.loadRdb(file);
    } finally {
      try {
        unlinkSync(file);
      } catch (e) {
        log.debug({ err: (e as Error).message }, 'temp RDB already removed');
      }
    }
    log.info({ master: `${this.host}:${this.port}` }, 'MASTER <-> REPLICA sync: Finished with success');
    this.startStream(replid, offset, true);
    if (leftover.length > 0) this.onData(leftover, true);
    // EOF-framed transfers: the master waits for this ACK before streaming.
    if (isEof) this.sendAck(this.processedOffset);
  }

  private startStream(replid: string, offset: number, isFullSync: boolean): void {
    const c = new Client(this.server.allocateClientId(), this.server, this.socket === null ? null : new StreamConnection(this.socket));
    c.flags |= ClientFlag.Master;
    // A classic replica proxies the master's bytes; an active one re-propagates in its own stream.
    if (!this.server.active.isEnabled) c.flags |= ClientFlag.NoPropagate;
    c.isAuthenticated = true;
    c.parser.limits.isUnauthenticated = false;
    this.server.clients.set(c.id, c);
    this.client = c;
    this.baseOffset = offset;
    this.cached = { replid, offset };
    this.state = 'connected';
    this.events.linkUp(this, replid, offset, isFullSync);
    log.info({ master: `${this.host}:${this.port}`, replid, offset, fullSync: isFullSync }, 'MASTER <-> REPLICA sync: link up');
  }

  /** Called by the server after each command of the master's stream. */
  onCommandApplied(frame: Buffer): void {
    this.cached = { replid: this.cached!.replid, offset: this.processedOffset };
    this.events.streamApplied(this, frame);
  }

  private onData(d: Buffer, isReplay = false): void {
    if (!isReplay) this.lastIoMs = Date.now();
    if (this.transfer !== null) {
      this.receiveRdb(d);
      return;
    }
    if (this.client !== null) {
      this.client.parser.feed(d);
      this.server.processInput(this.client);
      if (this.client.parser.error !== null) this.drop(`protocol error in master stream: ${this.client.parser.error}`);
      return;
    }
    this.input = this.input.length === 0 ? d : Buffer.concat([this.input, d]);
    this.deliverLine();
  }

  private receiveRdb(d: Buffer): void {
    const t = this.transfer!;
    let chunk = d;
    let rest = EMPTY;
    if (t.mark === null) {
      if (chunk.length > t.remaining) {
        rest = chunk.subarray(t.remaining);
        chunk = chunk.subarray(0, t.remaining);
      }
      t.remaining -= chunk.length;
      t.out.write(chunk);
      this.syncReadBytes += chunk.length;
      if (t.remaining > 0) return;
    } else {
      // Hold back the last 40 bytes until we know they are not the end mark.
      const joined = Buffer.concat([t.tail, chunk]);
      const end = joined.indexOf(t.mark, 0, 'latin1');
      if (end < 0) {
        const keep = Math.min(40, joined.length);
        t.out.write(joined.subarray(0, joined.length - keep));
        this.syncReadBytes += joined.length - keep;
        t.tail = joined.subarray(joined.length - keep);
        return;
      }
      t.out.write(joined.subarray(0, end));
      this.syncReadBytes += end;
      rest = joined.subarray(end + 40);
    }
    this.transfer = null;
    this.input = rest;
    const done = this.transferDone!;
    this.transferDone = null;
    this.failWaiter = null;
    t.out.end(() => done());
  }

  private readLine(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.lineWaiter = resolve;
      this.failWaiter = reject;
      this.deliverLine();
    });
  }

  private deliverLine(): void {
    if (this.lineWaiter === null) return;
    const nl = this.input.indexOf(10);
    if (nl < 0) return;
    const end = nl > 0 && this.input[nl - 1] === 13 ? nl - 1 : nl;
    const line = this.input.latin1Slice(0, end);
    this.input = this.input.subarray(nl + 1);
    const w = this.lineWaiter;
    this.lineWaiter = null;
    this.failWaiter = null;
    w(line);
  }

  /** Closes the link; it reconnects on a later tick unless stopped. */
  drop(reason: string, shouldLog = true): void {
    const wasUp = this.state === 'connected';
    const socket = this.socket;
    this.socket = null;
    if (socket !== null && !socket.destroyed) socket.destroy();
    if (this.transfer !== null) {
      this.transfer.out.destroy();
      try {
        unlinkSync(this.transfer.file);
      } catch (e) {
        log.debug({ err: (e as Error).message }, 'temp RDB already removed');
      }
      this.transfer = null;
    }
    const fail = this.failWaiter;
    this.failWaiter = null;
    this.lineWaiter = null;
    this.transferDone = null;
    if (fail !== null) fail(new Error(reason));
    if (this.client !== null) {
      const c = this.client;
      this.client = null;
      this.server.freeClient(c, '');
    }
    this.input = EMPTY;
    if (this.state !== 'connect') {
      if (wasUp) {
        this.linkDownSinceMs = Date.now();
        if (shouldLog) log.warn({ master: `${this.host}:${this.port}`, reason }, 'Connection with master lost');
        this.events.linkDown(this);
      }
      this.state = 'connect';
    }
  }
}
