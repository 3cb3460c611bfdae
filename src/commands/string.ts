/**
 * String commands (Redis's t_string.c). Values are latin1 strings (one char
 * per byte). setGeneric serves SET, SETNX, SETEX, PSETEX and GETSET, as
 * setGenericCommand does in Redis; expirations are propagated as absolute
 * PXAT/PEXPIREAT so replicas and the RDB agree.
 */
import { addLongDouble, formatLongDoubleHuman, parseLongDouble } from '../common/long-double';
import { expireTimeMs, parseI64, isI64 } from '../common/numbers';
import { NotifyClass } from '../pubsub/notify';
import { addArrayLen, addBulk, addBulkOrNull, addError, addInteger, addNull, addOk } from '../protocol/reply';
import { err } from '../protocol/shared';
import type { Client } from '../server/client';
import { intArg, word } from './args';
import { family } from './command';
import { lookupRead, readString, signalWrite, writeString } from './lookup';

/** V8's longest string; Redis's own cap (proto-max-bulk-len) applies first when lower. */
const MAX_V8_STRING = 0x1fffffe8;

const SET = 'SET';
const PXAT = 'PXAT';
const KEEPTTL = 'KEEPTTL';
const DEL = 'DEL';
const PEXPIREAT = 'PEXPIREAT';
const PERSIST = 'PERSIST';

const enum SetFlag {
  NX = 1,
  XX = 2,
  Get = 4,
  KeepTtl = 8,
  EX = 16,
  PX = 32,
  EXAT = 64,
  PXAT = 128,
}

const EXPIRE_FLAGS = SetFlag.EX | SetFlag.PX | SetFlag.EXAT | SetFlag.PXAT;

export function checkStringLength(c: Client, length: number): boolean {
  if (length > c.server.limits.protoMaxBulkLen || length > MAX_V8_STRING) {
    addError(c, err.stringTooLong);
    return false;
  }
  return true;
}

/**
 * Turns an EX/PX/EXAT/PXAT argument into an absolute time in ms, or replies
 * Redis's error and returns null (getExpireMillisecondsOrReply).
 */
export function expireArgToAbsMs(c: Client, arg: string, unitFlag: number, cmdName: string): number | null {
  const v = parseI64(arg);
  if (v === null) {
    addError(c, err.notInteger);
    return null;
  }
  const isSeconds = unitFlag === SetFlag.EX || unitFlag === SetFlag.EXAT;
  const isRelative = unitFlag === SetFlag.EX || unitFlag === SetFlag.PX;
  const ms = v <= 0 ? null : expireTimeMs(v, isSeconds, isRelative ? Date.now() : 0);
  if (ms === null || ms <= 0) {
    addError(c, err.invalidExpire(cmdName));
    return null;
  }
  return ms;
}

/** SET key value [NX|XX] [GET] [EX s|PX ms|EXAT ts|PXAT ts|KEEPTTL]. */
function setCommand(c: Client, argv: string[]): void {
  let flags = 0;
  let expireArg: string | null = null;
  let expireUnit = 0;
  for (let i = 3; i < argv.length; i++) {
    const opt = word(argv[i]);
    const hasNext = i + 1 < argv.length;
    if (opt === 'nx' && (flags & SetFlag.XX) === 0) flags |= SetFlag.NX;
    else if (opt === 'xx' && (flags & SetFlag.NX) === 0) flags |= SetFlag.XX;
    else if (opt === 'get') flags |= SetFlag.Get;
    else if (opt === 'keepttl' && (flags & EXPIRE_FLAGS) === 0) flags |= SetFlag.KeepTtl;
    else if (hasNext && (flags & (EXPIRE_FLAGS | SetFlag.KeepTtl)) === 0 && (opt === 'ex' || opt === 'px' || opt === 'exat' || opt === 'pxat')) {
      expireUnit = opt === 'ex' ? SetFlag.EX : opt === 'px' ? SetFlag.PX : opt === 'exat' ? SetFlag.EXAT : SetFlag.PXAT;
      flags |= expireUnit;
      expireArg = argv[++i];
    } else {
      return addError(c, err.syntax);
    }
  }
  let expireAtMs = -1;
  if (expireArg !== null) {
    const ms = expireArgToAbsMs(c, expireArg, expireUnit, 'set');
    if (ms === null) return;
    expireAtMs = ms;
  }
  setGeneric(c, flags, argv[1], argv[2], expireAtMs, expireUnit === SetFlag.PXAT);
}

