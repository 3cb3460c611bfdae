/**
 * Generic key commands (Redis's db.c and expire.c): DEL UNLINK EXISTS TYPE
 * TOUCH RENAME RENAMENX MOVE COPY SWAPDB RANDOMKEY KEYS SCAN DBSIZE FLUSHDB
 * FLUSHALL, the EXPIRE family, TTL/PTTL/EXPIRETIME/PEXPIRETIME, PERSIST and
 * OBJECT. Relative expirations are propagated as PEXPIREAT.
 */
import { globMatch } from '../common/glob';
import { expireTimeMs, parseI64 } from '../common/numbers';
import { D } from '../config/directives';
import { NotifyClass } from '../pubsub/notify';
import { addArrayLen, addBulk, addError, addInteger, addNull, addOk, addRaw } from '../protocol/reply';
import { err, shared } from '../protocol/shared';
import type { Client } from '../server/client';
import type { Db } from '../store/db';
import { peekAccess, restoreAccess } from '../store/evict';
import { typeOf, type RedisValue } from '../store/value';
import { dbIndexArg, intArg, word } from './args';
import { addHelp } from './connection';
import { family } from './command';
import { signalDbAsReady } from '../server/blocking';
import { lookupRead, signalWrite } from './lookup';
import { persistenceOf } from '../persistence/persistence';

const PEXPIREAT = 'PEXPIREAT';
const DEL = 'DEL';

function delGeneric(c: Client, argv: string[]): void {
  let deleted = 0;
  for (let i = 1; i < argv.length; i++) {
    const key = argv[i];
    if (c.db.lookupWrite(key) !== undefined && c.db.deleteKey(key)) {
      signalWrite(c, NotifyClass.Generic, 'del', key);
      deleted++;
    }
  }
  addInteger(c, deleted);
}

function existsCommand(c: Client, argv: string[]): void {
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (lookupRead(c, argv[i]) !== undefined) n++;
  addInteger(c, n);
}

function typeCommand(c: Client, argv: string[]): void {
  const v = lookupRead(c, argv[1]);
  if (v === undefined) addRaw(c, shared.noneType);
  else c.out.writeLatin1('+' + typeOf(v) + '\r\n');
}

function touchCommand(c: Client, argv: string[]): void {
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (lookupRead(c, argv[i]) !== undefined) n++;
  addInteger(c, n);
}

function renameGeneric(c: Client, argv: string[], isNx: boolean): void {
  const src = argv[1];
  const dst = argv[2];
  const db = c.db;
  const value = db.lookupWrite(src);
  if (value === undefined) return addError(c, err.noSuchKey);
  if (src === dst) return isNx ? addInteger(c, 0) : addOk(c);
  const expire = db.getExpire(src);
  if (db.lookupWrite(dst) !== undefined) {
    if (isNx) return addInteger(c, 0);
    db.deleteKey(dst);
  }
  db.deleteKey(src);
  db.setKey(dst, value);
  if (expire !== undefined) db.setExpire(dst, expire);
  signalWrite(c, NotifyClass.Generic, 'rename_from', src);
  signalWrite(c, NotifyClass.Generic, 'rename_to', dst, 0);
  if (isNx) addInteger(c, 1);
  else addOk(c);
}

function selectDbArg(c: Client, b: string): Db | null {
  const id = dbIndexArg(c, b);
  if (id === null) return null;
  const dbs = c.server.keyspace.dbs;
  if (id < 0 || id >= dbs.length) {
    addError(c, err.dbIndexOutOfRange);
    return null;
  }
  return dbs[id];
}

