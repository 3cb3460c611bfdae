/**
 * The server: owns the config, keyspace, client registry and counters, and
 * drives each connection: bytes in → parser → dispatch → output buffer →
 * one socket write per client per event-loop turn.
 *
 * Pending writes: a client whose output buffer goes from empty to non-empty
 * is listed once; a single setImmediate per loop turn hands every listed
 * buffer to its socket (Redis's handleClientsWithPendingWrites in beforeSleep).
 * Clients marked for closing are closed in the same pass, never in the
 * middle of a command.
 */
import { randomBytes } from 'node:crypto';
import { Config } from '../config/config';
import { D } from '../config/directives';
import { log } from '../log';
import { Keyspace } from '../store/keyspace';
import { ActiveExpire } from '../store/expire';
import { installEviction } from '../store/evict';
import { Client, ClientFlag } from './client';
import type { Connection } from './connection';
import { listenTcp, type Listener } from './listener';
import { Stats } from './stats';
import { commandRunMs, isWriteRequest, processCommand, startCommandRun } from '../commands/dispatch';
import { handleClientsBlockedOnKeys } from './blocking';
import { addError } from '../protocol/reply';
import { err } from '../protocol/shared';
import { Propagator, encodeCommand } from '../replication/propagate';
import { Replication } from '../replication/replication';
import { ActiveReplication } from '../replication/active/active';
import { SlowLog } from './slowlog';
import { Cron } from './cron';
import { LatencyMonitor } from './latency';
import { OutputLimits } from './output-limits';
import { PubSub } from '../pubsub/registry';
import { WatchRegistry } from '../commands/transaction';
import { ScanCursors } from '../store/scan';
import { InfoRegistry } from './info';
import { NotifyClass, notifyKeyspaceEvent, parseNotifyFlags } from '../pubsub/notify';

/**
 * A client without output limits (normal 0 0 0) whose socket holds this many
 * unsent bytes stops being read and served until the socket drains, so a
 * client that never reads cannot grow our memory without bound (TCP then
 * pushes back on it). Clients with limits are closed at their limit instead,
 * as in Redis.
 */
const UNLIMITED_OUTPUT_PAUSE_BYTES = 16 * 1024 * 1024;
/**
 * Input one client may have read and run per event-loop turn. libuv reads up
 * to 32 x 64 KB from a readable socket in one go, so a client pipelining big
 * commands would hold the loop for as long as 2 MB of them take (redis-cli
 * --pipe growing a set by SADDs of 1000 members: 186 ms). Past the budget
 * its socket is paused until the next turn and the others get theirs, as
 * Redis reads at most 16 KB per client per event.
 */
const INPUT_BYTES_PER_TURN = 128 * 1024;
/**
 * Time one client's commands may take per event-loop turn. The byte budget
 * alone let 128 KB of heavy commands run back to back (16 SADDs of 1000
 * members growing a big set: 5-16 ms); past this the rest of its input
 * waits for the turn's end, after the other sockets were read.
 */
const INPUT_MS_PER_TURN = 2;

export const VERSION = '7.0.15';

/** Hot-path copies of config values, refreshed by config change hooks. */
export interface Limits {
  protoMaxBulkLen: number;
  queryBufferLimit: number;
  maxclients: number;
  requirepass: string;
  timeoutSec: number;
}

const PROTECTED_MODE_TEXT =
  '-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. ' +
  'In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis ' +
  'you may adopt one of the following solutions: 1) Just disable protected mode sending the command \'CONFIG SET protected-mode no\' ' +
  'from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not ' +
  'publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just ' +
  "disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then " +
  "restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. " +
  '4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the ' +
  'server to start accepting connections from the outside.\r\n';

