/**
 * Hash commands (Redis 7.0's t_hash.c): HSET HSETNX HMSET HGET HMGET HDEL
 * HLEN HSTRLEN HEXISTS HKEYS HVALS HGETALL HINCRBY HINCRBYFLOAT HRANDFIELD
 * HSCAN.
 *
 * Writers create the hash before anything else can fail, as
 * hashTypeLookupWriteOrCreate does; a hash emptied by HDEL is deleted with a
 * `del` event. HINCRBYFLOAT is propagated as HSET with the result, so
 * replicas never redo float arithmetic. HRANDFIELD and HSCAN follow Redis's
 * per-encoding behaviour: a small (listpack) hash answers in insertion
 * order and HSCAN returns it whole with cursor 0.
 */
import { D } from '../config/directives';
import { isI64, parseI64 } from '../common/numbers';
import { addLongDouble, formatLongDoubleHuman, parseLongDouble } from '../common/long-double';
import { globMatch } from '../common/glob';
import { NotifyClass } from '../pubsub/notify';
import { addArrayLen, addBulk, addError, addInteger, addMapLen, addNull, addOk, addRaw } from '../protocol/reply';
import { err, shared } from '../protocol/shared';
import type { Client } from '../server/client';
import type { Server } from '../server/server';
import { HashValue, ListpackLimits } from '../store/types/hash';
import { word } from './args';
import { family } from './command';
import { addScanReply, parseCursor, parseScanOptions } from './keyspace';
import { lookupCollection, signalWrite } from './lookup';

const HSET = 'HSET';

const LONG_MIN = -9223372036854775808n;
/** LONG_MAX / 2: HRANDFIELD WITHVALUES refuses counts past it (the reply would double). */
const HALF_LONG_MAX = 4611686018427387903n;

const limitsByServer = new WeakMap<Server, ListpackLimits>();

/**
 * The server's hash-max-listpack-* values in one live object that every hash
 * it creates shares, kept current by config hooks.
 */
function hashLimits(server: Server): ListpackLimits {
  let limits = limitsByServer.get(server);
  if (limits === undefined) {
    const cfg = server.config;
    const live = { maxEntries: cfg.get(D.hashMaxListpackEntries), maxValueBytes: cfg.get(D.hashMaxListpackValue) };
    cfg.onChange(D.hashMaxListpackEntries, (v) => (live.maxEntries = v));
    cfg.onChange(D.hashMaxListpackValue, (v) => (live.maxValueBytes = v));
    limitsByServer.set(server, (limits = live));
  }
  return limits;
}

function hashOf(c: Client, key: string, forWrite: boolean): HashValue | undefined | null {
  return lookupCollection<HashValue>(c, key, 'hash', forWrite);
}

/** The hash at key, created empty when missing; null after WRONGTYPE (hashTypeLookupWriteOrCreate). */
function hashForWrite(c: Client, key: string): HashValue | null {
  const h = hashOf(c, key, true);
  if (h !== undefined) return h;
  const created = new HashValue(hashLimits(c.server));
  c.db.setKey(key, created);
  return created;
}

/** HSET key field value [field value ...], and HMSET, which replies OK. */
function hsetGeneric(c: Client, argv: string[], isHmset: boolean): void {
  if (argv.length % 2 === 1) return addError(c, err.wrongArity(isHmset ? 'hmset' : 'hset'));
  const key = argv[1];
  const h = hashForWrite(c, key);
  if (h === null) return;
  let created = 0;
  for (let i = 2; i < argv.length; i += 2) if (h.set(argv[i], argv[i + 1])) created++;
  if (isHmset) addOk(c);
  else addInteger(c, created);
  signalWrite(c, NotifyClass.Hash, 'hset', key, (argv.length - 2) / 2);
}

function hsetnxCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  const h = hashForWrite(c, key);
  if (h === null) return;
  const field = argv[2];
  if (h.has(field)) return addInteger(c, 0);
  h.set(field, argv[3]);
  addInteger(c, 1);
  signalWrite(c, NotifyClass.Hash, 'hset', key);
}

