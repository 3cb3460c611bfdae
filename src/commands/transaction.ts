/**
 * Transactions: MULTI EXEC DISCARD WATCH UNWATCH. Queueing itself happens in
 * the dispatcher; EXEC replays the queue through `call` so each command gets
 * its stats and propagation, and the propagator wraps the writes in
 * MULTI/EXEC for replicas.
 *
 * WATCH: the server keeps `db\0key → watching clients`; any change to such
 * a key (a write, an expiry, FLUSH, SWAPDB, a write from the master) flags
 * the clients dirty, and EXEC then replies a null array.
 */
import { addArrayLen, addError, addNullArray, addOk } from '../protocol/reply';
import { err } from '../protocol/shared';
import { Client, ClientFlag } from '../server/client';
import type { Server } from '../server/server';
import type { Db } from '../store/db';
import { family } from './command';
import { call } from './dispatch';
import { lookupCommand } from './table';

function watchId(db: Db, key: string): string {
  return `${db.id}\0${key}`;
}

/** WATCH bookkeeping; installed once per server. */
export class WatchRegistry {
  private readonly watchers = new Map<string, Set<Client>>();
  /** Keys that had a TTL when watched: an expiry before EXEC counts as a change. */
  private readonly watchedDeadline = new Map<Client, Map<string, [Db, string]>>();

  constructor(server: Server) {
    server.keyspace.addListener({
      keyWillChange: (db, key) => {
        if (this.watchers.size !== 0) this.touch(db, key);
      },
    });
    server.clientCloseHooks.push((c) => this.unwatchAll(c));
  }

  get isEmpty(): boolean {
    return this.watchers.size === 0;
  }

  watch(c: Client, db: Db, key: string): void {
    const id = watchId(db, key);
    if (c.watchedKeys.has(id)) return;
    c.watchedKeys.add(id);
    let set = this.watchers.get(id);
    if (set === undefined) this.watchers.set(id, (set = new Set()));
    set.add(c);
    if (db.getExpire(key) !== undefined) {
      let m = this.watchedDeadline.get(c);
      if (m === undefined) this.watchedDeadline.set(c, (m = new Map()));
      m.set(id, [db, key]);
    }
  }

  unwatchAll(c: Client): void {
    for (const id of c.watchedKeys) {
      const set = this.watchers.get(id);
      if (set === undefined) continue;
      set.delete(c);
      if (set.size === 0) this.watchers.delete(id);
    }
    c.watchedKeys.clear();
    this.watchedDeadline.delete(c);
  }

  touch(db: Db, key: string): void {
    const set = this.watchers.get(watchId(db, key));
    if (set !== undefined) for (const c of set) c.flags |= ClientFlag.DirtyCas;
  }

  /** FLUSHDB/FLUSHALL/SWAPDB: every watched key of the db that exists counts as modified. */
  touchAllInDb(db: Db, alsoIfIn: Db | null = null): void {
    const prefix = `${db.id}\0`;
    for (const [id, set] of this.watchers) {
      if (!id.startsWith(prefix)) continue;
      const key = id.slice(prefix.length);
      if (db.dict.has(key) || (alsoIfIn !== null && alsoIfIn.dict.has(key))) for (const c of set) c.flags |= ClientFlag.DirtyCas;
    }
  }

  /** Redis 7: a watched key that expired since WATCH makes EXEC fail. */
  anyWatchedKeyExpired(c: Client): boolean {
    const m = this.watchedDeadline.get(c);
    if (m === undefined) return false;
    const now = Date.now();
    for (const [db, key] of m.values()) {
      const when = db.getExpire(key);
      if (when !== undefined && when <= now) return true;
    }
    return false;
  }
}

export function resetTransaction(c: Client): void {
  c.multiQueue = null;
  c.flags &= ~(ClientFlag.Multi | ClientFlag.DirtyCas | ClientFlag.DirtyExec);
  c.server.watches.unwatchAll(c);
}

function multiCommand(c: Client): void {
  if (c.hasFlag(ClientFlag.Multi)) return addError(c, 'ERR MULTI calls can not be nested');
  c.flags |= ClientFlag.Multi;
  c.multiQueue = [];
  addOk(c);
}

function discardCommand(c: Client): void {
  if (!c.hasFlag(ClientFlag.Multi)) return addError(c, 'ERR DISCARD without MULTI');
  resetTransaction(c);
  addOk(c);
}

function execCommand(c: Client): void {
  if (!c.hasFlag(ClientFlag.Multi)) return addError(c, 'ERR EXEC without MULTI');
  const server = c.server;
  if (c.hasFlag(ClientFlag.DirtyExec)) {
    resetTransaction(c);
    return addError(c, err.execAbort);
  }
  if (c.hasFlag(ClientFlag.DirtyCas) || server.watches.anyWatchedKeyExpired(c)) {
    resetTransaction(c);
    return addNullArray(c);
  }
  const queue = c.multiQueue!;
  // Unwatch first: our own writes must not flag us (Redis does the same).
  server.watches.unwatchAll(c);
  addArrayLen(c, queue.length);
  server.propagator.beginTransaction();
  for (const q of queue) {
    const cmd = lookupCommand(q.argv[0])!;
    const sub = cmd.subcommands !== null ? cmd.subcommands.get(q.argv[1].toLowerCase()) ?? cmd : cmd;
    call(c, sub, q.argv);
  }
  server.propagator.endTransaction();
  resetTransaction(c);
}

function watchCommand(c: Client, argv: string[]): void {
  if (c.hasFlag(ClientFlag.Multi)) return addError(c, 'ERR WATCH inside MULTI is not allowed');
  for (let i = 1; i < argv.length; i++) c.server.watches.watch(c, c.db, argv[i]);
  addOk(c);
}

function unwatchCommand(c: Client): void {
  c.server.watches.unwatchAll(c);
  c.flags &= ~ClientFlag.DirtyCas;
  addOk(c);
}

export const transactionCommands = family('transactions', [
  { name: 'multi', arity: 1, flags: 'noscript loading stale fast allow_busy', summary: 'Mark the start of a transaction block', handler: multiCommand },
  { name: 'exec', arity: 1, flags: 'noscript loading stale skip_slowlog', summary: 'Execute all commands issued after MULTI', handler: execCommand },
  { name: 'discard', arity: 1, flags: 'noscript loading stale fast allow_busy', summary: 'Discard all commands issued after MULTI', handler: discardCommand },
  { name: 'watch', arity: -2, flags: 'noscript loading stale fast allow_busy', keys: [1, -1, 1], summary: 'Watch the given keys to determine execution of the MULTI/EXEC block', handler: watchCommand },
  { name: 'unwatch', arity: 1, flags: 'noscript loading stale fast allow_busy', summary: 'Forget about all watched keys', handler: unwatchCommand },
]);