export class Server {
  readonly keyspace: Keyspace;
  readonly stats = new Stats();
  readonly clients = new Map<number, Client>();
  readonly limits: Limits;
  readonly propagator: Propagator;
  /** Set after construction (it needs the cron and INFO registry). */
  replication!: Replication;
  readonly active: ActiveReplication;
  readonly slowlog: SlowLog;
  readonly latency: LatencyMonitor;
  readonly outputLimits: OutputLimits;
  readonly activeExpire: ActiveExpire;
  readonly monitors = new Set<Client>();
  readonly pubsub = new PubSub();
  readonly watches: WatchRegistry;
  readonly scanCursors = new ScanCursors();
  readonly info: InfoRegistry;
  /** Parsed notify-keyspace-events; 0 means off and costs one test per write. */
  notifyFlags = 0;
  readonly runId = randomBytes(20).toString('hex');
  readonly startedAtMs = Date.now();
  readonly cron: Cron;
  /** Clients paused with CLIENT PAUSE until this time (ms); 0 when not paused. */
  pauseUntilMs = 0;
  pauseWritesOnly = false;
  private pauseTimer: NodeJS.Timeout | null = null;
  isShuttingDown = false;
  /** Keyspace changes since the last save (rdb_changes_since_last_save). */
  dirty = 0;
  /** Ports actually bound (port 0 asks the OS for one). */
  boundPort = 0;
  private nextClientId = 1;
  private pendingWrites: Client[] = [];
  private toClose: Client[] = [];
  private isFlushScheduled = false;
  private listeners: Listener[] = [];
  /** Set by main: how SHUTDOWN and signals end the process. */
  onShutdown: (save: boolean | null) => boolean = () => true;

  constructor(readonly config: Config) {
    this.keyspace = new Keyspace(config.get(D.databases));
    this.limits = {
      protoMaxBulkLen: config.get(D.protoMaxBulkLen),
      queryBufferLimit: config.get(D.clientQueryBufferLimit),
      maxclients: config.get(D.maxclients),
      requirepass: config.get(D.requirepass),
      timeoutSec: config.get(D.timeout),
    };
    config.onChange(D.protoMaxBulkLen, (v) => {
      this.limits.protoMaxBulkLen = v;
      for (const c of this.clients.values()) c.parser.limits.maxBulkBytes = v;
    });
    config.onChange(D.clientQueryBufferLimit, (v) => (this.limits.queryBufferLimit = v));
    config.onChange(D.maxclients, (v) => (this.limits.maxclients = v));
    config.onChange(D.requirepass, (v) => (this.limits.requirepass = v));
    config.onChange(D.timeout, (v) => (this.limits.timeoutSec = v));
    this.notifyFlags = parseNotifyFlags(config.get(D.notifyKeyspaceEvents)) ?? 0;
    config.onChange(D.notifyKeyspaceEvents, (v) => (this.notifyFlags = parseNotifyFlags(v) ?? 0));
    this.keyspace.onKeyAdded = (db, key) => {
      if (this.notifyFlags !== 0) notifyKeyspaceEvent(this, NotifyClass.NewKey, 'new', key, db.id);
    };
    this.active = new ActiveReplication(this);
    this.propagator = new Propagator(this);
    this.keyspace.addListener({
      keyExpired: (db, key) => notifyKeyspaceEvent(this, NotifyClass.Expired, 'expired', key, db.id),
    });
    this.clientCloseHooks.push((c) => this.pubsub.removeClient(c));
    this.watches = new WatchRegistry(this);
    this.slowlog = new SlowLog(config);
    this.latency = new LatencyMonitor(config);
    this.outputLimits = new OutputLimits(config, this.stats);
    this.clientCloseHooks.push((c) => this.outputLimits.forget(c));
    this.activeExpire = new ActiveExpire(this.keyspace);
    this.cron = new Cron(this);
    this.info = new InfoRegistry(this);
    this.replication = new Replication(this);
    installEviction(this);
  }

  requiresAuth(): boolean {
    return this.limits.requirepass !== '';
  }

  /** Binds every `bind` address; a leading '-' marks an address whose failure is tolerated. */
  async listen(): Promise<void> {
    const port = this.config.get(D.port);
    const backlog = this.config.get(D.tcpBacklog);
    for (const spec of this.config.get(D.bind)) {
      const optional = spec.startsWith('-');
      const addr = optional ? spec.slice(1) : spec;
      const host = addr === '*' ? '0.0.0.0' : addr === '::*' ? '::' : addr;
      let listener: Listener;
      try {
        listener = await listenTcp(host, this.boundPort || port, backlog, (conn) => this.accept(conn));
      } catch (e) {
        if (optional) {
          log.debug({ addr: host, err: (e as Error).message }, 'optional bind address skipped');
          continue;
        }
        throw new Error(`Failed listening on ${host}:${port}: ${(e as Error).message}`);
      }
      this.boundPort = listener.port;
      this.listeners.push(listener);
    }
    if (this.listeners.length === 0) throw new Error('Failed listening on any bind address');
    this.cron.start();
  }