function setGeneric(c: Client, flags: number, key: string, value: string, expireAtMs: number, isAlreadyPxat: boolean): void {
  const db = c.db;
  let old: string | undefined | null;
  if ((flags & SetFlag.Get) !== 0) {
    old = readString(c, key);
    if (old === null) return; // WRONGTYPE replied
  } else {
    old = undefined;
  }
  const exists = (flags & (SetFlag.NX | SetFlag.XX)) !== 0 && (old !== undefined || db.has(key));
  if (((flags & SetFlag.NX) !== 0 && exists) || ((flags & SetFlag.XX) !== 0 && !exists)) {
    if ((flags & SetFlag.Get) !== 0) addBulkOrNull(c, old);
    else addNull(c);
    return;
  }
  db.setKey(key, value, (flags & SetFlag.KeepTtl) !== 0);
  signalWrite(c, NotifyClass.String, 'set', key);
  if (expireAtMs >= 0) {
    db.setExpire(key, expireAtMs);
    signalWrite(c, NotifyClass.Generic, 'expire', key, 0);
    if (!isAlreadyPxat) c.propagateArgv = [SET, key, value, PXAT, String(expireAtMs)];
  }
  if ((flags & SetFlag.Get) !== 0) {
    addBulkOrNull(c, old);
    // Replicas need no GET; without expiry the rest of the command is kept.
    if (c.propagateArgv === null) c.propagateArgv = [SET, key, value, ...optionsWithoutGet(flags)];
  } else {
    addOk(c);
  }
}

function optionsWithoutGet(flags: number): string[] {
  const out: string[] = [];
  if ((flags & SetFlag.NX) !== 0) out.push('NX');
  if ((flags & SetFlag.XX) !== 0) out.push('XX');
  if ((flags & SetFlag.KeepTtl) !== 0) out.push(KEEPTTL);
  return out;
}

function setnxCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  if (c.db.has(key)) return addInteger(c, 0);
  c.db.setKey(key, argv[2]);
  signalWrite(c, NotifyClass.String, 'set', key);
  addInteger(c, 1);
}

function setexGeneric(c: Client, argv: string[], unit: number, name: string): void {
  const ms = expireArgToAbsMs(c, argv[2], unit, name);
  if (ms === null) return;
  setGeneric(c, 0, argv[1], argv[3], ms, false);
}

function getCommand(c: Client, argv: string[]): void {
  const v = readString(c, argv[1]);
  if (v !== null) addBulkOrNull(c, v);
}

function getsetCommand(c: Client, argv: string[]): void {
  setGeneric(c, SetFlag.Get, argv[1], argv[2], -1, false);
  c.propagateArgv = [SET, argv[1], argv[2]];
}

function getdelCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  const v = readString(c, key);
  if (v === null) return;
  if (v === undefined) return addNull(c);
  c.db.deleteKey(key);
  signalWrite(c, NotifyClass.Generic, 'del', key);
  c.propagateArgv = [DEL, argv[1]];
  addBulk(c, v);
}

/** GETEX key [EX s|PX ms|EXAT ts|PXAT ts|PERSIST]. */
function getexCommand(c: Client, argv: string[]): void {
  let unit = 0;
  let isPersist = false;
  let expireArg: string | null = null;
  for (let i = 2; i < argv.length; i++) {
    const opt = word(argv[i]);
    const hasNext = i + 1 < argv.length;
    if (opt === 'persist' && unit === 0 && !isPersist) isPersist = true;
    else if (hasNext && unit === 0 && !isPersist && (opt === 'ex' || opt === 'px' || opt === 'exat' || opt === 'pxat')) {
      unit = opt === 'ex' ? SetFlag.EX : opt === 'px' ? SetFlag.PX : opt === 'exat' ? SetFlag.EXAT : SetFlag.PXAT;
      expireArg = argv[++i];
    } else return addError(c, err.syntax);
  }
  let ms = -1;
  if (expireArg !== null) {
    const v = expireArgToAbsMs(c, expireArg, unit, 'getex');
    if (v === null) return;
    ms = v;
  }
  const key = argv[1];
  const v = readString(c, key);
  if (v === null) return;
  if (v === undefined) return addNull(c);
  if (ms >= 0) {
    c.db.setExpire(key, ms);
    signalWrite(c, NotifyClass.Generic, 'expire', key);
    c.propagateArgv = [PEXPIREAT, argv[1], String(ms)];
  } else if (isPersist && c.db.removeExpire(key)) {
    signalWrite(c, NotifyClass.Generic, 'persist', key);
    c.propagateArgv = [PERSIST, argv[1]];
  }
  addBulk(c, v);
}

function mgetCommand(c: Client, argv: string[]): void {
  addArrayLen(c, argv.length - 1);
  for (let i = 1; i < argv.length; i++) {
    const v = lookupRead(c, argv[i]);
    if (typeof v === 'string') addBulk(c, v);
    else addNull(c);
  }
}