function hgetCommand(c: Client, argv: string[]): void {
  const h = hashOf(c, argv[1], false);
  if (h === null) return;
  const v = h === undefined ? undefined : h.get(argv[2]);
  if (v === undefined) addNull(c);
  else addBulk(c, v);
}

function hmgetCommand(c: Client, argv: string[]): void {
  const h = hashOf(c, argv[1], false);
  if (h === null) return;
  addArrayLen(c, argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const v = h === undefined ? undefined : h.get(argv[i]);
    if (v === undefined) addNull(c);
    else addBulk(c, v);
  }
}

function hdelCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  const h = hashOf(c, key, true);
  if (h === null) return;
  if (h === undefined) return addInteger(c, 0);
  let deleted = 0;
  for (let i = 2; i < argv.length; i++) {
    if (h.delete(argv[i])) deleted++;
    if (h.size === 0) break;
  }
  if (deleted > 0) {
    signalWrite(c, NotifyClass.Hash, 'hdel', key, deleted);
    if (h.size === 0) {
      c.db.deleteKey(key);
      signalWrite(c, NotifyClass.Generic, 'del', key, 0);
    }
  }
  addInteger(c, deleted);
}

function hlenCommand(c: Client, argv: string[]): void {
  const h = hashOf(c, argv[1], false);
  if (h === null) return;
  addInteger(c, h === undefined ? 0 : h.size);
}

function hstrlenCommand(c: Client, argv: string[]): void {
  const h = hashOf(c, argv[1], false);
  if (h === null) return;
  const v = h === undefined ? undefined : h.get(argv[2]);
  addInteger(c, v === undefined ? 0 : v.length);
}

function hexistsCommand(c: Client, argv: string[]): void {
  const h = hashOf(c, argv[1], false);
  if (h === null) return;
  addInteger(c, h !== undefined && h.has(argv[2]) ? 1 : 0);
}

const enum Part {
  Fields = 1,
  Values = 2,
  Both = 3,
}

/** HKEYS, HVALS, HGETALL (genericHgetallCommand): HGETALL is a map in RESP3. */
function hgetallGeneric(c: Client, argv: string[], part: Part): void {
  const h = hashOf(c, argv[1], false);
  if (h === null) return;
  const size = h === undefined ? 0 : h.size;
  if (part === Part.Both) addMapLen(c, size);
  else if (size === 0) return addRaw(c, shared.emptyArray);
  else addArrayLen(c, size);
  if (h === undefined) return;
  for (let i = 0; i < size; i++) {
    if ((part & Part.Fields) !== 0) addBulk(c, h.fieldAt(i));
    if ((part & Part.Values) !== 0) addBulk(c, h.valueAt(i));
  }
}

function hincrbyCommand(c: Client, argv: string[]): void {
  const incr = parseI64(argv[3]);
  if (incr === null) return addError(c, err.notInteger);
  const key = argv[1];
  const h = hashForWrite(c, key);
  if (h === null) return;
  const field = argv[2];
  const old = h.get(field);
  let current: number | bigint = 0;
  if (old !== undefined) {
    const parsed = parseI64(old);
    if (parsed === null) return addError(c, 'ERR hash value is not an integer');
    current = parsed;
  }
  let next: number | bigint;
  if (typeof current === 'number' && typeof incr === 'number' && Number.isSafeInteger(current + incr)) {
    next = current + incr;
  } else {
    const sum = BigInt(current) + BigInt(incr);
    if (!isI64(sum)) return addError(c, err.overflow);
    next = sum;
  }
  h.set(field, String(next));
  addInteger(c, next);
  signalWrite(c, NotifyClass.Hash, 'hincrby', key);
}