function moveCommand(c: Client, argv: string[]): void {
  const target = selectDbArg(c, argv[2]);
  if (target === null) return;
  const src = c.db;
  if (target === src) return addError(c, 'ERR source and destination objects are the same');
  const key = argv[1];
  const value = src.lookupWrite(key);
  if (value === undefined || target.has(key)) return addInteger(c, 0);
  const expire = src.getExpire(key);
  target.setKey(key, value);
  if (expire !== undefined) target.setExpire(key, expire);
  src.deleteKey(key);
  signalWrite(c, NotifyClass.Generic, 'move_from', key);
  if (c.server.notifyFlags !== 0) {
    const saved = c.db;
    c.db = target;
    signalWrite(c, NotifyClass.Generic, 'move_to', key, 0);
    c.db = saved;
  }
  addInteger(c, 1);
}

function copyValue(v: RedisValue): RedisValue {
  return typeof v === 'string' ? v : v.clone();
}

/** COPY source destination [DB index] [REPLACE]. */
function copyCommand(c: Client, argv: string[]): void {
  let target = c.db;
  let replace = false;
  for (let i = 3; i < argv.length; i++) {
    const opt = word(argv[i]);
    if (opt === 'replace') replace = true;
    else if (opt === 'db' && i + 1 < argv.length) {
      const db = selectDbArg(c, argv[++i]);
      if (db === null) return;
      target = db;
    } else return addError(c, err.syntax);
  }
  const src = argv[1];
  const dst = argv[2];
  if (target === c.db && src === dst) return addError(c, 'ERR source and destination objects are the same');
  const value = lookupRead(c, src);
  if (value === undefined) return addInteger(c, 0);
  if (target.has(dst)) {
    if (!replace) return addInteger(c, 0);
    target.deleteKey(dst);
  }
  const expire = c.db.getExpire(src);
  target.setKey(dst, copyValue(value));
  if (expire !== undefined) target.setExpire(dst, expire);
  const saved = c.db;
  c.db = target;
  signalWrite(c, NotifyClass.Generic, 'copy_to', dst);
  c.db = saved;
  addInteger(c, 1);
}

function swapdbCommand(c: Client, argv: string[]): void {
  const dbs = c.server.keyspace.dbs;
  const a = dbIndexArg(c, argv[1], 'ERR invalid first DB index');
  if (a === null) return;
  const b = dbIndexArg(c, argv[2], 'ERR invalid second DB index');
  if (b === null) return;
  if (a < 0 || a >= dbs.length || b < 0 || b >= dbs.length) return addError(c, err.dbIndexOutOfRange);
  if (a !== b) {
    const watches = c.server.watches;
    watches.touchAllInDb(dbs[a], dbs[b]);
    watches.touchAllInDb(dbs[b], dbs[a]);
    dbs[a].swapWith(dbs[b]);
    signalDbAsReady(dbs[a]);
    signalDbAsReady(dbs[b]);
    c.server.dirty++;
  }
  addOk(c);
}

function randomkeyCommand(c: Client): void {
  const key = c.server.keyspace.randomKey(c.db);
  if (key === undefined) addNull(c);
  else addBulk(c, key);
}

function keysCommand(c: Client, argv: string[]): void {
  const pattern = argv[1];
  const all = pattern === '*';
  const db = c.db;
  const now = Date.now();
  const found: string[] = [];
  for (const key of db.dict.keys()) {
    if (!all && !globMatch(pattern, key)) continue;
    const when = db.expires.size === 0 ? undefined : db.expires.get(key);
    if (when !== undefined && when <= now) continue;
    found.push(key);
  }
  addArrayLen(c, found.length);
  for (const k of found) addBulk(c, k);
}

/** Parses SCAN's MATCH/COUNT/TYPE options starting at argv[from]. */
export interface ScanOptions {
  pattern: string | null;
  count: number;
  type: string | null;
}