function msetGeneric(c: Client, argv: string[], isNx: boolean): void {
  if (argv.length % 2 === 0) return addError(c, err.wrongArity(isNx ? 'msetnx' : 'mset'));
  if (isNx) {
    for (let i = 1; i < argv.length; i += 2) if (c.db.has(argv[i])) return addInteger(c, 0);
  }
  for (let i = 1; i < argv.length; i += 2) {
    const key = argv[i];
    c.db.setKey(key, argv[i + 1]);
    signalWrite(c, NotifyClass.String, 'set', key);
  }
  if (isNx) addInteger(c, 1);
  else addOk(c);
}

/** INCR/DECR/INCRBY/DECRBY on a 64-bit signed integer, as Redis's incrDecrCommand. */
function incrDecr(c: Client, key: string, by: number | bigint): void {
  const old = writeString(c, key);
  if (old === null) return;
  let current: number | bigint = 0;
  if (old !== undefined) {
    const parsed = parseI64(old);
    if (parsed === null) return addError(c, err.notInteger);
    current = parsed;
  }
  let next: number | bigint;
  if (typeof current === 'number' && typeof by === 'number') {
    next = current + by;
    if (!Number.isSafeInteger(next)) next = BigInt(current) + BigInt(by);
  } else {
    next = BigInt(current) + BigInt(by);
  }
  if (typeof next === 'bigint') {
    if (!isI64(next)) return addError(c, err.overflow);
    const asNumber = Number(next);
    if (Number.isSafeInteger(asNumber)) next = asNumber;
  }
  const text = String(next);
  if (old === undefined) c.db.setKey(key, text);
  else c.db.overwrite(key, text);
  signalWrite(c, NotifyClass.String, 'incrby', key);
  addInteger(c, next);
}

function incrbyArg(c: Client, b: string): number | bigint | null {
  const v = parseI64(b);
  if (v === null) addError(c, err.notInteger);
  return v;
}

function negate(v: number | bigint): number | bigint | null {
  if (typeof v === 'number') return -v;
  const n = -v;
  return isI64(n) ? n : null;
}

/** INCRBYFLOAT in long double arithmetic, printed as Redis prints it (see common/long-double). */
function incrbyfloatCommand(c: Client, argv: string[]): void {
  const by = parseLongDouble(argv[2]);
  if (by === null) return addError(c, err.notFloat);
  const key = argv[1];
  const old = writeString(c, key);
  if (old === null) return;
  const current = old === undefined ? parseLongDouble('0') : parseLongDouble(old);
  if (current === null) return addError(c, err.notFloat);
  const next = addLongDouble(current, by);
  if (next === null) return addError(c, err.incrNanOrInf);
  const text = formatLongDoubleHuman(next);
  if (old === undefined) c.db.setKey(key, text);
  else c.db.overwrite(key, text);
  signalWrite(c, NotifyClass.String, 'incrbyfloat', key);
  // Replicas must not redo float arithmetic: they get the result.
  c.propagateArgv = [SET, argv[1], text, KEEPTTL];
  addBulk(c, text);
}

function appendCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  const old = writeString(c, key);
  if (old === null) return;
  const add = argv[2];
  if (old === undefined) {
    c.db.setKey(key, add);
  } else {
    if (!checkStringLength(c, old.length + add.length)) return;
    c.db.overwrite(key, old + add);
  }
  signalWrite(c, NotifyClass.String, 'append', key);
  addInteger(c, (old?.length ?? 0) + add.length);
}

function strlenCommand(c: Client, argv: string[]): void {
  const v = readString(c, argv[1]);
  if (v !== null) addInteger(c, v === undefined ? 0 : v.length);
}

function getrangeCommand(c: Client, argv: string[]): void {
  let start = intArg(c, argv[2]);
  if (start === null) return;
  let end = intArg(c, argv[3]);
  if (end === null) return;
  const v = readString(c, argv[1]);
  if (v === null) return;
  if (v === undefined) return addBulk(c, '');
  const len = v.length;
  if (start < 0 && end < 0 && start > end) return addBulk(c, '');
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len === 0) return addBulk(c, '');
  addBulk(c, v.slice(start, end + 1));
}

function setrangeCommand(c: Client, argv: string[]): void {
  const offset = intArg(c, argv[2]);
  if (offset === null) return;
  if (offset < 0) return addError(c, 'ERR offset is out of range');
  const key = argv[1];
  const patch = argv[3];
  const old = writeString(c, key);
  if (old === null) return;
  if (patch.length === 0) return addInteger(c, old?.length ?? 0);
  if (!checkStringLength(c, offset + patch.length)) return;
  const base = old ?? '';
  const padded = base.length < offset ? base + '\0'.repeat(offset - base.length) : base;
  const next = padded.slice(0, offset) + patch + padded.slice(offset + patch.length);
  if (old === undefined) c.db.setKey(key, next);
  else c.db.overwrite(key, next);
  signalWrite(c, NotifyClass.String, 'setrange', key);
  addInteger(c, next.length);
}

