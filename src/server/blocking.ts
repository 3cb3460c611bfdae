/**
 * Clients blocked on keys (Redis's blocked.c): BLPOP, BLMOVE, BLMPOP and,
 * through the same API, the sorted-set and stream families.
 *
 * A blocked client waits in a FIFO per db+key; while ClientFlag.Blocked is
 * set the server reads but does not run its further input. A key becomes
 * "ready" when a write may let waiters proceed; ready keys are served after
 * the current command has completed and been propagated, so a replica sees
 * LPUSH before the LPOP it made possible: the server calls
 * handleClientsBlockedOnKeys after each command, as Redis's processCommand
 * does after call(), and a microtask catches writes made elsewhere (a
 * master's stream). Each waiter of a ready key is offered the key in the
 * order it blocked; serving can make further keys ready (a BLMOVE's push),
 * which are served in the same pass.
 *
 *   db.id → key → Set<Blocked>          (a Set iterates in insertion order: FIFO)
 *   client → Blocked                    (keys, deadline, what to do when served)
 *   ready: [db, key]...                 (deduplicated per db)
 *
 * Readiness: every write that reaches a waited-on key (the keyspace's
 * keyWillChange hook: LPUSH, LMOVE's push, RENAME, MOVE, COPY, RESTORE...)
 * signals it, as dbAdd does in Redis; `signalKeyAsReady` does it by hand.
 * The family's BlockedOperation then decides, when it runs, whether the key
 * now holds something it can take.
 *
 * Timeouts are absolute deadlines (ms) served by a timer per blocked client;
 * the reply is a null array, as replyToBlockedClientTimedOut sends for
 * lists, sorted sets and streams. After unblocking, the client's queued
 * input resumes on a later tick, never inside another client's command.
 *
 * Does not own: the reply and the data change of serving (the family's
 * BlockedOperation does both and propagates what it did).
 */
import { parseDouble } from '../common/numbers';
import { log } from '../log';
import { addError, addNullArray } from '../protocol/reply';
import { err } from '../protocol/shared';
import type { Db } from '../store/db';
import { Client, ClientFlag } from './client';
import type { Server } from './server';

/** What a blocked command does once one of its keys may be ready. */
export interface BlockedOperation {
  /**
   * Serves `c` from `key` if the value there lets it: replies, changes the
   * data, propagates, and returns true (the client is then unblocked).
   * Returns false, changing nothing, to keep waiting.
   */
  serve(c: Client, key: string): boolean;
}

interface Blocked {
  readonly client: Client;
  readonly db: Db;
  readonly keys: readonly string[];
  readonly op: BlockedOperation;
  /** Absolute time in ms; 0 waits forever. */
  readonly deadlineMs: number;
  timer: NodeJS.Timeout | null;
}

/** setTimeout's longest delay; longer waits re-arm when it fires. */
const MAX_TIMER_MS = 0x7fffffff;


class BlockingRegistry {
  private readonly waiters: Map<string, Set<Blocked>>[];
  private readonly byClient = new Map<Client, Blocked>();
  private ready: [Db, string][] = [];
  private readonly readyByDb: Set<string>[];
  private isHandleScheduled = false;
  private isHandling = false;
  private toResume: Client[] = [];

  constructor(private readonly server: Server) {
    const dbs = server.keyspace.dbs;
    this.waiters = new Array(dbs.length);
    this.readyByDb = new Array(dbs.length);
    for (let i = 0; i < dbs.length; i++) {
      this.waiters[i] = new Map();
      this.readyByDb[i] = new Set();
      registryByDb.set(dbs[i], this);
    }
    server.keyspace.addListener({
      keyWillChange: (db, key) => {
        if (this.byClient.size !== 0) this.signal(db, key);
      },
    });
    server.clientCloseHooks.push((c) => {
      const b = this.byClient.get(c);
      if (b !== undefined) this.unblock(b, false);
    });
  }

  get blockedCount(): number {
    return this.byClient.size;
  }

  block(c: Client, keys: readonly string[], deadlineMs: number, op: BlockedOperation): void {
    const db = c.db;
    const b: Blocked = { client: c, db, keys, op, deadlineMs, timer: null };
    const perKey = this.waiters[db.id];
    for (let i = 0; i < keys.length; i++) {
      let set = perKey.get(keys[i]);
      if (set === undefined) perKey.set(keys[i], (set = new Set()));
      set.add(b);
    }
    this.byClient.set(c, b);
    c.flags |= ClientFlag.Blocked;
    if (deadlineMs !== 0) this.arm(b);
  }