  private accept(conn: Connection): void {
    this.stats.totalConnectionsReceived++;
    if (this.isShuttingDown) {
      conn.destroy();
      return;
    }
    if (this.clients.size >= this.limits.maxclients) {
      this.stats.rejectedConnections++;
      log.warn({ addr: conn.remoteAddress }, 'Connection refused: max number of clients reached');
      refuse(conn, '-' + err.maxClients + '\r\n');
      return;
    }
    if (this.config.get(D.protectedMode) && !this.requiresAuth() && !isLoopback(conn.remoteAddress)) {
      this.stats.rejectedConnections++;
      log.warn({ addr: conn.remoteAddress }, 'Connection refused: protected mode is on and no password is set');
      refuse(conn, PROTECTED_MODE_TEXT);
      return;
    }
    const keepalive = this.config.get(D.tcpKeepalive);
    if (keepalive > 0) conn.setKeepAlive(keepalive);
    const c = new Client(this.allocateClientId(), this, conn);
    this.clients.set(c.id, c);
    conn.start({
      onData: (chunk, length) => this.onData(c, chunk, length),
      onClose: () => {
        this.unlinkClient(c);
        // The socket is gone, so nothing still points into the client's output block.
        c.out.recycle();
      },
    });
  }

  /** Input from a client's socket; `chunk` is only valid during the call (connection.ts). */
  private onData(c: Client, chunk: Buffer, length: number): void {
    this.stats.totalNetInputBytes += length;
    if (c.turnInputBytes === 0) this.countInputTurn(c);
    c.turnInputBytes += length;
    if (c.hasFlag(ClientFlag.CloseAsap) || c.hasFlag(ClientFlag.CloseAfterReply)) return;
    const parser = c.parser;
    parser.feed(chunk, length);
    if (parser.bufferedBytes > this.limits.queryBufferLimit) {
      this.stats.clientQueryBufferLimitDisconnections++;
      log.warn({ id: c.id, addr: c.addr, qbuf: parser.bufferedBytes }, 'Closing client that reached max query buffer length');
      parser.releaseInput();
      c.closeAsap('query buffer limit');
      return;
    }
    this.processInput(c);
    parser.releaseInput();
    // Hand the replies to the socket now rather than after every other socket's
    // input: the client starts reading while we serve the rest.
    if (c.out.pendingBytes !== 0) this.writeToSocket(c);
    if (c.turnInputBytes > INPUT_BYTES_PER_TURN) this.throttleInput(c);
  }

  /**
   * Stops reading and serving a client for the rest of this turn; the turn's
   * end resumes it. False for clients this does not apply to: those without a
   * socket of their own, and the master link (its stream keeps its own pace).
   */
  private throttleInput(c: Client): boolean {
    if (c.conn === null || (c.flags & ClientFlag.Master) !== 0) return false;
    if ((c.flags & ClientFlag.InputThrottled) !== 0) return true;
    c.flags |= ClientFlag.InputThrottled;
    c.throttledInTurn = this.inputTurn;
    c.conn.pauseReading();
    if (c.turnInputBytes === 0) this.countInputTurn(c);
    return true;
  }

  private inputThisTurn: Client[] = [];
  /** Counts input turns: a turn ends when the check phase runs endInputTurn. */
  private inputTurn = 0;
  /**
   * The clock read once per event-loop turn with input, for the clients' last
   * interaction times (idle timeouts and CLIENT LIST idle are in seconds; Redis
   * also stamps them with a cached clock). One read per client cost ~70 ns a
   * request at -P 1.
   */
  private turnStartMs = 0;

  /** Lists a client that received input this turn; the turn's end resets its budget. */
  private countInputTurn(c: Client): void {
    if (this.inputThisTurn.length === 0) {
      setImmediate(this.endInputTurn);
      this.turnStartMs = Date.now();
    }
    this.inputThisTurn.push(c);
    c.lastInteractionMs = this.turnStartMs;
  }