export function parseScanOptions(c: Client, argv: string[], from: number, allowType: boolean): ScanOptions | null {
  const opts: ScanOptions = { pattern: null, count: 10, type: null };
  for (let i = from; i < argv.length; i++) {
    const opt = word(argv[i]);
    if (i + 1 >= argv.length) {
      addError(c, err.syntax);
      return null;
    }
    if (opt === 'count') {
      const n = intArg(c, argv[++i]);
      if (n === null) return null;
      if (n < 1) {
        addError(c, err.syntax);
        return null;
      }
      opts.count = n;
    } else if (opt === 'match') {
      opts.pattern = argv[++i];
      if (opts.pattern === '*') opts.pattern = null;
    } else if (opt === 'type' && allowType) {
      opts.type = word(argv[++i]);
    } else {
      addError(c, err.syntax);
      return null;
    }
  }
  return opts;
}

const MAX_CURSOR = 18446744073709551615n;

/**
 * A cursor as Redis reads it (parseScanCursorOrReply: strtoul, no leading
 * space): an optional sign, digits, at most 2^64-1 in magnitude. Cursors are
 * names of live iterators here, so one we never issued simply ends the scan.
 */
export function parseCursor(c: Client, s: string): number | null {
  if (!/^[+-]?\d+$/.test(s) || BigInt(s.replace(/^[+-]/, '')) > MAX_CURSOR) {
    addError(c, 'ERR invalid cursor');
    return null;
  }
  const n = Number(s);
  return n === 0 ? 0 : Math.abs(n);
}

/** Replies `[cursor, [items...]]`. */
export function addScanReply(c: Client, cursor: number, items: readonly string[]): void {
  addArrayLen(c, 2);
  addBulk(c, String(cursor));
  addArrayLen(c, items.length);
  for (const it of items) addBulk(c, it);
}

function scanCommand(c: Client, argv: string[]): void {
  const cursor = parseCursor(c, argv[1]);
  if (cursor === null) return;
  const opts = parseScanOptions(c, argv, 2, true);
  if (opts === null) return;
  const db = c.db;
  const dict = db.dict;
  const found: string[] = [];
  const next = c.server.scanCursors.step(dict, () => dict.keys(), cursor, opts.count, (key) => {
    if (opts.pattern !== null && !globMatch(opts.pattern, key)) return;
    const v = db.lookupRead(key);
    if (v === undefined) return;
    if (opts.type !== null && typeOf(v) !== opts.type) return;
    found.push(key);
  });
  addScanReply(c, next, found);
}

function dbsizeCommand(c: Client): void {
  addInteger(c, c.db.size);
}

/** FLUSHDB/FLUSHALL [ASYNC|SYNC]: O(1) either way (see Db.clear). */
function parseFlushMode(c: Client, argv: string[]): boolean {
  if (argv.length === 1) return true;
  const mode = word(argv[1]);
  if (argv.length === 2 && (mode === 'async' || mode === 'sync')) return true;
  addError(c, err.syntax);
  return false;
}

function flushDb(c: Client, db: Db): number {
  const n = db.size;
  c.server.watches.touchAllInDb(db);
  db.clear();
  return n;
}

function flushdbCommand(c: Client, argv: string[]): void {
  if (!parseFlushMode(c, argv)) return;
  c.server.dirty += flushDb(c, c.db) + 1;
  addOk(c);
}

function flushallCommand(c: Client, argv: string[]): void {
  if (!parseFlushMode(c, argv)) return;
  const server = c.server;
  let removed = 0;
  for (const db of server.keyspace.dbs) removed += flushDb(c, db);
  server.dirty += removed;
  // As Redis's flushAllDataAndResetRDB: a BGSAVE under way would write the keys
  // just removed, and with save points the empty dataset is saved at once, so
  // a restart cannot bring them back.
  const persistence = persistenceOf(server);
  persistence.killBgsave('FLUSHALL');
  if (server.config.get(D.save).length > 0) persistence.saveSync();
  server.dirty++;
  // The save reset the change counter: propagate explicitly.
  c.propagateArgv = argv;
  addOk(c);
}

// ---- expiry -------------------------------------------------------------