  signal(db: Db, key: string): void {
    if (!this.waiters[db.id].has(key)) return;
    const pending = this.readyByDb[db.id];
    if (pending.has(key)) return;
    pending.add(key);
    this.ready.push([db, key]);
    registryWithReadyKeys = this;
    // Writes that do not come through processInput (a master's stream) are served by this.
    if (!this.isHandleScheduled) {
      this.isHandleScheduled = true;
      queueMicrotask(this.handleReadyKeys);
    }
  }

  /** Every key waited on in db may have changed at once (SWAPDB). */
  signalAllWaited(db: Db): void {
    for (const key of this.waiters[db.id].keys()) this.signal(db, key);
  }

  /** CLIENT UNBLOCK: answers as a timeout or with the UNBLOCKED error. */
  unblockById(id: number, withError: boolean): boolean {
    const c = this.server.clients.get(id);
    const b = c === undefined ? undefined : this.byClient.get(c);
    if (b === undefined) return false;
    if (withError) addError(b.client, err.unblocked);
    else addNullArray(b.client);
    this.unblock(b, true);
    return true;
  }

  readonly handleReadyKeys = (): void => {
    if (this.isHandling) return;
    this.isHandling = true;
    while (this.ready.length !== 0) {
      const batch = this.ready;
      this.ready = [];
      for (let i = 0; i < batch.length; i++) {
        const [db, key] = batch[i];
        // Forget the signal first: serving may make this key ready again.
        this.readyByDb[db.id].delete(key);
        const set = this.waiters[db.id].get(key);
        if (set === undefined) continue;
        for (const b of set) if (this.serveOne(b, key)) this.unblock(b, true);
      }
    }
    if (registryWithReadyKeys === this) registryWithReadyKeys = null;
    this.isHandling = false;
    this.isHandleScheduled = false;
  };

  /** A fault in one family's serve must neither stall the pass nor strand the client. */
  private serveOne(b: Blocked, key: string): boolean {
    // A client on its way out must not take data with it.
    if ((b.client.flags & ClientFlag.CloseAsap) !== 0) return false;
    // Serving finishes the blocked command: for active replication it is a write like any other.
    const active = this.server.active;
    if (active.isEnabled) active.commandStarted();
    try {
      return b.op.serve(b.client, key);
    } catch (e) {
      log.error({ client: b.client.id, err: e instanceof Error ? e.stack : String(e) }, 'Internal error while serving a blocked client');
      addError(b.client, 'ERR internal error while serving a blocked command');
      return true;
    } finally {
      if (active.isEnabled) active.commandEnded();
    }
  }

  private arm(b: Blocked): void {
    b.timer = setTimeout(this.onTimer, Math.min(Math.max(b.deadlineMs - Date.now(), 0), MAX_TIMER_MS), b);
  }

  private readonly onTimer = (b: Blocked): void => {
    b.timer = null;
    if (this.byClient.get(b.client) !== b) return;
    if (Date.now() < b.deadlineMs) return this.arm(b);
    addNullArray(b.client);
    this.unblock(b, true);
  };

  private unblock(b: Blocked, resumeInput: boolean): void {
    const perKey = this.waiters[b.db.id];
    for (let i = 0; i < b.keys.length; i++) {
      const set = perKey.get(b.keys[i]);
      if (set === undefined) continue;
      set.delete(b);
      if (set.size === 0) perKey.delete(b.keys[i]);
    }
    if (b.timer !== null) clearTimeout(b.timer);
    b.timer = null;
    this.byClient.delete(b.client);
    const c = b.client;
    c.flags &= ~ClientFlag.Blocked;
    if (!resumeInput) return;
    // Its pipelined input runs on a later tick, not inside whoever unblocked it.
    this.toResume.push(c);
    if (this.toResume.length === 1) setImmediate(this.resumeInput);
  }

  private readonly resumeInput = (): void => {
    const list = this.toResume;
    this.toResume = [];
    for (let i = 0; i < list.length; i++) {
      const c = list[i];
      if (this.server.clients.get(c.id) === c && (c.flags & ClientFlag.Blocked) === 0) this.server.processInput(c);
    }
  };
}

const registryByServer = new WeakMap<Server, BlockingRegistry>();
/** The registry holding signalled keys not served yet; null (one test per command) when none. */
let registryWithReadyKeys: BlockingRegistry | null = null;
const registryByDb = new WeakMap<Db, BlockingRegistry>();