export const stringCommands = family('string', [
  { name: 'get', arity: 2, flags: 'readonly fast', keys: [1, 1, 1], summary: 'Get the value of a key', handler: getCommand },
  { name: 'set', arity: -3, flags: 'write denyoom', keys: [1, 1, 1], summary: 'Set the string value of a key', handler: setCommand },
  { name: 'setnx', arity: 3, flags: 'write denyoom fast', keys: [1, 1, 1], summary: 'Set the value of a key, only if the key does not exist', handler: setnxCommand },
  { name: 'setex', arity: 4, flags: 'write denyoom', keys: [1, 1, 1], summary: 'Set the value and expiration of a key', handler: (c, a) => setexGeneric(c, a, SetFlag.EX, 'setex') },
  { name: 'psetex', arity: 4, flags: 'write denyoom', keys: [1, 1, 1], summary: 'Set the value and expiration in milliseconds of a key', handler: (c, a) => setexGeneric(c, a, SetFlag.PX, 'psetex') },
  { name: 'getset', arity: 3, flags: 'write denyoom fast', keys: [1, 1, 1], summary: 'Set the string value of a key and return its old value', handler: getsetCommand },
  { name: 'getdel', arity: 2, flags: 'write fast', keys: [1, 1, 1], summary: 'Get the value of a key and delete the key', handler: getdelCommand },
  { name: 'getex', arity: -2, flags: 'write fast', keys: [1, 1, 1], summary: 'Get the value of a key and optionally set its expiration', handler: getexCommand },
  { name: 'mget', arity: -2, flags: 'readonly fast', keys: [1, -1, 1], summary: 'Get the values of all the given keys', handler: mgetCommand },
  { name: 'mset', arity: -3, flags: 'write denyoom', keys: [1, -1, 2], summary: 'Set multiple keys to multiple values', handler: (c, a) => msetGeneric(c, a, false) },
  { name: 'msetnx', arity: -3, flags: 'write denyoom', keys: [1, -1, 2], summary: 'Set multiple keys to multiple values, only if none of the keys exist', handler: (c, a) => msetGeneric(c, a, true) },
  { name: 'incr', arity: 2, flags: 'write denyoom fast', keys: [1, 1, 1], summary: 'Increment the integer value of a key by one', handler: (c, a) => incrDecr(c, a[1], 1) },
  { name: 'decr', arity: 2, flags: 'write denyoom fast', keys: [1, 1, 1], summary: 'Decrement the integer value of a key by one', handler: (c, a) => incrDecr(c, a[1], -1) },
  {
    name: 'incrby',
    arity: 3,
    flags: 'write denyoom fast',
    keys: [1, 1, 1],
    summary: 'Increment the integer value of a key by the given amount',
    handler: (c, a) => {
      const by = incrbyArg(c, a[2]);
      if (by !== null) incrDecr(c, a[1], by);
    },
  },
  {
    name: 'decrby',
    arity: 3,
    flags: 'write denyoom fast',
    keys: [1, 1, 1],
    summary: 'Decrement the integer value of a key by the given number',
    handler: (c, a) => {
      const by = incrbyArg(c, a[2]);
      if (by === null) return;
      const neg = negate(by);
      if (neg === null) return addError(c, 'ERR decrement would overflow');
      incrDecr(c, a[1], neg);
    },
  },
  { name: 'incrbyfloat', arity: 3, flags: 'write denyoom fast', keys: [1, 1, 1], summary: 'Increment the float value of a key by the given amount', handler: incrbyfloatCommand },
  { name: 'append', arity: 3, flags: 'write denyoom fast', keys: [1, 1, 1], summary: 'Append a value to a key', handler: appendCommand },
  { name: 'strlen', arity: 2, flags: 'readonly fast', keys: [1, 1, 1], summary: 'Get the length of the value stored in a key', handler: strlenCommand },
  { name: 'getrange', arity: 4, flags: 'readonly', keys: [1, 1, 1], summary: 'Get a substring of the string stored at a key', handler: getrangeCommand },
  { name: 'substr', arity: 4, flags: 'readonly', keys: [1, 1, 1], summary: 'Get a substring of the string stored at a key', handler: getrangeCommand },
  { name: 'setrange', arity: 4, flags: 'write denyoom', keys: [1, 1, 1], summary: 'Overwrite part of a string at key starting at the specified offset', handler: setrangeCommand },
]);