const enum ExpireCond {
  None = 0,
  NX = 1,
  XX = 2,
  GT = 4,
  LT = 8,
}

/** EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT key time [NX|XX|GT|LT] (expireGenericCommand). */
function expireGeneric(c: Client, argv: string[], isSeconds: boolean, isRelative: boolean, name: string): void {
  let cond = 0;
  for (let i = 3; i < argv.length; i++) {
    const opt = word(argv[i]);
    if (opt === 'nx') cond |= ExpireCond.NX;
    else if (opt === 'xx') cond |= ExpireCond.XX;
    else if (opt === 'gt') cond |= ExpireCond.GT;
    else if (opt === 'lt') cond |= ExpireCond.LT;
    else return addError(c, `ERR Unsupported option ${argv[i]}`);
  }
  if ((cond & ExpireCond.NX) !== 0 && (cond & ~ExpireCond.NX) !== 0) {
    return addError(c, 'ERR NX and XX, GT or LT options at the same time are not compatible');
  }
  if ((cond & ExpireCond.GT) !== 0 && (cond & ExpireCond.LT) !== 0) {
    return addError(c, 'ERR GT and LT options at the same time are not compatible');
  }
  const t = parseI64(argv[2]);
  if (t === null) return addError(c, err.notInteger);
  const when = expireTimeMs(t, isSeconds, isRelative ? Date.now() : 0);
  if (when === null) return addError(c, err.invalidExpire(name));
  const key = argv[1];
  const db = c.db;
  if (db.lookupWrite(key) === undefined) return addInteger(c, 0);
  const current = db.getExpire(key);
  if (cond !== 0) {
    // No TTL counts as an infinite one for GT/LT.
    if ((cond & ExpireCond.NX) !== 0 && current !== undefined) return addInteger(c, 0);
    if ((cond & ExpireCond.XX) !== 0 && current === undefined) return addInteger(c, 0);
    if ((cond & ExpireCond.GT) !== 0 && (current === undefined || when <= current)) return addInteger(c, 0);
    if ((cond & ExpireCond.LT) !== 0 && current !== undefined && when >= current) return addInteger(c, 0);
  }
  if (when <= Date.now() && !c.server.keyspace.isApplyingMasterStream && !c.server.keyspace.isReplica) {
    // Already in the past: the key goes now, and replicas get a DEL.
    db.deleteKey(key);
    signalWrite(c, NotifyClass.Generic, 'del', key);
    c.propagateArgv = [DEL, argv[1]];
    return addInteger(c, 1);
  }
  db.setExpire(key, when);
  signalWrite(c, NotifyClass.Generic, 'expire', key);
  if (isRelative || isSeconds) c.propagateArgv = [PEXPIREAT, argv[1], String(when)];
  addInteger(c, 1);
}

/** TTL/PTTL/EXPIRETIME/PEXPIRETIME: -2 missing key, -1 no TTL. */
function ttlGeneric(c: Client, argv: string[], inMs: boolean, absolute: boolean): void {
  const key = argv[1];
  if (lookupRead(c, key) === undefined) return addInteger(c, -2);
  const when = c.db.getExpire(key);
  if (when === undefined) return addInteger(c, -1);
  if (absolute) return addInteger(c, inMs ? when : Math.floor((when + 500) / 1000));
  const left = Math.max(0, when - Date.now());
  addInteger(c, inMs ? left : Math.floor((left + 500) / 1000));
}

function persistCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  if (c.db.lookupWrite(key) === undefined) return addInteger(c, 0);
  if (!c.db.removeExpire(key)) return addInteger(c, 0);
  signalWrite(c, NotifyClass.Generic, 'persist', key);
  addInteger(c, 1);
}

// ---- OBJECT -------------------------------------------------------------