/** HINCRBYFLOAT in long double arithmetic, printed as Redis prints it (see common/long-double). */
function hincrbyfloatCommand(c: Client, argv: string[]): void {
  const incr = parseLongDouble(argv[3]);
  if (incr === null) return addError(c, err.notFloat);
  if (incr.isInfinite) return addError(c, 'ERR value is NaN or Infinity');
  const key = argv[1];
  const h = hashForWrite(c, key);
  if (h === null) return;
  const field = argv[2];
  const old = h.get(field);
  const current = parseLongDouble(old ?? '0');
  if (current === null || current.isInfinite) return addError(c, 'ERR hash value is not a float');
  const next = addLongDouble(current, incr);
  if (next === null) return addError(c, err.incrNanOrInf);
  const text = formatLongDoubleHuman(next);
  h.set(field, text);
  addBulk(c, text);
  signalWrite(c, NotifyClass.Hash, 'hincrbyfloat', key);
  // Replicas must not redo float arithmetic: they get the result.
  c.propagateArgv = [HSET, argv[1], argv[2], text];
}

/** One random field (and value): RESP3 nests each pair, RESP2 flattens. */
function addRandomPair(c: Client, h: HashValue, slot: number, withValues: boolean): void {
  if (withValues && c.resp === 3) addArrayLen(c, 2);
  addBulk(c, h.fieldAt(slot));
  if (withValues) addBulk(c, h.valueAt(slot));
}

function randomSlot(size: number): number {
  return Math.floor(Math.random() * size);
}

