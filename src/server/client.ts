/**
 * Client: the state of one connection — selected db, protocol version,
 * authentication, MULTI queue, subscriptions, blocking state, name, flags —
 * plus its request parser and output buffer. Every field is set in the
 * constructor so all clients share one shape.
 *
 * A client is never freed in the middle of writing to it: code that finds a
 * client must go calls `closeAsap`, and the server closes it after the
 * current command (Redis's CLIENT_CLOSE_ASAP).
 */
import type { ReplyTarget } from '../protocol/reply';
import { RequestParser } from '../protocol/request-parser';
import type { Db } from '../store/db';
import type { ClientClass } from '../config/directives';
import type { Connection } from './connection';
import { OutputBuffer } from './output-buffer';
import type { Server } from './server';

export const enum ClientFlag {
  Multi = 1 << 0,
  /** A WATCHed key changed: EXEC will fail. */
  DirtyCas = 1 << 1,
  /** A command failed to queue: EXEC will abort. */
  DirtyExec = 1 << 2,
  Master = 1 << 3,
  Replica = 1 << 4,
  Monitor = 1 << 5,
  CloseAfterReply = 1 << 6,
  CloseAsap = 1 << 7,
  Blocked = 1 << 8,
  NoEvict = 1 << 9,
  Pubsub = 1 << 10,
  /** Not read or served until its socket drains (unlimited class, huge backlog). */
  OutputPaused = 1 << 12,
  /** Its writes are not propagated: a classic replica's master link (the stream is proxied) and RREPLAY origins. */
  NoPropagate = 1 << 13,
  /** Not read again until the next event-loop turn: it used its input budget for this one. */
  InputThrottled = 1 << 14,
}

export interface QueuedCommand {
  argv: string[];
}

export class Client implements ReplyTarget {
  readonly out = new OutputBuffer();
  readonly parser: RequestParser;
  resp: 2 | 3 = 2;
  db: Db;
  name = '';
  libName = '';
  libVersion = '';
  flags = 0;
  isAuthenticated: boolean;
  readonly createdAtMs = Date.now();
  lastInteractionMs = Date.now();
  lastCommand = 'NULL';
  /** Commands queued by MULTI; null outside a transaction. */
  multiQueue: QueuedCommand[] | null = null;
  /** Keys this client WATCHes, as `${dbId}\0${key}`. */
  readonly watchedKeys = new Set<string>();
  readonly channels = new Set<string>();
  readonly patterns = new Set<string>();
  /** Why the client is being closed (logged), set with closeAsap. */
  closeReason = '';
  /** Milliseconds since epoch when the output buffer first exceeded the soft limit; 0 when below. */
  softLimitSinceMs = 0;
  /** A write held back by CLIENT PAUSE WRITE, run first when the pause ends. */
  heldArgv: string[] | null = null;
  /** Argument vector to propagate instead of the one received (deterministic rewrites). */
  propagateArgv: string[] | null = null;
  readonly addr: string;
  readonly laddr: string;

  constructor(
    readonly id: number,
    readonly server: Server,
    readonly conn: Connection | null,
  ) {
    const cfg = server.limits;
    this.isAuthenticated = !server.requiresAuth();
    this.parser = new RequestParser({ maxBulkBytes: cfg.protoMaxBulkLen, isUnauthenticated: !this.isAuthenticated });
    this.db = server.keyspace.dbs[0];
    this.addr = conn ? formatAddr(conn.remoteAddress, conn.remotePort) : '';
    this.laddr = conn ? formatAddr(conn.localAddress, conn.localPort) : '';
    this.out.onFirstWrite = () => server.schedulePendingWrite(this);
    this.out.onGrow = () => server.outputLimits.check(this);
  }

  hasFlag(f: ClientFlag): boolean {
    return (this.flags & f) !== 0;
  }

  /** Class for client-output-buffer-limit. */
  get clientClass(): ClientClass {
    if ((this.flags & ClientFlag.Replica) !== 0 && (this.flags & ClientFlag.Monitor) === 0) return 'replica';
    if (this.channels.size + this.patterns.size > 0) return 'pubsub';
    return 'normal';
  }

  get subscriptionCount(): number {
    return this.channels.size + this.patterns.size;
  }

  /** master_repl_offset after this client's last propagated write (WAIT). */
  lastWriteOffset = 0;
  /** Input bytes received in the current event-loop turn (the server's fairness budget). */
  turnInputBytes = 0;
  /** The server's input turn in which this client was last throttled (one slice of input per turn). */
  throttledInTurn = -1;
  /** Bytes held for this client outside its output buffer (a replica's stream during its full sync). */
  heldOutputBytes = 0;

  /** Output memory: what we queue, what is held for later, what the socket still holds. */
  get outputBytes(): number {
    return this.out.pendingBytes + this.heldOutputBytes + (this.conn ? this.conn.unsentBytes : 0);
  }

  onErrorReply(code: string): void {
    this.server.stats.countErrorReply(code);
  }

  /** Marks the client to be closed by the server after the current step. */
  closeAsap(reason: string): void {
    if (this.hasFlag(ClientFlag.CloseAsap)) return;
    this.flags |= ClientFlag.CloseAsap;
    this.closeReason = reason;
    this.server.scheduleClose(this);
  }
}

export function formatAddr(host: string | undefined, port: number | undefined): string {
  if (host === undefined) return '';
  const h = host.startsWith('::ffff:') ? host.slice(7) : host;
  return `${h}:${port ?? 0}`;
}