  private readonly endInputTurn = (): void => {
    const list = this.inputThisTurn;
    this.inputThisTurn = [];
    for (let i = 0; i < list.length; i++) {
      const c = list[i];
      c.turnInputBytes = 0;
      if ((c.flags & ClientFlag.InputThrottled) === 0) continue;
      const hasBacklog = c.parser.bufferedBytes > 0;
      if (hasBacklog && c.throttledInTurn === this.inputTurn && this.clients.get(c.id) === c) {
        // It had its slice this turn: the rest of its input waits for the next one, unread meanwhile.
        this.countInputTurn(c);
        continue;
      }
      c.flags &= ~ClientFlag.InputThrottled;
      if (this.clients.get(c.id) !== c) continue;
      // A client paused for its output stays paused until its socket drains.
      if ((c.flags & ClientFlag.OutputPaused) === 0) c.conn?.resumeReading();
      // Input it sent but was not served for yet runs now, with a fresh budget.
      if (hasBacklog) {
        this.processInput(c);
        if (c.out.pendingBytes !== 0) this.writeToSocket(c);
      }
    }
    this.inputTurn++;
  };

  /** Runs every complete request in the client's query buffer, unless it blocks. */
  processInput(c: Client): void {
    const parser = c.parser;
    startCommandRun();
    while ((c.flags & (ClientFlag.Blocked | ClientFlag.CloseAsap | ClientFlag.CloseAfterReply | ClientFlag.OutputPaused)) === 0) {
      if (this.pauseUntilMs !== 0 && !this.pauseWritesOnly && this.isPausedFor(c)) return;
      if (c.out.pendingBytes > UNLIMITED_OUTPUT_PAUSE_BYTES && !this.outputLimits.isLimited(c.clientClass)) {
        // Replies are piling up faster than the client reads: finish this batch first.
        this.writeToSocket(c);
        if ((c.flags & ClientFlag.OutputPaused) !== 0) return;
      }
      const argv = c.heldArgv ?? parser.next();
      c.heldArgv = null;
      if (argv === null) {
        if (parser.error !== null) {
          log.info({ id: c.id, addr: c.addr, reason: parser.error }, 'Protocol error from client');
          addError(c, 'ERR ' + parser.error);
          c.flags |= ClientFlag.CloseAfterReply;
        }
        return;
      }
      if (this.pauseUntilMs !== 0 && this.pauseWritesOnly && this.isPausedFor(c) && isWriteRequest(argv)) {
        c.heldArgv = argv;
        return;
      }
      if ((c.flags & ClientFlag.Master) !== 0) {
        this.applyMasterCommand(c, argv);
        continue;
      }
      processCommand(c, argv);
      handleClientsBlockedOnKeys();
      if (commandRunMs() >= INPUT_MS_PER_TURN && this.throttleInput(c)) return;
    }
  }

  /** A command from our master: no logical expiry while it runs, then the link forwards it. */
  private applyMasterCommand(c: Client, argv: string[]): void {
    this.keyspace.isApplyingMasterStream = true;
    try {
      processCommand(c, argv);
    } finally {
      this.keyspace.isApplyingMasterStream = false;
    }
    c.out.clear(); // a master never gets replies
    const link = this.replication.masters.find((m) => m.client === c);
    link?.onCommandApplied(encodeCommand(argv));
  }

  allocateClientId(): number {
    return this.nextClientId++;
  }

  /** CLIENT PAUSE: normal clients wait; replicas and the master link go on. */
  private isPausedFor(c: Client): boolean {
    if (Date.now() >= this.pauseUntilMs) {
      this.pauseUntilMs = 0;
      return false;
    }
    return (c.flags & (ClientFlag.Master | ClientFlag.Replica)) === 0;
  }

  /** CLIENT PAUSE: hold normal clients' commands (all, or writes only) for ms. */
  pause(ms: number, writesOnly: boolean): void {
    const until = Date.now() + ms;
    // A new pause never shortens one in effect, and ALL wins over WRITE.
    this.pauseWritesOnly = this.pauseUntilMs === 0 ? writesOnly : this.pauseWritesOnly && writesOnly;
    if (until > this.pauseUntilMs) this.pauseUntilMs = until;
    if (this.pauseTimer !== null) clearTimeout(this.pauseTimer);
    this.pauseTimer = setTimeout(() => this.unpause(), this.pauseUntilMs - Date.now());
  }