/** HRANDFIELD key [count [WITHVALUES]] (hrandfieldCommand). */
function hrandfieldCommand(c: Client, argv: string[]): void {
  if (argv.length >= 3) {
    const parsed = parseI64(argv[2]);
    if (parsed === null) return addError(c, err.notInteger);
    if (parsed === LONG_MIN) return addError(c, 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
    if (argv.length > 4 || (argv.length === 4 && word(argv[3]) !== 'withvalues')) return addError(c, err.syntax);
    const withValues = argv.length === 4;
    if (withValues && (parsed < -HALF_LONG_MAX || parsed > HALF_LONG_MAX)) return addError(c, 'ERR value is out of range');
    return hrandfieldWithCount(c, argv, Number(parsed), withValues);
  }
  const h = hashOf(c, argv[1], false);
  if (h === null) return;
  if (h === undefined) return addNull(c);
  addBulk(c, h.fieldAt(randomSlot(h.size)));
}

/**
 * hrandfieldWithCountCommand: a negative count may repeat fields and is
 * exact; a positive one returns distinct fields, the whole hash when it asks
 * for as many, and keeps a small hash's order when sampling (as
 * lpRandomPairsUnique does).
 */
function hrandfieldWithCount(c: Client, argv: string[], l: number, withValues: boolean): void {
  const h = hashOf(c, argv[1], false);
  if (h === null) return;
  if (h === undefined || l === 0) return addRaw(c, shared.emptyArray);
  const size = h.size;
  const isUnique = l > 0;
  const count = isUnique ? l : -l;
  const replyLen = isUnique && count > size ? size : count;
  addArrayLen(c, withValues && c.resp === 2 ? replyLen * 2 : replyLen);
  if (!isUnique || count === 1) {
    for (let i = 0; i < count; i++) addRandomPair(c, h, randomSlot(size), withValues);
    return;
  }
  if (count >= size) {
    for (let i = 0; i < size; i++) addRandomPair(c, h, i, withValues);
    return;
  }
  const slots = pickDistinctSlots(size, count);
  if (h.encoding() === 'listpack') slots.sort((x, y) => x - y);
  for (let i = 0; i < slots.length; i++) addRandomPair(c, h, slots[i], withValues);
}

/** `count` distinct slots below size, in random order. */
function pickDistinctSlots(size: number, count: number): number[] {
  if (count * 3 > size) {
    // Many of them: a partial Fisher-Yates shuffle of every slot.
    const all = new Array<number>(size);
    for (let i = 0; i < size; i++) all[i] = i;
    for (let i = 0; i < count; i++) {
      const j = i + randomSlot(size - i);
      const t = all[i];
      all[i] = all[j];
      all[j] = t;
    }
    all.length = count;
    return all;
  }
  // Few of them: draw until enough distinct ones came up.
  const picked = new Set<number>();
  while (picked.size < count) picked.add(randomSlot(size));
  return Array.from(picked);
}

/** HSCAN key cursor [MATCH pattern] [COUNT count]. */
function hscanCommand(c: Client, argv: string[]): void {
  const cursor = parseCursor(c, argv[2]);
  if (cursor === null) return;
  const h = hashOf(c, argv[1], false);
  if (h === null) return;
  if (h === undefined) return addScanReply(c, 0, []);
  const opts = parseScanOptions(c, argv, 3, false);
  if (opts === null) return;
  const pattern = opts.pattern;
  const found: string[] = [];
  if (h.encoding() === 'listpack') {
    // Redis returns a listpack whole, whatever the cursor and COUNT.
    for (let i = 0; i < h.size; i++) {
      const field = h.fieldAt(i);
      if (pattern === null || globMatch(pattern, field)) found.push(field, h.valueAt(i));
    }
    return addScanReply(c, 0, found);
  }
  const next = c.server.scanCursors.step(h, () => h.fieldIterator(), cursor, opts.count, (field) => {
    const v = h.get(field);
    if (v !== undefined && (pattern === null || globMatch(pattern, field))) found.push(field, v);
  });
  addScanReply(c, next, found);
}

export const hashCommands = family('hash', [
  { name: 'hset', arity: -4, flags: 'write denyoom fast', keys: [1, 1, 1], summary: 'Set the string value of a hash field', handler: (c, a) => hsetGeneric(c, a, false) },
  { name: 'hsetnx', arity: 4, flags: 'write denyoom fast', keys: [1, 1, 1], summary: 'Set the value of a hash field, only if the field does not exist', handler: hsetnxCommand },
  { name: 'hget', arity: 3, flags: 'readonly fast', keys: [1, 1, 1], summary: 'Get the value of a hash field', handler: hgetCommand },
  { name: 'hmget', arity: -3, flags: 'readonly fast', keys: [1, 1, 1], summary: 'Get the values of all the given hash fields', handler: hmgetCommand },
  { name: 'hmset', arity: -4, flags: 'write denyoom fast', keys: [1, 1, 1], summary: 'Set multiple hash fields to multiple values', handler: (c, a) => hsetGeneric(c, a, true) },
  { name: 'hdel', arity: -3, flags: 'write fast', keys: [1, 1, 1], summary: 'Delete one or more hash fields', handler: hdelCommand },
  { name: 'hlen', arity: 2, flags: 'readonly fast', keys: [1, 1, 1], summary: 'Get the number of fields in a hash', handler: hlenCommand },
  { name: 'hstrlen', arity: 3, flags: 'readonly fast', keys: [1, 1, 1], summary: 'Get the length of the value of a hash field', handler: hstrlenCommand },
  { name: 'hexists', arity: 3, flags: 'readonly fast', keys: [1, 1, 1], summary: 'Determine if a hash field exists', handler: hexistsCommand },
  { name: 'hkeys', arity: 2, flags: 'readonly', keys: [1, 1, 1], summary: 'Get all the fields in a hash', handler: (c, a) => hgetallGeneric(c, a, Part.Fields) },
  { name: 'hvals', arity: 2, flags: 'readonly', keys: [1, 1, 1], summary: 'Get all the values in a hash', handler: (c, a) => hgetallGeneric(c, a, Part.Values) },
  { name: 'hgetall', arity: 2, flags: 'readonly', keys: [1, 1, 1], summary: 'Get all the fields and values in a hash', handler: (c, a) => hgetallGeneric(c, a, Part.Both) },
  { name: 'hincrby', arity: 4, flags: 'write denyoom fast', keys: [1, 1, 1], summary: 'Increment the integer value of a hash field by the given number', handler: hincrbyCommand },
  { name: 'hincrbyfloat', arity: 4, flags: 'write denyoom fast', keys: [1, 1, 1], summary: 'Increment the float value of a hash field by the given amount', handler: hincrbyfloatCommand },
  { name: 'hrandfield', arity: -2, flags: 'readonly', keys: [1, 1, 1], summary: 'Get one or multiple random fields from a hash', handler: hrandfieldCommand },
  { name: 'hscan', arity: -3, flags: 'readonly', keys: [1, 1, 1], summary: 'Incrementally iterate hash fields and associated values', handler: hscanCommand },
]);