/** The server's registry, made on first use (nothing is blocked before that). */
function registryOf(server: Server): BlockingRegistry {
  let r = registryByServer.get(server);
  if (r === undefined) registryByServer.set(server, (r = new BlockingRegistry(server)));
  return r;
}

/**
 * Blocks `c` until one of `keys` (in its current db) serves it through `op`,
 * or until deadlineMs (0 = forever). The caller has checked the keys first
 * and that blocking is allowed (isBlockingDenied).
 */
export function blockForKeys(c: Client, keys: readonly string[], deadlineMs: number, op: BlockedOperation): void {
  registryOf(c.server).block(c, keys, deadlineMs, op);
}

/**
 * A write may let clients blocked on db/key proceed; they are served after
 * the current command. Writes through Db already signal; call this from
 * code that changes a value in place without them.
 */
export function signalKeyAsReady(db: Db, key: string): void {
  const r = registryByDb.get(db);
  if (r !== undefined && r.blockedCount !== 0) r.signal(db, key);
}

/** SWAPDB: clients blocked in db may now find their keys (Redis's scanDatabaseForReadyKeys). */
export function signalDbAsReady(db: Db): void {
  const r = registryByDb.get(db);
  if (r !== undefined && r.blockedCount !== 0) r.signalAllWaited(db);
}

/**
 * Serves the clients whose keys the last command made ready. The server
 * calls it after each command it runs from a client's input, so, as in
 * Redis, the next pipelined command already sees them served.
 */
export function handleClientsBlockedOnKeys(): void {
  if (registryWithReadyKeys !== null) registryWithReadyKeys.handleReadyKeys();
}

/**
 * Inside MULTI/EXEC and for the master link a blocking command must not
 * block (Redis's CLIENT_DENY_BLOCKING): it answers as if it timed out.
 */
export function isBlockingDenied(c: Client): boolean {
  return (c.flags & (ClientFlag.Multi | ClientFlag.Master)) !== 0;
}

/** CLIENT UNBLOCK id [TIMEOUT|ERROR]: true when the client was blocked here. */
export function unblockClientById(server: Server, id: number, withError: boolean): boolean {
  const r = registryByServer.get(server);
  return r !== undefined && r.unblockById(id, withError);
}

const TIMEOUT_NOT_FLOAT = 'ERR timeout is not a float or out of range';
const TIMEOUT_NEGATIVE = 'ERR timeout is negative';
/** 2^63: a product at or past it wraps to LLONG_MIN in Redis's cast. */
const LLONG_LIMIT = 9223372036854775808;
const HEX_FLOAT = /^([+-]?)0x([0-9a-f]*)(?:\.([0-9a-f]*))?(?:p([+-]?\d+))?$/i;

/**
 * A timeout in seconds as Redis parses it (getTimeoutFromObjectOrReply with
 * UNIT_SECONDS): strtold syntax including hex floats, ceil to whole ms,
 * infinite or >= 2^63 ms wrap negative. Returns the absolute deadline in ms
 * (0 = wait forever), or null after replying the error.
 */
export function parseTimeout(c: Client, text: string): number | null {
  let seconds = parseDouble(text);
  if (seconds === null) seconds = parseHexFloat(text);
  if (seconds === null) {
    addError(c, TIMEOUT_NOT_FLOAT);
    return null;
  }
  // A long double keeps values a double flushes to zero: they still round up to 1 ms.
  if (seconds === 0 && /[1-9]/.test(mantissaOf(text))) seconds = text.startsWith('-') ? -Number.MIN_VALUE : Number.MIN_VALUE;
  const ms = Math.ceil(seconds * 1000);
  if (!Number.isFinite(ms) || ms >= LLONG_LIMIT || ms < 0) {
    addError(c, TIMEOUT_NEGATIVE);
    return null;
  }
  return ms === 0 ? 0 : Date.now() + ms;
}

function mantissaOf(text: string): string {
  const e = text.search(/[eEpP]/);
  return e < 0 ? text : text.slice(0, e);
}

function parseHexFloat(text: string): number | null {
  const m = HEX_FLOAT.exec(text);
  if (m === null || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const digits = m[2] + (m[3] ?? '');
  let v = 0;
  for (let i = 0; i < digits.length; i++) v = v * 16 + parseInt(digits[i], 16);
  const exp = (m[4] === undefined ? 0 : Number(m[4])) - 4 * (m[3] ?? '').length;
  v *= 2 ** exp;
  return m[1] === '-' ? -v : v;
}