  /** "master" or "slave", as HELLO and ROLE report it. */
  roleName(): string {
    return this.keyspace.isReplica ? 'replica' : 'master';
  }

  /** Ends CLIENT PAUSE and resumes every client's queued input. */
  unpause(): void {
    this.pauseUntilMs = 0;
    this.pauseWritesOnly = false;
    if (this.pauseTimer !== null) clearTimeout(this.pauseTimer);
    this.pauseTimer = null;
    for (const c of this.clients.values()) if (c.heldArgv !== null || c.parser.bufferedBytes > 0) this.processInput(c);
  }

  schedulePendingWrite(c: Client): void {
    this.pendingWrites.push(c);
    this.scheduleFlush();
  }

  scheduleClose(c: Client): void {
    this.toClose.push(c);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.isFlushScheduled) return;
    this.isFlushScheduled = true;
    setImmediate(this.flushAll);
  }

  /** One pass per loop turn: hand output to sockets, then close what must close. */
  private readonly flushAll = (): void => {
    this.isFlushScheduled = false;
    const list = this.pendingWrites;
    this.pendingWrites = [];
    for (let i = 0; i < list.length; i++) this.writeToSocket(list[i]);
    if (this.toClose.length > 0) {
      const closing = this.toClose;
      this.toClose = [];
      for (const c of closing) this.freeClient(c, c.closeReason);
    }
  };

  private writeToSocket(c: Client): void {
    const conn = c.conn;
    if (c.out.pendingBytes === 0) return;
    if ((c.flags & ClientFlag.Master) !== 0) {
      c.out.clear();
      return;
    }
    if (conn === null || conn.isClosed || c.hasFlag(ClientFlag.CloseAsap)) {
      c.out.clear();
      return;
    }
    this.stats.totalNetOutputBytes += c.out.pendingBytes;
    conn.write(c.out.take());
    if (c.hasFlag(ClientFlag.CloseAfterReply)) {
      conn.end();
      this.unlinkClient(c);
      return;
    }
    if (this.outputLimits.isLimited(c.clientClass)) {
      this.outputLimits.check(c);
    } else if (conn.unsentBytes > UNLIMITED_OUTPUT_PAUSE_BYTES && (c.flags & ClientFlag.OutputPaused) === 0) {
      this.pauseForDrain(c, conn);
    }
  }

  /** Stops reading a client until its socket drains (see UNLIMITED_OUTPUT_PAUSE_BYTES). */
  private pauseForDrain(c: Client, conn: Connection): void {
    c.flags |= ClientFlag.OutputPaused;
    conn.pauseReading();
    conn.onceDrained(() => {
      c.flags &= ~ClientFlag.OutputPaused;
      if (!this.clients.has(c.id)) return;
      if ((c.flags & ClientFlag.InputThrottled) === 0) conn.resumeReading();
      this.processInput(c);
    });
  }

  /** Closes a connection now (drops queued output). */
  freeClient(c: Client, reason: string): void {
    if (reason !== '') log.info({ id: c.id, addr: c.addr, name: c.name, reason }, 'Client closed');
    c.out.clear();
    c.conn?.destroy();
    this.unlinkClient(c);
  }

  /** Removes every reference the server holds to a closed client. */
  private unlinkClient(c: Client): void {
    if (!this.clients.delete(c.id)) return;
    this.monitors.delete(c);
    for (const hook of this.clientCloseHooks) hook(c);
  }

  /** Rooms that keep per-client state (pub/sub, WATCH, blocking) clean up here. */
  readonly clientCloseHooks: ((c: Client) => void)[] = [];

  /** Stops listening and closes every client (shutdown). */
  async close(): Promise<void> {
    this.cron.stop();
    for (const l of this.listeners) l.close();
    for (const c of [...this.clients.values()]) {
      this.writeToSocket(c);
      c.conn?.end();
      this.unlinkClient(c);
    }
  }
}

/** Tells a connection we do not serve why, and closes it once sent. */
function refuse(conn: Connection, text: string): void {
  conn.start({ onData: noop, onClose: noop });
  conn.write([Buffer.from(text, 'latin1')]);
  conn.end();
}

function noop(): void {}

function isLoopback(addr: string | undefined): boolean {
  if (addr === undefined) return true;
  return addr === '::1' || addr.startsWith('127.') || addr.startsWith('::ffff:127.');
}