function objectEncoding(v: RedisValue): string {
  if (typeof v !== 'string') return v.encoding();
  if (v.length <= 20 && /^-?[1-9]\d*$|^0$/.test(v)) {
    const n = Number(v);
    if (Number.isSafeInteger(n) || BigInt(v) <= 9223372036854775807n) return 'int';
  }
  return v.length <= 44 ? 'embstr' : 'raw';
}

const OBJ_SHARED_REFCOUNT = 2147483647;

/**
 * Redis stores 0..9999 as shared integer objects (refcount INT_MAX) unless
 * maxmemory with an LRU/LFU policy needs per-key access data.
 */
function isSharedInteger(c: Client, v: RedisValue): boolean {
  if (typeof v !== 'string' || !/^(0|[1-9]\d{0,3})$/.test(v)) return false;
  const policy = c.server.config.get(D.maxmemoryPolicy);
  return c.server.config.get(D.maxmemory) === 0 || !(policy.endsWith('-lru') || policy.endsWith('-lfu'));
}

function objectSub(kind: 'encoding' | 'refcount' | 'idletime' | 'freq') {
  return (c: Client, argv: string[]): void => {
    // objectCommandLookup: counted as a hit or miss, without a keymiss event,
    // and not an access of the key (LOOKUP_NOTOUCH): the touch is undone.
    const key = argv[2];
    const accessBefore = peekAccess(c.db, key);
    const v = lookupRead(c, key, false);
    if (v === undefined) return addNull(c);
    restoreAccess(c.db, key, accessBefore);
    if (kind === 'encoding') return addBulk(c, objectEncoding(v));
    if (kind === 'refcount') return addInteger(c, isSharedInteger(c, v) ? OBJ_SHARED_REFCOUNT : 1);
    const policy = c.server.config.get(D.maxmemoryPolicy);
    const isLfu = policy.endsWith('-lfu');
    if (kind === 'idletime' && isLfu) {
      return addError(c, 'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.');
    }
    if (kind === 'freq' && !isLfu) {
      return addError(c, 'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.');
    }
    // Tracking exists only under an LRU/LFU policy; other policies report 0.
    const tracker = c.db.access;
    if (tracker === null) return addInteger(c, 0);
    addInteger(c, kind === 'freq' ? tracker.frequency(key) : tracker.idleSeconds(key));
  };
}

const OBJECT_HELP = [
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
];

export const keyspaceCommands = family('generic', [
  { name: 'del', arity: -2, flags: 'write', keys: [1, -1, 1], summary: 'Delete a key', handler: delGeneric },
  { name: 'unlink', arity: -2, flags: 'write fast', keys: [1, -1, 1], summary: 'Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.', handler: delGeneric },
  { name: 'exists', arity: -2, flags: 'readonly fast', keys: [1, -1, 1], summary: 'Determine if a key exists', handler: existsCommand },
  { name: 'type', arity: 2, flags: 'readonly fast', keys: [1, 1, 1], summary: 'Determine the type stored at key', handler: typeCommand },
  { name: 'touch', arity: -2, flags: 'readonly fast', keys: [1, -1, 1], summary: 'Alters the last access time of a key(s). Returns the number of existing keys specified.', handler: touchCommand },
  { name: 'rename', arity: 3, flags: 'write', keys: [1, 2, 1], summary: 'Rename a key', handler: (c, a) => renameGeneric(c, a, false) },
  { name: 'renamenx', arity: 3, flags: 'write fast', keys: [1, 2, 1], summary: 'Rename a key, only if the new key does not exist', handler: (c, a) => renameGeneric(c, a, true) },
  { name: 'move', arity: 3, flags: 'write fast', keys: [1, 1, 1], summary: 'Move a key to another database', handler: moveCommand },
  { name: 'copy', arity: -3, flags: 'write denyoom', keys: [1, 2, 1], summary: 'Copy a key', handler: copyCommand },
  { name: 'swapdb', arity: 3, flags: 'write fast', summary: 'Swaps two Redis databases', handler: swapdbCommand },
  { name: 'randomkey', arity: 1, flags: 'readonly', summary: 'Return a random key from the keyspace', handler: randomkeyCommand },
  { name: 'keys', arity: 2, flags: 'readonly', summary: 'Find all keys matching the given pattern', handler: keysCommand },
  { name: 'scan', arity: -2, flags: 'readonly', summary: 'Incrementally iterate the keys space', handler: scanCommand },
  { name: 'dbsize', arity: 1, flags: 'readonly fast', summary: 'Return the number of keys in the selected database', handler: dbsizeCommand },
  { name: 'flushdb', arity: -1, flags: 'write', summary: 'Remove all keys from the current database', handler: flushdbCommand },
  { name: 'flushall', arity: -1, flags: 'write', summary: 'Remove all keys from all databases', handler: flushallCommand },
  { name: 'expire', arity: -3, flags: 'write fast', keys: [1, 1, 1], summary: "Set a key's time to live in seconds", handler: (c, a) => expireGeneric(c, a, true, true, 'expire') },
  { name: 'pexpire', arity: -3, flags: 'write fast', keys: [1, 1, 1], summary: "Set a key's time to live in milliseconds", handler: (c, a) => expireGeneric(c, a, false, true, 'pexpire') },
  { name: 'expireat', arity: -3, flags: 'write fast', keys: [1, 1, 1], summary: 'Set the expiration for a key as a UNIX timestamp', handler: (c, a) => expireGeneric(c, a, true, false, 'expireat') },
  { name: 'pexpireat', arity: -3, flags: 'write fast', keys: [1, 1, 1], summary: 'Set the expiration for a key as a UNIX timestamp specified in milliseconds', handler: (c, a) => expireGeneric(c, a, false, false, 'pexpireat') },
  { name: 'ttl', arity: 2, flags: 'readonly fast', keys: [1, 1, 1], summary: 'Get the time to live for a key in seconds', handler: (c, a) => ttlGeneric(c, a, false, false) },
  { name: 'pttl', arity: 2, flags: 'readonly fast', keys: [1, 1, 1], summary: 'Get the time to live for a key in milliseconds', handler: (c, a) => ttlGeneric(c, a, true, false) },
  { name: 'expiretime', arity: 2, flags: 'readonly fast', keys: [1, 1, 1], summary: 'Get the expiration Unix timestamp for a key', handler: (c, a) => ttlGeneric(c, a, false, true) },
  { name: 'pexpiretime', arity: 2, flags: 'readonly fast', keys: [1, 1, 1], summary: 'Get the expiration Unix timestamp for a key in milliseconds', handler: (c, a) => ttlGeneric(c, a, true, true) },
  { name: 'persist', arity: 2, flags: 'write fast', keys: [1, 1, 1], summary: 'Remove the expiration from a key', handler: persistCommand },
  {
    name: 'object',
    arity: -2,
    flags: '',
    summary: 'A container for object introspection commands',
    subcommands: [
      { name: 'encoding', arity: 3, flags: 'readonly', keys: [2, 2, 1], summary: 'Inspect the internal encoding of a Redis object', handler: objectSub('encoding') },
      { name: 'refcount', arity: 3, flags: 'readonly', keys: [2, 2, 1], summary: 'Get the number of references to the value of the key', handler: objectSub('refcount') },
      { name: 'idletime', arity: 3, flags: 'readonly', keys: [2, 2, 1], summary: 'Get the time since a Redis object was last accessed', handler: objectSub('idletime') },
      { name: 'freq', arity: 3, flags: 'readonly', keys: [2, 2, 1], summary: 'Get the logarithmic access frequency counter of a Redis object', handler: objectSub('freq') },
      { name: 'help', arity: 2, flags: 'loading stale', summary: 'Show helpful text about the different subcommands', handler: (c) => addHelp(c, 'OBJECT', OBJECT_HELP) },
    ],
  },
]);
